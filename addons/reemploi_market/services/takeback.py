"""Take-back reports and AGEC indicators: the figures that need no ORM.

- :func:`outcome` tells what became of a device from its lifecycle state;
- :func:`report_lines` and :func:`totals` build the lines of a donor's
  take-back report and its totals by outcome and by category;
- :func:`reuse_rate` is the rate of décret 2023-266 (devices sent to reuse in
  the year / reformed stock on 1 January) with its target for the year;
- :func:`purchase_share` is the share of reused equipment in the IT purchases
  of a public buyer (AGEC law, article 58), with its 20% target.
"""

from collections import namedtuple

REUSED = "reused"
DONATED = "donated"
RECYCLED = "recycled"
IN_PROGRESS = "in_progress"
MISSING = "missing"

# in the order reports list them
OUTCOMES = (REUSED, DONATED, RECYCLED, IN_PROGRESS, MISSING)

# lifecycle state (reemploi_asset/services/lifecycle.py) -> outcome; any
# other state means the device is still being processed
OUTCOME_BY_STATE = {
    "refurbished": REUSED,
    "for_sale": REUSED,
    "sold": REUSED,
    "donated": DONATED,
    "recycled": RECYCLED,
    "missing": MISSING,
}

# Décret 2023-266: share of the reformed IT equipment to send to reuse
REUSE_TARGETS = ((2025, 0.50), (2024, 0.35), (2023, 0.25))
# AGEC law, article 58 (décret 2021-254): share of the annual IT purchases
# that are reused equipment (or contain recycled materials)
PURCHASE_TARGET = 0.20

Totals = namedtuple("Totals", "count weight_kg co2e_avoided_kg")
Rate = namedtuple("Rate", "numerator denominator rate target met")


def outcome(state):
    """Outcome of a device in lifecycle ``state``."""
    return OUTCOME_BY_STATE.get(state, IN_PROGRESS)


def states_of(wanted):
    """Lifecycle states whose outcome is ``wanted``, sorted (``in_progress``
    has no entry: it is every other state)."""
    return sorted(state for state, out in OUTCOME_BY_STATE.items() if out == wanted)


def report_lines(rows):
    """Lines of a take-back report from ``rows`` (dicts with at least
    ``serial``, ``category``, ``state``, ``weight_kg``, ``co2e_avoided_kg``),
    sorted by category then serial: each row with its ``outcome``."""
    lines = [dict(row, outcome=outcome(row["state"])) for row in rows]
    lines.sort(key=lambda line: (line["category"] or "", line["serial"] or ""))
    return lines


def _add(total, line):
    return Totals(
        total.count + 1,
        total.weight_kg + (line["weight_kg"] or 0.0),
        total.co2e_avoided_kg + (line["co2e_avoided_kg"] or 0.0),
    )


def _rounded(total):
    return Totals(
        total.count, round(total.weight_kg, 2), round(total.co2e_avoided_kg, 1)
    )


def totals(lines):
    """Totals of report ``lines``: ``{"all": Totals, "by_outcome": {outcome:
    Totals}, "by_category": {category: Totals}}``. Every outcome is listed
    (zero when no device has it), in the order of :data:`OUTCOMES`; the
    categories are sorted. Weights are rounded to 0.01 kg, CO2e to 0.1 kg."""
    zero = Totals(0, 0.0, 0.0)
    everything = zero
    by_outcome = dict.fromkeys(OUTCOMES, zero)
    by_category = {}
    for line in lines:
        everything = _add(everything, line)
        by_outcome[line["outcome"]] = _add(by_outcome[line["outcome"]], line)
        category = line["category"] or ""
        by_category[category] = _add(by_category.get(category, zero), line)
    return {
        "all": _rounded(everything),
        "by_outcome": {key: _rounded(value) for key, value in by_outcome.items()},
        "by_category": {key: _rounded(by_category[key]) for key in sorted(by_category)},
    }


def reuse_target(year):
    """Target reuse rate of décret 2023-266 for ``year``, or None before 2023."""
    for since, target in REUSE_TARGETS:
        if year >= since:
            return target
    return None


def _rate(numerator, denominator, target):
    if denominator <= 0:
        # nothing to measure against: no rate, the target is neither met nor
        # missed
        return Rate(numerator, denominator, None, target, None)
    rate = numerator / denominator
    met = None if target is None else rate >= target
    return Rate(numerator, denominator, rate, target, met)


def reuse_rate(sent_to_reuse, reformed_stock, year):
    """Reuse rate of décret 2023-266 for ``year``: devices sent to reuse in
    the year / reformed stock on 1 January of the year. ``rate`` and ``met``
    are None when the reformed stock is zero."""
    return _rate(sent_to_reuse, reformed_stock, reuse_target(year))


def purchase_share(reused_purchases, total_purchases):
    """Share of reused equipment in the IT purchases (amounts or counts,
    both in the same unit), against the 20% target of the AGEC law. ``rate``
    and ``met`` are None when there were no purchases."""
    return _rate(reused_purchases, total_purchases, PURCHASE_TARGET)
