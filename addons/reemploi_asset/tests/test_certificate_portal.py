from odoo.tests import HttpCase, tagged

from .common import ReemploiCase


@tagged("post_install", "-at_install")
class TestCertificateDownload(ReemploiCase, HttpCase):
    """A donor downloads the erasure certificate of its device from the
    portal, with the link of the device's page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device_a = cls._received("CERT-A-1")
        cls._erase(cls.device_a, medium_serial="CERT-A-1-NVME")
        cls.device_b = cls._received("CERT-B-1", owner=cls.donor_b)
        cls._erase(cls.device_b, medium_serial="CERT-B-1-NVME")
        cls.user_donor_a.password = "donor_a"
        cls.user_donor_b.password = "donor_b"

    def _download(self, device):
        return self.url_open(
            f"/my/equipment/{device.id}?report_type=pdf&download=true",
            allow_redirects=False,
        )

    def test_donor_downloads_own_certificate(self):
        self.authenticate("donor_a", "donor_a")
        page = self.url_open(f"/my/equipment/{self.device_a.id}").text
        self.assertIn(
            f"/my/equipment/{self.device_a.id}?report_type=pdf&amp;download=true",
            page,
        )
        response = self._download(self.device_a)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        disposition = response.headers["Content-Disposition"]
        self.assertTrue(disposition.startswith("attachment"), disposition)
        self.assertIn("CERT_A_1.pdf", disposition)
        # while tests run, Odoo renders the report's HTML instead of calling
        # wkhtmltopdf (ir.actions.report._render_qweb_pdf)
        body = response.content
        self.assertTrue(
            body.startswith(b"%PDF") or b"CERT-A-1-NVME" in body, body[:200]
        )

    def test_other_donor_gets_not_found(self):
        self.authenticate("donor_b", "donor_b")
        for report_type in ("pdf", "html", "text"):
            with self.subTest(report_type=report_type):
                response = self.url_open(
                    f"/my/equipment/{self.device_a.id}?report_type={report_type}",
                    allow_redirects=False,
                )
                self.assertEqual(response.status_code, 404)
                self.assertNotIn(b"CERT-A-1-NVME", response.content)
        self.assertEqual(self._download(self.device_b).status_code, 200)

    def test_anonymous_gets_login(self):
        response = self._download(self.device_a)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])
