"""Fair allocation of scarce devices among associations' requests.

Plain Python, no ORM: ``reemploi.allocation.run`` turns the requests of a
period into :class:`Request` objects, calls :func:`allocate` and writes one
``reemploi.allocation`` per request with the :class:`Share` it got.

Weights
-------
A request weighs what :func:`request_weight` says::

    weight = max(people_served, MIN_PEOPLE) x need weight

``people_served`` is what the association declared (people it serves in a
year), ``need weight`` the weight of the request's need category (e.g. 1 for
"digital inclusion", 1.5 for "job seekers", 2 for "housing emergency"); a
request without a need category counts with the largest weight of the
association's categories, or 1. The floor ``MIN_PEOPLE`` (10) gives a new
association that has not declared its people yet a small but real weight, and
keeps a tiny association from being rounded away by a very large one.

Fair share (weighted max-min fairness, "water filling")
-------------------------------------------------------
With ``S`` devices and requests ``(asked_i, w_i)``, every request gets
``min(asked_i, level x w_i)`` where ``level`` (devices per unit of weight) is
the largest value such that the shares add up to ``min(S, sum of asked)``.
Computed exactly with fractions: the requests are taken by increasing
``asked / weight``; while a request asks less than ``remaining supply x w /
remaining weight`` it gets all it asked (it is *capped* by its request), and
leaves the rest of its proportional share to the others; the level of the
remaining requests is then ``remaining supply / remaining weight``.

So each request first has its *proportional share* ``S x w / total weight``;
a capped request gives back what it does not need, and the others receive
these *leftovers* in proportion to their weights. No request gets more than it
asked, nothing is left while someone still asks for more, and no request is
below its weighted share while another is above its own: the shares are the
weighted max-min fair allocation.

Whole devices (largest remainder)
---------------------------------
Each request gets the integer part of its fair share; the devices left
(fewer than the number of requests with a fractional share) go one each to
the largest fractional parts, ties broken by the larger weight, then the
smaller request id. So every request gets its fair share rounded down or up,
never less, and the result does not depend on the order of the input.

This is Hamilton's method: the fair shares only grow with the supply, but
like any quota-respecting rounding, one more device in the pool can, in rare
cases, move a rounding unit from one request to another ("Alabama
paradox"): a request never loses more than that one unit.

Explanations
------------
Each :class:`Share` carries the numbers needed to explain it (weight,
proportional share, leftovers given or received, fair share, rounding, the
reason code); the model renders them in the user's language. Inputs are
validated and a :class:`ValueError` names the request and the field.
"""

import dataclasses
import math
from fractions import Fraction

# The smallest number of people a request counts with (see request_weight).
MIN_PEOPLE = 10

# Why a request got what it got.
FULL = "full"  # supply covers every request: it got all it asked
CAPPED = "capped"  # its fair share covers its request: it got all it asked
SHARED = "shared"  # it got its weighted share of the scarce supply
NOTHING_ASKED = "nothing_asked"
REASONS = (FULL, CAPPED, SHARED, NOTHING_ASKED)


def _fraction(value, what):
    """``value`` as an exact fraction (floats through their shortest repr)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        raise ValueError(f"{what} must be a number, not {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{what} must be finite, not {value!r}")
        return Fraction(repr(value))
    return Fraction(value)


def request_weight(people_served, need_weight=1, min_people=MIN_PEOPLE):
    """Weight of a request: ``max(people_served, min_people) x need_weight``.

    Returns a :class:`~fractions.Fraction` (exact, so the allocation does not
    depend on float rounding).
    """
    people = _fraction(people_served or 0, "people served")
    need = _fraction(need_weight, "need weight")
    if people < 0:
        raise ValueError(f"people served must not be negative, not {people_served}")
    if need <= 0:
        raise ValueError(f"need weight must be positive, not {need_weight}")
    if min_people <= 0:
        raise ValueError(f"min_people must be positive, not {min_people}")
    return max(people, Fraction(min_people)) * need


@dataclasses.dataclass(frozen=True)
class Request:
    """What one association asks for in the period."""

    id: object  # sortable and unique, e.g. the request's database id
    asked: int
    weight: object  # int, float or Fraction, > 0 (see request_weight)

    def __post_init__(self):
        if isinstance(self.asked, bool) or not isinstance(self.asked, int):
            raise ValueError(f"request {self.id}: asked must be an integer")
        if self.asked < 0:
            raise ValueError(f"request {self.id}: asked must not be negative")
        weight = _fraction(self.weight, f"request {self.id}: weight")
        if weight <= 0:
            raise ValueError(f"request {self.id}: weight must be positive")
        object.__setattr__(self, "weight", weight)


@dataclasses.dataclass(frozen=True)
class Share:
    """What one request got, and why."""

    request_id: object
    asked: int
    weight: Fraction
    proportional: Fraction  # supply x weight / total weight
    fair: Fraction  # min(asked, level x weight)
    allocated: int  # floor(fair), +1 when rounded up
    reason: str  # one of REASONS
    rounded_up: bool  # got one of the devices left by the integer parts

    @property
    def capped(self):
        """It got all it asked (for a scarce supply: capped by its request)."""
        return self.allocated == self.asked

    @property
    def leftovers_received(self):
        """What it got from capped requests' unused shares (0 if none)."""
        return max(Fraction(0), self.fair - self.proportional)

    @property
    def given_up(self):
        """What it left to others because it asked less than its share."""
        return max(Fraction(0), self.proportional - self.fair)

    @property
    def remainder(self):
        """Fractional part of the fair share, which decides the rounding."""
        return self.fair - math.floor(self.fair)

    def values(self, digits=2):
        """Numbers for an explanation, rounded for display."""

        def show(value):
            return round(float(value), digits)

        return {
            "asked": self.asked,
            "weight": show(self.weight),
            "proportional": show(self.proportional),
            "leftovers": show(self.leftovers_received),
            "given_up": show(self.given_up),
            "fair": show(self.fair),
            "allocated": self.allocated,
        }

    def describe(self):
        """English explanation; the model renders a translated one."""
        v = self.values()
        if self.reason == NOTHING_ASKED:
            return "nothing asked"
        if self.reason == FULL:
            return f"supply covers every request: {v['allocated']} as asked"
        text = f"weight {v['weight']:g}: proportional share {v['proportional']:g}"
        if self.reason == CAPPED:
            text += f", asked {v['asked']}: all of it"
            if v["given_up"]:
                text += f" ({v['given_up']:g} left to the others)"
            if v["leftovers"]:
                text += f" (+{v['leftovers']:g} from capped requests)"
            return text
        if v["leftovers"]:
            text += f" + {v['leftovers']:g} from capped requests"
        text += f" = fair share {v['fair']:g}"
        rounding = "rounded up" if self.rounded_up else "rounded down"
        if self.fair.denominator != 1:
            text += f", {rounding}"
        return f"{text}: {v['allocated']} of {v['asked']} asked"


@dataclasses.dataclass(frozen=True)
class Allocation:
    """Result of :func:`allocate`."""

    supply: int
    total_asked: int
    total_weight: Fraction
    level: Fraction | None  # devices per unit of weight; None: no scarcity
    shares: tuple  # of Share, by request id

    @property
    def allocated(self):
        return sum(share.allocated for share in self.shares)

    @property
    def left(self):
        """Devices of the supply nobody asked for."""
        return self.supply - self.allocated

    def by_request(self):
        return {share.request_id: share for share in self.shares}


def allocate(supply, requests):
    """Share ``supply`` devices among ``requests`` (see the module docstring).

    :param supply: devices available in the period (integer >= 0)
    :param requests: iterable of :class:`Request` with unique ids
    :return: :class:`Allocation`, its shares sorted by request id
    """
    if isinstance(supply, bool) or not isinstance(supply, int) or supply < 0:
        raise ValueError(f"supply must be a non-negative integer, not {supply!r}")
    requests = sorted(requests, key=lambda request: request.id)
    ids = [request.id for request in requests]
    for previous, current in zip(ids, ids[1:], strict=False):
        if previous == current:
            raise ValueError(f"request {current}: duplicate id")
    total_asked = sum(request.asked for request in requests)
    total_weight = sum((request.weight for request in requests), Fraction(0))
    if not requests:
        return Allocation(supply, 0, Fraction(0), None, ())

    def proportional(request):
        return Fraction(supply) * request.weight / total_weight

    if supply >= total_asked:
        shares = tuple(
            Share(
                request_id=request.id,
                asked=request.asked,
                weight=request.weight,
                proportional=proportional(request),
                fair=Fraction(request.asked),
                allocated=request.asked,
                reason=FULL if request.asked else NOTHING_ASKED,
                rounded_up=False,
            )
            for request in requests
        )
        return Allocation(supply, total_asked, total_weight, None, shares)

    # Water filling: requests by increasing asked / weight (then id, for a
    # stable order); cap those below the current level.
    by_need = sorted(
        range(len(requests)),
        key=lambda i: (Fraction(requests[i].asked) / requests[i].weight, i),
    )
    remaining_supply = Fraction(supply)
    remaining_weight = total_weight
    capped = set()
    for i in by_need:
        request = requests[i]
        if request.asked * remaining_weight > remaining_supply * request.weight:
            break
        capped.add(i)
        remaining_supply -= request.asked
        remaining_weight -= request.weight
    # supply < total asked, so at least one request is not capped
    level = remaining_supply / remaining_weight
    fair = [
        Fraction(request.asked) if i in capped else level * request.weight
        for i, request in enumerate(requests)
    ]
    floors = [math.floor(share) for share in fair]
    left = supply - sum(floors)
    order = sorted(
        (i for i in range(len(requests)) if fair[i] != floors[i]),
        key=lambda i: (-(fair[i] - floors[i]), -requests[i].weight, i),
    )
    rounded_up = set(order[:left])
    shares = []
    for i, request in enumerate(requests):
        if not request.asked:
            reason = NOTHING_ASKED
        elif i in capped:
            reason = CAPPED
        else:
            reason = SHARED
        shares.append(
            Share(
                request_id=request.id,
                asked=request.asked,
                weight=request.weight,
                proportional=proportional(request),
                fair=fair[i],
                allocated=floors[i] + (i in rounded_up),
                reason=reason,
                rounded_up=i in rounded_up,
            )
        )
    return Allocation(supply, total_asked, total_weight, level, tuple(shares))
