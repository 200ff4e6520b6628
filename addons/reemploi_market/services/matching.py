"""What the two matching engines share: scores explained part by part, the
exact solver and the checks of their inputs. Plain Python (NumPy, OR-Tools),
no ORM.

The engines, one module each:

* :mod:`.lot_matching`: declared lots to reuse operators (:func:`assign`);
* :mod:`.demand_matching`: refurbished stock to demands (:func:`match_demand`).

Both solve a min-cost flow exactly (:func:`max_score_flow`).

Solver choice
-------------
OR-Tools' ``SimpleMinCostFlow`` (cost scaling, exact on int64 costs) was
measured against SciPy (2 cores shared with other work, 2026-11-30). On a
first instance of 10,000 lots x 1,000 operators with ~194,000 arcs:

* OR-Tools min-cost flow: 0.06 s;
* SciPy ``min_weight_full_bipartite_matching`` (LAPJVsp), operators
  expanded into one node per lot of capacity: 1.3 s (1.9 million arcs);
* SciPy ``linprog`` HiGHS dual simplex on the same LP: 2.0 s; ``milp``: 47 s.

On ``bench/bench_matching.py``'s instance (341,000 arcs): OR-Tools 0.15 to
0.19 s, ``linprog`` HiGHS 9.8 s, same total score.

OR-Tools is the only one under the 1 s target (5 to 15x below it), works on exact
integers (no tolerance in the tie-breaking) and solves both problems with
one model. The cost is the dependency: ~80 MB of wheels, and it pulls
pandas and protobuf. pandas 3 requires python-dateutil >= 2.9, above Odoo
18.0's pin (2.8.2): ``requirements.txt`` therefore bounds pandas below 3.
OR-Tools is not packaged by Debian: the ``odoo:18.0`` image needs ``pip
install ortools``.

Validation
----------
Inputs are validated and a :class:`ValueError` names the record and the
field (duplicate id, negative capacity, NaN or out-of-range coordinates,
reliability outside 0..1, unknown grade, negative weight...). Empty inputs
give empty results; lots or demands that nothing can serve stay unassigned,
with their reasons.
"""

import dataclasses
import math
from collections import Counter

import numpy as np
from ortools.graph.python import min_cost_flow

_LABELS = {
    "distance": "distance {value:g} km",
    "social_economy": "social economy",
    "not_social_economy": "not social economy",
    "reliability": "reliability {percent:g} %",
    "reliability_unknown": "reliability unknown",
    "category_fit": "category fit {percent:g} %",
    "capacity": "capacity {value:g} lot(s) left",
    "fill": "device delivered",
    "price": "price {percent:g} % of the maximum",
    "no_max_price": "no maximum price",
    "grade": "grade {value} for a minimum of {minimum}",
    "urgency": "deadline in {value:g} days",
    "no_deadline": "no deadline",
}


# ------------------------------------------------------------------ results


@dataclasses.dataclass(frozen=True)
class Part:
    """One criterion of a score: ``points`` = ``centi / 100``."""

    criterion: str
    reason: str  # key of the explanation, see _LABELS
    value: object  # what was measured (km, share, lots left, grade...)
    centi: int
    minimum: object = None  # for the grade: the demand's minimum grade

    @property
    def points(self):
        return self.centi / 100

    def describe(self):
        """English explanation, e.g. ``distance 12 km: 30.4 pts``."""
        value = self.value
        percent = round(value * 100, 1) if isinstance(value, float) else None
        if isinstance(value, float):
            value = round(value, 1)
        label = _LABELS[self.reason].format(
            value=value, percent=percent, minimum=self.minimum
        )
        return f"{label}: {self.points:g} pts"


@dataclasses.dataclass(frozen=True)
class Breakdown:
    """Score of an arc, part by part; ``blocker`` set when there is no arc."""

    parts: tuple = ()
    blocker: str | None = None

    @property
    def centi(self):
        return sum(part.centi for part in self.parts)

    @property
    def total(self):
        return self.centi / 100

    def describe(self):
        if self.blocker:
            return self.blocker
        return "; ".join(part.describe() for part in self.parts)


# --------------------------------------------------------------- validation


def is_finite(value):
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def check_weights(weights, positive):
    kind = type(weights).__name__
    for field in dataclasses.fields(weights):
        value = getattr(weights, field.name)
        if not is_finite(value) or value < 0 or value > 1000:
            raise ValueError(
                f"{kind}.{field.name} must be a number between 0 and 1000, "
                f"not {value!r}"
            )
        if field.name in positive and not value:
            raise ValueError(f"{kind}.{field.name} must be positive")


def check_ids(records, kind):
    ids = [record.id for record in records]
    if len(set(ids)) != len(ids):
        duplicate = next(i for i, count in Counter(ids).items() if count > 1)
        raise ValueError(f"{kind} {duplicate!r} is given twice")
    try:
        return sorted(records, key=lambda record: record.id)
    except TypeError as exc:
        raise ValueError(f"{kind} ids must be comparable ({exc})") from exc


def check_count(value, what, allow_none=False):
    if value is None and allow_none:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{what} must be a non-negative integer, not {value!r}")


def check_window(start, end, what):
    if start and end and start > end:
        raise ValueError(f"{what} starts after it ends ({start} > {end})")


def to_centi(points):
    return np.rint(np.asarray(points, dtype=float) * 100).astype(np.int64)


# --------------------------------------------------------------- the solver


def max_score_flow(supply, capacity, tail, head, arc_capacity, value, preference):
    """Integral flow maximising ``sum(flow * value)``, ties by ``preference``.

    Left nodes (``supply`` units each) send flow along arcs ``tail -> head``
    to right nodes (``capacity`` units each); what is not sent stays. Values
    and preferences are non-negative int64 arrays; preferences are >= 1 so
    that sending at 0 value is preferred to keeping. Returns the flow of
    each arc.
    """
    n_left, n_right, n_arcs = len(supply), len(capacity), len(tail)
    if not n_arcs:
        return np.zeros(0, dtype=np.int64)
    total = int(supply.sum())
    scale = total * int(preference.max()) + 1
    # OR-Tools multiplies the costs by the number of nodes (cost scaling) and
    # sums flow x cost: both must stay within int64.
    limit = 2**62 // (max(n_left + n_right + 2, total) + 1)
    if int(value.max()) * scale + int(preference.max()) > limit:
        preference = np.ones_like(preference)  # keep "assign rather than not"
        scale = total + 1
        if int(value.max()) * scale + 1 > limit:
            raise ValueError("matching instance too large for int64 costs")
    sink = n_left + n_right
    lefts, rights = np.arange(n_left), np.arange(n_right) + n_left
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([tail, lefts, rights]).astype(np.int32),
        np.concatenate([head + n_left, np.full(n_left + n_right, sink)]).astype(
            np.int32
        ),
        np.concatenate([arc_capacity, supply, capacity]).astype(np.int64),
        np.concatenate(
            [-(value * scale + preference), np.zeros(n_left + n_right, np.int64)]
        ).astype(np.int64),
    )
    supplies = np.concatenate([supply, np.zeros(n_right), [-total]]).astype(np.int64)
    solver.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    status = solver.solve()
    if status != solver.OPTIMAL:  # cannot happen: keeping is always feasible
        raise RuntimeError(f"min-cost flow failed with status {status}")
    return np.asarray(solver.flows(np.arange(n_arcs, dtype=np.int32)))


def tie_preference(count):
    """Tie preference of the items of a list sorted by id: first = highest."""
    return np.arange(count, 0, -1, dtype=np.int64)
