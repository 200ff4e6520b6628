from datetime import date

from odoo.tests import BaseCase, tagged

from ..services.collection import LotSlot, parse_scan, propose_rounds, reconcile

START = date(2026, 3, 2)


@tagged("post_install", "-at_install")
class TestProposeRounds(BaseCase):
    def test_groups_by_area_on_a_common_day(self):
        slots = [
            LotSlot(1, "38000 Grenoble", date(2026, 3, 5), date(2026, 3, 20)),
            LotSlot(2, "38000 Grenoble", date(2026, 3, 10), date(2026, 3, 31)),
            LotSlot(3, "38400 Saint-Martin-d'Hères", START, date(2026, 3, 6)),
        ]
        proposals = propose_rounds(slots, START)
        self.assertEqual(
            [(p.area, p.date, p.keys) for p in proposals],
            [
                ("38000 Grenoble", date(2026, 3, 10), [1, 2]),
                ("38400 Saint-Martin-d'Hères", START, [3]),
            ],
        )

    def test_windows_that_do_not_overlap_make_two_rounds(self):
        slots = [
            LotSlot(1, "38000 Grenoble", date(2026, 3, 2), date(2026, 3, 6)),
            LotSlot(2, "38000 Grenoble", date(2026, 3, 9), date(2026, 3, 13)),
        ]
        proposals = propose_rounds(slots, START)
        self.assertEqual(
            [(p.date, p.keys) for p in proposals],
            [(date(2026, 3, 2), [1]), (date(2026, 3, 9), [2])],
        )

    def test_never_before_start_and_past_windows_left_out(self):
        slots = [
            LotSlot(1, "38000", date(2026, 2, 1), date(2026, 3, 15)),
            LotSlot(2, "38000", date(2026, 1, 1), date(2026, 2, 28)),
        ]
        proposals = propose_rounds(slots, START)
        self.assertEqual([(p.date, p.keys) for p in proposals], [(START, [1])])

    def test_size_limit_and_determinism(self):
        slots = [LotSlot(key, "38000", START, None) for key in (5, 3, 4, 1, 2)]
        first = propose_rounds(slots, START, max_lots=2)
        self.assertEqual([p.keys for p in first], [[1, 2], [3, 4], [5]])
        self.assertEqual(
            propose_rounds(list(reversed(slots)), START, max_lots=2), first
        )


@tagged("post_install", "-at_install")
class TestParseScanAndReconcile(BaseCase):
    TOKEN = "AbCdEfGhIjKlMnOpQrStUvWx0123-_"

    def test_qr_label_url_gives_its_token(self):
        for code in (
            f"https://reemploi.example.org/r/{self.TOKEN}",
            f"http://localhost:8069/r/{self.TOKEN}/?utm=label",
            f"/r/{self.TOKEN}",
        ):
            with self.subTest(code=code):
                self.assertEqual(parse_scan(code), ("token", self.TOKEN))

    def test_serial_or_tag_is_a_code(self):
        self.assertEqual(parse_scan("  5CG1234XYZ \n"), ("code", "5CG1234XYZ"))
        self.assertEqual(
            parse_scan("https://example.org/r/short"),
            (
                "code",
                "https://example.org/r/short",
            ),
        )
        self.assertEqual(parse_scan("   "), (None, ""))
        self.assertEqual(parse_scan(None), (None, ""))

    def test_reconcile(self):
        totals = reconcile(
            [
                ("device", 1, 1),
                ("device", 1, 0),
                ("count", 3, 2),
                ("count", 2, 4),
                ("extra", 0, 1),
                ("unknown", 0, 0),
                ("counted", 0, 1),
            ]
        )
        self.assertEqual(
            totals, {"expected": 7, "received": 8, "missing": 2, "extra": 3}
        )
        self.assertEqual(
            totals["expected"] - totals["missing"] + totals["extra"],
            totals["received"],
        )
