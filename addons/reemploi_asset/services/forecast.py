"""Forecast of decommissioning: which devices reach the reuse sector when.

Plain Python: counts per quarter for the next years, from the expected end
of use of each device (purchase date + renewal policy, or a date set by
hand). Devices already past their expected end are counted in the current
quarter: they are due now.
"""

import datetime

from dateutil.relativedelta import relativedelta


def quarter_of(date):
    """``(year, quarter)`` of a date."""
    return date.year, (date.month - 1) // 3 + 1


def quarter_label(quarter):
    year, number = quarter
    return f"{year} T{number}"


def quarters(start, years=3):
    """The quarters from ``start``'s quarter over ``years`` years."""
    year, number = quarter_of(start)
    result = []
    for _index in range(years * 4):
        result.append((year, number))
        number += 1
        if number == 5:
            year, number = year + 1, 1
    return result


def horizon_end(start, years=3):
    """Last day of the forecast window."""
    year, number = quarters(start, years)[-1]
    first_month = 3 * (number - 1) + 1
    return datetime.date(year, first_month, 1) + relativedelta(months=3, days=-1)


def expected_end(purchase_date, years):
    """Purchase date plus a renewal period given in (possibly decimal) years."""
    if not purchase_date or not years:
        return None
    return purchase_date + relativedelta(months=round(years * 12))


def matrix(items, start, years=3):
    """Count ``items`` per quarter and key.

    ``items``: iterable of ``(expected_end_date, key, count)``; return
    ``(quarters, keys, {(quarter, key): count})`` with overdue devices in the
    first quarter and devices beyond the horizon left out.
    """
    window = quarters(start, years)
    first, last = window[0], window[-1]
    counts, keys = {}, []
    for date, key, count in items:
        if not date:
            continue
        quarter = max(quarter_of(date), first)
        if quarter > last:
            continue
        if key not in keys:
            keys.append(key)
        counts[quarter, key] = counts.get((quarter, key), 0) + count
    return window, keys, counts
