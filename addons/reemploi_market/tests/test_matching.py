"""Fast tests of the matching service (no database access)."""

import datetime
import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from odoo.addons.reemploi_asset.services import grading

from ..services import demand_matching as demand_engine
from ..services import lot_matching as lot_engine
from .matching_baselines import (
    brute_force_total,
    demand_flow_inputs,
    greedy_flow,
    lot_flow_inputs,
)

GRENOBLE = (45.1885, 5.7245)
TODAY = datetime.date(2026, 11, 30)
KM_PER_DEGREE = math.pi * lot_engine.EARTH_RADIUS_KM / 180  # along a meridian


def north(km):
    """A point ``km`` north of Grenoble."""
    return GRENOBLE[0] + km / KM_PER_DEGREE, GRENOBLE[1]


def lot(lot_id, km=0.0, **quantities):
    return lot_engine.Lot(lot_id, quantities or {"laptop": 10}, *north(km))


def operator(operator_id, km=0.0, categories=("laptop",), capacity=1, **values):
    return lot_engine.Operator(
        operator_id, frozenset(categories), capacity, *north(km), **values
    )


def total_centi(assignment, arcs):
    """Sum of the scores of the assigned arcs, from the arcs' own values."""
    value = {
        (arcs.lots[t].id, arcs.operators[h].id): int(c)
        for t, h, c in zip(arcs.tail, arcs.head, arcs.centi, strict=True)
    }
    return sum(value[pair] for pair in assignment.assigned.items())


@tagged("at_install", "reemploi_unit")
class TestMatchingScore(BaseCase):
    def test_haversine(self):
        self.assertAlmostEqual(
            lot_engine.haversine_km(0, 0, 1, 0), KM_PER_DEGREE, places=6
        )
        self.assertEqual(lot_engine.haversine_km(*GRENOBLE, *GRENOBLE), 0.0)
        lyon = (45.7640, 4.8357)
        there = lot_engine.haversine_km(*GRENOBLE, *lyon)
        self.assertAlmostEqual(
            there, lot_engine.haversine_km(*lyon, *GRENOBLE), places=9
        )
        self.assertAlmostEqual(there, 94.4, delta=1.0)
        # antipodes: no NaN from rounding above 1
        self.assertAlmostEqual(
            lot_engine.haversine_km(0, 0, 0, 180),
            math.pi * lot_engine.EARTH_RADIUS_KM,
            places=6,
        )

    def test_breakdown_explains_the_score(self):
        breakdown = lot_engine.score(
            lot(1),
            operator(
                7, km=12, capacity=4, social_economy=True, reliability=0.92,
                categories=("laptop", "monitor"),
            ),
        )  # fmt: skip
        self.assertIsNone(breakdown.blocker)
        points = {part.criterion: part.points for part in breakdown.parts}
        self.assertEqual(
            points,
            {
                "distance": 30.4,  # 40 x (1 - 12 / 50)
                "social_economy": 20.0,
                "reliability": 18.4,  # 20 x 92 %
                "category_fit": 5.0,  # 1 of 2 accepted categories
                "capacity": 4.0,  # 10 x 4 / 10 lots left
            },
        )
        self.assertEqual(breakdown.total, 77.8)
        self.assertEqual(breakdown.total, sum(points.values()))
        self.assertEqual(
            breakdown.describe(),
            "distance 12 km: 30.4 pts; social economy: 20 pts; reliability 92 %: "
            "18.4 pts; category fit 50 %: 5 pts; capacity 4 lot(s) left: 4 pts",
        )

    def test_weights(self):
        candidate = operator(7, social_economy=True)
        neutral = lot_engine.Weights(social_economy=0)
        parts = {
            p.criterion: p for p in lot_engine.score(lot(1), candidate, neutral).parts
        }
        self.assertEqual(parts["social_economy"].points, 0)
        self.assertEqual(parts["distance"].points, 40)
        newcomer = {p.criterion: p for p in lot_engine.score(lot(1), candidate).parts}
        self.assertEqual(newcomer["reliability"].reason, "reliability_unknown")
        self.assertEqual(newcomer["reliability"].points, 10)  # 20 x 50 %
        far = {p.criterion: p for p in lot_engine.score(lot(1, km=80), candidate).parts}
        self.assertEqual(far["distance"].points, 0)  # beyond the reference
        for bad in ({"distance": -1}, {"reliability": math.nan},
                    {"distance_reference_km": 0}, {"unknown_reliability": 2}):  # fmt: skip
            with self.assertRaises(ValueError, msg=bad):
                lot_engine.Weights(**bad)

    def test_no_arc_and_why(self):
        window = {"period_start": TODAY, "period_end": TODAY}
        cases = {
            lot_engine.NO_CAPACITY: (lot(1), operator(7, capacity=0)),
            lot_engine.CATEGORY_NOT_ACCEPTED: (lot(1, monitor=1, laptop=1), operator(7)),
            lot_engine.TOO_FAR: (lot(1, km=31), operator(7, max_distance_km=30)),
            lot_engine.TOO_LARGE: (lot(1, laptop=11), operator(7, max_devices=10)),
            lot_engine.NOT_AVAILABLE: (
                lot_engine.Lot(1, {"laptop": 1}, *GRENOBLE, available_until=TODAY
                      - datetime.timedelta(days=1)),
                operator(7, **window),
            ),
        }  # fmt: skip
        for reason, (the_lot, the_operator) in cases.items():
            breakdown = lot_engine.score(the_lot, the_operator)
            self.assertEqual(breakdown.blocker, reason)
            self.assertEqual(breakdown.parts, ())
            self.assertEqual(
                lot_engine.assign([the_lot], [the_operator]).unassigned,
                {1: {reason: 1}},
            )
        # limits are inclusive
        self.assertIsNone(
            lot_engine.score(lot(1, km=29.9), operator(7, max_distance_km=30)).blocker
        )
        self.assertIsNone(
            lot_engine.score(lot(1, laptop=10), operator(7, max_devices=10)).blocker
        )
        same_day = lot_engine.Lot(1, {"laptop": 1}, *GRENOBLE, available_until=TODAY)
        self.assertIsNone(lot_engine.score(same_day, operator(7, **window)).blocker)

    def test_invalid_input_is_refused(self):
        cases = [
            (lot_engine.Lot(1, {"laptop": 1}, math.nan, 5.7), "invalid coordinates"),
            (lot_engine.Lot(1, {"laptop": 1}, 95.0, 5.7), "invalid coordinates"),
            (lot_engine.Lot(1, {"laptop": -2}, *GRENOBLE), "non-negative integer"),
            (lot_engine.Lot(1, {"laptop": 0}, *GRENOBLE), "has no device"),
            (lot_engine.Lot(1, {}, *GRENOBLE), "no quantity per category"),
            (lot_engine.Lot(1, {"laptop": 1}, *GRENOBLE, available_from=TODAY,
                   available_until=TODAY - datetime.timedelta(days=1)), "starts after"),
            (operator(7, capacity=-1), "capacity must be a non-negative integer"),
            (operator(7, reliability=1.5), "reliability must be within 0..1"),
            (operator(7, max_distance_km=-3), "max_distance_km"),
            (operator(7, max_devices=2.5), "max_devices"),
            (lot_engine.Operator(7, "laptop", 1, *GRENOBLE), "not a string"),
        ]  # fmt: skip
        for record, message in cases:
            lots = [record] if isinstance(record, lot_engine.Lot) else [lot(1)]
            operators = (
                [record] if isinstance(record, lot_engine.Operator) else [operator(7)]
            )
            with self.assertRaisesRegex(ValueError, message):
                lot_engine.assign(lots, operators)
        with self.assertRaisesRegex(ValueError, "lot 1 is given twice"):
            lot_engine.assign([lot(1), lot(1)], [operator(7)])
        with self.assertRaisesRegex(ValueError, "comparable"):
            lot_engine.assign([lot(1), lot("a")], [operator(7)])


@tagged("at_install", "reemploi_unit")
class TestMatchingAssign(BaseCase):
    def test_empty_inputs(self):
        empty = lot_engine.assign([], [])
        self.assertEqual(
            (empty.assigned, empty.proposals, empty.unassigned), ({}, {}, {})
        )
        self.assertEqual(empty.total, 0)
        nobody = lot_engine.assign([lot(1), lot(2)], [])
        self.assertEqual(nobody.unassigned, {1: {}, 2: {}})
        self.assertEqual(lot_engine.assign([], [operator(7)]).assigned, {})

    def test_capacity_counts_lots(self):
        # three lots, one operator that can take two of them: the farthest
        # lot stays unassigned, but keeps the operator as its proposal
        result = lot_engine.assign([lot(1, km=1), lot(2, km=20), lot(3, km=2)],
                          [operator(7, capacity=2)])  # fmt: skip
        self.assertEqual(result.assigned, {1: 7, 3: 7})
        self.assertEqual(result.unassigned, {2: {lot_engine.CAPACITY_TAKEN: 1}})
        self.assertEqual([p.operator_id for p in result.proposals[2]], [7])
        self.assertFalse(result.proposals[2][0].assigned)

    def test_exact_beats_greedy(self):
        # the monitor lot only fits operator 7; greedy gives 7 the nearer
        # laptop lot first and leaves the monitors behind
        lots = [lot(1, km=0), lot(2, km=5, monitor=3)]
        operators = [operator(7, categories=("laptop", "monitor")),
                     operator(8, km=10)]  # fmt: skip
        arcs = lot_engine.lot_arcs(lots, operators)
        flow = greedy_flow(*lot_flow_inputs(arcs))
        self.assertEqual(sum(flow), 1)
        result = lot_engine.assign(lots, operators)
        self.assertEqual(result.assigned, {1: 8, 2: 7})
        greedy_total = sum(f * int(c) for f, c in zip(flow, arcs.centi, strict=True))
        self.assertGreater(result.total * 100, greedy_total)

    def test_proposals_and_refusal(self):
        operators = [operator(i, km=i, capacity=1) for i in range(1, 6)]
        result = lot_engine.assign([lot(1)], operators, alternatives=2)
        proposals = result.proposals[1]
        self.assertEqual([p.operator_id for p in proposals], [1, 2, 3])
        self.assertEqual([p.sequence for p in proposals], [1, 2, 3])
        self.assertEqual([p.assigned for p in proposals], [True, False, False])
        self.assertGreater(proposals[0].score, proposals[1].score)
        self.assertEqual(
            lot_engine.next_proposal(proposals, refused={1}).operator_id, 2
        )
        self.assertEqual(
            lot_engine.next_proposal(
                proposals, refused={1}, remaining={2: 0, 3: 1}
            ).operator_id,
            3,
        )
        self.assertIsNone(lot_engine.next_proposal(proposals, refused={1, 2, 3}))
        # the list is exhausted: match again without the refused operators
        again = lot_engine.assign(
            [lot(1)], operators, excluded=[(1, 1), (1, 2), (1, 3)]
        )
        self.assertEqual(again.assigned, {1: 4})
        blocked = lot_engine.assign([lot(1)], operators[:1], excluded=[(1, 1), (9, 9)])
        self.assertEqual(blocked.unassigned, {1: {lot_engine.EXCLUDED: 1}})

    def test_ties_are_deterministic(self):
        twins = [operator(8), operator(5), operator(6, capacity=0)]
        lots = [lot(3), lot(1), lot(2)]
        result = lot_engine.assign(lots, twins)
        # same score: the operator with the smaller id, the rest unassigned
        self.assertEqual(len(result.assigned), 2)
        self.assertEqual(sorted(result.assigned.values()), [5, 8])
        for _attempt in range(5):
            random.shuffle(lots)
            random.shuffle(twins)
            self.assertEqual(lot_engine.assign(lots, twins).assigned, result.assigned)
        # a lot goes to an operator even at 0 points
        zero = lot_engine.Weights(
            distance=0, social_economy=0, reliability=0, category_fit=0, capacity=0
        )
        self.assertEqual(
            lot_engine.assign([lot(1)], [operator(7)], zero).assigned, {1: 7}
        )

    def test_grades_are_the_shared_standard(self):
        self.assertEqual(demand_engine.GRADES, grading.GRADES)


@tagged("at_install", "reemploi_unit")
class TestMatchingDemand(BaseCase):
    def test_allocation(self):
        stock = [
            demand_engine.StockGroup("a", "laptop", "A", 5, price=200.0),
            demand_engine.StockGroup("b", "laptop", "B", 5, price=150.0),
            demand_engine.StockGroup("c", "laptop", "C", 9, price=90.0),
            demand_engine.StockGroup("d", "phone", "A", 2, price=80.0),
        ]
        demands = [
            demand_engine.Demand(1, "laptop", 4, "B", deadline=TODAY + datetime.timedelta(20),
                     max_price=180.0),
            demand_engine.Demand(2, "laptop", 8, "A"),
            demand_engine.Demand(3, "tablet", 2, "D"),
            demand_engine.Demand(4, "phone", 1, "B", deadline=TODAY - datetime.timedelta(1)),
        ]  # fmt: skip
        result = demand_engine.match_demand(stock, demands, today=TODAY)
        self.assertEqual(
            [(a.stock_id, a.demand_id, a.quantity) for a in result.allocations],
            [("b", 1, 4), ("a", 2, 5)],
        )
        self.assertEqual(result.unfilled, {2: 3, 3: 2, 4: 1})
        self.assertEqual(result.leftover, {"b": 1, "c": 9, "d": 2})
        first = result.allocations[0].breakdown
        self.assertEqual(
            first.describe(),
            "device delivered: 50 pts; price 83.3 % of the maximum: 3.33 pts; "
            "grade B for a minimum of B: 15 pts; deadline in 20 days: 11.67 pts",
        )
        # 4 x 80 points, then 5 x (50 + grade A for A: 15)
        self.assertEqual(result.total, 4 * first.total + 5 * 65)
        self.assertEqual(result.total, 645)

    def test_reasons(self):
        group = demand_engine.StockGroup(1, "laptop", "C", 3, price=100.0,
                             available_date=TODAY + datetime.timedelta(10))  # fmt: skip
        cases = {
            demand_engine.CATEGORY_MISMATCH: demand_engine.Demand(1, "phone", 1, "D"),
            demand_engine.GRADE_TOO_LOW: demand_engine.Demand(1, "laptop", 1, "B"),
            demand_engine.OVER_MAX_PRICE: demand_engine.Demand(
                1, "laptop", 1, "D", max_price=99.0
            ),
            demand_engine.DEADLINE_PASSED: demand_engine.Demand(
                1, "laptop", 1, "D", TODAY - datetime.timedelta(1)
            ),
            demand_engine.TOO_LATE: demand_engine.Demand(
                1, "laptop", 1, "D", TODAY + datetime.timedelta(9)
            ),
        }
        for reason, demand in cases.items():
            self.assertEqual(
                demand_engine.score_demand(group, demand, today=TODAY).blocker, reason
            )
            self.assertEqual(
                demand_engine.match_demand([group], [demand], today=TODAY).unfilled,
                {1: 1},
            )
        self.assertIsNone(
            demand_engine.score_demand(group, demand_engine.Demand(1, "laptop", 1, "D", max_price=100.0),
                           today=TODAY).blocker
        )  # fmt: skip

    def test_empty_and_invalid(self):
        empty = demand_engine.match_demand([], [], today=TODAY)
        self.assertEqual(
            (empty.allocations, empty.unfilled, empty.leftover), ([], {}, {})
        )
        only_stock = demand_engine.match_demand(
            [demand_engine.StockGroup(1, "laptop", "A", 2)], [], today=TODAY
        )
        self.assertEqual(only_stock.leftover, {1: 2})
        cases = [
            ([demand_engine.StockGroup(1, "laptop", "Z", 2)], [], "unknown grade 'Z'"),
            (
                [demand_engine.StockGroup(1, "laptop", "A", -2)],
                [],
                "non-negative integer",
            ),
            (
                [demand_engine.StockGroup(1, "laptop", "A", 2, price=math.nan)],
                [],
                "invalid price",
            ),
            (
                [],
                [demand_engine.Demand(1, "laptop", 1, "A", max_price=-1.0)],
                "invalid max_price",
            ),
            ([], [demand_engine.Demand(1, "laptop", 1, "E")], "unknown grade 'E'"),
            (
                [],
                [demand_engine.Demand(1, "laptop", 1, "A")] * 2,
                "demand 1 is given twice",
            ),
        ]
        for stock, demands, message in cases:
            with self.assertRaisesRegex(ValueError, message):
                demand_engine.match_demand(stock, demands, today=TODAY)
        with self.assertRaisesRegex(ValueError, "urgency_horizon_days"):
            demand_engine.DemandWeights(urgency_horizon_days=0)


# ------------------------------------------------------ property-based tests

CATEGORIES = ("laptop", "monitor", "phone")
coordinate_st = st.tuples(
    st.floats(GRENOBLE[0] - 0.3, GRENOBLE[0] + 0.3),
    st.floats(GRENOBLE[1] - 0.3, GRENOBLE[1] + 0.3),
)
lot_st = st.builds(
    lambda quantities, position: (quantities, position),
    st.dictionaries(st.sampled_from(CATEGORIES), st.integers(1, 20), min_size=1,
                    max_size=2),
    coordinate_st,
)  # fmt: skip
operator_st = st.fixed_dictionaries(
    {
        "categories": st.frozensets(st.sampled_from(CATEGORIES), max_size=3),
        "capacity": st.integers(0, 3),
        "position": coordinate_st,
        "max_distance_km": st.one_of(st.none(), st.floats(5, 40)),
        "max_devices": st.one_of(st.none(), st.integers(1, 30)),
        "social_economy": st.booleans(),
        "reliability": st.one_of(st.none(), st.floats(0, 1)),
    }
)


def build(lot_specs, operator_specs):
    lots = [
        lot_engine.Lot(i + 1, q, *position) for i, (q, position) in enumerate(lot_specs)
    ]
    operators = []
    for index, spec in enumerate(operator_specs):
        values = {k: v for k, v in spec.items() if k != "position"}
        operators.append(lot_engine.Operator(100 + index, latitude=spec["position"][0],
                                    longitude=spec["position"][1], **values))  # fmt: skip
    return lots, operators


@tagged("at_install", "reemploi_unit")
class TestMatchingProperties(BaseCase):
    @settings(max_examples=300, deadline=None, database=None)
    @given(st.lists(lot_st, max_size=6), st.lists(operator_st, max_size=3),
           st.randoms(use_true_random=False))  # fmt: skip
    def test_assignment_is_exact(self, lot_specs, operator_specs, rnd):
        lots, operators = build(lot_specs, operator_specs)
        arcs = lot_engine.lot_arcs(lots, operators)
        # the vectorised scores are the ones score() shows, arc by arc
        pairs = {(arcs.lots[t].id, arcs.operators[h].id): int(c)
                 for t, h, c in zip(arcs.tail, arcs.head, arcs.centi, strict=True)}  # fmt: skip
        for the_lot in lots:
            for the_operator in operators:
                breakdown = lot_engine.score(the_lot, the_operator)
                key = (the_lot.id, the_operator.id)
                self.assertEqual(breakdown.blocker is None, key in pairs)
                if key in pairs:
                    self.assertEqual(breakdown.centi, pairs[key])
        result = lot_engine.assign(lots, operators)
        inputs = lot_flow_inputs(arcs)
        centi = total_centi(result, arcs)
        self.assertEqual(round(result.total * 100), centi)
        self.assertEqual(centi, brute_force_total(*inputs))
        greedy = greedy_flow(*inputs)
        self.assertGreaterEqual(
            centi, sum(f * int(c) for f, c in zip(greedy, arcs.centi, strict=True))
        )
        capacity = {o.id: o.capacity for o in operators}
        for operator_id in result.assigned.values():
            capacity[operator_id] -= 1
        self.assertTrue(all(left >= 0 for left in capacity.values()))
        self.assertTrue(set(result.assigned.items()) <= set(pairs))
        self.assertEqual(set(result.assigned) | set(result.unassigned),
                         {the_lot.id for the_lot in lots})  # fmt: skip
        self.assertFalse(set(result.assigned) & set(result.unassigned))
        for lot_id, proposals in result.proposals.items():
            self.assertLessEqual(len(proposals), 4)
            self.assertEqual(proposals[0].assigned, lot_id in result.assigned)
            scores = [p.breakdown.centi for p in proposals[1:]]
            self.assertEqual(scores, sorted(scores, reverse=True))
        rnd.shuffle(lots)
        rnd.shuffle(operators)
        self.assertEqual(lot_engine.assign(lots, operators).assigned, result.assigned)

    @settings(max_examples=300, deadline=None, database=None)
    @given(
        st.lists(st.tuples(st.sampled_from(("laptop", "phone")), st.sampled_from(demand_engine.GRADES),
                           st.integers(0, 3), st.sampled_from((None, 50.0, 120.0))),
                 max_size=3),
        st.lists(st.tuples(st.sampled_from(("laptop", "phone")), st.sampled_from(demand_engine.GRADES),
                           st.integers(0, 3), st.sampled_from((None, 60.0, 200.0)),
                           st.sampled_from((None, 0, 10, 200))),
                 max_size=3),
    )  # fmt: skip
    def test_allocation_is_exact(self, stock_specs, demand_specs):
        stock = [
            demand_engine.StockGroup(i, c, g, q, price=p)
            for i, (c, g, q, p) in enumerate(stock_specs)
        ]
        demands = [demand_engine.Demand(i, c, q, g, None if d is None
                            else TODAY + datetime.timedelta(d), p)
                   for i, (c, g, q, p, d) in enumerate(demand_specs)]  # fmt: skip
        arcs = demand_engine.demand_arcs(stock, demands, today=TODAY)
        result = demand_engine.match_demand(stock, demands, today=TODAY)
        inputs = demand_flow_inputs(arcs)
        self.assertEqual(round(result.total * 100), brute_force_total(*inputs))
        greedy = greedy_flow(*inputs)
        self.assertGreaterEqual(
            round(result.total * 100),
            sum(f * int(c) for f, c in zip(greedy, arcs.centi, strict=True)),
        )
        sent, received = {}, {}
        for allocation in result.allocations:
            self.assertGreater(allocation.quantity, 0)
            sent[allocation.stock_id] = (
                sent.get(allocation.stock_id, 0) + allocation.quantity
            )
            received[allocation.demand_id] = (
                received.get(allocation.demand_id, 0) + allocation.quantity
            )
        for group in stock:
            self.assertEqual(sent.get(group.id, 0) + result.leftover.get(group.id, 0),
                             group.quantity)  # fmt: skip
        for demand in demands:
            self.assertEqual(
                received.get(demand.id, 0) + result.unfilled.get(demand.id, 0),
                demand.quantity,
            )
