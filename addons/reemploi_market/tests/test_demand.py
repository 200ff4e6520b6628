from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import MarketCase


@tagged("post_install", "-at_install")
class TestDemandMatching(MarketCase):
    """Refurbished stock: 3 tablets graded A at operator X, 1 graded C at Y.

    Tablets of a category of the test's own, so that no other stock competes.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Demand = cls.env["reemploi.demand"]
        cls.association = cls.env["res.partner"].create(
            {"name": "Association Solidaire", "is_company": True}
        )
        cls.tablet = cls.env["reemploi.equipment.category"].create(
            {"name": "Tablette (test)", "code": "test_demand_tablet"}
        )
        for index in range(3):
            cls._graded(f"DEM-A{index}", cls.company_x)
        cls._graded("DEM-C", cls.company_y, check_audio="ko")
        # a device still being processed is not stock yet
        cls._received("DEM-RECEIVED", company=cls.company_x, category=cls.tablet)

    @classmethod
    def _graded(cls, serial, company, **checks):
        device = cls._received(serial, company=company, category=cls.tablet)
        cls._erase(device)
        device.action_mark_erased()
        cls._grading(device, **checks)
        device.action_grade()
        return device

    def _demand(self, quantity, grade, **values):
        return self.Demand.create(
            dict(
                {
                    "name": f"{quantity} tablets",
                    "partner_id": self.association.id,
                    "category_id": self.tablet.id,
                    "quantity": quantity,
                    "min_grade_id": grade.id,
                },
                **values,
            )
        )

    def _allocated(self, demand):
        return {
            (line.company_id, line.grade_id): line.quantity for line in demand.match_ids
        }

    def test_stock_allocated_to_demands(self):
        # the day of whom matches (the coordinator's time zone): the
        # administrator's may already be tomorrow late in the evening
        today = fields.Date.context_today(self.Demand.with_user(self.user_coordinator))
        exigent = self._demand(2, self.grade_b)
        modest = self._demand(3, self.grade_c, deadline=today + timedelta(days=80))
        late = self._demand(1, self.grade_d, deadline=today - timedelta(days=1))
        no_stock = self.env["reemploi.equipment.category"].create(
            {"name": "Sans stock (test)", "code": "test_demand_none"}
        )
        monitors = self._demand(1, self.grade_d, category_id=no_stock.id)
        exigent.with_user(self.user_coordinator).action_match_stock()
        # the C device goes to the demand that accepts it, the A devices
        # to the exigent demand first
        self.assertEqual(self._allocated(exigent), {(self.company_x, self.grade_a): 2})
        self.assertEqual(
            self._allocated(modest),
            {(self.company_x, self.grade_a): 1, (self.company_y, self.grade_c): 1},
        )
        self.assertEqual((exigent.state, modest.state), ("matched", "matched"))
        self.assertEqual(modest.quantity_allocated, 2)
        self.assertFalse(late.match_ids | monitors.match_ids)
        self.assertEqual(late.state, "open")
        line_c = modest.match_ids.filtered(lambda line: line.grade_id == self.grade_c)
        self.assertIn("Grade C for a minimum of C: 15.00 pts", line_c.breakdown_text)
        self.assertIn("Deadline in 80 days", line_c.breakdown_text)
        # matching again replaces the allocations
        exigent.action_close()
        modest.action_match_stock()
        self.assertEqual(
            self._allocated(modest),
            {(self.company_x, self.grade_a): 2, (self.company_y, self.grade_c): 1},
        )
        self.assertEqual(self._allocated(exigent), {(self.company_x, self.grade_a): 2})

    def test_maximum_price_needs_a_price(self):
        self.tablet.product_id = self.env["product.product"].create(
            {"name": "Tablette reconditionnée", "list_price": 120.0}
        )
        cheap = self._demand(1, self.grade_d, max_price=100.0)
        fair = self._demand(1, self.grade_d, max_price=200.0)
        cheap.action_match_stock()
        self.assertFalse(cheap.match_ids)
        self.assertEqual(sum(fair.match_ids.mapped("quantity")), 1)
        self.assertIn("Price 60 % of the maximum", fair.match_ids.breakdown_text)
