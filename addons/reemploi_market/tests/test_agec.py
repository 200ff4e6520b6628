from datetime import date

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import LAPTOP_CHECKS, MarketCase
from .test_shop import ShopCase


class AgecCase(MarketCase):
    @classmethod
    def _process(cls, device, outcome):
        """Take a received device to ``outcome``: donated, sold or recycled."""
        if outcome == "recycled":
            cls._erase(device, method="destroy", verification_method="visual")
            device.action_recycle()
            return
        cls._erase(device)
        cls._grading(device, **LAPTOP_CHECKS)
        device.action_grade()
        if outcome == "donated":
            device.action_donate()
        else:
            device.action_publish()
            device.action_sell()


@tagged("post_install", "-at_install")
class TestAgecIndicators(AgecCase):
    """Reuse rate of décret 2023-266 from the register of a public body."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.donor_a | cls.donor_b).is_public_body = True
        cls.Agec = cls.env["reemploi.agec.stock"]
        bought = date(2020, 1, 15)
        with freeze_time("2024-06-01 10:00:00"):
            cls.reformed = [
                cls._device(
                    f"AG-{index}", state="to_decommission", purchase_date=bought
                )
                for index in range(1, 5)
            ]
            # bought 11 years before it was reformed: left out
            cls.old = cls._device(
                "AG-OLD", state="to_decommission", purchase_date=date(2013, 5, 2)
            )
            # 9 years and 11 months: counts
            cls.almost_old = cls._device(
                "AG-ALMOST", state="to_decommission", purchase_date=date(2014, 7, 1)
            )
            cls.restricted = cls._device(
                "AG-SEC",
                state="to_decommission",
                purchase_date=bought,
                restricted_data=True,
            )
        with freeze_time("2025-03-01 10:00:00"):
            handed = cls.reformed[0] | cls.reformed[1] | cls.reformed[2]
            handed |= cls.old | cls.restricted
            handed.action_declare()
            handed.action_receive(company=cls.company_x)
            cls._process(cls.reformed[0], "donated")
            cls._process(cls.reformed[1], "recycled")
            # reformed[2] stays received: still being processed
            cls._process(cls.old, "donated")
            cls._process(cls.restricted, "sold")
        with freeze_time("2025-05-01 10:00:00"):
            cls.late = cls._device("AG-5", state="to_decommission")

    def _line(self, year, partner=None, **values):
        return self.Agec.create(
            dict(values, partner_id=(partner or self.donor_a).id, year=year)
        )

    def test_rate_from_the_register(self):
        line = self._line(2025)
        # AG-1..4 and AG-ALMOST; AG-OLD and AG-SEC left out
        self.assertEqual(
            (line.register_reformed_stock, line.stock_used, line.sent_to_reuse),
            (5, 5, 1),
        )
        self.assertEqual(
            (line.stock_left_out_old, line.stock_left_out_restricted), (1, 1)
        )
        # handed over in 2025: AG-1 donated counts; AG-2 recycled and AG-3
        # in processing do not; the old and the restricted one are left out
        # although they were donated and sold
        self.assertEqual(
            (
                line.handed_over_in_progress,
                line.handed_over_not_reused,
                line.sent_left_out_old,
                line.sent_left_out_restricted,
            ),
            (1, 1, 1, 1),
        )
        self.assertEqual((line.reuse_rate, line.reuse_target), (20.0, 50.0))
        self.assertEqual(line.reuse_status, "missed")
        next_year = self._line(2026)
        # AG-4, AG-ALMOST and AG-5 (reformed in 2025) are still with the body
        self.assertEqual((next_year.stock_used, next_year.sent_to_reuse), (3, 0))
        self.assertEqual(next_year.stock_left_out_old, 0)
        self.assertEqual(next_year.reuse_rate, 0.0)
        self.assertEqual(next_year.reuse_status, "missed")

    def test_restricted_flag_changes_the_figures(self):
        line = self._line(2025)
        self.reformed[3].restricted_data = True
        line.action_refresh()
        self.assertEqual(
            (line.register_reformed_stock, line.stock_left_out_restricted), (4, 2)
        )
        self.assertEqual(line.reuse_rate, 25.0)

    def test_entered_stock_wins(self):
        line = self._line(2025, reformed_stock=2)
        self.assertEqual((line.register_reformed_stock, line.stock_used), (5, 2))
        self.assertEqual(line.reuse_rate, 50.0)
        self.assertEqual(line.reuse_status, "met")
        self.assertIn("Stock entered by the body: 2", line.stock_explanation)
        line.reformed_stock = 0
        self.assertEqual(line.reuse_status, "missed")

    def test_no_stock_and_no_target(self):
        self.assertEqual(self._line(2025, self.donor_b).reuse_status, "no_stock")
        early = self._line(2022, reformed_stock=10)
        self.assertEqual(early.reuse_status, "no_target")
        self.assertEqual(early.reuse_target, 0.0)

    def test_refresh_counts_what_became_reused(self):
        line = self._line(2025)
        self.assertEqual(line.sent_to_reuse, 1)
        with freeze_time("2026-02-10 10:00:00"):
            # the device handed over in 2025 is sold in 2026: it counts for
            # 2025, the year it was sent to reuse
            self._process(self.reformed[2], "sold")
        self.assertEqual(line.sent_to_reuse, 1, "stored until refreshed")
        line.action_refresh()
        self.assertEqual((line.sent_to_reuse, line.handed_over_in_progress), (2, 0))
        self.assertEqual(line.reuse_rate, 40.0)
        next_year = self._line(2026)
        self.assertEqual(next_year.sent_to_reuse, 0)
        with freeze_time("2026-02-10 10:00:00"):
            self.reformed[3].action_declare()
            self.reformed[3].action_receive(company=self.company_x)
        next_year.action_refresh()
        self.assertEqual(
            (next_year.sent_to_reuse, next_year.handed_over_in_progress), (0, 1)
        )
        with freeze_time("2026-03-10 10:00:00"):
            self._process(self.reformed[3], "donated")
        next_year.action_refresh()
        self.assertEqual(next_year.sent_to_reuse, 1)
        self.assertEqual(next_year.reuse_rate, round(100 / 3, 1))

    def test_form_explains_each_figure(self):
        form = Form(self.Agec.with_user(self.user_coordinator))
        form.partner_id = self.donor_a
        form.year = 2025
        self.assertEqual(form.sent_to_reuse, 1)
        self.assertIn(
            "1 device(s) more than ten years old when taken out of use, 1 "
            "device(s) with classified or restricted data",
            form.stock_explanation,
        )
        self.assertIn("Counted from the register: 5 device(s)", form.stock_explanation)
        self.assertIn(
            "Not counted: 1 still being processed (they count once reused), 1 "
            "recycled or missing.",
            form.sent_explanation,
        )
        line = form.save()
        self.assertEqual(line.reuse_rate, 20.0)

    def test_purchase_share(self):
        line = self._line(
            2025, external_purchase_total=100000.0, external_reused_purchase=25000.0
        )
        self.assertEqual(
            (line.it_purchase_total, line.reused_purchase, line.shop_purchase),
            (100000.0, 25000.0, 0.0),
        )
        self.assertEqual(line.purchase_share, 25.0)
        self.assertEqual(line.purchase_status, "met")
        line.external_reused_purchase = 15000.0
        self.assertEqual(line.purchase_status, "missed")
        self.assertEqual(self._line(2024).purchase_status, "no_purchase")
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.env.cr.savepoint():
                line.write({"external_reused_purchase": 200000.0})
                line.flush_recordset()

    def test_access(self):
        own = self._line(2025)
        other = self._line(2025, self.donor_b)
        Agec = self.Agec.with_user(self.user_donor_a)
        self.assertEqual(Agec.search([("id", "in", (own | other).ids)]), own)
        # the donor reads its own figures, with what the décret left out
        self.assertEqual(own.with_user(self.user_donor_a).stock_left_out_old, 1)
        with self.assertRaises(AccessError):
            other.with_user(self.user_donor_a).read(["reuse_rate"])
        with self.assertRaises(AccessError):
            own.with_user(self.user_donor_a).write({"reformed_stock": 99})
        with self.assertRaises(AccessError):
            self.Agec.with_user(self.user_operator_x).search([])
        coordinator = self.Agec.with_user(self.user_coordinator)
        created = coordinator.create(
            {"partner_id": self.donor_a.id, "year": 2024, "reformed_stock": 7}
        )
        self.assertEqual(created.stock_used, 7)

    def test_restricted_flag_is_set_by_the_operator_not_the_donor(self):
        device = self.reformed[2]
        form = Form(device.with_user(self.user_operator_x))
        form.restricted_data = True
        form.save()
        self.assertTrue(device.restricted_data)
        with self.assertRaises(AccessError):
            device.with_user(self.user_donor_a).write({"restricted_data": False})


@tagged("post_install", "-at_install")
class TestAgecShopPurchases(ShopCase):
    """Décret 2024-134: the body's orders on the shop count by themselves."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.donor_a.is_public_body = True
        # the buyer orders for the public body
        cls.buyer.partner_id.parent_id = cls.donor_a
        cls.device_1 = cls._published("AGEC-SHOP-1")
        cls.device_2 = cls._published("AGEC-SHOP-2")
        cls.device_3 = cls._published("AGEC-SHOP-3")

    def _priced_order(self, devices, partner=None):
        order = self._order(*devices)
        if partner:
            order.partner_id = partner
        order.order_line.price_unit = 300.0
        return order

    def test_confirmed_shop_orders_count(self):
        with freeze_time("2025-04-02 10:00:00"):
            confirmed = self._priced_order(self.device_1 | self.device_2)
            confirmed.action_confirm()
            # a quotation is not a purchase
            self._priced_order(self.device_3)
        line = self.env["reemploi.agec.stock"].create(
            {
                "partner_id": self.donor_a.id,
                "year": 2025,
                "external_purchase_total": 2400.0,
                "external_reused_purchase": 0.0,
            }
        )
        self.assertEqual(line.shop_purchase, 600.0)
        self.assertEqual(
            (line.it_purchase_total, line.reused_purchase), (3000.0, 600.0)
        )
        self.assertEqual(line.purchase_share, 20.0)
        self.assertEqual(line.purchase_status, "met")
        self.assertIn("600.00)", line.purchase_explanation)
        other_year = self.env["reemploi.agec.stock"].create(
            {"partner_id": self.donor_a.id, "year": 2026}
        )
        self.assertEqual(other_year.shop_purchase, 0.0)

    def test_orders_of_another_buyer_do_not_count(self):
        stranger = self.env["res.partner"].create({"name": "Quelqu'un d'autre"})
        with freeze_time("2025-04-02 10:00:00"):
            self._priced_order(self.device_1, partner=stranger).action_confirm()
        line = self.env["reemploi.agec.stock"].create(
            {"partner_id": self.donor_a.id, "year": 2025}
        )
        self.assertEqual(line.shop_purchase, 0.0)
        self.assertEqual(line.purchase_status, "no_purchase")
