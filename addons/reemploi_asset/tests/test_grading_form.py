from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from ..services import grading as grading_rules
from .common import TECHNICIAN, ReemploiCase


@tagged("post_install", "-at_install")
class TestGradingForm(ReemploiCase):
    """An operator grades a device from the form, as the web client does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the least-privileged role that grades devices
        cls.technician = cls._operator("grader_x", cls.company_x, TECHNICIAN)

    def setUp(self):
        super().setUp()
        self.device = self._received("SER-FORM-GRADE")
        self._erase(self.device)
        self.device.action_mark_erased()
        self.device = self.device.with_user(self.technician)

    def _open_grading_form(self):
        """The form the device's "New grading" button opens."""
        action = self.device.action_new_grading()
        return Form(
            self.env[action["res_model"]]
            .with_user(self.technician)
            .with_company(self.company_x)
            .with_context(**action["context"])
        )

    def test_cosmetic_condition_must_be_checked(self):
        """No cosmetic defect is not grade A until the technician says so:
        "Nothing to report" (cosmetic_checked), or a cosmetic defect tapped."""
        form = self._open_grading_form()
        for check in ("check_power", "check_boot", "check_screen", "check_storage"):
            setattr(form, check, "ok")
        grading = form.save()
        with self.assertRaisesRegex(UserError, "cosmetic condition"):
            grading.action_done()
        self.assertEqual(grading.state, "draft")
        # a cosmetic defect tapped checks the condition (onchange)
        form = Form(grading)
        form.defect_ids.add(self.env.ref("reemploi_asset.defect_scratch_minor"))
        self.assertTrue(form.cosmetic_checked)
        form.save()
        grading.action_done()
        self.assertEqual(grading.state, "done")
        # evidence: frozen once done
        with self.assertRaises(UserError):
            grading.cosmetic_checked = False

    def test_nothing_to_report_gives_a(self):
        form = self._open_grading_form()
        for check in ("check_power", "check_boot", "check_screen", "check_storage"):
            setattr(form, check, "ok")
        form.cosmetic_checked = True
        grading = form.save()
        self.assertEqual(grading.cosmetic_grade_id.code, "A")
        self.assertFalse(grading.functions_tested)
        grading.action_done()
        self.assertEqual(grading.state, "done")

    def test_functions_tested_needs_every_check_passed(self):
        form = self._open_grading_form()
        for code in grading_rules.CHECK_CODES:
            setattr(form, f"check_{code}", "ok")
        form.check_camera = "na"
        form.cosmetic_checked = True
        self.assertTrue(form.functions_tested)
        form.check_audio = "ko"
        self.assertFalse(form.functions_tested)
        form.check_audio = False
        self.assertFalse(form.functions_tested)

    def test_defect_taps_most_frequent_first(self):
        deep = self.env.ref("reemploi_asset.defect_scratch_deep")
        marks = self.env.ref("reemploi_asset.defect_screen_marks")
        for index, defects in enumerate(([deep], [deep, marks], [marks], [deep])):
            device = self._received(f"SER-TAPS-{index}")
            self._erase(device)
            device.action_mark_erased()
            self._grading(device, defect_ids=[Command.set([d.id for d in defects])])
        # a defect of another category is not offered
        other = self.env["reemploi.equipment.category"].create(
            {"name": "Tablette test", "code": "tablet-taps"}
        )
        self.env["reemploi.defect"].create(
            {"code": "TAPS-OTHER", "name": "Other's", "category_ids": [Command.set(other.ids)]}
        )
        Defect = self.env["reemploi.defect"].with_user(self.technician).with_company(
            self.company_x
        )
        choices = Defect.get_tap_choices(self.device.category_id.id)
        codes = [choice["code"] for choice in choices]
        self.assertEqual(codes[:2], [deep.code, marks.code])
        self.assertEqual([c["count"] for c in choices[:2]], [3, 2])
        self.assertNotIn("TAPS-OTHER", codes)
        self.assertIn("TAPS-OTHER", [c["code"] for c in Defect.get_tap_choices(other.id)])
        # the rest in code order, never counted
        rest = [c["code"] for c in choices[2:]]
        self.assertEqual(rest, sorted(rest))

    def test_operator_grades_device_from_form(self):
        scratch = self.env.ref("reemploi_asset.defect_scratch_minor")
        form = self._open_grading_form()
        self.assertEqual(form.equipment_id, self.device)
        self.assertEqual(form.state, "draft")
        form.check_power = "ok"
        form.check_boot = "ok"
        form.check_screen = "ok"
        form.check_storage = "ok"
        form.check_audio = "ko"
        form.battery_design_capacity = 50
        form.battery_full_capacity = 45
        form.defect_ids.add(scratch)
        self.assertEqual(form.grade_id, self.grade_c)
        grading = form.save()
        self.assertEqual(grading.grade_id, self.grade_c)
        self.assertEqual(grading.check_audio, "ko")
        self.assertEqual(grading.battery_health, 90.0)
        self.assertEqual(grading.defect_ids, scratch)
        self.assertEqual(grading.user_id, self.technician)
        # the header button
        grading.action_done_and_grade()
        self.assertEqual(grading.state, "done")
        self.assertEqual(self.device.state, "graded")
        self.assertEqual(self.device.grade_id, self.grade_c)
        self.assertEqual(self.device.functional_grade_id.code, "PARTIAL")
        # a validated session is read-only in the form, except its note
        form = Form(grading)
        with self.assertRaises(AssertionError):
            form.check_audio = "ok"
        form.note = "Haut-parleur gauche muet"
        form.save()
        self.assertEqual(grading.note, "Haut-parleur gauche muet")

    def test_form_without_checks_cannot_be_validated(self):
        form = self._open_grading_form()
        grading = form.save()
        self.assertFalse(grading.grade_id)
        with self.assertRaises(UserError):
            grading.action_done_and_grade()
        self.assertEqual(grading.state, "draft")
        self.assertEqual(self.device.state, "erased")
        self.assertFalse(self.device.grade_id)

    def test_grade_needs_its_checks_whoever_calls(self):
        grading = (
            self.env["reemploi.grading"]
            .with_user(self.technician)
            .with_company(self.company_x)
            .create({"equipment_id": self.device.id, "grade_id": self.grade_a.id})
        )
        # the grade is computed from the checks, never given
        self.assertFalse(grading.grade_id)
        with self.assertRaises(UserError):
            grading.write({"state": "done"})
        with self.assertRaises(UserError):
            grading.create({"equipment_id": self.device.id, "state": "done"})
        with self.assertRaises(UserError) as caught:
            self.device.write({"grade_id": self.grade_a.id})
        self.assertIn("SER-FORM-GRADE", str(caught.exception))
        self.assertFalse(self.device.grade_id)
        self.assertEqual(grading.state, "draft")

    def test_validated_grading_is_frozen(self):
        grading = self._grading(self.device, check_audio="ko").with_user(
            self.technician
        )
        self.assertEqual(grading.grade_id, self.grade_c)
        for vals in (
            {"check_audio": "ok"},
            {"battery_full_capacity": 10},
            {"defect_ids": [Command.clear()]},
            {"state": "draft"},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                grading.write(vals)
        self.assertEqual(grading.check_audio, "ko")
        self.assertEqual(grading.state, "done")


@tagged("post_install", "-at_install")
class TestGradingAfterErasure(ReemploiCase):
    """The operator records the erasure, then grades: the device is erased
    on the way, without a separate "Erasure done" click."""

    def _grade(self, device):
        action = device.action_new_grading()
        form = Form(
            self.env[action["res_model"]]
            .with_company(device.company_id)
            .with_context(**action["context"])
        )
        for check in ("check_power", "check_boot", "check_screen", "check_storage"):
            setattr(form, check, "ok")
        form.cosmetic_checked = True
        return form.save()

    def test_verified_erasure_then_grading(self):
        device = self._received("SER-ERASE-THEN-GRADE")
        self._erase(device)
        self.assertEqual(device.state, "received")
        self._grade(device).action_done_and_grade()
        self.assertEqual(device.state, "graded")
        steps = device.custody_event_ids.sorted("sequence").mapped("to_state")
        self.assertEqual(steps[-2:], ["erased", "graded"])
        self.assertFalse(self.env["reemploi.custody.event"]._verify_chains(device))

    def test_no_verified_erasure_no_grade(self):
        device = self._received("SER-NO-ERASURE")
        grading = self._grade(device)
        with self.assertRaisesRegex(UserError, "SER-NO-ERASURE.*erasure is not verified"):
            grading.action_done_and_grade()
        self.assertEqual(device.state, "received")
        self.assertFalse(device.grade_id)

    def test_justification_in_the_users_language(self):
        device = self._received("SER-GRADE-FR")
        self._erase(device)
        action = device.action_new_grading()
        form = Form(
            self.env[action["res_model"]]
            .with_company(device.company_id)
            .with_context(**action["context"], lang="fr_FR")
        )
        for check in ("check_power", "check_boot", "check_screen", "check_storage"):
            setattr(form, check, "ok")
        form.cosmetic_checked = True
        form.check_audio = "ko"
        grading = form.save()
        self.assertIn("aspect : grade A", grading.grade_reasons)
        self.assertIn("au mieux C", grading.grade_reasons)
        self.assertNotIn("cosmetic", grading.grade_reasons)
        grading.action_done_and_grade()
        note = device.custody_event_ids.filtered(
            lambda event: event.event_type == "grading"
        ).note
        self.assertIn("aspect : grade A", note)
        self.assertNotIn("cosmetic", note)
        self.assertNotIn("PARTIAL", note)


@tagged("post_install", "-at_install")
class TestBenchScan(ReemploiCase):
    """The grading bench's field: a scanned label opens the device's new
    grading, in the user's companies only."""

    def test_scan_opens_the_grading(self):
        device = self._received("SER-BENCH-1", asset_tag="INV-77")
        Equipment = self.env["reemploi.equipment"].with_user(self.user_operator_x)
        for code in (
            "SER-BENCH-1",
            " ser-bench-1 ",
            "INV-77",
            f"https://reemploi.example.org/r/{device.qr_token}",
        ):
            action = Equipment.action_bench_scan(code)
            self.assertEqual(action["res_model"], "reemploi.grading", code)
            self.assertEqual(action["context"]["default_equipment_id"], device.id, code)
        # the form it opens is the device's, with its audit's prefill
        form = Form(
            self.env["reemploi.grading"]
            .with_user(self.user_operator_x)
            .with_context(**action["context"])
        )
        self.assertEqual(form.equipment_id, device)

    def test_what_does_not_answer_is_said(self):
        self._received("SER-BENCH-Y", company=self.company_y)
        declared = self._device("SER-BENCH-D", company=self.company_x)
        Equipment = self.env["reemploi.equipment"].with_user(self.user_operator_x)
        with self.assertRaisesRegex(UserError, "SER-BENCH-Y"):
            Equipment.action_bench_scan("SER-BENCH-Y")  # another operator's
        with self.assertRaisesRegex(UserError, "SER-%"):
            Equipment.action_bench_scan("SER-%")  # no wildcard
        with self.assertRaisesRegex(UserError, "SER-BENCH-D"):
            Equipment.action_bench_scan("SER-BENCH-D")  # not received
        self.assertEqual(declared.state, "in_use")
        with self.assertRaises(UserError):
            Equipment.action_bench_scan("   ")
