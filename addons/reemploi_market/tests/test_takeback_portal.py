import io

import openpyxl

from odoo.tests import HttpCase, tagged

from .common_takeback import TakebackCase


@tagged("post_install", "-at_install")
class TestTakebackPortal(TakebackCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_donor_a.password = "donor_a"
        cls.user_donor_b.password = "donor_b"
        cls.lot.with_user(cls.user_operator_x).action_report()

    def _serials(self, response):
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return {row[0] for row in sheet.iter_rows(min_row=7, values_only=True)}

    def test_donor_downloads_the_lot_report(self):
        self.authenticate("donor_a", "donor_a")
        page = self.url_open(self.lot.access_url).text
        self.assertIn(f"/my/lots/{self.lot.id}/takeback.pdf", page)
        response = self.url_open(f"/my/lots/{self.lot.id}/takeback.pdf")
        self.assertEqual(response.status_code, 200)
        # while tests run, Odoo renders reports as HTML (test_takeback checks
        # the real PDF)
        attachment = self.lot.takeback_attachment_id
        self.assertEqual(response.headers["Content-Type"], attachment.mimetype)
        self.assertEqual(response.content, attachment.raw)
        self.assertIn("L-SOLD", response.text)
        response = self.url_open(f"/my/lots/{self.lot.id}/takeback.xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertIn("L-SOLD", self._serials(response))

    def test_guessed_report_urls(self):
        """A donor never gets another organisation's report, nor learns
        whether the lot exists."""
        self.authenticate("donor_b", "donor_b")
        for url in (
            f"/my/lots/{self.lot.id}/takeback.pdf",
            f"/my/lots/{self.lot.id}/takeback.xlsx",
            f"/my/lots/{self.lot.id + 1000}/takeback.pdf",
        ):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(response.status_code, 404)
        # donor B's own lot is processed, not reported yet: no PDF
        response = self.url_open(f"/my/lots/{self.lot_b.id}/takeback.pdf")
        self.assertEqual(response.status_code, 404)
        page = self.url_open(self.lot_b.access_url).text
        self.assertNotIn("o_reemploi_lot_takeback_pdf", page)

    def test_report_made_on_demand(self):
        """A lot reported while the modules loaded (demo data) has no PDF
        yet: the portal makes it when the donor asks for it."""
        self.lot.takeback_attachment_id = False
        self.authenticate("donor_a", "donor_a")
        response = self.url_open(f"/my/lots/{self.lot.id}/takeback.pdf")
        self.assertEqual(response.status_code, 200)
        self.assertIn("L-SOLD", response.text)
        self.lot.invalidate_recordset(["takeback_attachment_id"])
        self.assertTrue(self.lot.takeback_attachment_id)

    def test_access_token(self):
        self.assertEqual(
            self.url_open(f"/my/lots/{self.lot.id}/takeback.pdf").status_code, 404
        )
        token = self.lot._portal_ensure_token()
        response = self.url_open(
            f"/my/lots/{self.lot.id}/takeback.pdf?access_token={token}"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("L-SOLD", response.text)

    def test_period_report_of_the_own_organisation(self):
        day = self.lot.date_declared.date().isoformat()
        query = f"?date_from={day}&date_to={day}"
        self.authenticate("donor_a", "donor_a")
        page = self.url_open(f"/my/takeback{query}").text
        self.assertIn("o_reemploi_takeback_totals", page)
        self.assertIn("Take-back report for Donateur A", page)
        response = self.url_open(f"/my/takeback.xlsx{query}")
        self.assertEqual(
            self._serials(response) - {None},
            {"L-SOLD", "L-DON", "L-REC", "L-MISS", "00042", "Total"}
            | {"Sold", "Donated", "Recycled", "In progress", "Missing"},
        )
        response = self.url_open(f"/my/takeback.pdf{query}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("L-REC-D1 (destroy)", response.text)
        self.assertNotIn("B-SOLD", response.text)
        # another donor's period report only holds its own devices, whatever
        # is asked
        self.authenticate("donor_b", "donor_b")
        response = self.url_open(
            f"/my/takeback.xlsx{query}&partner_id={self.donor_a.id}"
        )
        serials = self._serials(response)
        self.assertIn("B-SOLD", serials)
        self.assertNotIn("L-SOLD", serials)

    def test_internal_users_have_no_period_page(self):
        self.user_operator_x.password = "op_x"
        self.authenticate("op_x", "op_x")
        response = self.url_open("/my/takeback", allow_redirects=False)
        self.assertEqual(response.status_code, 404)
