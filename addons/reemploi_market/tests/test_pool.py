"""One pool of available devices for the shop and the demands.

A device sold by the shop is no longer counted nor taken by the demands; a
device an operator promised to a demand is no longer offered nor sold by the
shop, except to the demand's own partner. reemploi_social's test_pool adds
the fair allocation, the third path.
"""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_shop import ShopCase


@tagged("post_install", "-at_install")
class TestDemandPromise(ShopCase):
    """Three laptops of operator X on the shop (POOL-3 with the best
    battery); a reseller's demand of two, allocated two devices of X."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.devices = cls._published("POOL-1") | cls._published("POOL-2")
        cls.devices |= cls._published("POOL-3")
        cls.devices[2].battery_health = 95.0
        cls.template = cls.devices.shop_product_id.product_tmpl_id
        cls.reseller = cls.env["res.partner"].create(
            {"name": "Recyclerie du Drac", "is_company": True}
        )
        cls.demand = cls.env["reemploi.demand"].create(
            {
                "name": "Portables pour l'école",
                "partner_id": cls.reseller.id,
                "category_id": cls.laptop.id,
                "quantity": 2,
                "min_grade_id": cls.grade_d.id,
            }
        )
        cls.match = cls.env["reemploi.demand.match"].create(
            {
                "demand_id": cls.demand.id,
                "company_id": cls.company_x.id,
                "grade_id": cls.devices[0].grade_id.id,
                "quantity": 2,
            }
        )

    def _order_of(self, partner, *devices):
        return self._order(*devices, partner=partner)

    def _stock_of_x(self):
        """Devices of operator X the demand matching counts."""
        return sum(
            group.quantity
            for group in self.demand._stock_groups()
            if group.id[:2] == (self.company_x.id, self.laptop.id)
        )

    def test_accepted_devices_leave_the_shop(self):
        self.match.with_user(self.user_operator_x).action_accept()
        self.assertEqual(self.match.state, "accepted")
        # the best devices of the grade, best battery first
        promised = self.devices[2] | self.devices[0]
        self.assertEqual(self.match.equipment_ids, promised)
        self.assertEqual(self._stock_of_x(), 1)
        units, count = self.template._reemploi_units(self.company_x)
        self.assertEqual((units, count), (self.devices[1], 1))
        cart = self._order()
        product = self.devices.shop_product_id
        with self.assertRaisesRegex(
            UserError,
            r"POOL-1\] is reserved for the demand of a reseller or an association",
        ):
            cart._reemploi_cart_device(product, self.devices[0].id)
        self.assertEqual(cart._reemploi_cart_device(product), self.devices[1])
        order = self._order(self.devices[0])
        with self.assertRaisesRegex(
            UserError,
            r'POOL-1\] is reserved for the demand "Portables pour l\'école" of '
            "Recyclerie du Drac",
        ):
            order.action_confirm()
        self.assertEqual(self.devices[0].state, "for_sale")
        # the reseller buys what it was promised
        self._order_of(self.reseller, self.devices[0]).action_confirm()
        self.assertEqual(self.devices[0].state, "sold")

    def test_sold_devices_leave_the_demands(self):
        self.assertEqual(self._stock_of_x(), 3)
        self._order(self.devices[0], self.devices[2]).action_confirm()
        self.assertEqual(self._stock_of_x(), 1)
        with self.assertRaisesRegex(UserError, "Only 1 of the 2 device"):
            self.match.with_user(self.user_operator_x).action_accept()
        self.assertEqual(self.match.state, "proposed")
        self.assertFalse(self.match.equipment_ids)

    def test_release_and_close_give_the_devices_back(self):
        self.match.action_accept()
        self.assertEqual(self.demand.quantity_allocated, 2)
        self.match.with_user(self.user_operator_x).action_release()
        self.assertEqual(self.match.state, "released")
        self.assertEqual(self.demand.quantity_allocated, 0)
        self.assertEqual(self.template._reemploi_units(self.company_x)[1], 3)
        with self.assertRaisesRegex(UserError, "not waiting for an answer"):
            self.match.action_accept()
        again = self.match.copy()
        again.action_accept()
        self.assertEqual(self._stock_of_x(), 1)
        self.demand.with_user(self.user_coordinator).action_close()
        self.assertEqual(again.state, "released")
        self.assertEqual(self._stock_of_x(), 3)

    def test_matching_again_keeps_the_accepted_allocation(self):
        self.match.action_accept()
        self.demand.with_user(self.user_coordinator).action_match_stock()
        self.assertEqual(self.demand.match_ids, self.match)
        self.assertEqual(self.demand.state, "matched")
        self.demand.quantity = 3
        self.demand.with_user(self.user_coordinator).action_match_stock()
        proposed = self.demand.match_ids - self.match
        self.assertEqual(self.match.state, "accepted")
        self.assertEqual(sum(proposed.mapped("quantity")), 1)
        self.assertEqual(set(proposed.mapped("state")), {"proposed"})
        self.assertEqual(self.demand.quantity_allocated, 3)

    def test_only_the_operator_and_the_coordinator_answer(self):
        for user in (self.user_operator_y, self.buyer):
            with self.assertRaises(AccessError):
                self.match.with_user(user).action_accept()
        self.assertEqual(self.match.state, "proposed")
        self.match.with_user(self.user_coordinator).action_accept()
        with self.assertRaises(AccessError):
            self.match.with_user(self.user_operator_y).action_release()
        self.assertEqual(self.match.state, "accepted")
