from datetime import date, datetime

from odoo.tests import BaseCase, tagged

from odoo.addons.reemploi_asset.services import lifecycle

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
    def test_lines_take_the_outcome_of_the_lifecycle(self):
        lines = takeback.report_lines(
            [
                _row("L1", "Laptop", "sold", 2.0, 156.0),
                # a stale CO2 on a device not reused yet never counts
                _row("L2", "Laptop", "for_sale", 2.0, 156.0),
                _row("L3", "Laptop", "refurbished", 2.0, 0.0),
            ]
        )
        self.assertEqual(
            [
                (
                    line["serial"],
                    line["outcome"],
                    line["reused"],
                    line["co2e_avoided_kg"],
                )
                for line in lines
            ],
            [
                ("L1", "sold", True, 156.0),
                ("L2", "in_progress", False, 0.0),
                ("L3", "in_progress", False, 0.0),
            ],
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
            [("S1", "donated"), ("S2", "sold"), ("M1", "recycled")],
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
                "sold": Totals(1, 2.1, 156.3),
                "donated": Totals(1, 2.1, 156.3),
                "recycled": Totals(1, 5.3, 0.0),
                "in_progress": Totals(2, 9.35, 0.0),
                "missing": Totals(1, 5.3, 0.0),
            },
        )
        self.assertEqual(list(figures["by_outcome"]), list(lifecycle.OUTCOMES))
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


def _device(state, reformed, handed_over=None, bought=None, restricted=False):
    return takeback.RegisterDevice(state, bought, restricted, reformed, handed_over)


@tagged("post_install", "-at_install")
class TestReuseFigures(BaseCase):
    """Décret 2023-266 counted from a register, without the ORM."""

    def test_left_out_reasons(self):
        reform = date(2025, 3, 1)
        reason = takeback.left_out_reason
        self.assertEqual(reason(date(2015, 2, 28), reform, False), "too_old")
        # exactly ten years: not more than ten, it counts
        self.assertIsNone(reason(date(2015, 3, 1), reform, False))
        self.assertIsNone(reason(date(2020, 1, 1), reform, False))
        # an unknown age counts
        self.assertIsNone(reason(None, reform, False))
        self.assertEqual(reason(date(2020, 1, 1), reform, True), "restricted")
        self.assertEqual(reason(date(2010, 1, 1), reform, True), "restricted")
        # bought a 29 February
        self.assertIsNone(reason(date(2016, 2, 29), date(2026, 2, 28), False))
        self.assertEqual(reason(date(2016, 2, 29), date(2026, 3, 1), False), "too_old")

    def test_each_outcome(self):
        reformed = datetime(2024, 6, 1, 10)
        handed = datetime(2025, 3, 1, 10)
        devices = [
            _device("sold", reformed, handed),
            _device("donated", reformed, handed),
            _device("recycled", reformed, handed),
            _device("missing", reformed, handed),
            _device("for_sale", reformed, handed),
            _device("received", reformed, handed),
            # still with the body on 1 January and after
            _device("to_decommission", reformed),
            _device("declared", reformed),
        ]
        figures = takeback.reuse_figures(devices, 2025)
        self.assertEqual(figures.stock, 8)
        self.assertEqual(figures.sent, 2)
        self.assertEqual((figures.in_progress, figures.not_reused), (2, 2))
        self.assertEqual(figures.stock_left_out, {"too_old": 0, "restricted": 0})
        # the year before: reformed after 1 January 2024, nothing handed over
        self.assertEqual(takeback.reuse_figures(devices, 2024).stock, 0)
        after = takeback.reuse_figures(devices, 2026)
        self.assertEqual((after.stock, after.sent), (2, 0))

    def test_left_out_of_both_terms(self):
        reformed = datetime(2024, 6, 1, 10)
        handed = datetime(2025, 3, 1, 10)
        old = date(2013, 1, 1)
        devices = [
            _device("donated", reformed, handed, bought=old),
            _device("sold", reformed, handed, restricted=True),
            _device("declared", reformed, bought=old),
            _device("declared", reformed, restricted=True),
            _device("declared", reformed, bought=date(2020, 1, 1)),
            _device("sold", reformed, handed, bought=date(2020, 1, 1)),
        ]
        figures = takeback.reuse_figures(devices, 2025)
        self.assertEqual((figures.stock, figures.sent), (2, 1))
        self.assertEqual(figures.stock_left_out, {"too_old": 2, "restricted": 2})
        self.assertEqual(figures.sent_left_out, {"too_old": 1, "restricted": 1})
        rate = takeback.reuse_rate(figures.sent, figures.stock, 2025)
        self.assertEqual((rate.rate, rate.met), (0.5, True))
