"""Fast tests of the plain-Python services (no database access)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from ..services import custody_chain, grading, lifecycle

ALL_OK = {"power": "ok", "boot": "ok", "screen": "ok", "storage": "ok"}

checks_st = st.dictionaries(
    st.sampled_from(grading.CHECK_CODES),
    st.sampled_from(["ok", "ko", "na"]),
    min_size=1,
).filter(lambda c: any(v in ("ok", "ko") for v in c.values()))
defects_st = st.lists(
    st.tuples(
        st.sampled_from(["cosmetic", "functional"]),
        st.sampled_from(["minor", "major", "critical"]),
    ),
    max_size=6,
)
battery_st = st.one_of(st.none(), st.floats(min_value=0, max_value=120))


@tagged("at_install", "reemploi_unit")
class TestGradingRules(BaseCase):
    def test_cosmetic_ladder(self):
        self.assertEqual(grading.cosmetic_grade([]), "A")
        self.assertEqual(grading.cosmetic_grade([("cosmetic", "minor")] * 2), "B")
        self.assertEqual(grading.cosmetic_grade([("cosmetic", "minor")] * 3), "C")
        self.assertEqual(grading.cosmetic_grade([("cosmetic", "major")]), "C")
        self.assertEqual(grading.cosmetic_grade([("cosmetic", "critical")]), "D")
        # functional defects do not affect the cosmetic grade
        self.assertEqual(grading.cosmetic_grade([("functional", "critical")]), "A")

    def test_functional_ladder(self):
        self.assertEqual(grading.functional_grade(ALL_OK, []), "OK")
        self.assertEqual(
            grading.functional_grade({**ALL_OK, "audio": "ko"}, []), "PARTIAL"
        )
        self.assertEqual(grading.functional_grade({**ALL_OK, "screen": "ko"}, []), "KO")
        self.assertEqual(
            grading.functional_grade(ALL_OK, [("functional", "minor")]), "PARTIAL"
        )
        self.assertEqual(
            grading.functional_grade(ALL_OK, [("functional", "critical")]), "KO"
        )

    def test_no_check_no_grade(self):
        with self.assertRaises(grading.GradingError):
            grading.compute_grade({})
        with self.assertRaises(grading.GradingError):
            grading.compute_grade({"camera": "na"})

    def test_overall_examples(self):
        self.assertEqual(grading.compute_grade(ALL_OK).grade, "A")
        self.assertEqual(
            grading.compute_grade(ALL_OK, [("cosmetic", "minor")]).grade, "B"
        )
        self.assertEqual(grading.compute_grade({**ALL_OK, "ports": "ko"}).grade, "C")
        self.assertEqual(grading.compute_grade({**ALL_OK, "boot": "ko"}).grade, "D")

    def test_battery_rule(self):
        self.assertEqual(grading.compute_grade(ALL_OK, battery_health=80).grade, "A")
        self.assertEqual(grading.compute_grade(ALL_OK, battery_health=79.9).grade, "C")
        self.assertEqual(grading.compute_grade(ALL_OK, battery_health=49).grade, "D")
        self.assertEqual(grading.battery_health(50, 40), 80.0)
        self.assertIsNone(grading.battery_health(0, 40))
        with self.assertRaises(grading.GradingError):
            grading.compute_grade(ALL_OK, battery_health=400)

    def test_unknown_defect_refused(self):
        with self.assertRaises(grading.GradingError):
            grading.compute_grade(ALL_OK, [("paint", "minor")])

    @settings(max_examples=500, deadline=None, database=None)
    @given(checks_st, defects_st, battery_st)
    def test_properties(self, checks, defects, battery):
        result = grading.compute_grade(checks, defects, battery)
        rank = grading.GRADES.index
        # never better than the cosmetic grade
        self.assertGreaterEqual(rank(result.grade), rank(result.cosmetic))
        if result.functional == "KO":
            self.assertEqual(result.grade, "D")
        if result.functional == "PARTIAL":
            self.assertIn(result.grade, ("C", "D"))
        if battery is not None and battery < grading.BATTERY_AB_MIN:
            self.assertIn(result.grade, ("C", "D"))
        if result.grade in ("A", "B"):
            self.assertEqual(result.functional, "OK")


@tagged("at_install", "reemploi_unit")
class TestLifecycleTable(BaseCase):
    def test_every_state_known(self):
        for target, sources in lifecycle.TRANSITIONS.items():
            self.assertIn(target, lifecycle.STATES)
            self.assertLessEqual(sources, set(lifecycle.STATES))

    def test_final_states_are_final(self):
        for state in lifecycle.FINAL_STATES:
            self.assertEqual(lifecycle.allowed_targets(state), [])

    def test_main_path(self):
        path = [
            lifecycle.IN_USE,
            lifecycle.TO_DECOMMISSION,
            lifecycle.DECLARED,
            lifecycle.COLLECTED,
            lifecycle.RECEIVED,
            lifecycle.ERASED,
            lifecycle.GRADED,
            lifecycle.REFURBISHED,
            lifecycle.FOR_SALE,
            lifecycle.SOLD,
        ]
        for current, target in zip(path, path[1:], strict=False):
            self.assertTrue(lifecycle.can_transition(current, target), target)
        self.assertFalse(lifecycle.can_transition(lifecycle.IN_USE, lifecycle.SOLD))
        self.assertFalse(lifecycle.can_transition(lifecycle.RECEIVED, lifecycle.SOLD))

    def test_outcome_of_every_state(self):
        expected = {
            "in_use": "in_progress",
            "to_decommission": "in_progress",
            "declared": "in_progress",
            "collected": "in_progress",
            "received": "in_progress",
            "erased": "in_progress",
            "graded": "in_progress",
            # on the shop, not reused yet: no CO2 avoided, not sent to reuse
            "refurbished": "in_progress",
            "for_sale": "in_progress",
            "sold": "sold",
            "donated": "donated",
            "recycled": "recycled",
            "missing": "missing",
        }
        self.assertEqual(
            {state: lifecycle.outcome(state) for state in lifecycle.STATES}, expected
        )
        self.assertEqual(
            {state for state in lifecycle.STATES if lifecycle.is_reused(state)},
            {"sold", "donated"},
        )
        self.assertEqual(lifecycle.REUSED_STATES, {"sold", "donated"})
        self.assertEqual(lifecycle.states_of("sold"), ["sold"])
        self.assertEqual(lifecycle.states_of("missing"), ["missing"])
        self.assertEqual(lifecycle.states_of("in_progress"), lifecycle.STATES[:9])
        # every state has exactly one outcome, every outcome is listed
        self.assertEqual(
            sorted(
                state
                for out in lifecycle.OUTCOMES
                for state in lifecycle.states_of(out)
            ),
            sorted(lifecycle.STATES),
        )

    def test_leaving_needs_erasure(self):
        self.assertTrue(
            {lifecycle.SOLD, lifecycle.DONATED, lifecycle.FOR_SALE}
            <= lifecycle.NEEDS_VERIFIED_ERASURE
        )


def _chain(length):
    events, previous = [], custody_chain.GENESIS
    for index in range(length):
        event = {
            "equipment_id": 7,
            "sequence": index + 1,
            "date": f"2026-01-0{index + 1} 10:00:00",
            "event_type": "state",
            "to_state": "received",
            "note": f"step {index}",
        }
        event["previous_hash"] = previous
        event["hash"] = previous = custody_chain.event_hash(event, previous)
        events.append(event)
    return events


@tagged("at_install", "reemploi_unit")
class TestCustodyChainService(BaseCase):
    def test_intact_chain(self):
        self.assertIsNone(custody_chain.first_broken_link(_chain(5)))

    def test_canonical_is_order_independent(self):
        payload = {"sequence": 1, "note": "é", "equipment_id": 3}
        reordered = dict(reversed(list(payload.items())))
        self.assertEqual(
            custody_chain.canonical(payload), custody_chain.canonical(reordered)
        )

    def test_tampered_content(self):
        events = _chain(5)
        events[2]["note"] = "forged"
        self.assertEqual(custody_chain.first_broken_link(events), (2, "hash"))

    def test_removed_event(self):
        events = _chain(5)
        del events[1]
        self.assertEqual(custody_chain.first_broken_link(events)[0], 1)

    def test_rehashed_event_breaks_next_link(self):
        events = _chain(4)
        events[1]["note"] = "forged"
        events[1]["hash"] = custody_chain.event_hash(events[1], events[0]["hash"])
        self.assertEqual(custody_chain.first_broken_link(events), (2, "previous_hash"))
