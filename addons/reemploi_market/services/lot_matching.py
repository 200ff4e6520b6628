"""Matching engine: declared lots to reuse operators.

Plain Python (NumPy for the scores, OR-Tools for the solver, shared with
the demand matching in :mod:`.matching`), no ORM: the models turn records
into the dataclasses below, call :func:`assign` and write the proposals.

A :class:`Lot` is a donor's declared lot: devices per category, a pickup
point (latitude, longitude, geocoded from the site's address), an
availability window. An :class:`Operator` is a reuse operator for the
current period: the categories it accepts, how many lots it can still take
in the period (``capacity``), the largest lot it can take at once in devices
(``max_devices``, e.g. what its van or workshop holds; ``None``: no limit),
where it is, how far it travels (``max_distance_km``), whether it is a
social-economy structure, its past reliability (share of accepted lots that
were collected as planned, 0..1; ``None`` for a newcomer) and its period.

**Arcs.** An operator can take a lot when it has capacity left, accepts
every category of the lot, is within its maximum distance (haversine
distance, :func:`haversine_km`), the lot is not larger than ``max_devices``
and the availability window overlaps the operator's period. Otherwise the
pair has no arc at all, and :func:`blocker` names the first reason, in the
order of :data:`BLOCKERS`; an unassigned lot reports how many operators each
reason ruled out.

**Score** (:func:`score`) of an arc, in points, each part rounded to the
hundredth and the total being the sum of the rounded parts (so what the UI
shows adds up, and the solver works on exact integers). With the default
:class:`Weights` the total is at most 100 points:

* distance: ``distance * max(0, 1 - km / distance_reference_km)``
  (40 points at the door, 0 from 50 km);
* social economy: ``social_economy`` points (20) for a social-economy
  operator, 0 otherwise; set it to 0 to express no preference;
* reliability: ``reliability * share`` (20 points at 100 %); a newcomer
  counts as ``unknown_reliability`` (50 %);
* category fit: ``category_fit * lot categories / accepted categories``
  (10 points for a specialist of exactly these categories);
* capacity: ``capacity * min(1, lots left / capacity_reference)`` (10 points
  from 10 lots left): the load is spread towards operators with room.

Each :class:`Part` carries its criterion, a reason key and the measured
value, so the UI can translate "distance 12 km: 30.4 pts; social economy:
20 pts; reliability 92 %: 18.4 pts".

**Assignment** (:func:`assign`) maximises the total score of the assigned
arcs exactly: each lot goes whole to at most one operator, each operator
takes at most ``capacity`` lots, each of them at most ``max_devices``
devices. Capacity is counted in lots per period (pickups), not as a sum of
devices, on purpose: with a sum of devices per operator and indivisible lots
the problem is the generalised assignment problem, which is NP-hard; on an
instance of the benchmark's size (10,000 lots x 1,000 operators, ~200,000
arcs, capacities in devices) HiGHS (``scipy.optimize.milp``) had not
finished its root node after 60 s. Counted in lots, the constraint matrix
is the incidence matrix of a bipartite graph, totally unimodular: the
problem is a min-cost flow (source -> lot, capacity 1 -> operator, capacity
``capacity`` -> sink, plus a zero-score "unassigned" arc per lot) whose
integral optimum is exact and found in polynomial time. The devices stay
bounded: an operator receives at most ``capacity * max_devices`` devices.

Ties: scores are integers (hundredths of a point); the solver's objective is
``score * K + preference`` with ``K`` larger than the sum of all
preferences, so the preference only decides between assignments of equal
total score: it prefers assigning a lot (even at 0 points) to leaving it
unassigned, then (in sum) operators with smaller ids; on an instance so
large that int64 costs would overflow, only the first. Lots and operators
are sorted by id before the network is built and the solver is
deterministic, so the same input in any order gives the same result.

**Proposals.** Each lot gets a ranked list: the assigned operator first,
then the next best operators by score (then id), ``alternatives`` of them.
When an operator refuses, :func:`next_proposal` gives the next one still
free; when the list is exhausted, call :func:`assign` again with the
refused pairs in ``excluded``.
"""

import dataclasses
import datetime
import math
import time
from collections.abc import Mapping

import numpy as np

from .matching import (
    Breakdown,
    Part,
    check_count,
    check_ids,
    check_weights,
    check_window,
    is_finite,
    max_score_flow,
    tie_preference,
    to_centi,
)

EARTH_RADIUS_KM = 6371.0088

# Why a lot and an operator have no arc, in the order they are checked.
EXCLUDED = "excluded"  # refused before (``excluded`` pairs)
NO_CAPACITY = "no_capacity"  # the operator has no lot left in the period
CATEGORY_NOT_ACCEPTED = "category_not_accepted"
TOO_FAR = "too_far"
TOO_LARGE = "too_large"  # more devices than the operator's max_devices
NOT_AVAILABLE = "not_available"  # availability window outside the period
BLOCKERS = (
    EXCLUDED,
    NO_CAPACITY,
    CATEGORY_NOT_ACCEPTED,
    TOO_FAR,
    TOO_LARGE,
    NOT_AVAILABLE,
)
# An unassigned lot whose candidate operators were all taken by better uses.
CAPACITY_TAKEN = "capacity_taken"


@dataclasses.dataclass(frozen=True)
class Proposal:
    lot_id: object
    operator_id: object
    sequence: int  # 1 for the assigned (or best) operator, then 2, 3...
    assigned: bool
    distance_km: float
    breakdown: Breakdown

    @property
    def score(self):
        return self.breakdown.total


@dataclasses.dataclass
class Assignment:
    """Result of :func:`assign`."""

    assigned: dict  # lot id -> operator id
    proposals: dict  # lot id -> [Proposal], the assigned one first
    unassigned: dict  # lot id -> {reason: number of operators}
    total: float  # points of the assigned proposals
    stats: dict  # counts and seconds, for logs and the benchmark


# ------------------------------------------------------------------- inputs


@dataclasses.dataclass(frozen=True)
class Lot:
    id: object
    quantities: Mapping  # category code -> number of devices
    latitude: float
    longitude: float
    available_from: datetime.date | None = None
    available_until: datetime.date | None = None

    @property
    def quantity(self):
        return sum(self.quantities.values())

    @property
    def categories(self):
        return frozenset(code for code, qty in self.quantities.items() if qty)


@dataclasses.dataclass(frozen=True)
class Operator:
    id: object
    categories: frozenset  # accepted category codes
    capacity: int  # lots it can still take in the period
    latitude: float
    longitude: float
    max_distance_km: float | None = None
    max_devices: int | None = None  # largest lot, in devices
    social_economy: bool = False
    reliability: float | None = None  # 0..1, None for a newcomer
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None


@dataclasses.dataclass(frozen=True)
class Weights:
    """Points of each criterion of :func:`score` (see the module docstring)."""

    distance: float = 40.0
    distance_reference_km: float = 50.0
    social_economy: float = 20.0
    reliability: float = 20.0
    unknown_reliability: float = 0.5
    category_fit: float = 10.0
    capacity: float = 10.0
    capacity_reference: int = 10

    def __post_init__(self):
        check_weights(self, ("distance_reference_km", "capacity_reference"))
        if self.unknown_reliability > 1:
            raise ValueError("Weights.unknown_reliability must be between 0 and 1")


def _check_position(record, kind):
    lat, lon = record.latitude, record.longitude
    if not (
        is_finite(lat) and is_finite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
    ):
        raise ValueError(
            f"{kind} {record.id!r} has invalid coordinates ({lat!r}, {lon!r}): "
            "latitude must be within -90..90 and longitude within -180..180"
        )


def _check_lot(lot):
    if not isinstance(lot.quantities, Mapping) or not lot.quantities:
        raise ValueError(f"lot {lot.id!r} has no quantity per category")
    for code, quantity in lot.quantities.items():
        check_count(quantity, f"lot {lot.id!r}: quantity of {code!r}")
    if not lot.quantity:
        raise ValueError(f"lot {lot.id!r} has no device")
    _check_position(lot, "lot")
    check_window(lot.available_from, lot.available_until, f"lot {lot.id!r}")


def _check_operator(operator):
    what = f"operator {operator.id!r}"
    check_count(operator.capacity, f"{what}: capacity")
    check_count(operator.max_devices, f"{what}: max_devices", allow_none=True)
    _check_position(operator, "operator")
    distance = operator.max_distance_km
    if distance is not None and not (is_finite(distance) and distance >= 0):
        raise ValueError(f"{what}: max_distance_km must be >= 0, not {distance!r}")
    reliability = operator.reliability
    if reliability is not None and not (
        is_finite(reliability) and 0 <= reliability <= 1
    ):
        raise ValueError(
            f"{what}: reliability must be within 0..1, not {reliability!r}"
        )
    if isinstance(operator.categories, str):
        raise ValueError(f"{what}: categories must be a set of codes, not a string")
    check_window(operator.period_start, operator.period_end, what)


# ------------------------------------------------------------------ scoring


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km; scalars or NumPy arrays (broadcast)."""
    lat1, lon1, lat2, lon2 = (np.radians(x) for x in (lat1, lon1, lat2, lon2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
    return float(distance) if np.ndim(distance) == 0 else distance


_CRITERIA = ("distance", "social_economy", "reliability", "category_fit", "capacity")


def _lot_parts(weights, distance, social, reliability, fit, capacity):
    """Hundredths of a point of each criterion, for arrays of arcs.

    ``reliability`` is NaN for a newcomer. :func:`score` calls this with one
    arc, :func:`assign` with all of them: one formula, the same numbers.
    """
    known = ~np.isnan(reliability)
    share = np.where(known, reliability, weights.unknown_reliability)
    near = np.maximum(0.0, 1.0 - distance / weights.distance_reference_km)
    room = np.minimum(1.0, capacity / weights.capacity_reference)
    return {
        "distance": to_centi(weights.distance * near),
        "social_economy": to_centi(weights.social_economy * social),
        "reliability": to_centi(weights.reliability * share),
        "category_fit": to_centi(weights.category_fit * fit),
        "capacity": to_centi(weights.capacity * room),
    }


def _breakdowns(centi, indices, distance, social, reliability, fit, capacity):
    """Breakdowns of arcs ``indices`` from the arrays of :func:`_lot_parts`."""
    columns = [centi[criterion][indices].tolist() for criterion in _CRITERIA]
    distance, social, reliability, fit, capacity = (
        array[indices].tolist()
        for array in (distance, social, reliability, fit, capacity)
    )
    result = []
    for k, points in enumerate(zip(*columns, strict=True)):
        known = not math.isnan(reliability[k])
        values = (
            ("distance", round(distance[k], 1)),
            ("social_economy" if social[k] else "not_social_economy", None),
            ("reliability", reliability[k]) if known else ("reliability_unknown", None),
            ("category_fit", fit[k]),
            ("capacity", capacity[k]),
        )
        result.append(
            Breakdown(
                tuple(
                    Part(criterion, reason, value, centi)
                    for criterion, (reason, value), centi in zip(
                        _CRITERIA, values, points, strict=True
                    )
                )
            )
        )
    return result


def _overlaps(lot, operator):
    return not (
        (
            lot.available_until
            and operator.period_start
            and lot.available_until < operator.period_start
        )
        or (
            operator.period_end
            and lot.available_from
            and operator.period_end < lot.available_from
        )
    )


def blocker(lot, operator, distance_km=None):
    """First reason why ``operator`` cannot take ``lot``, or ``None``."""
    if distance_km is None:
        distance_km = haversine_km(
            lot.latitude, lot.longitude, operator.latitude, operator.longitude
        )
    if operator.capacity <= 0:
        return NO_CAPACITY
    if not lot.categories <= frozenset(operator.categories):
        return CATEGORY_NOT_ACCEPTED
    if operator.max_distance_km is not None and distance_km > operator.max_distance_km:
        return TOO_FAR
    if operator.max_devices is not None and lot.quantity > operator.max_devices:
        return TOO_LARGE
    if not _overlaps(lot, operator):
        return NOT_AVAILABLE
    return None


def score(lot, operator, weights=None):
    """:class:`Breakdown` of ``operator`` taking ``lot``.

    When the operator cannot take the lot, the breakdown has no part and its
    ``blocker`` says why (one of :data:`BLOCKERS`).
    """
    weights = weights or Weights()
    _check_lot(lot)
    _check_operator(operator)
    # one-element arrays: the same NumPy code path as assign()'s arcs
    distance = haversine_km(
        np.array([lot.latitude]),
        np.array([lot.longitude]),
        np.array([operator.latitude]),
        np.array([operator.longitude]),
    )
    reason = blocker(lot, operator, float(distance[0]))
    if reason:
        return Breakdown(blocker=reason)
    arrays = (
        distance,
        np.array([bool(operator.social_economy)]),
        np.array([np.nan if operator.reliability is None else operator.reliability]),
        np.array([len(lot.categories) / len(operator.categories)]),
        np.array([operator.capacity]),
    )
    return _breakdowns(_lot_parts(weights, *arrays), [0], *arrays)[0]


# ----------------------------------------------------------- lots/operators


class _Network:
    """Lots and operators as arrays, sorted by id, and the arcs between them."""

    def __init__(self, lots, operators, excluded):
        self.lots, self.operators = lots, operators
        codes = sorted({c for lot in lots for c in lot.categories})
        column = {code: index for index, code in enumerate(codes)}
        self.lot_cats = np.zeros((len(lots), len(codes)), dtype=np.int32)
        for row, lot in enumerate(lots):
            self.lot_cats[row, [column[c] for c in lot.categories]] = 1
        self.refused = np.ones((len(operators), len(codes)), dtype=np.int32)
        for row, operator in enumerate(operators):
            accepted = [column[c] for c in operator.categories if c in column]
            self.refused[row, accepted] = 0
        self.lot_ncat = self.lot_cats.sum(axis=1)
        self.op_ncat = np.array([max(len(op.categories), 1) for op in operators])
        self.lot_lat = np.array([lot.latitude for lot in lots], dtype=float)
        self.lot_lon = np.array([lot.longitude for lot in lots], dtype=float)
        self.lot_qty = np.array([lot.quantity for lot in lots], dtype=np.int64)
        self.lot_from = _days([lot.available_from for lot in lots], -(2**40))
        self.lot_until = _days([lot.available_until for lot in lots], 2**40)
        self.op_lat = np.array([op.latitude for op in operators], dtype=float)
        self.op_lon = np.array([op.longitude for op in operators], dtype=float)
        self.capacity = np.array([op.capacity for op in operators], dtype=np.int64)
        self.max_km = np.array(
            [
                np.inf if op.max_distance_km is None else op.max_distance_km
                for op in operators
            ]
        )
        self.max_devices = np.array(
            [2**62 if op.max_devices is None else op.max_devices for op in operators],
            dtype=np.int64,
        )
        self.start = _days([op.period_start for op in operators], -(2**40))
        self.end = _days([op.period_end for op in operators], 2**40)
        self.social = np.array([bool(op.social_economy) for op in operators])
        self.reliability = np.array(
            [np.nan if op.reliability is None else op.reliability for op in operators],
            dtype=float,
        )
        lot_row = {lot.id: row for row, lot in enumerate(lots)}
        op_row = {op.id: row for row, op in enumerate(operators)}
        self.excluded = {}
        for lot_id, operator_id in excluded:
            if lot_id in lot_row and operator_id in op_row:
                self.excluded.setdefault(lot_row[lot_id], []).append(
                    op_row[operator_id]
                )

    def arcs(self, chunk=2_000_000):
        """Arcs ``(lot rows, operator rows, distances)`` and the blockers
        ``{lot row: Counter}`` of the lots without any arc."""
        n_ops = len(self.operators)
        step = max(1, chunk // max(n_ops, 1))
        tails, heads, distances, blocked = [], [], [], {}
        for first in range(0, len(self.lots), step):
            rows = slice(first, first + step)
            distance = haversine_km(
                self.lot_lat[rows, None],
                self.lot_lon[rows, None],
                self.op_lat[None, :],
                self.op_lon[None, :],
            )
            code = np.zeros(distance.shape, dtype=np.int8)
            checks = (
                ~(
                    (self.lot_until[rows, None] >= self.start[None, :])
                    & (self.end[None, :] >= self.lot_from[rows, None])
                ),
                self.lot_qty[rows, None] > self.max_devices[None, :],
                distance > self.max_km[None, :],
                (self.lot_cats[rows] @ self.refused.T) > 0,
                np.broadcast_to(self.capacity[None, :] <= 0, distance.shape),
            )
            # the first blocker of BLOCKERS wins: write them from the last
            for number, failed in zip(range(len(BLOCKERS), 1, -1), checks, strict=True):
                code[failed] = number
            for row in range(rows.start, min(rows.stop, len(self.lots))):
                for column in self.excluded.get(row, ()):
                    code[row - first, column] = 1  # EXCLUDED, BLOCKERS[0]
            ok = code == 0
            lot_rows, op_rows = np.nonzero(ok)
            tails.append(lot_rows + first)
            heads.append(op_rows)
            distances.append(distance[lot_rows, op_rows])
            for row in np.flatnonzero(~ok.any(axis=1)):
                counts = np.bincount(code[row], minlength=len(BLOCKERS) + 1)
                blocked[first + int(row)] = {
                    BLOCKERS[number - 1]: int(counts[number])
                    for number in range(1, len(BLOCKERS) + 1)
                    if counts[number]
                }
        if not tails:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0), blocked
        return (
            np.concatenate(tails),
            np.concatenate(heads),
            np.concatenate(distances),
            blocked,
        )


def _days(dates, default):
    return np.array(
        [date.toordinal() if date else default for date in dates], dtype=np.int64
    )


@dataclasses.dataclass
class LotArcs:
    """Every lot-operator pair that has an arc, as arrays (see :func:`lot_arcs`).

    ``lots`` and ``operators`` are sorted by id; ``tail[k]`` and ``head[k]``
    are the rows of arc ``k`` in them, ``centi[k]`` its score in hundredths
    of a point; ``blocked`` maps the rows of the lots without any arc to
    ``{reason: number of operators}``.
    """

    lots: list
    operators: list
    tail: np.ndarray
    head: np.ndarray
    distance: np.ndarray
    centi: np.ndarray
    parts: dict  # criterion -> hundredths of a point per arc
    details: tuple  # the per-arc inputs of _lot_parts, for _breakdowns
    blocked: dict

    def breakdowns(self, indices):
        """:class:`Breakdown` of each arc of ``indices``."""
        return _breakdowns(self.parts, indices, *self.details)


def lot_arcs(lots, operators, weights=None, *, excluded=()):
    """Validate the input and score every possible arc (:class:`LotArcs`)."""
    weights = weights or Weights()
    for lot in lots:
        _check_lot(lot)
    for operator in operators:
        _check_operator(operator)
    lots = check_ids(list(lots), "lot")
    operators = check_ids(list(operators), "operator")
    network = _Network(lots, operators, excluded)
    tail, head, distance, blocked = network.arcs()
    details = (
        distance,
        network.social[head],
        network.reliability[head],
        network.lot_ncat[tail] / network.op_ncat[head],
        network.capacity[head],
    )
    parts = _lot_parts(weights, *details)
    total = sum(parts.values()) if len(tail) else np.zeros(0, dtype=np.int64)
    return LotArcs(
        lots, operators, tail, head, distance, total, parts, details, blocked
    )


def assign(lots, operators, weights=None, *, excluded=(), alternatives=3):
    """Exact optimal assignment of ``lots`` to ``operators``.

    ``excluded``: ``(lot id, operator id)`` pairs that must not be proposed
    (refusals). ``alternatives``: how many next-best operators each lot's
    proposals list after the assigned (or best) one. Returns an
    :class:`Assignment`; a lot's ``unassigned`` reasons are ``{}`` when
    there is no operator at all.
    """
    check_count(alternatives, "alternatives")
    started = time.perf_counter()
    arcs = lot_arcs(lots, operators, weights, excluded=excluded)
    lots, operators = arcs.lots, arcs.operators
    tail, head, total = arcs.tail, arcs.head, arcs.centi
    scored = time.perf_counter()
    flow = max_score_flow(
        np.ones(len(lots), dtype=np.int64),
        np.array([operator.capacity for operator in operators], dtype=np.int64),
        tail,
        head,
        np.ones(len(tail), dtype=np.int64),
        total,
        tie_preference(len(operators))[head],
    )
    solved = time.perf_counter()
    chosen = flow > 0
    assigned = {
        lots[t].id: operators[h].id
        for t, h in zip(tail[chosen], head[chosen], strict=True)
    }
    # rank each lot's arcs: assigned first, then score, then operator id
    order = np.lexsort((head, -total, ~chosen, tail))
    starts = np.flatnonzero(np.r_[True, tail[order][1:] != tail[order][:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    shown = order[rank <= alternatives]
    proposals = {}
    for index, sequence, breakdown in zip(
        shown.tolist(),
        rank[rank <= alternatives].tolist(),
        arcs.breakdowns(shown),
        strict=True,
    ):
        lot, operator = lots[tail[index]], operators[head[index]]
        proposals.setdefault(lot.id, []).append(
            Proposal(
                lot.id,
                operator.id,
                sequence + 1,
                bool(chosen[index]),
                round(float(arcs.distance[index]), 1),
                breakdown,
            )
        )
    unassigned = {lots[row].id: reasons for row, reasons in arcs.blocked.items()}
    candidates = np.bincount(tail, minlength=len(lots))
    for row, lot in enumerate(lots):
        if lot.id not in assigned and lot.id not in unassigned:
            unassigned[lot.id] = {CAPACITY_TAKEN: int(candidates[row])}
    return Assignment(
        assigned=assigned,
        proposals=proposals,
        unassigned=dict(sorted(unassigned.items())),
        total=int(total[chosen].sum()) / 100,
        stats={
            "lots": len(lots),
            "operators": len(operators),
            "arcs": len(tail),
            "assigned": len(assigned),
            "score_seconds": scored - started,
            "solve_seconds": solved - scored,
            "total_seconds": time.perf_counter() - started,
        },
    )


def next_proposal(proposals, refused=(), remaining=None):
    """The first of ``proposals`` whose operator has not refused the lot
    and, when ``remaining`` (operator id -> lots left) is given, still has
    capacity; ``None`` when there is none (then run :func:`assign` again
    with the refusals in ``excluded``)."""
    refused = set(refused)
    for proposal in proposals:
        if proposal.operator_id in refused:
            continue
        if remaining is not None and remaining.get(proposal.operator_id, 0) <= 0:
            continue
        return proposal
    return None
