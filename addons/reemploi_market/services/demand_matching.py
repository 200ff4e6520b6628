"""Matching engine: refurbished stock to demands.

Plain Python (the solver and the explained scores are shared with the lot
matching in :mod:`.matching`), no ORM: the models group their devices into
:class:`StockGroup`, call :func:`match_demand` and write the allocations.

:func:`match_demand` allocates :class:`StockGroup` (devices of one
category and grade at one price, grouped beforehand so that the network
stays small: a few hundred groups for thousands of devices) to
:class:`Demand` (a reseller's or an association's wish: category,
quantity, minimum grade, deadline, maximum price). An arc exists when the
category is the same, the grade is at least the minimum, the price is at
most the maximum, the deadline has not passed and the group is available by
the deadline. Devices are interchangeable units, so this is a
transportation problem, solved exactly by the same min-cost flow: each
device delivered earns ``fill`` points plus price (cheaper than the maximum),
grade (exactly the minimum grade earns the most: better grades are kept for
those who ask for them) and urgency (deadline within the horizon) points.
"""

import dataclasses
import datetime
import time

import numpy as np

from .matching import (
    Breakdown,
    Part,
    check_count,
    check_ids,
    check_weights,
    is_finite,
    max_score_flow,
    tie_preference,
)

# Why a stock group cannot serve a demand.
CATEGORY_MISMATCH = "category_mismatch"
GRADE_TOO_LOW = "grade_too_low"
OVER_MAX_PRICE = "over_max_price"
DEADLINE_PASSED = "deadline_passed"
TOO_LATE = "too_late"  # the group is available after the deadline

# Best first; the same codes as reemploi_asset's grading service.
GRADES = ("A", "B", "C", "D")


@dataclasses.dataclass(frozen=True)
class Allocation:
    stock_id: object
    demand_id: object
    quantity: int
    breakdown: Breakdown  # per device


@dataclasses.dataclass
class DemandMatch:
    """Result of :func:`match_demand`."""

    allocations: list  # [Allocation], by demand id then stock id
    unfilled: dict  # demand id -> devices still wanted (only when > 0)
    leftover: dict  # stock id -> devices not allocated (only when > 0)
    total: float  # points: sum of quantity x points per device
    stats: dict


@dataclasses.dataclass(frozen=True)
class StockGroup:
    id: object
    category: str
    grade: str
    quantity: int
    price: float | None = None
    available_date: datetime.date | None = None  # None: available now


@dataclasses.dataclass(frozen=True)
class Demand:
    id: object
    category: str
    quantity: int
    min_grade: str
    deadline: datetime.date | None = None
    max_price: float | None = None


@dataclasses.dataclass(frozen=True)
class DemandWeights:
    """Points per device delivered (see the module docstring)."""

    fill: float = 50.0
    price: float = 20.0
    grade: float = 15.0
    urgency: float = 15.0
    urgency_horizon_days: int = 90

    def __post_init__(self):
        check_weights(self, ("urgency_horizon_days",))


# ---------------------------------------------------------- stock/demands


def _check_stock(group, ranks):
    check_count(group.quantity, f"stock group {group.id!r}: quantity")
    if group.grade not in ranks:
        raise ValueError(f"stock group {group.id!r}: unknown grade {group.grade!r}")
    if group.price is not None and not (is_finite(group.price) and group.price >= 0):
        raise ValueError(f"stock group {group.id!r}: invalid price {group.price!r}")


def _check_demand(demand, ranks):
    check_count(demand.quantity, f"demand {demand.id!r}: quantity")
    if demand.min_grade not in ranks:
        raise ValueError(f"demand {demand.id!r}: unknown grade {demand.min_grade!r}")
    price = demand.max_price
    if price is not None and not (is_finite(price) and price >= 0):
        raise ValueError(f"demand {demand.id!r}: invalid max_price {price!r}")


def demand_blocker(group, demand, today, grades=GRADES):
    """First reason why ``group`` cannot serve ``demand``, or ``None``."""
    return _demand_blocker(group, demand, today, _ranks(grades))


def _ranks(grades):
    return {grade: rank for rank, grade in enumerate(grades)}


def _demand_blocker(group, demand, today, ranks):
    if group.category != demand.category:
        return CATEGORY_MISMATCH
    if ranks[group.grade] > ranks[demand.min_grade]:
        return GRADE_TOO_LOW
    if demand.max_price is not None and (
        group.price is None or group.price > demand.max_price
    ):
        return OVER_MAX_PRICE
    if demand.deadline and demand.deadline < today:
        return DEADLINE_PASSED
    if (
        demand.deadline
        and group.available_date
        and group.available_date > demand.deadline
    ):
        return TOO_LATE
    return None


def score_demand(group, demand, *, today, weights=None, grades=GRADES):
    """:class:`Breakdown` of one device of ``group`` delivered to ``demand``."""
    ranks = _ranks(grades)
    _check_stock(group, ranks)
    _check_demand(demand, ranks)
    reason = _demand_blocker(group, demand, today, ranks)
    if reason:
        return Breakdown(blocker=reason)
    rows = _demand_parts(group, demand, today, weights or DemandWeights(), ranks)
    return Breakdown(tuple(Part(*row) for row in rows))


def _demand_parts(group, demand, today, weights, ranks):
    """``Part`` arguments of an arc (tuples: cheap for every arc)."""
    parts = [("fill", "fill", None, round(weights.fill * 100))]
    if demand.max_price is not None:
        share = (group.price or 0.0) / demand.max_price if demand.max_price else 0.0
        parts.append(
            ("price", "price", share, round(weights.price * (1 - share) * 100))
        )
    else:
        parts.append(("price", "no_max_price", None, 0))
    steps = ranks[demand.min_grade] - ranks[group.grade]
    keep = 1 - steps / (len(ranks) - 1) if len(ranks) > 1 else 1.0
    parts.append(
        (
            "grade",
            "grade",
            group.grade,
            round(weights.grade * keep * 100),
            demand.min_grade,
        )
    )
    if demand.deadline:
        days = (demand.deadline - today).days
        near = max(0.0, 1 - days / weights.urgency_horizon_days)
        parts.append(("urgency", "urgency", days, round(weights.urgency * near * 100)))
    else:
        parts.append(("urgency", "no_deadline", None, 0))
    return parts


@dataclasses.dataclass
class DemandArcs:
    """Every stock group-demand pair that has an arc (see :func:`demand_arcs`)."""

    stock: list  # sorted by id, without empty groups
    demands: list  # sorted by id, without empty demands
    tail: np.ndarray  # rows in stock
    head: np.ndarray  # rows in demands
    centi: np.ndarray  # hundredths of a point per device
    parts: list  # Part arguments per arc

    def breakdown(self, index):
        return Breakdown(tuple(Part(*row) for row in self.parts[index]))

    supply: np.ndarray
    wanted: np.ndarray


def demand_arcs(stock, demands, *, today, weights=None, grades=GRADES):
    """Validate the input and score every possible arc (:class:`DemandArcs`)."""
    weights = weights or DemandWeights()
    ranks = _ranks(grades)
    for group in stock:
        _check_stock(group, ranks)
    for demand in demands:
        _check_demand(demand, ranks)
    stock = [g for g in check_ids(list(stock), "stock group") if g.quantity]
    demands = [d for d in check_ids(list(demands), "demand") if d.quantity]
    by_category = {}
    for column, demand in enumerate(demands):
        by_category.setdefault(demand.category, []).append(column)
    tail, head, parts = [], [], []
    for row, group in enumerate(stock):
        for column in by_category.get(group.category, ()):
            demand = demands[column]
            if not _demand_blocker(group, demand, today, ranks):
                tail.append(row)
                head.append(column)
                parts.append(_demand_parts(group, demand, today, weights, ranks))
    return DemandArcs(
        stock,
        demands,
        np.array(tail, dtype=np.int64),
        np.array(head, dtype=np.int64),
        np.array([sum(row[3] for row in arc) for arc in parts], dtype=np.int64),
        parts,
        np.array([g.quantity for g in stock], dtype=np.int64),
        np.array([d.quantity for d in demands], dtype=np.int64),
    )


def match_demand(stock, demands, *, today, weights=None, grades=GRADES):
    """Exact allocation of refurbished ``stock`` groups to ``demands``.

    Maximises the points of the devices delivered (see the module
    docstring); ties prefer stock groups with a smaller id. ``today`` is
    the date against which deadlines are checked. Returns a
    :class:`DemandMatch`.
    """
    started = time.perf_counter()
    arcs = demand_arcs(stock, demands, today=today, weights=weights, grades=grades)
    stock, demands, tail, head = arcs.stock, arcs.demands, arcs.tail, arcs.head
    scored = time.perf_counter()
    flow = max_score_flow(
        arcs.supply,
        arcs.wanted,
        tail,
        head,
        np.minimum(arcs.supply[tail], arcs.wanted[head]),
        arcs.centi,
        tie_preference(len(stock))[tail],
    )
    solved = time.perf_counter()
    allocations = sorted(
        (
            Allocation(stock[t].id, demands[h].id, int(f), arcs.breakdown(index))
            for index, (t, h, f) in enumerate(zip(tail, head, flow, strict=True))
            if f
        ),
        key=lambda allocation: (allocation.demand_id, allocation.stock_id),
    )
    sent = np.bincount(tail, weights=flow, minlength=len(stock)).astype(np.int64)
    received = np.bincount(head, weights=flow, minlength=len(demands)).astype(np.int64)
    return DemandMatch(
        allocations=allocations,
        unfilled={
            d.id: int(d.quantity - received[c])
            for c, d in enumerate(demands)
            if received[c] < d.quantity
        },
        leftover={
            g.id: int(g.quantity - sent[r])
            for r, g in enumerate(stock)
            if sent[r] < g.quantity
        },
        total=int((flow * arcs.centi).sum()) / 100,
        stats={
            "stock_groups": len(stock),
            "demands": len(demands),
            "arcs": len(tail),
            "score_seconds": scored - started,
            "solve_seconds": solved - scored,
        },
    )
