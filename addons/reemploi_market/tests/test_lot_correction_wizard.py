"""An administrator corrects lots through the "Correct (administrator)"
form, as the web client shows it; nobody else may open it."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import MarketCase


@tagged("post_install", "-at_install")
class TestLotCorrectionWizard(MarketCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._lot(quantities={cls.monitor: 1})
        cls.admin = cls.env.ref("base.user_admin")

    def _form(self, user, lots):
        Wizard = self.env["reemploi.lot.correction"].with_user(user)
        return Form(Wizard.with_context(active_model="reemploi.lot", active_ids=lots.ids))

    def test_administrator_corrects_with_a_reason(self):
        form = self._form(self.admin, self.lot)
        self.assertEqual(form.lot_count, 1)
        form.partner_id = self.donor_b
        form.reason = "Declared by the wrong department"
        form.save().action_apply()
        self.assertEqual(self.lot.partner_id, self.donor_b)
        notes = self.lot.message_ids.filtered(
            lambda message: "Declared by the wrong department" in (message.body or "")
        )
        self.assertEqual(len(notes), 1)
        self.assertEqual(notes.author_id, self.admin.partner_id)

    def test_something_to_correct(self):
        form = self._form(self.admin, self.lot)
        form.reason = "nothing"
        with self.assertRaisesRegex(UserError, "new state, donor or operator"):
            form.save().action_apply()

    def test_others_cannot_open_it(self):
        for user in (self.user_operator_x, self.user_coordinator, self.user_donor_a):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._form(user, self.lot)
