"""Fast tests of the solidarity report service (no database access)."""

from datetime import date

from odoo.tests import BaseCase, tagged

from ..services import social_report as sr


def row(commune="Grenoble", association="A", category="Laptop", month=None, **kw):
    values = {
        "commune": commune,
        "association": association,
        "category": category,
        "month": month or date(2026, 11, 1),
        "devices": 1,
        "given": False,
        "people_reached": 0,
        "amount": 50.0,
        "co2e_kg": 156.0,
        "weight_kg": 2.1,
    }
    values.update(kw)
    return values


@tagged("post_install", "-at_install")
class TestSocialReportService(BaseCase):
    def test_empty(self):
        tables = sr.aggregate([])
        self.assertEqual(tables["totals"], sr.ZERO)
        for key in ("by_commune", "by_association", "by_category", "by_month"):
            self.assertEqual(tables[key], [], key)

    def test_totals(self):
        rows = [
            row(people_reached=1),
            row(amount=0.0, given=True),
            row(commune="Échirolles", co2e_kg=0.1, weight_kg=0.01, amount=0.1),
        ]
        totals = sr.aggregate(rows)["totals"]
        self.assertEqual(totals.devices, 3)
        self.assertEqual(totals.given, 1)
        self.assertEqual(totals.people_reached, 1)
        self.assertEqual(totals.amount, 50.1)
        self.assertEqual(totals.co2e_kg, 312.1)
        self.assertEqual(totals.co2e_t, 0.312)
        self.assertEqual(totals.weight_kg, 4.21)

    def test_groups_sorted_unknown_last(self):
        rows = [
            row(commune="Meylan", association="B", category="Smartphone"),
            row(commune=sr.UNKNOWN, association="A"),
            row(commune="Échirolles", association="B", category="Smartphone"),
            row(commune="Meylan", association="A", people_reached=1),
        ]
        tables = sr.aggregate(rows)
        self.assertEqual(
            [(label, value.devices) for label, value in tables["by_commune"]],
            [("Meylan", 2), ("Échirolles", 1), (sr.UNKNOWN, 1)],
        )
        self.assertEqual(
            [(label, value.devices) for label, value in tables["by_association"]],
            [("A", 2), ("B", 2)],
        )
        self.assertEqual(
            [(label, value.people_reached) for label, value in tables["by_category"]],
            [("Laptop", 1), ("Smartphone", 0)],
        )

    def test_months_in_order(self):
        rows = [
            row(month=date(2026, 11, 1)),
            row(month=date(2025, 12, 1), co2e_kg=80.0),
            row(month=date(2026, 1, 1), devices=0, people_reached=1, co2e_kg=0.0),
        ]
        months = sr.aggregate(rows)["by_month"]
        self.assertEqual(
            [(month, value.devices, value.people_reached) for month, value in months],
            [
                (date(2025, 12, 1), 1, 0),
                (date(2026, 1, 1), 0, 1),
                (date(2026, 11, 1), 1, 0),
            ],
        )
        self.assertEqual(months[0][1].co2e_kg, 80.0)

    def test_each_table_adds_up_to_the_totals(self):
        rows = [
            row(commune=c, association=a, category=k, month=date(2026, m, 1))
            for c, a, k, m in [
                ("Grenoble", "A", "Laptop", 1),
                ("Meylan", "B", "Laptop", 2),
                ("Meylan", "A", "Tablet", 2),
                ("Eybens", "C", "Tablet", 3),
            ]
        ]
        tables = sr.aggregate(rows)
        for key in ("by_commune", "by_association", "by_category", "by_month"):
            with self.subTest(table=key):
                items = [value for _label, value in tables[key]]
                self.assertEqual(sum(v.devices for v in items), 4)
                self.assertAlmostEqual(sum(v.co2e_kg for v in items), 624.0)

    def test_tonnes(self):
        self.assertEqual(sr.tonnes(1234.5678), 1.235)
        self.assertEqual(sr.tonnes(None), 0.0)
