from odoo.tests import HttpCase, tagged

from .common import ReemploiCase


@tagged("post_install", "-at_install")
class TestTraceabilityPage(ReemploiCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.donor_a.write({"name": "Mairie Secrète", "email": "dsi@secret.example"})
        cls.device = cls._received(
            "SER-PUBLIC-42",
            asset_tag="INV-PRIVATE-7",
            model="Latitude 7490",
            site_id=cls.env["res.partner"]
            .create({"name": "Site Interne Caché", "parent_id": cls.donor_a.id})
            .id,
        )
        cls._erase(cls.device)
        cls.device.action_mark_erased()
        cls._grading(cls.device)
        cls.device.with_user(cls.user_operator_x).action_grade()
        cls.device.action_donate()

    def test_public_page_shows_story(self):
        response = self.url_open(f"/r/{self.device.qr_token}")
        self.assertEqual(response.status_code, 200)
        page = response.text
        for text in ("Laptop", "Latitude 7490", "Verified", "175 kg", "Donated"):
            self.assertIn(text, page)
        self.assertIn(">A<", page.replace(" ", ""))

    def test_public_page_hides_personal_and_donor_data(self):
        page = self.url_open(f"/r/{self.device.qr_token}").text
        for secret in (
            "Mairie Secrète",
            "secret.example",
            "Site Interne Caché",
            "INV-PRIVATE-7",
            "SER-PUBLIC-42",
            self.user_operator_x.name,
            "Opérateur X",
        ):
            self.assertNotIn(secret, page)

    def test_wrong_token_is_404(self):
        self.assertEqual(self.url_open("/r/" + "x" * 32).status_code, 404)
        self.assertEqual(self.url_open("/r/short").status_code, 404)
        token = self.device.qr_token
        # one character changed: never the token itself (a token may end in "_")
        wrong = token[:-1] + ("-" if token[-1] == "_" else "_")
        self.assertEqual(self.url_open("/r/" + wrong).status_code, 404)

    def test_tokens_are_unguessable(self):
        other = self._device("SER-PUBLIC-43")
        self.assertNotEqual(other.qr_token, self.device.qr_token)
        self.assertGreaterEqual(len(self.device.qr_token), 32)

    def test_label_pdfs(self):
        devices = (
            self.device | self._device("SER-LABEL-2") | self._device("SER-LABEL-3")
        )
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        for report in ("action_report_label_sheet", "action_report_label_62mm"):
            pdf, kind = Report._render_qweb_pdf(f"reemploi_asset.{report}", devices.ids)
            self.assertEqual(kind, "pdf")
            self.assertTrue(pdf.startswith(b"%PDF"), report)
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "reemploi_asset.action_report_label_sheet", devices.ids
        )
        self.assertEqual(html.decode().count("data:image/png;base64,"), 3)

    def test_qr_encodes_traceability_url(self):
        self.assertTrue(
            self.device.traceability_url.endswith(f"/r/{self.device.qr_token}")
        )
        png = self.device._qr_code_png()
        self.assertTrue(png.startswith(b"\x89PNG"))

    def test_certificate_pdf(self):
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        pdf, kind = Report._render_qweb_pdf(
            "reemploi_asset.action_report_erasure_certificate", self.device.ids
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
