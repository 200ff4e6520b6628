"""Take-back reports and AGEC indicators: the figures that need no ORM.

- what became of a device (its outcome) and whether that is reuse is told by
  reemploi_asset/services/lifecycle.py, the one owner of that notion;
- :func:`report_lines` and :func:`totals` build the lines of a donor's
  take-back report and its totals by outcome and by category;
- :func:`reuse_figures` counts, from a body's register, the figures of
  décret 2023-266 (reformed stock on 1 January, devices sent to reuse in the
  year) with the devices the décret leaves out, and :func:`reuse_rate` is
  that rate with its target for the year;
- :func:`purchase_share` is the share of reused equipment in the IT purchases
  of a public buyer (AGEC law, article 58), with its 20% target.
"""

import datetime
from collections import namedtuple

from odoo.addons.reemploi_asset.services import lifecycle

# Décret 2023-266: share of the reformed IT equipment to send to reuse
REUSE_TARGETS = ((2025, 0.50), (2024, 0.35), (2023, 0.25))
# AGEC law, article 58 (décret 2021-254): share of the annual IT purchases
# that are reused equipment (or contain recycled materials)
PURCHASE_TARGET = 0.20

# Décret 2023-266, article 1: left out of both terms of the reuse rate, the
# devices more than ten years old when they were reformed, and those that
# held classified or security-restricted data
MAX_AGE_YEARS = 10
TOO_OLD = "too_old"
RESTRICTED = "restricted"

Totals = namedtuple("Totals", "count weight_kg co2e_avoided_kg")
# One device of a body's register for the reuse rate: its lifecycle state,
# purchase date, restricted data flag, and the datetimes it was first taken
# out of use (to decommission or declared) and first handed over to an
# operator (collected or received), None when it was not
RegisterDevice = namedtuple(
    "RegisterDevice", "state purchase_date restricted reformed handed_over"
)
# The figures of décret 2023-266 for a year: ``stock`` and ``sent`` are the
# terms of the rate; ``stock_left_out`` and ``sent_left_out`` count the
# devices left out of each, by reason ({TOO_OLD: n, RESTRICTED: n});
# ``in_progress`` and ``not_reused`` are the devices handed over in the year
# that do not count as sent to reuse (still being processed; recycled or
# missing)
ReuseFigures = namedtuple(
    "ReuseFigures", "stock sent stock_left_out sent_left_out in_progress not_reused"
)
Rate = namedtuple("Rate", "numerator denominator rate target met")


def report_lines(rows):
    """Lines of a take-back report from ``rows`` (dicts with at least
    ``serial``, ``category``, ``state``, ``weight_kg``, ``co2e_avoided_kg``),
    sorted by category then serial: each row with its ``outcome``. The CO2
    avoided counts only for a device whose outcome is reuse (sold or
    donated): a device on the shop is in progress, with no CO2 avoided yet."""
    lines = []
    for row in rows:
        reused = lifecycle.is_reused(row["state"])
        lines.append(
            dict(
                row,
                outcome=lifecycle.outcome(row["state"]),
                reused=reused,
                co2e_avoided_kg=(row["co2e_avoided_kg"] or 0.0) if reused else 0.0,
            )
        )
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
    (zero when no device has it), in the order of ``lifecycle.OUTCOMES``; the
    categories are sorted. Weights are rounded to 0.01 kg, CO2e to 0.1 kg."""
    zero = Totals(0, 0.0, 0.0)
    everything = zero
    by_outcome = dict.fromkeys(lifecycle.OUTCOMES, zero)
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


def _years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def left_out_reason(purchase_date, reformed_on, restricted):
    """Why décret 2023-266 leaves a device out of the reuse rate: RESTRICTED
    (classified or security-restricted data), TOO_OLD (bought more than ten
    years before it was reformed on ``reformed_on``), or None when it
    counts. Without a purchase date, the age is unknown: it counts."""
    if restricted:
        return RESTRICTED
    if (
        purchase_date
        and reformed_on
        and _years_after(purchase_date, MAX_AGE_YEARS) < reformed_on
    ):
        return TOO_OLD
    return None


def _day(value):
    return value.date() if isinstance(value, datetime.datetime) else value


def reuse_figures(devices, year):
    """Figures of décret 2023-266 for ``year`` from the ``devices`` of a
    body's register (:class:`RegisterDevice`), as :class:`ReuseFigures`.

    - reformed stock on 1 January: devices taken out of use before 1 January
      and not handed over to an operator before it;
    - sent to reuse in the year: devices handed over to an operator during
      the year whose outcome is reuse (sold, or donated to a person, an
      association or another public body): not those recycled, missing or
      still being processed;
    - both leave out the devices more than ten years old when reformed and
      those with classified or security-restricted data.
    """
    jan1 = datetime.datetime(year, 1, 1)
    next_jan1 = datetime.datetime(year + 1, 1, 1)
    stock = sent = in_progress = not_reused = 0
    stock_left_out = dict.fromkeys((TOO_OLD, RESTRICTED), 0)
    sent_left_out = dict.fromkeys((TOO_OLD, RESTRICTED), 0)
    for device in devices:
        handed_over = device.handed_over
        in_stock = (
            device.reformed is not None
            and device.reformed < jan1
            and (handed_over is None or handed_over >= jan1)
        )
        handed_in_year = handed_over is not None and jan1 <= handed_over < next_jan1
        if not (in_stock or handed_in_year):
            continue
        reason = left_out_reason(
            device.purchase_date,
            _day(device.reformed or handed_over),
            device.restricted,
        )
        if in_stock:
            if reason:
                stock_left_out[reason] += 1
            else:
                stock += 1
        if handed_in_year:
            outcome = lifecycle.outcome(device.state)
            if reason:
                sent_left_out[reason] += 1
            elif outcome in lifecycle.REUSE_OUTCOMES:
                sent += 1
            elif outcome == lifecycle.OUTCOME_IN_PROGRESS:
                in_progress += 1
            else:
                not_reused += 1
    return ReuseFigures(
        stock, sent, stock_left_out, sent_left_out, in_progress, not_reused
    )


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
