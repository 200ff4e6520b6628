"""Fast tests of the fair allocation service (no database access)."""

import math
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from ..services import allocation as al


def requests(*specs):
    """``(id, asked, weight)`` tuples to requests."""
    return [al.Request(*spec) for spec in specs]


def allocated(result):
    return {share.request_id: share.allocated for share in result.shares}


def reference_fair(supply, reqs):
    """Water filling the other way round: raise the level, cap, repeat."""
    served = {}
    while True:
        open_ = [r for r in reqs if r.id not in served]
        if not open_:
            return served
        left = Fraction(supply) - sum(served.values(), Fraction(0))
        level = left / sum(r.weight for r in open_)
        newly = [r for r in open_ if r.asked <= level * r.weight]
        if not newly:
            return served | {r.id: level * r.weight for r in open_}
        served |= {r.id: Fraction(r.asked) for r in newly}


@tagged("at_install", "reemploi_unit")
class TestAllocationExamples(BaseCase):
    def test_request_weight(self):
        self.assertEqual(al.request_weight(80, 1.5), 120)
        self.assertEqual(al.request_weight(80), 80)
        # a new association with no declared people counts with the floor
        self.assertEqual(al.request_weight(0, 2), 2 * al.MIN_PEOPLE)
        self.assertEqual(al.request_weight(None, 1), al.MIN_PEOPLE)
        self.assertEqual(al.request_weight(3, 1, min_people=1), 3)
        # floats are read through their repr: 1.1 is exactly 11/10
        self.assertEqual(al.request_weight(100, 1.1), Fraction(110))
        for people, need in ((-1, 1), (10, 0), (10, -1), (10, float("nan"))):
            with self.assertRaises(ValueError):
                al.request_weight(people, need)

    def test_capped_request_leaves_its_share_to_the_others(self):
        result = al.allocate(10, requests((1, 2, 10), (2, 10, 10), (3, 10, 20)))
        self.assertEqual(allocated(result), {1: 2, 2: 3, 3: 5})
        shares = result.by_request()
        # proportional shares 2.5 / 2.5 / 5; request 1 only needs 2
        self.assertEqual(shares[1].proportional, Fraction(5, 2))
        self.assertEqual(shares[1].reason, al.CAPPED)
        self.assertEqual(shares[1].given_up, Fraction(1, 2))
        # its 0.5 goes to 2 and 3 by weight (1:2): level = 8 / 30
        self.assertEqual(result.level, Fraction(8, 30))
        self.assertEqual(shares[2].fair, Fraction(8, 3))
        self.assertEqual(shares[2].leftovers_received, Fraction(1, 6))
        self.assertEqual(shares[3].fair, Fraction(16, 3))
        # 2 + 5 = 7 whole devices, the last one to the largest remainder
        self.assertTrue(shares[2].rounded_up)
        self.assertFalse(shares[3].rounded_up)
        self.assertEqual(shares[2].reason, al.SHARED)
        self.assertEqual(result.allocated, 10)
        self.assertEqual(
            shares[2].describe(),
            "weight 10: proportional share 2.5 + 0.17 from capped requests"
            " = fair share 2.67, rounded up: 3 of 10 asked",
        )
        self.assertEqual(
            shares[1].describe(),
            "weight 10: proportional share 2.5, asked 2: all of it"
            " (0.5 left to the others)",
        )
        self.assertEqual(shares[3].values()["fair"], 5.33)

    def test_enough_supply(self):
        result = al.allocate(30, requests((1, 4, 10), (2, 0, 50), (3, 20, 1)))
        self.assertEqual(allocated(result), {1: 4, 2: 0, 3: 20})
        self.assertEqual(result.left, 6)
        self.assertIsNone(result.level)
        reasons = {s.request_id: s.reason for s in result.shares}
        self.assertEqual(reasons, {1: al.FULL, 2: al.NOTHING_ASKED, 3: al.FULL})

    def test_ties_go_to_the_larger_weight_then_the_smaller_id(self):
        # fair shares 0.5 and 1.5: same remainder, the larger weight wins
        result = al.allocate(2, requests((1, 5, 1), (2, 5, 3)))
        self.assertEqual(allocated(result), {1: 0, 2: 2})
        # same weight and remainder: the smaller id, whatever the order
        result = al.allocate(1, requests((7, 5, 10), (3, 5, 10)))
        self.assertEqual(allocated(result), {3: 1, 7: 0})

    def test_weights_decide_the_shares(self):
        # 120 vs 40 (e.g. 80 people x 1.5 vs no people declared x 4)
        result = al.allocate(
            8, requests((1, 20, al.request_weight(80, 1.5)),
                        (2, 20, al.request_weight(0, 4)))
        )  # fmt: skip
        self.assertEqual(allocated(result), {1: 6, 2: 2})

    def test_no_supply_no_requests(self):
        result = al.allocate(0, requests((1, 3, 1), (2, 0, 1)))
        self.assertEqual(allocated(result), {1: 0, 2: 0})
        self.assertEqual(result.by_request()[1].reason, al.SHARED)
        self.assertEqual(result.by_request()[2].reason, al.NOTHING_ASKED)
        empty = al.allocate(5, [])
        self.assertEqual((empty.shares, empty.left), ((), 5))

    def test_invalid_inputs(self):
        for spec in ((1, -1, 1), (1, 2.5, 1), (1, 2, 0), (1, 2, "3")):
            with self.assertRaises(ValueError):
                al.Request(*spec)
        with self.assertRaisesRegex(ValueError, "request 1: duplicate id"):
            al.allocate(3, requests((1, 2, 1), (1, 2, 1)))
        for supply in (-1, 1.5, True):
            with self.assertRaises(ValueError):
                al.allocate(supply, [])


request_specs = st.lists(
    st.tuples(
        st.integers(0, 30),  # asked
        st.integers(0, 400),  # people served
        st.sampled_from((0.5, 1, 1.5, 2, 3)),  # need weight
    ),
    max_size=8,
)


def build(specs):
    return [
        al.Request(index + 1, asked, al.request_weight(people, need))
        for index, (asked, people, need) in enumerate(specs)
    ]


@tagged("at_install", "reemploi_unit")
class TestAllocationProperties(BaseCase):
    @settings(
        max_examples=500,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.integers(0, 120), request_specs, st.randoms(use_true_random=False))
    def test_invariants(self, supply, specs, rnd):
        reqs = build(specs)
        result = al.allocate(supply, reqs)
        total = sum(r.asked for r in reqs)
        # never more than the supply, and nothing left while someone asks
        self.assertEqual(result.allocated, min(supply, total))
        self.assertEqual(sum(s.fair for s in result.shares), min(supply, total))
        self.assertEqual(
            [s.request_id for s in result.shares], sorted(r.id for r in reqs)
        )
        # the fair shares are the weighted max-min fair ones
        self.assertEqual({s.request_id: s.fair for s in result.shares},
                         reference_fair(supply, reqs) if supply < total
                         else {r.id: r.asked for r in reqs})  # fmt: skip
        for share in result.shares:
            # never more than asked; the fair share rounded down or up
            self.assertLessEqual(share.allocated, share.asked)
            self.assertIn(
                share.allocated, (math.floor(share.fair), math.ceil(share.fair))
            )
            self.assertEqual(share.rounded_up, share.allocated > share.fair)
            self.assertEqual(
                share.fair,
                share.proportional + share.leftovers_received - share.given_up,
            )
        # envy-freeness, weighted: nobody is above its weighted share while
        # someone who still wants more is below it
        for i in result.shares:
            if i.fair < i.asked:
                for j in result.shares:
                    self.assertLessEqual(j.fair / j.weight, i.fair / i.weight)
        # rounding: a request rounded down never has a larger remainder
        # than one rounded up
        up = [s for s in result.shares if s.rounded_up]
        down = [s for s in result.shares if not s.rounded_up and s.remainder]
        if up and down:
            self.assertGreaterEqual(
                min(s.remainder for s in up), max(s.remainder for s in down)
            )
        # determinism: the order of the input does not matter
        rnd.shuffle(reqs)
        self.assertEqual(al.allocate(supply, reqs), result)

    @settings(
        max_examples=300,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.integers(0, 120), request_specs, st.integers(0, 7), st.integers(1, 10))
    def test_monotonicity(self, supply, specs, who, more):
        reqs = build(specs)
        before = al.allocate(supply, reqs).by_request()
        after = al.allocate(supply + more, reqs).by_request()
        for request_id, share in before.items():
            # more supply: fair shares never shrink, devices lose at most
            # the one rounding unit (Hamilton's method, see the docstring)
            self.assertGreaterEqual(after[request_id].fair, share.fair)
            self.assertGreaterEqual(after[request_id].allocated, share.allocated - 1)
        if not reqs:
            return
        # asking more or weighing more never lowers one's own fair share
        target = reqs[who % len(reqs)]
        for changed in (al.Request(target.id, target.asked + more, target.weight),
                        al.Request(target.id, target.asked, target.weight * (1 + more))):  # fmt: skip
            others = [r for r in reqs if r.id != target.id]
            share = al.allocate(supply, [*others, changed]).by_request()[target.id]
            self.assertGreaterEqual(share.fair, before[target.id].fair)
