from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from odoo.addons.reemploi_asset.tests.common import TECHNICIAN

from .common import MarketCase


class FormCase(MarketCase):
    """Each form driven as the web client does (Form applies the view's
    readonly, required and invisible modifiers and onchanges), by the
    least-privileged user of the role that works in it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = cls._operator("form_operator_x", cls.company_x, TECHNICIAN)


@tagged("post_install", "-at_install")
class TestLotForm(FormCase):
    def test_operator_takes_a_matched_lot_through_its_form(self):
        lot = self._matched_lot(quantities={self.laptop: 2, self.desktop: 1})
        lot = lot.with_user(self.operator).with_company(self.company_x)
        form = Form(lot)
        self.assertEqual(form.state, "matched")
        self.assertEqual(form.device_count, 3)
        # what the operator learns when calling the site
        form.access_notes = "Quai de livraison côté parking, badge à l'accueil"
        form.has_loading_dock = True
        form.contact_phone = "04 76 11 22 33"
        form.save()
        self.assertEqual(lot.contact_phone, "04 76 11 22 33")
        self.assertTrue(lot.has_loading_dock)
        # the donor's declaration is not the operator's to change
        with self.assertRaises(AssertionError):
            form.partner_id = self.donor_b
        with self.assertRaises(AssertionError):
            form.date_to = fields.Date.today() + timedelta(days=60)
        # the header buttons, in their order
        for action, state in (
            ("action_schedule", "scheduled"),
            ("action_collect", "collected"),
            ("action_receive", "received"),
            ("action_process", "processed"),
            ("action_report", "reported"),
        ):
            getattr(lot, action)()
            self.assertEqual(lot.state, state)
        self.assertEqual(Form(lot).state, "reported")

    def test_coordinator_matches_a_declared_lot_in_its_form(self):
        lot = self._lot(quantities={self.laptop: 1})
        lot.action_declare()
        lot = lot.with_user(self.user_coordinator)
        form = Form(lot)
        self.assertEqual(form.state, "declared")
        # the operators the coordinator can choose from (the field's dropdown)
        operators = lot.env["res.company"].name_search("Opérateur")
        self.assertEqual(
            {name for _id, name in operators}, {"Opérateur X", "Opérateur Y"}
        )
        form.company_id = self.company_x
        form.save()
        lot.action_match()
        self.assertEqual(lot.state, "matched")
        self.assertEqual(lot.company_id, self.company_x)
        # once matched, the operator is the workflow's
        with self.assertRaises(AssertionError):
            Form(lot).company_id = self.company_y


@tagged("post_install", "-at_install")
class TestCollectionRoundForm(FormCase):
    def test_operator_plans_a_round_in_its_form(self):
        device = self._device("ROUND-FORM-1")
        lot = self._matched_lot(devices=device, quantities={self.laptop: 1})
        Round = (
            self.env["reemploi.collection.round"]
            .with_user(self.operator)
            .with_company(self.company_x)
        )
        form = Form(Round)
        self.assertEqual(form.user_id, self.operator)
        form.date = fields.Date.today() + timedelta(days=3)
        form.area = "38000 Grenoble"
        form.lot_ids.add(lot)
        self.assertEqual(form.lot_count, 1)
        self.assertEqual(form.device_count, 2)
        round_ = form.save()
        self.assertEqual(round_.company_id, self.company_x)
        self.assertEqual(lot.round_id, round_)
        self.assertRegex(round_.name, r"^ROUND/")
        round_.action_plan()
        self.assertEqual(round_.state, "planned")
        self.assertEqual(lot.state, "scheduled")
        self.assertTrue(lot.picking_id)
        # a planned round can still change its date and lots
        form = Form(round_)
        form.date = fields.Date.today() + timedelta(days=4)
        form.save()
        round_.action_start()
        self.assertEqual(round_.state, "in_progress")
        form = Form(round_)
        with self.assertRaises(AssertionError):
            form.date = fields.Date.today() + timedelta(days=5)
        self.assertEqual(round_.lot_ids, lot)
        # the lot's "Check in" button, a scan, "Validate the check-in": the
        # round closes once its lots are received
        action = lot.with_user(self.operator).action_open_checkin()
        checkin = self.env["reemploi.lot.checkin"].browse(
            action["params"]["checkin_id"]
        )
        checkin = checkin.with_user(self.operator).with_company(self.company_x)
        checkin.scan_code("ROUND-FORM-1")
        checkin.action_validate()
        self.assertEqual(lot.state, "received")
        self.assertEqual(device.state, "received")
        self.assertEqual(round_.state, "done")


@tagged("post_install", "-at_install")
class TestAgecForm(FormCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # not the demo's public bodies: the test starts from none
        cls.env["res.partner"].search([("is_public_body", "=", True)]).write(
            {"is_public_body": False}
        )
        cls.city = cls.env["res.partner"].create(
            {"name": "Ville de Saint-Égrève", "is_company": True}
        )
        cls.Agec = cls.env["reemploi.agec.stock"].with_user(cls.user_coordinator)

    def _flag(self, partners, user=None):
        Wizard = self.env["reemploi.public.body.wizard"]
        form = Form(Wizard.with_user(user or self.user_coordinator))
        for partner in partners:
            form.partner_ids.add(partner)
        return form.save().action_confirm()

    def test_coordinator_flags_a_public_body_then_records_its_indicators(self):
        form = Form(self.Agec)
        # the form says what to do: there is no public body to choose yet
        self.assertFalse(form.has_public_body)
        self.assertFalse(
            self.env["res.partner"]
            .with_user(self.user_coordinator)
            .search(self.Agec._fields["partner_id"].domain)
        )
        self._flag(self.city)
        self.assertTrue(self.city.is_public_body)
        form = Form(self.Agec)
        self.assertTrue(form.has_public_body)
        form.partner_id = self.city
        form.year = 2025
        form.external_purchase_total = 40000.0
        form.external_reused_purchase = 10000.0
        self.assertEqual(form.purchase_share, 25.0)
        line = form.save()
        self.assertEqual(line.partner_id, self.city)
        self.assertEqual(line.purchase_status, "met")
        self.assertEqual(line.reuse_status, "no_stock")
        form = Form(line)
        form.reformed_stock = 10
        form.save()
        self.assertEqual(line.stock_used, 10)
        self.assertEqual(line.reuse_status, "missed")

    def test_only_a_public_body_gets_indicators(self):
        form = Form(self.Agec)
        form.partner_id = self.city
        form.year = 2025
        with self.assertRaises(ValidationError) as caught:
            form.save()
        self.assertIn("Ville de Saint-Égrève", str(caught.exception))

    def test_only_the_coordinator_flags_public_bodies(self):
        with self.assertRaises(AccessError):
            self._flag(self.city, user=self.operator)
        self.assertFalse(self.city.is_public_body)
