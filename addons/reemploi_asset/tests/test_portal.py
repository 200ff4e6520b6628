from odoo import http
from odoo.tests import HttpCase, tagged

from .common import ReemploiCase


@tagged("post_install", "-at_install")
class TestDonorPortal(ReemploiCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device_a = cls._received("TOUR-A-1", model="Latitude 7490")
        cls._erase(cls.device_a)
        cls.device_b = cls._device("TOUR-B-1", owner=cls.donor_b)
        cls.user_donor_a.password = "donor_a"

    def test_list_shows_only_own_devices(self):
        self.authenticate("donor_a", "donor_a")
        page = self.url_open("/my/equipment").text
        self.assertIn("TOUR-A-1", page)
        self.assertNotIn("TOUR-B-1", page)

    def test_other_donor_device_redirects(self):
        self.authenticate("donor_a", "donor_a")
        response = self.url_open(
            f"/my/equipment/{self.device_b.id}", allow_redirects=False
        )
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my"))

    def test_certificate_of_own_device(self):
        self.authenticate("donor_a", "donor_a")
        response = self.url_open(f"/my/equipment/{self.device_a.id}?report_type=html")
        self.assertEqual(response.status_code, 200)
        self.assertIn("TOUR-A-1-D1", response.text)
        response = self.url_open(
            f"/my/equipment/{self.device_b.id}?report_type=html", allow_redirects=False
        )
        self.assertEqual(response.status_code, 404)

    def test_home_counter(self):
        self.authenticate("donor_a", "donor_a")
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["equipment_count"]}
        )
        self.assertEqual(counters["equipment_count"], 1)

    def test_tour_donor_follows_device(self):
        self.start_tour("/my", "reemploi_donor_portal", login="donor_a")


@tagged("post_install", "-at_install")
class TestDonorPortalImport(ReemploiCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_donor_a.password = "donor_a"
        cls.user_donor_b.password = "donor_b"

    def _upload(self, content, filename="parc.csv"):
        return self.url_open(
            "/my/equipment/import",
            data={"csrf_token": http.Request.csrf_token(self)},
            files={"inventory_file": (filename, content, "text/csv")},
        )

    def test_donor_imports_own_inventory(self):
        self.authenticate("donor_a", "donor_a")
        self.assertIn(
            "o_reemploi_import_form", self.url_open("/my/equipment/import").text
        )
        content = (
            "Numéro de série;Type;Modèle\nPORTAL-1;Portable;T480\n;Portable;T470\n"
        )
        response = self._upload(content.encode())
        self.assertEqual(response.status_code, 200)
        self.assertIn("/my/equipment/import/", response.url)
        self.assertIn("no serial number", response.text)
        device = self.Equipment.search([("serial", "=", "PORTAL-1")])
        self.assertEqual(device.owner_id, self.donor_a)
        self.assertEqual(device.custody_event_ids.user_id, self.user_donor_a)
        # the other donor cannot open that run
        self.authenticate("donor_b", "donor_b")
        run_url = response.url.replace(self.base_url(), "")
        other = self.url_open(run_url, allow_redirects=False)
        self.assertEqual(other.status_code, 303)

    def test_unreadable_file_explained(self):
        self.authenticate("donor_a", "donor_a")
        response = self._upload(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "photo.csv"
        )
        self.assertIn("o_reemploi_import_failed", response.text)
        self.assertFalse(self.Equipment.search([("owner_id", "=", self.donor_a.id)]))

    def test_empty_upload_refused(self):
        self.authenticate("donor_a", "donor_a")
        response = self._upload(b"")
        self.assertIn("Choose a file to upload", response.text)
