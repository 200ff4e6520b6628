from datetime import date

import psycopg2
from freezegun import freeze_time

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import TODAY, SocialCase


class AllocationCase(SocialCase):
    """Three laptops of operator X for association A (300 people, asks 3)
    and association C (100 people, asks 2); B's accreditation has expired.

    Weights 300 x 1.5 and 100 x 1.5: proportional shares 2.25 and 0.75,
    rounded to 2 and 1 (C's larger fractional part takes the third)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.devices = cls._published("ALLOC-1") | cls._published("ALLOC-2")
        cls.devices |= cls._published("ALLOC-3")
        cls.association_c = cls._association(
            "Association C",
            accreditation_start=date(2025, 1, 1),
            people_served=100,
        )
        cls.user_association_c = cls._association_user("asso_c", cls.association_c)
        cls.request_a = cls._request(cls.association_a, 3)
        cls.request_b = cls._request(cls.association_b, 4)
        cls.request_c = cls._request(cls.association_c, 2)
        cls.alloc_run = cls.env["reemploi.allocation.run"].create(
            {
                "category_id": cls.laptop.id,
                "company_id": cls.company_x.id,
                "date_from": date(2026, 10, 1),
                "date_to": date(2026, 12, 31),
            }
        )

    @classmethod
    def _request(cls, association, quantity):
        return cls.env["reemploi.allocation.request"].create(
            {
                "association_id": association.id,
                "category_id": cls.laptop.id,
                "quantity": quantity,
                "need_category_id": cls.need_job.id,
                "date_from": date(2026, 10, 1),
                "date_to": date(2026, 12, 31),
            }
        )

    @freeze_time(TODAY)
    def _published_run(self):
        self.alloc_run.with_user(self.user_coordinator).action_compute()
        self.alloc_run.with_user(self.user_coordinator).action_publish()
        allocations = self.alloc_run.allocation_ids
        return (
            allocations.filtered(lambda a: a.association_id == self.association_a),
            allocations.filtered(lambda a: a.association_id == self.association_c),
        )


@tagged("post_install", "-at_install")
class TestAllocationRun(AllocationCase):
    @freeze_time(TODAY)
    def test_compute_shares_the_pool_and_explains(self):
        run = self.alloc_run.with_user(self.user_coordinator)
        run.action_compute()
        self.assertEqual(run.state, "computed")
        self.assertEqual(run.supply_qty, 3)
        # B's accreditation expired before the period
        self.assertEqual(run.request_ids, self.request_a | self.request_c)
        by_association = {a.association_id: a for a in run.allocation_ids}
        self.assertEqual(set(by_association), {self.association_a, self.association_c})
        alloc_a = by_association[self.association_a]
        alloc_c = by_association[self.association_c]
        self.assertEqual((alloc_a.allocated_qty, alloc_c.allocated_qty), (2, 1))
        self.assertEqual((alloc_a.weight, alloc_c.weight), (450.0, 150.0))
        self.assertAlmostEqual(alloc_a.fair_share, 2.25)
        self.assertTrue(alloc_c.rounded_up)
        self.assertIn("Rounded down to 2 device(s) (of 3 asked)", alloc_a.explanation)
        self.assertIn("Rounded up to 1 device(s) (of 2 asked)", alloc_c.explanation)
        fr = alloc_a.with_context(lang="fr_FR")
        self.assertIn("2,25", fr.explanation)
        # each device proposed once, all of them proposed
        lines = run.allocation_ids.line_ids
        self.assertEqual(lines.equipment_id, self.devices)
        self.assertEqual(set(lines.mapped("state")), {"proposed"})
        # computing again replaces the proposals
        run.action_compute()
        self.assertEqual(len(run.allocation_ids), 2)
        self.assertEqual(len(run.allocation_ids.line_ids), 3)

    @freeze_time(TODAY)
    def test_enough_devices_for_everyone(self):
        self.request_a.quantity = 1
        self.alloc_run.action_compute()
        self.assertEqual(self.alloc_run.allocated_qty, 3)
        self.assertEqual(set(self.alloc_run.allocation_ids.mapped("reason")), {"full"})

    def test_scope_minimum_grade_and_operator(self):
        scratched = self._published("ALLOC-S", scratched=True)
        self.alloc_run.min_grade_id = self.devices[0].grade_id
        self.assertNotIn(scratched, self.alloc_run._pool())
        self.assertEqual(self.alloc_run._pool(), self.devices)
        self.alloc_run.min_grade_id = False
        self.assertIn(scratched, self.alloc_run._pool())
        self.alloc_run.company_id = self.company_y
        self.assertFalse(self.alloc_run._pool())

    def test_publish_marks_requests_and_refuses_recompute(self):
        self.request_c.quantity = 1
        self.devices[1:].action_donate()
        # one device: A (weight 450) gets it, C (150) nothing
        self._published_run()
        self.assertEqual(self.request_a.state, "allocated")
        self.assertEqual(self.request_c.state, "open")
        self.assertEqual(self.request_b.state, "open")
        with self.assertRaisesRegex(UserError, "published already"):
            self.alloc_run.action_compute()


@tagged("post_install", "-at_install")
class TestAllocationReservation(AllocationCase):
    def test_confirmation_reserves_the_serials(self):
        alloc_a, alloc_c = self._published_run()
        alloc_a.action_confirm()
        self.assertEqual(alloc_a.state, "confirmed")
        self.assertEqual(set(alloc_a.line_ids.mapped("state")), {"reserved"})
        # the reserved devices leave the pool of any other run
        self.assertEqual(
            self.alloc_run._pool(), self.devices - alloc_a.line_ids.equipment_id
        )
        alloc_c.action_refuse()
        self.assertEqual(alloc_c.line_ids.state, "cancelled")
        self.assertIn(alloc_c.line_ids.equipment_id, self.alloc_run._pool())

    def test_taken_device_is_replaced(self):
        alloc_a, alloc_c = self._published_run()
        taken = alloc_a.line_ids[0].equipment_id
        kept = alloc_a.line_ids[1].equipment_id
        free = self.devices - taken - kept
        # another allocation (say of an earlier run) got one of A's devices
        alloc_c.line_ids.equipment_id = taken
        alloc_c.action_confirm()
        alloc_a.action_confirm()
        self.assertEqual(alloc_a.line_ids.equipment_id, kept | free)
        self.assertEqual(set(alloc_a.line_ids.mapped("state")), {"reserved"})

    def test_no_device_left_refuses_naming_it(self):
        alloc_a, alloc_c = self._published_run()
        taken = alloc_a.line_ids[0].equipment_id
        free = self.devices - alloc_a.line_ids.equipment_id
        alloc_c.line_ids.equipment_id = taken
        alloc_c.action_confirm()
        free.action_donate()
        with self.assertRaisesRegex(UserError, f"{taken.serial}.*no longer available"):
            alloc_a.action_confirm()
        self.assertEqual(alloc_a.state, "proposed")
        self.assertEqual(set(alloc_a.line_ids.mapped("state")), {"proposed"})

    def test_database_refuses_a_device_reserved_twice(self):
        alloc_a, alloc_c = self._published_run()
        device = alloc_a.line_ids[0].equipment_id
        alloc_a.action_confirm()
        # what a concurrent confirmation of another allocation would write
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.env["reemploi.allocation.line"].create(
                {
                    "allocation_id": alloc_c.id,
                    "equipment_id": device.id,
                    "state": "reserved",
                }
            ).flush_recordset()

    def test_shop_refuses_a_reserved_device(self):
        alloc_a, __ = self._published_run()
        alloc_a.action_confirm()
        reserved = alloc_a.line_ids[0].equipment_id
        order = self._order(reserved)
        with self.assertRaisesRegex(UserError, "reserved for Association A"):
            order.action_confirm()
        self.assertEqual(reserved.state, "for_sale")
        cart = self._order()
        with self.assertRaisesRegex(UserError, "reserved for an association"):
            cart._reemploi_cart_device(reserved.shop_product_id, reserved.id)
        # without a chosen device, the cart gets the one nobody holds
        free = self.devices - alloc_a.line_ids.equipment_id
        self.assertEqual(cart._reemploi_cart_device(reserved.shop_product_id), free)

    @freeze_time(TODAY)
    def test_sale_order_at_solidarity_prices(self):
        alloc_a, __ = self._published_run()
        alloc_a.action_confirm()
        alloc_a.with_user(self.user_coordinator).action_create_sale_orders()
        order = alloc_a.sale_order_ids
        self.assertEqual(len(order), 1)
        self.assertEqual(order.pricelist_id, self.solidarity)
        self.assertEqual(order.partner_id, self.association_a.partner_id)
        self.assertEqual(
            order.order_line.reemploi_equipment_id, alloc_a.line_ids.equipment_id
        )
        self.assertEqual(set(alloc_a.line_ids.mapped("state")), {"ordered"})
        order.action_confirm()
        self.assertEqual(set(alloc_a.line_ids.equipment_id.mapped("state")), {"sold"})
        self.assertEqual(self.quota_a.used_qty, 2)
        with self.assertRaisesRegex(UserError, "can no longer be declined"):
            alloc_a.action_refuse()


@tagged("post_install", "-at_install")
class TestAllocationAccess(AllocationCase):
    @freeze_time(TODAY)
    def test_association_reads_its_own_published_allocation(self):
        self.alloc_run.action_compute()
        Allocation = self.env["reemploi.allocation"].with_user(self.user_association_a)
        # not published yet: nothing to see
        self.assertFalse(Allocation.search([]))
        self.alloc_run.action_publish()
        alloc_a = Allocation.search([])
        self.assertEqual(alloc_a.association_id, self.association_a)
        alloc_c = self.alloc_run.allocation_ids - alloc_a
        with self.assertRaises(AccessError):
            alloc_c.with_user(self.user_association_a).read(["allocated_qty"])
        with self.assertRaises(AccessError):
            alloc_a.write({"allocated_qty": 3})
        Line = self.env["reemploi.allocation.line"].with_user(self.user_association_a)
        self.assertEqual(Line.search([]), alloc_a.line_ids)
        Request = self.env["reemploi.allocation.request"].with_user(
            self.user_association_a
        )
        self.assertEqual(Request.search([]), self.request_a)
        with self.assertRaises(AccessError):
            self.env["reemploi.allocation.run"].with_user(
                self.user_association_a
            ).search([])

    def test_association_creates_only_its_own_requests(self):
        Request = self.env["reemploi.allocation.request"].with_user(
            self.user_association_c
        )
        mine = Request.create(
            {
                "association_id": self.association_c.id,
                "category_id": self.laptop.id,
                "quantity": 1,
                "date_from": date(2027, 1, 1),
                "date_to": date(2027, 3, 31),
            }
        )
        self.assertEqual(mine.weight, 150.0)
        with self.assertRaises(AccessError):
            Request.create(
                {
                    "association_id": self.association_a.id,
                    "category_id": self.laptop.id,
                    "quantity": 1,
                    "date_from": date(2027, 1, 1),
                    "date_to": date(2027, 3, 31),
                }
            )

    def test_operators_read_allocations_of_their_devices(self):
        self._published_run()
        Allocation = self.env["reemploi.allocation"]
        self.assertEqual(
            Allocation.with_user(self.user_operator_x).search([]),
            self.alloc_run.allocation_ids,
        )
        self.assertFalse(Allocation.with_user(self.user_operator_y).search([]))
        with self.assertRaises(AccessError):
            self.alloc_run.allocation_ids[0].with_user(
                self.user_operator_x
            ).action_cancel()
        draft = self.alloc_run.copy()
        with self.assertRaises(AccessError):
            draft.with_user(self.user_operator_x).action_compute()

    def test_operators_read_their_runs_only(self):
        Run = self.env["reemploi.allocation.run"]
        territory = Run.create(
            {
                "category_id": self.laptop.id,
                "date_from": date(2026, 10, 1),
                "date_to": date(2026, 12, 31),
            }
        )
        self.assertEqual(
            Run.with_user(self.user_operator_x).search([]), self.alloc_run | territory
        )
        self.assertEqual(Run.with_user(self.user_operator_y).search([]), territory)
        with self.assertRaises(AccessError):
            self.alloc_run.with_user(self.user_operator_y).read(["name"])
        self.assertEqual(
            Run.with_user(self.user_coordinator).search([]), self.alloc_run | territory
        )

    def test_operators_do_not_read_what_associations_wrote(self):
        self.request_a.note = "Familles suivies par le CCAS, deux enfants scolarisés"
        request = self.request_a.with_user(self.user_operator_x)
        self.assertTrue(request.read(["quantity"]))
        with self.assertRaises(AccessError):
            request.read(["note"])
        self.assertEqual(
            self.request_a.with_user(self.user_coordinator).note,
            "Familles suivies par le CCAS, deux enfants scolarisés",
        )


@tagged("post_install", "-at_install")
class TestAllocationPortal(AllocationCase, HttpCase):
    def _post(self, url):
        return self.url_open(url, data={"csrf_token": http.Request.csrf_token(self)})

    def test_confirm_on_the_portal(self):
        alloc_a, alloc_c = self._published_run()
        self.authenticate("asso_a", "asso_a")
        page = self.url_open("/my/allocations")
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"/my/allocations/{alloc_a.id}", page.text)
        self.assertNotIn(f"/my/allocations/{alloc_c.id}", page.text)
        page = self.url_open(f"/my/allocations/{alloc_a.id}")
        self.assertIn("Rounded down to 2 device(s)", page.text)
        for serial in alloc_a.line_ids.mapped("serial"):
            self.assertIn(serial, page.text)
        self.assertEqual(
            self.url_open(f"/my/allocations/{alloc_c.id}").status_code, 404
        )
        self.assertEqual(
            self._post(f"/my/allocations/{alloc_c.id}/confirm").status_code, 404
        )
        self.assertEqual(alloc_c.state, "proposed")
        response = self._post(f"/my/allocations/{alloc_a.id}/confirm")
        self.assertIn("reserved for your association", response.text)
        self.assertEqual(set(alloc_a.line_ids.mapped("state")), {"reserved"})
        home = self.url_open("/my/home")
        self.assertIn("/my/allocations", home.text)
        # the shop no longer offers the reserved devices
        template = self.devices.shop_product_id.product_tmpl_id
        page = self.url_open(template.website_url).text
        for serial in alloc_a.line_ids.mapped("serial"):
            self.assertNotIn(serial, page)
        self.assertIn(alloc_c.line_ids.serial, page)

    def test_refusal_shows_the_reason(self):
        alloc_a, alloc_c = self._published_run()
        taken = alloc_c.line_ids.equipment_id
        line = alloc_a.line_ids[0]
        freed = line.equipment_id
        line.equipment_id = taken
        alloc_a.action_confirm()
        freed.action_donate()
        self.authenticate("asso_c", "asso_c")
        response = self._post(f"/my/allocations/{alloc_c.id}/confirm")
        self.assertIn(taken.serial, response.text)
        self.assertIn("no longer available", response.text)
        self.assertEqual(alloc_c.state, "proposed")
        response = self._post(f"/my/allocations/{alloc_c.id}/refuse")
        self.assertIn("Declined", response.text)
        self.assertEqual(alloc_c.state, "refused")

    def test_request_form(self):
        self.authenticate("asso_c", "asso_c")
        self.assertEqual(self.url_open("/my/allocations/request").status_code, 200)
        data = {
            "csrf_token": http.Request.csrf_token(self),
            "category_id": str(self.laptop.id),
            "quantity": "0",
            "need_category_id": str(self.need_job.id),
            "date_from": "2027-01-01",
            "date_to": "2027-03-31",
        }
        response = self.url_open("/my/allocations/request", data=data)
        self.assertIn("between 1 and", response.text)
        data["quantity"] = "4"
        response = self.url_open("/my/allocations/request", data=data)
        self.assertIn("Your request is recorded", response.text)
        created = self.env["reemploi.allocation.request"].search(
            [("association_id", "=", self.association_c.id), ("quantity", "=", 4)]
        )
        self.assertEqual(created.date_to, date(2027, 3, 31))
        self.authenticate("buyer", "buyer")
        self.assertEqual(self.url_open("/my/allocations").status_code, 404)
