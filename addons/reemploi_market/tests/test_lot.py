from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import MarketCase


@tagged("post_install", "-at_install")
class TestLotLifecycle(MarketCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device_1 = cls._device("LOT-1")
        cls.device_2 = cls._device("LOT-2", category=cls.monitor)
        cls.device_2.action_to_decommission()

    def _declared_by_donor(self, **kwargs):
        lot = self._lot(**kwargs)
        lot.with_user(self.user_donor_a).action_declare()
        return lot

    def test_reference_and_totals(self):
        lot = self._lot(devices=self.device_1, quantities={self.monitor: 3})
        year = fields.Date.today().year
        self.assertRegex(lot.name, rf"^LOT/{year}/\d{{4}}$")
        self.assertEqual(lot.state, "draft")
        self.assertFalse(lot.company_id)
        self.assertEqual(lot.device_count, 4)
        self.assertAlmostEqual(
            lot.weight_kg, self.laptop.weight_kg + 3 * self.monitor.weight_kg
        )
        self.assertAlmostEqual(
            lot.co2e_kg, self.laptop.co2e_kg + 3 * self.monitor.co2e_kg
        )
        self.assertEqual(lot.access_url, f"/my/lots/{lot.id}")

    def test_pickup_address_from_site(self):
        lot = self.Lot.create(
            {"partner_id": self.donor_a.id, "site_id": self.site_a.id}
        )
        self.assertIn("1 rue du Lac", lot.pickup_address)
        self.assertNotIn("\n\n", lot.pickup_address)

    def test_declare_moves_devices_and_logs_custody(self):
        lot = self._declared_by_donor(
            devices=self.device_1 | self.device_2, quantities={self.laptop: 2}
        )
        self.assertEqual(lot.state, "declared")
        self.assertTrue(lot.date_declared)
        self.assertEqual(lot.equipment_ids, self.device_1 | self.device_2)
        for device in self.device_1 | self.device_2:
            self.assertEqual(device.state, "declared")
            event = device.custody_event_ids.sorted("sequence")[-1]
            self.assertEqual(event.to_state, "declared")
            self.assertEqual(event.document_ref, lot.name)
            self.assertEqual(event.user_id, self.user_donor_a)
        self.assertEqual(
            self.device_2.custody_event_ids[-1].from_state, "to_decommission"
        )
        self.assertFalse(
            self.env["reemploi.custody.event"]._verify_chains(lot.equipment_ids)
        )

    def test_device_already_declared_in_register_joins_the_lot(self):
        self.device_1.action_declare()
        lot = self._declared_by_donor(devices=self.device_1)
        self.assertEqual(self.device_1.reemploi_lot_id, lot)
        last = self.device_1.custody_event_ids.sorted("sequence")[-1]
        self.assertEqual((last.event_type, last.document_ref), ("note", lot.name))

    def test_declare_preconditions(self):
        cases = {
            "empty": self.Lot.create({"partner_id": self.donor_a.id}),
            "no dates": self._lot(quantities={self.laptop: 1}, date_from=False),
            "window over": self._lot(
                quantities={self.laptop: 1},
                today=fields.Date.today() - timedelta(days=60),
            ),
            "no contact": self._lot(
                quantities={self.laptop: 1},
                contact_phone=False,
                contact_email=False,
            ),
            "no address": self._lot(quantities={self.laptop: 1}, pickup_address=" "),
        }
        for case, lot in cases.items():
            with self.subTest(case=case):
                with self.assertRaises(UserError) as caught:
                    lot.with_user(self.user_donor_a).action_declare()
                self.assertIn(lot.name, str(caught.exception))
                self.assertEqual(lot.state, "draft")

    def test_double_declaration_refused(self):
        first = self._declared_by_donor(devices=self.device_1)
        second = self._lot(devices=self.device_1, quantities={self.monitor: 1})
        with self.assertRaises(UserError) as caught:
            second.with_user(self.user_donor_a).action_declare()
        self.assertIn(first.name, str(caught.exception))
        self.assertIn("LOT-1", str(caught.exception))
        self.assertEqual(second.state, "draft")
        self.assertEqual(self.device_1.reemploi_lot_id, first)

    def test_device_in_processing_refused(self):
        device = self._received("LOT-RECEIVED", company=None)
        lot = self._lot(devices=device)
        with self.assertRaises(UserError) as caught:
            lot.action_declare()
        self.assertIn("received", str(caught.exception))
        self.assertEqual(device.state, "received")

    def test_only_own_devices(self):
        foreign = self._device("LOT-B", owner=self.donor_b)
        with self.assertRaises(ValidationError):
            self._lot(devices=foreign)
        self.assertFalse(self.Lot.search([("line_ids.equipment_id", "=", foreign.id)]))

    def test_refused_transition_names_lot_and_next_steps(self):
        lot = self._lot(quantities={self.laptop: 1})
        with self.assertRaises(UserError) as caught:
            lot.action_collect()
        message = str(caught.exception)
        self.assertIn(lot.name, message)
        self.assertIn("declared", message)
        self.assertEqual(lot.state, "draft")

    def test_match_requires_an_operator(self):
        lot = self._declared_by_donor(quantities={self.laptop: 1})
        with self.assertRaises(UserError) as caught:
            lot.with_user(self.user_coordinator).action_match()
        self.assertIn(lot.name, str(caught.exception))
        self.assertEqual(lot.state, "declared")

    def test_full_workflow(self):
        lot = self._declared_by_donor(
            devices=self.device_1, quantities={self.monitor: 2}
        )
        lot.with_user(self.user_coordinator).action_match(self.company_x)
        self.assertEqual((lot.state, lot.company_id), ("matched", self.company_x))
        self.assertEqual(self.device_1.company_id, self.company_x)
        self.assertEqual(self.device_1.custody_event_ids[-1].event_type, "transfer")
        operator_lot = lot.with_user(self.user_operator_x).with_company(self.company_x)
        operator_lot.action_schedule()
        operator_lot.action_collect()
        self.assertEqual(self.device_1.state, "collected")
        operator_lot.action_receive()
        self.assertEqual((lot.state, self.device_1.state), ("received", "received"))
        with self.assertRaises(UserError) as caught:
            operator_lot.action_process()
        self.assertIn("LOT-1", str(caught.exception))
        self.assertEqual(lot.state, "received")
        self._erase(self.device_1)
        self.device_1.action_mark_erased()
        self._grading(self.device_1)
        self.device_1.action_grade()
        operator_lot.action_process()
        operator_lot.action_report()
        self.assertEqual(lot.state, "reported")
        self.device_1.action_donate()
        self.assertEqual(lot.co2e_avoided_kg, self.laptop.co2e_kg)
        with self.assertRaises(UserError):
            lot.action_cancel()
        self.assertEqual(lot.state, "reported")

    def test_cancel_gives_devices_back(self):
        lot = self._declared_by_donor(devices=self.device_1 | self.device_2)
        lot.action_match(self.company_x)
        lot.action_cancel()
        self.assertEqual(lot.state, "cancelled")
        for device in self.device_1 | self.device_2:
            self.assertEqual(device.state, "to_decommission")
            self.assertFalse(device.reemploi_lot_id)
            self.assertFalse(device.company_id)
            self.assertEqual(device.custody_event_ids[-1].document_ref, lot.name)
        # the devices can be declared again, in another lot
        again = self._declared_by_donor(devices=self.device_1)
        self.assertEqual(self.device_1.reemploi_lot_id, again)
        lot.action_reset_to_draft()
        self.assertEqual(lot.state, "draft")

    def test_donor_cancels_own_declared_lot(self):
        lot = self._declared_by_donor(devices=self.device_1)
        lot.with_user(self.user_donor_a).action_cancel()
        self.assertEqual(self.device_1.state, "to_decommission")
        lot = self._declared_by_donor(devices=self.device_1)
        lot.action_match(self.company_x)
        with self.assertRaises(AccessError):
            lot.with_user(self.user_donor_a).action_cancel()
        self.assertEqual(lot.state, "matched")

    def test_lines_frozen_once_declared(self):
        lot = self._declared_by_donor(quantities={self.laptop: 2})
        with self.assertRaises(UserError):
            lot.line_ids.quantity = 5
        with self.assertRaises(UserError):
            lot.write({"line_ids": [Command.create({"category_id": self.monitor.id})]})
        self.assertEqual(lot.device_count, 2)

    def test_workflow_fields_not_writable_by_donors(self):
        lot = self._lot(quantities={self.laptop: 1})
        as_donor = lot.with_user(self.user_donor_a)
        for vals in (
            {"state": "reported"},
            {"company_id": self.company_x.id},
            {"name": "LOT/FAKE"},
            {"partner_id": self.donor_b.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                as_donor.write(vals)
        with self.assertRaises(AccessError):
            self.Lot.with_user(self.user_donor_a).create(
                dict(self._lot_values(), state="declared")
            )
        self.assertEqual((lot.state, lot.partner_id), ("draft", self.donor_a))
        as_donor.write({"access_notes": "Sonner deux fois"})
        self.assertEqual(lot.access_notes, "Sonner deux fois")

    def test_only_drafts_and_cancelled_lots_deleted(self):
        lot = self._declared_by_donor(quantities={self.laptop: 1})
        with self.assertRaises(UserError):
            lot.unlink()
        lot.action_cancel()
        lot.unlink()
        self.assertFalse(lot.exists())

    def test_dates_in_order(self):
        with self.assertRaises(ValidationError):
            self._lot(date_to=fields.Date.today() - timedelta(days=400))

    def test_coordinator_enters_a_lot_with_the_form(self):
        form = Form(self.Lot.with_user(self.user_coordinator))
        form.partner_id = self.donor_a
        form.site_id = self.site_a
        form.date_from = fields.Date.today()
        form.date_to = fields.Date.today() + timedelta(days=10)
        form.contact_phone = "04 76 11 22 33"
        with form.line_ids.new() as line:
            line.equipment_id = self.device_1
        with form.line_ids.new() as line:
            line.category_id = self.monitor
            line.quantity = 4
        lot = form.save()
        self.assertIn("Grenoble", lot.pickup_address)
        self.assertEqual(lot.line_ids[0].category_id, self.laptop)
        self.assertEqual(lot.device_count, 5)
        lot.action_declare()
        self.assertEqual(self.device_1.state, "declared")

    def test_portal_timeline(self):
        lot = self._lot(devices=self.device_1 | self.device_2)
        # the tracking is written at commit, and never for a record created
        # in the same transaction: commit the creation first
        self.env.cr.precommit.run()
        lot.with_context(tracking_disable=False).with_user(
            self.user_donor_a
        ).action_declare()
        self.env.cr.precommit.run()
        timeline = lot.with_user(self.user_donor_a)._portal_timeline()
        labels = [(step["label"], step["count"]) for step in timeline]
        self.assertEqual(labels, [("Draft", 0), ("Declared", 0), ("Declared", 2)])
