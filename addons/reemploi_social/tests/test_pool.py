"""The fair allocation hands out the same pool as the shop and the demands.

A device reserved by a confirmed allocation is neither offered by the shop
nor taken by a demand (not even one of the same association: a device is
promised once); a device sold by the shop or promised to a demand is no
longer handed out by an allocation. reemploi_market's test_pool has the
shop and the demands between themselves.
"""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_allocation import AllocationCase


@tagged("post_install", "-at_install")
class TestPoolAcrossPaths(AllocationCase):
    """AllocationCase's three laptops of operator X, also wanted by the
    shop's buyer and by demands of a reseller and of association A."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.devices.shop_product_id.product_tmpl_id
        cls.reseller = cls.env["res.partner"].create(
            {"name": "Recyclerie du Drac", "is_company": True}
        )

    def _match(self, partner, quantity):
        """A demand of ``partner`` allocated ``quantity`` laptops of X."""
        demand = self.env["reemploi.demand"].create(
            {
                "name": f"Portables de {partner.name}",
                "partner_id": partner.id,
                "category_id": self.laptop.id,
                "quantity": quantity,
                "min_grade_id": self.grade_d.id,
            }
        )
        return self.env["reemploi.demand.match"].create(
            {
                "demand_id": demand.id,
                "company_id": self.company_x.id,
                "grade_id": self.devices[0].grade_id.id,
                "quantity": quantity,
            }
        )

    def _stock_of_x(self):
        """Devices of operator X the demand matching counts."""
        return sum(
            group.quantity
            for group in self.env["reemploi.demand"]._stock_groups()
            if group.id[:2] == (self.company_x.id, self.laptop.id)
        )

    def test_allocated_devices_leave_the_shop_and_the_demands(self):
        alloc_a, __ = self._published_run()
        both = self._match(self.reseller, 2)
        alloc_a.action_confirm()
        reserved = alloc_a.line_ids.equipment_id
        free = self.devices - reserved
        self.assertEqual(len(reserved), 2)
        # the shop
        units, count = self.template._reemploi_units(self.company_x)
        self.assertEqual((units, count), (free, 1))
        cart = self._order()
        self.assertEqual(cart._reemploi_cart_device(free.shop_product_id), free)
        with self.assertRaisesRegex(UserError, "reserved for Association A"):
            self._order(reserved[0]).action_confirm()
        # the demands: counted out of the stock, not taken by the operator
        self.assertEqual(self._stock_of_x(), 1)
        with self.assertRaisesRegex(UserError, "Only 1 of the 2 device"):
            both.with_user(self.user_operator_x).action_accept()
        # the association's own demand takes the free device, not its own
        own = self._match(self.association_a.partner_id, 1)
        own.with_user(self.user_operator_x).action_accept()
        self.assertEqual(own.equipment_ids, free)
        self.assertEqual(set(reserved.mapped("state")), {"for_sale"})

    def test_devices_promised_to_a_demand_leave_the_allocation(self):
        alloc_a, alloc_c = self._published_run()
        match = self._match(self.reseller, 1)
        match.with_user(self.user_operator_x).action_accept()
        promised = match.equipment_ids
        self.assertEqual(len(promised), 1)
        self.assertNotIn(promised, self.alloc_run._pool())
        holder, other = (
            (alloc_a, alloc_c)
            if promised in alloc_a.line_ids.equipment_id
            else (alloc_c, alloc_a)
        )
        # no device of the run is left to replace it
        with self.assertRaisesRegex(
            UserError, rf"{promised.serial}\] is no longer available"
        ):
            holder.action_confirm()
        self.assertEqual(set(holder.line_ids.mapped("state")), {"proposed"})
        other.action_confirm()
        self.assertEqual(set(other.line_ids.mapped("state")), {"reserved"})
        self.assertFalse(promised & other.line_ids.equipment_id)

    def test_sold_devices_leave_the_allocation(self):
        alloc_a, __ = self._published_run()
        sold = alloc_a.line_ids[0].equipment_id
        self._order(sold).action_confirm()
        self.assertEqual(sold.state, "sold")
        self.assertNotIn(sold, self.alloc_run._pool())
        with self.assertRaisesRegex(
            UserError, rf"{sold.serial}\] is no longer available"
        ):
            alloc_a.action_confirm()
        self.assertEqual(alloc_a.state, "proposed")

    def test_promised_devices_go_to_whom_they_were_promised(self):
        alloc_a, __ = self._published_run()
        alloc_a.action_confirm()
        reserved = alloc_a.line_ids.equipment_id[0]
        match = self._match(self.reseller, 1)
        match.action_accept()
        promised = match.equipment_ids
        # each to its own, at the shop: the association's order at
        # solidarity prices, the reseller's order
        order = self._solidarity_order(self.user_association_a, reserved)
        order.action_confirm()
        self.assertEqual(reserved.state, "sold")
        with self.assertRaisesRegex(UserError, "reserved for the demand"):
            self._solidarity_order(self.user_association_a, promised).action_confirm()
        self.assertEqual(promised.state, "for_sale")
