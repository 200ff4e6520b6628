"""Fast tests of the plain-Python scoring (no database access)."""

from datetime import date, datetime

from odoo.tests import BaseCase, tagged

from ..services import scoring


@tagged("post_install", "-at_install")
class TestScoring(BaseCase):
    def test_reused_share(self):
        self.assertEqual(scoring.reused_share(0, 0), 0.0)
        self.assertEqual(scoring.reused_share(3, 1), 75.0)
        self.assertEqual(scoring.reused_share(1, 2), 33.3)
        self.assertEqual(scoring.reused_share(4, 0), 100.0)

    def test_longest_streak_of_quarters(self):
        self.assertEqual(scoring.longest_streak([]), 0)
        self.assertEqual(scoring.longest_streak([None]), 0)
        # two lots in the same quarter are one quarter
        self.assertEqual(
            scoring.longest_streak([date(2026, 1, 5), date(2026, 3, 30)]), 1
        )
        # Q4 2025 -> Q1 2026 are consecutive across the year
        year = [date(2025, 11, 2), date(2026, 2, 1), date(2026, 5, 1), date(2026, 8, 1)]
        self.assertEqual(scoring.longest_streak(year), 4)
        # a missed quarter breaks the run: the longest one counts
        gap = [
            datetime(2024, 1, 1),
            datetime(2024, 4, 1),
            datetime(2024, 10, 1),
            datetime(2025, 1, 1),
            datetime(2025, 4, 1),
        ]
        self.assertEqual(scoring.longest_streak(gap), 3)

    def test_measures(self):
        figures = scoring.empty_figures()
        figures.update(
            {
                scoring.DEVICES: 5,
                scoring.WEIGHT: 12.5,
                scoring.CO2E_AVOIDED: 300.0,
                "reused": 2,
                "recycled": 2,
                "lots": [
                    {"date": date(2026, 1, 2), "recycled": False, "done": True},
                    {"date": date(2026, 4, 2), "recycled": True, "done": True},
                    {"date": date(2026, 7, 2), "recycled": False, "done": False},
                ],
            }
        )
        expected = {
            scoring.DEVICES: 5,
            scoring.WEIGHT: 12.5,
            scoring.CO2E_AVOIDED: 300.0,
            scoring.REUSED_SHARE: 50.0,
            scoring.LOTS: 3,
            scoring.LOT_STREAK: 3,
            # only the processed lot without recycling
            scoring.ZERO_WASTE_LOTS: 1,
        }
        for name, value in expected.items():
            with self.subTest(measure=name):
                self.assertEqual(scoring.measure(name, figures), value)
        with self.assertRaises(ValueError):
            scoring.measure("karma", figures)

    def test_per_employees(self):
        self.assertEqual(scoring.per_employees(4, 50), 8.0)
        self.assertEqual(scoring.per_employees(10, 3000), 0.33)
        self.assertIsNone(scoring.per_employees(10, 0))
        self.assertIsNone(scoring.per_employees(10, None))

    def test_rank_ties_and_unranked(self):
        rows = [("a", 5), ("b", 9), ("c", None), ("d", 5), ("e", 1)]
        self.assertEqual(
            scoring.rank(rows),
            [(1, "b", 9), (2, "a", 5), (2, "d", 5), (4, "e", 1), (None, "c", None)],
        )
        self.assertEqual(scoring.rank([]), [])

    def test_progress(self):
        self.assertEqual(scoring.progress(3, 10), 30.0)
        self.assertEqual(scoring.progress(30, 10), 100.0)
        self.assertEqual(scoring.progress(-1, 10), 0.0)
        self.assertEqual(scoring.progress(0, 0), 100.0)
