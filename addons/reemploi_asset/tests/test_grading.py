from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import ReemploiCase


@tagged("post_install", "-at_install")
class TestGradingSession(ReemploiCase):
    def setUp(self):
        super().setUp()
        self.device = self._received("SER-GRADE")
        self._erase(self.device)
        self.device.action_mark_erased()

    def test_form_computes_grade(self):
        with Form(self.env["reemploi.grading"].with_company(self.company_x)) as form:
            form.equipment_id = self.device
            form.check_power = "ok"
            form.check_boot = "ok"
            form.check_screen = "ok"
            form.battery_design_capacity = 50
            form.battery_full_capacity = 45
            self.assertEqual(form.grade_id, self.grade_a)
            form.battery_full_capacity = 35
            self.assertEqual(form.grade_id, self.grade_c)
            self.assertEqual(form.battery_health, 70.0)
        grading = form.save()
        self.assertIn("battery", grading.grade_reasons)

    def test_defects_lower_the_grade(self):
        minor = self.env.ref("reemploi_asset.defect_scratch_minor")
        critical = self.env.ref("reemploi_asset.defect_board_fault")
        grading = self._grading(self.device, validate=False)
        grading.defect_ids = [Command.set(minor.ids)]
        self.assertEqual(grading.grade_id, self.grade_b)
        grading.defect_ids = [Command.link(critical.id)]
        self.assertEqual(grading.grade_id, self.grade_d)
        self.assertEqual(grading.functional_grade_id.code, "KO")

    def test_validation_needs_checks(self):
        grading = self.env["reemploi.grading"].create(
            {"equipment_id": self.device.id, "company_id": self.company_x.id}
        )
        self.assertFalse(grading.grade_id)
        with self.assertRaises(UserError):
            grading.action_done()
        self.assertEqual(grading.state, "draft")

    def test_validate_and_grade_device(self):
        grading = self._grading(self.device, validate=False, check_audio="ko")
        grading.action_done_and_grade()
        self.assertEqual(self.device.state, "graded")
        self.assertEqual(self.device.grade_id, self.grade_c)
        self.assertEqual(self.device.functional_grade_id.code, "PARTIAL")
        self.assertIn("grading", self.device.custody_event_ids.mapped("event_type"))
        with self.assertRaises(UserError):
            grading.unlink()

    def test_photos(self):
        photo = self.env["ir.attachment"].create(
            {"name": "face.png", "datas": "iVBORw0KGgo=", "mimetype": "image/png"}
        )
        grading = self._grading(self.device, photo_ids=[Command.set(photo.ids)])
        self.assertEqual(grading.photo_ids, photo)
