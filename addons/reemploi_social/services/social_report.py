"""Solidarity report for the metropolis: the figures that need no ORM.

The rows are those of the ``reemploi.social.report`` view (one per device
sold or given to an association, plus one per anonymised hand-over); the
pivot view, the PDF and the XLSX all aggregate them here or in SQL with the
same sums, so their figures agree.

Each row is a dict with ``commune``, ``association``, ``category`` (labels,
possibly empty), ``month`` (a :class:`datetime.date`, first of the month),
and the numbers ``devices``, ``given``, ``people_reached``, ``amount``,
``co2e_kg`` and ``weight_kg``.
"""

from collections import namedtuple

Totals = namedtuple(
    "Totals", "devices given people_reached amount co2e_kg co2e_t weight_kg"
)

ZERO = Totals(0, 0, 0, 0.0, 0.0, 0.0, 0.0)

# label of a row without commune (an association serving no commune yet)
# or without category; replaced by a translated label by the caller
UNKNOWN = ""


def tonnes(kg):
    """``kg`` in tonnes, rounded to the kilogram."""
    return round((kg or 0.0) / 1000.0, 3)


def _add(total, row):
    return Totals(
        total.devices + int(row.get("devices") or 0),
        total.given + (1 if row.get("given") else 0),
        total.people_reached + int(row.get("people_reached") or 0),
        total.amount + (row.get("amount") or 0.0),
        total.co2e_kg + (row.get("co2e_kg") or 0.0),
        0.0,
        total.weight_kg + (row.get("weight_kg") or 0.0),
    )


def _rounded(total):
    co2e_kg = round(total.co2e_kg, 1)
    return Totals(
        total.devices,
        total.given,
        total.people_reached,
        round(total.amount, 2),
        co2e_kg,
        tonnes(co2e_kg),
        round(total.weight_kg, 2),
    )


def _group(rows, key):
    groups = {}
    for row in rows:
        value = row.get(key) or UNKNOWN
        groups[value] = _add(groups.get(value, ZERO), row)
    return groups


def aggregate(rows):
    """Tables of the report from ``rows``: ``{"totals": Totals,
    "by_commune": [(commune, Totals)], "by_association": [...],
    "by_category": [...], "by_month": [(month, Totals)]}``. Communes,
    associations and categories are sorted by label (the empty label last),
    months chronologically. CO2e is rounded to 0.1 kg, weights and amounts
    to 0.01, tonnes to the kilogram."""
    rows = list(rows)
    everything = ZERO
    for row in rows:
        everything = _add(everything, row)

    def by_label(key):
        groups = _group(rows, key)
        labels = sorted(groups, key=lambda label: (label == UNKNOWN, label))
        return [(label, _rounded(groups[label])) for label in labels]

    months = _group([row for row in rows if row.get("month")], "month")
    return {
        "totals": _rounded(everything),
        "by_commune": by_label("commune"),
        "by_association": by_label("association"),
        "by_category": by_label("category"),
        "by_month": [(month, _rounded(months[month])) for month in sorted(months)],
    }
