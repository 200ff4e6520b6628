"""Scores of the gamification (docs/ARCHITECTURE.md, "Flows"): plain
Python, no ORM.

The models read the devices an operator actually received (the SQL view
``reemploi.received.device``) and hand their figures to these functions,
which compute the measure of a goal, normalise it per employee, rank the
organisations and tell how far the next badge is.
"""

DEVICES = "devices"
WEIGHT = "weight_kg"
CO2E_AVOIDED = "co2e_avoided_kg"
REUSED_SHARE = "reused_share"
LOTS = "lots"
LOT_STREAK = "lot_streak"
ZERO_WASTE_LOTS = "zero_waste_lots"

MEASURES = (
    DEVICES,
    WEIGHT,
    CO2E_AVOIDED,
    REUSED_SHARE,
    LOTS,
    LOT_STREAK,
    ZERO_WASTE_LOTS,
)

# per-employee figures are given per this many employees, so that they read
# as whole numbers for most organisations
EMPLOYEES_BASE = 100


def empty_figures():
    """Figures of an organisation or a user that received nothing."""
    return {
        DEVICES: 0,
        WEIGHT: 0.0,
        CO2E_AVOIDED: 0.0,
        "reused": 0,
        "recycled": 0,
        "lots": [],
    }


def reused_share(reused, recycled):
    """Percentage of the devices whose outcome is known (reused or recycled)
    that were reused; 0 while no outcome is known."""
    known = reused + recycled
    return round(100.0 * reused / known, 1) if known else 0.0


def quarter(day):
    """Index of the quarter of ``day`` (a date or datetime), consecutive
    quarters having consecutive indexes."""
    return day.year * 4 + (day.month - 1) // 3


def longest_streak(days):
    """Longest run of consecutive quarters with at least one of ``days``."""
    quarters = sorted({quarter(day) for day in days if day})
    best = run = 0
    previous = None
    for index in quarters:
        run = run + 1 if previous is not None and index == previous + 1 else 1
        best = max(best, run)
        previous = index
    return best


def measure(name, figures):
    """Value of the measure ``name`` for ``figures`` (see empty_figures();
    ``lots`` lists one dict per lot: ``date``, ``recycled``, ``done``)."""
    if name in (DEVICES, WEIGHT, CO2E_AVOIDED):
        return figures[name]
    if name == REUSED_SHARE:
        return reused_share(figures["reused"], figures["recycled"])
    if name == LOTS:
        return len(figures["lots"])
    if name == LOT_STREAK:
        return longest_streak(lot["date"] for lot in figures["lots"])
    if name == ZERO_WASTE_LOTS:
        return sum(1 for lot in figures["lots"] if lot["done"] and not lot["recycled"])
    raise ValueError(f"Unknown measure {name!r}")


def per_employees(value, employees):
    """``value`` per EMPLOYEES_BASE employees; None when the headcount is
    unknown (such an organisation is not ranked on normalised figures)."""
    if not employees or employees <= 0:
        return None
    return round(value * EMPLOYEES_BASE / employees, 2)


def rank(rows):
    """Rank ``rows`` (iterables of (key, value)), the highest value first.

    Equal values share a rank and the next rank skips ("1, 2, 2, 4"); a row
    whose value is None has no rank and comes last. Rows of the same value
    keep their given order. Return [(rank or None, key, value)].
    """
    rows = list(rows)
    ranked = sorted(
        (row for row in rows if row[1] is not None), key=lambda row: -row[1]
    )
    result = []
    previous = None
    for position, (key, value) in enumerate(ranked, start=1):
        if previous is None or value != previous[1]:
            previous = (position, value)
        result.append((previous[0], key, value))
    result.extend((None, key, value) for key, value in rows if value is None)
    return result


def progress(value, target):
    """Percentage of ``target`` that ``value`` reached, between 0 and 100."""
    if target <= 0:
        return 100.0
    return round(max(0.0, min(100.0, 100.0 * value / target)), 1)
