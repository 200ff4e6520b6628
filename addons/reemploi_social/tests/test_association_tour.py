from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .test_solidarity import SolidarityHttpCase


@tagged("post_install", "-at_install")
class TestAssociationTour(SolidarityHttpCase):
    def test_tour_association_orders_with_a_voucher(self):
        device = self._published("SOL-TOUR-1", model="TOUR-S")
        issuer = self.env["reemploi.voucher.issuer"].create(
            {"name": "CCAS de Grenoble", "issuer_type": "ccas"}
        )
        voucher = self.env["reemploi.voucher"].create(
            {
                "code": "K7QF-2M9X-PQ",
                "issuer_id": issuer.id,
                "category_id": self.laptop.id,
                "need_category_id": self.need_job.id,
                "commune_id": self.grenoble.id,
                "date_expiry": fields.Date.today() + timedelta(days=30),
            }
        )
        self.start_tour(
            "/shop?search=TOUR-S", "reemploi_association_order", login="asso_a"
        )
        order = self._cart_of(self.user_association_a)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.reemploi_association_id, self.association_a)
        self.assertEqual(order.order_line.reemploi_equipment_id, device)
        self.assertEqual(device.state, "sold")
        # the person's voucher brought the laptop: the quota is untouched
        self.assertEqual(self.quota_a.used_qty, 0)
        self.assertEqual(voucher.state, "used")
