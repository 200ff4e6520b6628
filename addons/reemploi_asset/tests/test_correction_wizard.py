"""An administrator corrects devices through the "Correct (administrator)"
form, as the web client shows it; nobody else may open it."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import ReemploiCase


@tagged("post_install", "-at_install")
class TestEquipmentCorrectionWizard(ReemploiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device = cls._received("CORR-1")
        cls.admin = cls.env.ref("base.user_admin")

    def _form(self, user, devices):
        Wizard = self.env["reemploi.equipment.correction"].with_user(user)
        return Form(
            Wizard.with_context(active_model="reemploi.equipment", active_ids=devices.ids)
        )

    def test_administrator_corrects_with_a_reason(self):
        form = self._form(self.admin, self.device)
        self.assertEqual(form.equipment_count, 1)
        form.owner_id = self.donor_b
        form.state = "collected"
        form.reason = "Wrong donor scanned at the check-in"
        form.save().action_apply()
        self.assertEqual(self.device.owner_id, self.donor_b)
        self.assertEqual(self.device.state, "collected")
        event = self.device.custody_event_ids.sorted("sequence")[-1]
        self.assertEqual(event.event_type, "correction")
        self.assertEqual(event.note, "Wrong donor scanned at the check-in")
        self.assertEqual(event.create_uid, self.admin)
        self.assertFalse(self.env["reemploi.custody.event"]._verify_chains(self.device))

    def test_the_form_it_is_opened_from_sets_nothing(self):
        # the register's action passes default_company_id: not a correction
        form = Form(
            self.env["reemploi.equipment.correction"]
            .with_user(self.admin)
            .with_context(
                active_model="reemploi.equipment",
                active_ids=self.device.ids,
                default_company_id=self.company_y.id,
                default_state="sold",
            )
        )
        self.assertFalse(form.company_id)
        self.assertFalse(form.state)
        form.state = "collected"
        form.reason = "Scanned in the wrong lot"
        form.save().action_apply()
        self.assertEqual(self.device.state, "collected")
        self.assertEqual(self.device.company_id, self.company_x)

    def test_reason_is_required(self):
        form = self._form(self.admin, self.device)
        form.state = "collected"
        with self.assertRaises(AssertionError):  # the form's required field
            form.save()
        self.assertEqual(self.device.state, "received")

    def test_something_to_correct(self):
        form = self._form(self.admin, self.device)
        form.reason = "nothing"
        wizard = form.save()
        with self.assertRaisesRegex(UserError, "new state, owner or operator"):
            wizard.action_apply()

    def test_others_cannot_open_it(self):
        for user in (self.user_operator_x, self.user_coordinator):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._form(user, self.device)

    def test_the_action_is_for_administrators_only(self):
        action = self.env.ref("reemploi_asset.reemploi_equipment_correction_action")
        self.assertEqual(action.binding_model_id.model, "reemploi.equipment")
        self.assertEqual(action.groups_id, self.env.ref("base.group_system"))
