from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import TECHNICIAN, ReemploiCase


@tagged("post_install", "-at_install")
class TestErasureForm(ReemploiCase):
    """An operator records the erasure of a medium from the form, as the web
    client does: Form applies the view's readonly modifiers and only saves
    what the client would send."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the least-privileged role that erases devices
        cls.technician = cls._operator("technician_x", cls.company_x, TECHNICIAN)

    def setUp(self):
        super().setUp()
        self.device = self._received("SER-FORM-ERASE")
        self.Erasure = (
            self.env["reemploi.erasure"]
            .with_user(self.technician)
            .with_company(self.company_x)
        )

    def _fill_sanitisation(self, form):
        form.medium_type = "nvme"
        form.medium_serial = "NVME-FORM-1"
        form.method = "purge"
        form.technique = "NVMe Format, crypto erase"
        form.tool_name = "nwipe"
        form.tool_version = "0.37"
        form.date_start = fields.Datetime.now() - timedelta(hours=1)

    def _fill_verification(self, form):
        form.date_end = fields.Datetime.now()
        form.result = "success"
        form.verification_method = "sample"
        form.verification_result = "pass"

    def test_verified_erasure_in_one_save(self):
        action = self.device.with_user(self.technician).action_new_erasure()
        with Form(self.Erasure.with_context(**action["context"])) as form:
            self.assertEqual(form.equipment_id, self.device)
            self._fill_sanitisation(form)
            self._fill_verification(form)
            # the ribbon shows the saved state, not the one being typed
            self.assertTrue(form.verified)
            self.assertFalse(form.locked)
        erasure = form.record
        self.assertTrue(erasure.verified)
        self.assertTrue(erasure.locked)
        self.assertEqual(erasure.verification_result, "pass")
        self.assertEqual(erasure.medium_serial, "NVME-FORM-1")
        self.assertEqual(erasure.user_id, self.technician)
        device = self.device.with_user(self.technician)
        device.action_mark_erased()
        self.assertEqual(device.state, "erased")

    def test_verified_erasure_in_two_saves(self):
        form = Form(self.Erasure)
        form.equipment_id = self.device
        self._fill_sanitisation(form)
        erasure = form.save()
        self.assertFalse(erasure.verified)
        with Form(erasure) as form:
            self._fill_verification(form)
        self.assertTrue(erasure.verified)
        self.assertEqual(erasure.result, "success")
        self.assertEqual(erasure.verification_result, "pass")
        self.device.with_user(self.technician).action_mark_erased()
        self.assertEqual(self.device.state, "erased")

    def test_saved_verified_erasure_is_read_only_in_form(self):
        erasure = self._erase(self.device).with_user(self.technician)
        form = Form(erasure)
        self.assertTrue(form.locked)
        with self.assertRaises(AssertionError):
            form.verification_result = "fail"
        form.note = "Rapport de l'outil joint"
        form.save()
        self.assertEqual(erasure.note, "Rapport de l'outil joint")

    def test_verified_erasure_refuses_evidence_changes(self):
        erasure = self._erase(self.device).with_user(self.technician)
        for vals in (
            {"verification_result": "fail"},
            {"result": "failure"},
            {"medium_serial": "OTHER"},
            {"tool_version": "0.1"},
            {"date_end": fields.Datetime.now() + timedelta(days=1)},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError) as caught:
                erasure.write(vals)
            self.assertIn(erasure.medium_serial, str(caught.exception))
        self.assertEqual(erasure.verification_result, "pass")

    def test_verified_cannot_be_written(self):
        erasure = self._erase(self.device, result="failure")
        self.assertFalse(erasure.verified)
        erasure.with_user(self.technician).write({"verified": True})
        self.assertFalse(erasure.verified)
        self.assertRaises(
            UserError, self.device.with_user(self.technician).action_mark_erased
        )

    def test_device_picker_lists_the_devices_waiting(self):
        """The form's device field offers the devices holding data that
        wait for their erasure, and on a phone in one list of cards, not
        the register's columns by state."""
        arch = self.Erasure.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("('state', 'in', ('received', 'erased'))", arch)
        self.assertIn("reemploi_asset.reemploi_equipment_view_kanban_pick", arch)
        Equipment = self.env["reemploi.equipment"].with_context(
            kanban_view_ref="reemploi_asset.reemploi_equipment_view_kanban_pick"
        )
        kanban = Equipment.get_views([(False, "kanban")])["views"]["kanban"]["arch"]
        self.assertNotIn("default_group_by", kanban)
        # the register itself keeps its columns by state
        register = self.env["reemploi.equipment"].get_views([(False, "kanban")])
        self.assertIn('default_group_by="state"', register["views"]["kanban"]["arch"])
