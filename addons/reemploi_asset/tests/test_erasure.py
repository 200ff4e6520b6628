from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import ReemploiCase


@tagged("post_install", "-at_install")
class TestErasure(ReemploiCase):
    def setUp(self):
        super().setUp()
        self.device = self._received("SER-ERASE", asset_tag="INV-0042")

    def test_verified_needs_success_verification_and_end(self):
        erasure = self._erase(self.device, date_end=False)
        self.assertFalse(erasure.verified)
        erasure.write(
            {"date_start": "2026-01-01 09:00:00", "date_end": "2026-01-01 10:00:00"}
        )
        self.assertTrue(erasure.verified)
        failed = self._erase(self.device, medium_serial="X2", result="failure")
        self.assertFalse(failed.verified)

    def test_nist_evidence_on_record(self):
        erasure = self._erase(self.device)
        self.assertEqual(erasure.device_serial, "SER-ERASE")
        self.assertEqual(erasure.device_asset_tag, "INV-0042")
        self.assertEqual(erasure.device_manufacturer, "Dell")
        self.assertEqual(erasure.user_id, self.env.user)
        for field in (
            "medium_type",
            "medium_serial",
            "method",
            "technique",
            "tool_name",
            "tool_version",
            "verification_method",
            "verification_result",
            "date_start",
            "date_end",
            "destination",
        ):
            self.assertTrue(erasure[field], field)

    def test_dates_in_order(self):
        with self.assertRaises(ValidationError):
            self._erase(
                self.device,
                date_start="2026-01-02 10:00:00",
                date_end="2026-01-01 10:00:00",
            )

    def test_verified_erasure_is_frozen(self):
        erasure = self._erase(self.device)
        with self.assertRaises(UserError):
            erasure.write({"tool_version": "0.1"})
        with self.assertRaises(UserError):
            erasure.unlink()
        erasure.note = "Rapport joint"
        self.assertEqual(erasure.note, "Rapport joint")

    def test_one_verified_erasure_per_medium(self):
        self._erase(self.device)
        with self.assertRaises(ValidationError):
            self._erase(self.device)

    def test_verified_erasure_logged_in_custody(self):
        erasure = self._erase(self.device)
        event = self.device.custody_event_ids.filtered(
            lambda e: e.event_type == "erasure"
        )
        self.assertEqual(event.document_ref, f"reemploi.erasure,{erasure.id}")

    def test_certificate_lists_every_medium(self):
        self._erase(self.device, medium_serial="DISK-ONE")
        self._erase(self.device, medium_serial="DISK-TWO")
        html, kind = self.env["ir.actions.report"]._render_qweb_html(
            "reemploi_asset.action_report_erasure_certificate", self.device.ids
        )
        html = html.decode()
        self.assertEqual(kind, "html")
        for text in ("DISK-ONE", "DISK-TWO", "SER-ERASE", "INV-0042", "nwipe"):
            self.assertIn(text, html)
        self.assertIn("was sanitised and the result verified", html)

    def test_incomplete_certificate_says_so(self):
        self.device.medium_count = 2
        self._erase(self.device, medium_serial="DISK-ONE")
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "reemploi_asset.action_report_erasure_certificate", self.device.ids
        )
        self.assertIn("is NOT complete", html.decode())

    def test_failed_attempt_then_wiped_again(self):
        """A failed wipe is a gap until the same drive is wiped again and
        verified: then the data is destroyed and the device moves on."""
        device = self._received("SER-REWIPE")
        failed = self._erase(
            device, medium_serial="DRV-REWIPE", result="failure",
            verification_result="fail",
        )
        self.assertFalse(failed.verified)
        self.assertFalse(device.erasure_verified)
        with self.assertRaises(UserError):
            device.action_mark_erased()
        self._erase(device, medium_serial="DRV-REWIPE")
        self.assertTrue(device.erasure_verified)
        device.action_mark_erased()
        self.assertEqual(device.state, "erased")
        # a failed attempt on another drive still counts as a gap
        other = self._received("SER-REWIPE-2")
        self._erase(other, medium_serial="DRV-A", result="failure", verification_result="fail")
        self._erase(other, medium_serial="DRV-B")
        self.assertFalse(other.erasure_verified)
