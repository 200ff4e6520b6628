import psycopg2
from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MarketCase


@tagged("post_install", "-at_install")
class TestAgecIndicators(MarketCase):
    """Reuse rate of décret 2023-266 from the register of a public body."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.donor_a | cls.donor_b).is_public_body = True
        cls.Agec = cls.env["reemploi.agec.stock"]
        with freeze_time("2024-06-01 10:00:00"):
            cls.reformed = [
                cls._device(f"AG-{index}", state="to_decommission")
                for index in range(1, 5)
            ]
        with freeze_time("2025-03-01 10:00:00"):
            for device in cls.reformed[:2]:
                device.action_declare()
                device.action_receive(company=cls.company_x)
            # recycled: handed over, but not reused
            cls._erase(cls.reformed[1], method="destroy", verification_method="visual")
            cls.reformed[1].action_recycle()
        with freeze_time("2025-05-01 10:00:00"):
            cls.late = cls._device("AG-5", state="to_decommission")

    def _line(self, year, partner=None, **values):
        return self.Agec.create(
            dict(values, partner_id=(partner or self.donor_a).id, year=year)
        )

    def test_rate_from_the_register(self):
        line = self._line(2025)
        self.assertEqual(
            (line.register_reformed_stock, line.stock_used, line.sent_to_reuse),
            (4, 4, 1),
        )
        self.assertEqual((line.reuse_rate, line.reuse_target), (25.0, 50.0))
        self.assertEqual(line.reuse_status, "missed")
        next_year = self._line(2026)
        self.assertEqual((next_year.stock_used, next_year.sent_to_reuse), (3, 0))
        self.assertEqual(next_year.reuse_rate, 0.0)
        self.assertEqual(next_year.reuse_status, "missed")

    def test_entered_stock_wins(self):
        line = self._line(2025, reformed_stock=2)
        self.assertEqual((line.register_reformed_stock, line.stock_used), (4, 2))
        self.assertEqual(line.reuse_rate, 50.0)
        self.assertEqual(line.reuse_status, "met")
        line.reformed_stock = 0
        self.assertEqual(line.reuse_status, "missed")

    def test_no_stock_and_no_target(self):
        self.assertEqual(self._line(2025, self.donor_b).reuse_status, "no_stock")
        early = self._line(2022, reformed_stock=10)
        self.assertEqual(early.reuse_status, "no_target")
        self.assertEqual(early.reuse_target, 0.0)

    def test_refresh_counts_new_hand_overs(self):
        line = self._line(2026)
        self.assertEqual(line.sent_to_reuse, 0)
        with freeze_time("2026-02-10 10:00:00"):
            self.reformed[2].action_declare()
            self.reformed[2].action_receive(company=self.company_x)
        self.assertEqual(line.sent_to_reuse, 0, "stored until refreshed")
        line.action_refresh()
        self.assertEqual(line.sent_to_reuse, 1)
        self.assertEqual(line.reuse_rate, round(100 / 3, 1))

    def test_purchase_share(self):
        line = self._line(2025, it_purchase_total=100000.0, reused_purchase=25000.0)
        self.assertEqual(line.purchase_share, 25.0)
        self.assertEqual(line.purchase_status, "met")
        line.reused_purchase = 15000.0
        self.assertEqual(line.purchase_status, "missed")
        self.assertEqual(self._line(2024).purchase_status, "no_purchase")
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.env.cr.savepoint():
                line.write({"reused_purchase": 200000.0})
                line.flush_recordset()

    def test_access(self):
        own = self._line(2025)
        other = self._line(2025, self.donor_b)
        Agec = self.Agec.with_user(self.user_donor_a)
        self.assertEqual(Agec.search([("id", "in", (own | other).ids)]), own)
        with self.assertRaises(AccessError):
            own.with_user(self.user_donor_a).write({"reformed_stock": 99})
        with self.assertRaises(AccessError):
            self.Agec.with_user(self.user_operator_x).search([])
        coordinator = self.Agec.with_user(self.user_coordinator)
        created = coordinator.create(
            {"partner_id": self.donor_a.id, "year": 2024, "reformed_stock": 7}
        )
        self.assertEqual(created.stock_used, 7)
