from odoo.tests import BaseCase, tagged

from ..services import takeback
from ..services.takeback import Totals


def _row(serial, category, state, weight, co2):
    return {
        "serial": serial,
        "category": category,
        "state": state,
        "weight_kg": weight,
        "co2e_avoided_kg": co2,
    }


@tagged("post_install", "-at_install")
class TestTakebackLines(BaseCase):
    def test_outcome_of_each_state(self):
        expected = {
            "sold": "reused",
            "for_sale": "reused",
            "refurbished": "reused",
            "donated": "donated",
            "recycled": "recycled",
            "missing": "missing",
            "declared": "in_progress",
            "collected": "in_progress",
            "received": "in_progress",
            "erased": "in_progress",
            "graded": "in_progress",
        }
        self.assertEqual(
            {state: takeback.outcome(state) for state in expected}, expected
        )
        self.assertEqual(
            takeback.states_of("reused"), ["for_sale", "refurbished", "sold"]
        )

    def test_lines_sorted_with_their_outcome(self):
        lines = takeback.report_lines(
            [
                _row("S2", "Laptop", "sold", 2.0, 156.0),
                _row("M1", "Monitor", "recycled", 5.5, 0.0),
                _row("S1", "Laptop", "donated", 2.0, 156.0),
            ]
        )
        self.assertEqual(
            [(line["serial"], line["outcome"]) for line in lines],
            [("S1", "donated"), ("S2", "reused"), ("M1", "recycled")],
        )

    def test_totals_by_outcome_and_category(self):
        lines = takeback.report_lines(
            [
                _row("L1", "Laptop", "sold", 2.1, 156.3),
                _row("L2", "Laptop", "for_sale", 2.1, 0.0),
                _row("L3", "Laptop", "donated", 2.1, 156.3),
                _row("M1", "Monitor", "recycled", 5.3, 0.0),
                _row("M2", "Monitor", "missing", 5.3, 0.0),
                _row("D1", "Desktop", "graded", 7.25, 0.0),
            ]
        )
        figures = takeback.totals(lines)
        self.assertEqual(figures["all"], Totals(6, 24.15, 312.6))
        self.assertEqual(
            figures["by_outcome"],
            {
                "reused": Totals(2, 4.2, 156.3),
                "donated": Totals(1, 2.1, 156.3),
                "recycled": Totals(1, 5.3, 0.0),
                "in_progress": Totals(1, 7.25, 0.0),
                "missing": Totals(1, 5.3, 0.0),
            },
        )
        self.assertEqual(list(figures["by_outcome"]), list(takeback.OUTCOMES))
        self.assertEqual(
            figures["by_category"],
            {
                "Desktop": Totals(1, 7.25, 0.0),
                "Laptop": Totals(3, 6.3, 312.6),
                "Monitor": Totals(2, 10.6, 0.0),
            },
        )
        self.assertEqual(list(figures["by_category"]), ["Desktop", "Laptop", "Monitor"])

    def test_totals_of_nothing(self):
        figures = takeback.totals([])
        self.assertEqual(figures["all"], Totals(0, 0.0, 0.0))
        self.assertEqual(set(figures["by_outcome"].values()), {Totals(0, 0.0, 0.0)})
        self.assertEqual(figures["by_category"], {})


@tagged("post_install", "-at_install")
class TestAgecIndicators(BaseCase):
    def test_targets_by_year(self):
        self.assertEqual(
            [takeback.reuse_target(year) for year in (2022, 2023, 2024, 2025, 2031)],
            [None, 0.25, 0.35, 0.5, 0.5],
        )

    def test_reuse_rate(self):
        rate = takeback.reuse_rate(30, 120, 2024)
        self.assertEqual(rate.rate, 0.25)
        self.assertEqual(rate.target, 0.35)
        self.assertIs(rate.met, False)
        rate = takeback.reuse_rate(60, 120, 2025)
        self.assertEqual(rate.rate, 0.5)
        self.assertIs(rate.met, True, "reaching the target exactly meets it")
        rate = takeback.reuse_rate(59, 120, 2025)
        self.assertIs(rate.met, False)
        rate = takeback.reuse_rate(1, 4, 2023)
        self.assertEqual((rate.rate, rate.met), (0.25, True))

    def test_reuse_rate_without_stock(self):
        rate = takeback.reuse_rate(5, 0, 2025)
        self.assertEqual(rate, (5, 0, None, 0.5, None))
        rate = takeback.reuse_rate(0, 0, 2025)
        self.assertIsNone(rate.rate)
        self.assertIsNone(rate.met)

    def test_reuse_rate_before_the_decree(self):
        rate = takeback.reuse_rate(10, 40, 2022)
        self.assertEqual(rate.rate, 0.25)
        self.assertIsNone(rate.target)
        self.assertIsNone(rate.met)

    def test_purchase_share(self):
        share = takeback.purchase_share(25000.0, 100000.0)
        self.assertEqual((share.rate, share.target, share.met), (0.25, 0.2, True))
        share = takeback.purchase_share(3, 20)
        self.assertEqual((share.rate, share.met), (0.15, False))
        share = takeback.purchase_share(0.0, 0.0)
        self.assertIsNone(share.rate)
        self.assertIsNone(share.met)
