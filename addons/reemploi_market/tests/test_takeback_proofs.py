import io
import json

import openpyxl
from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.reemploi_asset.tests.test_custody_root import independent_verify

from .common_takeback import REPORT_REF, TakebackCase


@tagged("post_install", "-at_install")
class TestTakebackProofs(TakebackCase):
    """The take-back report prints each device's proof against the latest
    published custody root (reemploi_asset's reemploi.custody.root)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2031-05-01"):
            cls.root = cls.env["reemploi.custody.root"]._publish()
        cls.proofs = cls.env["reemploi.custody.root"]._latest_proofs(cls.devices)

    def test_every_device_has_a_proof(self):
        self.assertEqual(set(self.proofs), set(self.devices.ids))
        for proof in self.proofs.values():
            self.assertEqual(proof["root"], self.root.root)
            self.assertTrue(independent_verify(proof))

    def test_report_prints_the_proofs(self):
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(REPORT_REF, self.lot.ids)[0]
            .decode()
        )
        self.assertIn("Traceability proofs", html)
        self.assertIn("/tracabilite/racines", html)
        self.assertIn("2031-05-01", html)
        for device in self.devices:
            proof = self.proofs[device.id]
            with self.subTest(device=device.serial):
                for text in (proof["token"], proof["event_hash"], proof["leaf"]):
                    self.assertIn(text, html)
                for step in proof["path"]:
                    self.assertIn(step["hash"], html)
        self.assertNotIn(self.other.qr_token, html)

    def test_device_taken_back_after_the_root(self):
        device = self._device("L-LATE")
        lot = self._processed_lot(device, self.company_x)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(REPORT_REF, lot.ids)[0]
            .decode()
        )
        self.assertIn("not in a published custody root yet", html)
        self.assertNotIn(device.qr_token, html)

    def test_xlsx_sheet_of_proofs(self):
        action = self.lot.with_user(self.user_operator_x).action_takeback_xlsx()
        attachment_id = int(action["url"].split("/")[3].split("?")[0])
        raw = self.env["ir.attachment"].browse(attachment_id).raw
        sheet = openpyxl.load_workbook(io.BytesIO(raw))["Traceability proofs"]
        self.assertEqual(
            [cell.value for cell in sheet[1]],
            [
                "Serial number",
                "Label code",
                "Event no.",
                "Event hash",
                "Leaf",
                "Root of",
                "Root",
                "Proof (JSON)",
            ],
        )
        rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
        self.assertEqual(set(rows), set(self.devices.mapped("serial")))
        for device in self.devices:
            serial, token, sequence, event_hash, leaf, day, root, path = rows[
                device.serial
            ]
            proof = {
                "token": token,
                "event_hash": event_hash,
                "root": root,
                "path": json.loads(path),
            }
            with self.subTest(device=serial):
                self.assertEqual(token, device.qr_token)
                self.assertEqual(sequence, self.proofs[device.id]["sequence"])
                self.assertEqual((day, root), ("2031-05-01", self.root.root))
                self.assertEqual(leaf, self.proofs[device.id]["leaf"])
                self.assertTrue(independent_verify(proof))
