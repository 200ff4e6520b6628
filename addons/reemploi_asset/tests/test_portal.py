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
        self.assertEqual(response.status_code, 303)

    def test_home_counter(self):
        self.authenticate("donor_a", "donor_a")
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["equipment_count"]}
        )
        self.assertEqual(counters["equipment_count"], 1)

    def test_tour_donor_follows_device(self):
        self.start_tour("/my", "reemploi_donor_portal", login="donor_a")
