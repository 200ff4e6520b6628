import base64
import re
from datetime import timedelta

from odoo import fields, http
from odoo.tests import HttpCase, new_test_user, tagged

from .common import MarketCase, QueryCountMixin

# a 1x1 transparent PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)


class LotPortalCase(MarketCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_donor_a.password = "donor_a"
        cls.user_donor_b.password = "donor_b"

    def _form(self, **values):
        today = fields.Date.today()
        data = {
            "csrf_token": http.Request.csrf_token(self),
            "site_id": str(self.site_a.id),
            "pickup_address": "1 rue du Lac\n38000 Grenoble",
            "date_from": fields.Date.to_string(today + timedelta(days=1)),
            "date_to": fields.Date.to_string(today + timedelta(days=20)),
            "floor": "2",
            "has_lift": "1",
            "access_notes": "Sonner à l'accueil",
            "contact_name": "Jeanne Accueil",
            "contact_phone": "04 76 00 00 00",
            "contact_email": "jeanne@example.org",
            "action": "declare",
        }
        data.update(values)
        return data

    def _post(self, url, data, files=None):
        return self.url_open(url, data=data, files=files)


@tagged("post_install", "-at_install")
class TestLotPortal(LotPortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device_a = cls._device("PORTAL-A-1", model="Latitude 7490")
        cls.device_a.action_to_decommission()
        cls.device_b = cls._device("PORTAL-B-1", owner=cls.donor_b)
        cls.device_b.action_to_decommission()
        cls.lot_a = cls._lot(quantities={cls.monitor: 2})
        cls.lot_b = cls._lot(donor=cls.donor_b, quantities={cls.laptop: 1})

    def test_home_counter(self):
        self.authenticate("donor_a", "donor_a")
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["lot_count"]}
        )
        self.assertEqual(counters["lot_count"], 1)

    def test_home_shows_lots_to_a_donor_without_lot(self):
        """A donor finds where to declare its first lot; a portal user who
        is not a donor is not offered lots."""
        self.env["reemploi.lot"].search([("partner_id", "=", self.donor_b.id)]).unlink()
        self.authenticate("donor_b", "donor_b")
        home = self.url_open("/my").text
        card = re.search(
            r'<div class="o_portal_index_card ([^"]*)">\s*<a href="/my/lots"', home
        )
        self.assertTrue(card, "no lots card on the portal home")
        self.assertNotIn("d-none", card.group(1))
        new_test_user(
            self.env, login="visitor", password="visitor", groups="base.group_portal"
        )
        self.authenticate("visitor", "visitor")
        home = self.url_open("/my").text
        card = re.search(
            r'<div class="o_portal_index_card ([^"]*)">\s*<a href="/my/lots"', home
        )
        self.assertTrue(card is None or "d-none" in card.group(1))

    def test_form_finds_a_device_by_serial_or_model(self):
        other = self._device("PORTAL-A-2", model="OptiPlex 7060")
        other.action_to_decommission()
        self.authenticate("donor_a", "donor_a")
        form = self.url_open("/my/lots/new?device_search=optiplex").text
        self.assertIn("PORTAL-A-2", form)
        self.assertNotIn("PORTAL-A-1", form)
        form = self.url_open("/my/lots/new?device_search=+portal-a-1+").text
        self.assertIn("PORTAL-A-1", form)
        self.assertNotIn("PORTAL-A-2", form)
        # another donor's device is never found
        form = self.url_open("/my/lots/new?device_search=PORTAL-B").text
        self.assertNotIn("PORTAL-B-1", form)

    def test_list_shows_only_own_lots(self):
        self.authenticate("donor_a", "donor_a")
        page = self.url_open("/my/lots").text
        self.assertIn(self.lot_a.name, page)
        self.assertNotIn(self.lot_b.name, page)
        filtered = self.url_open("/my/lots?filterby=done").text
        self.assertNotIn(self.lot_a.name, filtered)
        self.assertIn(self.lot_a.name, self.url_open("/my/lots?filterby=draft").text)

    def test_guessed_url_of_another_lot(self):
        self.authenticate("donor_a", "donor_a")
        missing_id = self.lot_b.id + 1000
        for url in (
            f"/my/lots/{self.lot_b.id}",
            f"/my/lots/{missing_id}",
            f"/my/lots/{self.lot_b.id}/edit",
        ):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(response.status_code, 404)
        response = self._post(
            f"/my/lots/{self.lot_b.id}/cancel",
            {"csrf_token": http.Request.csrf_token(self)},
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.lot_b.state, "draft")

    def test_access_token_opens_the_lot(self):
        token = self.lot_a._portal_ensure_token()
        response = self.url_open(f"/my/lots/{self.lot_a.id}?access_token={token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.lot_a.name, response.text)
        response = self.url_open(f"/my/lots/{self.lot_a.id}?access_token=wrong")
        self.assertEqual(response.status_code, 404)

    def test_lot_page(self):
        self.authenticate("donor_a", "donor_a")
        page = self.url_open(self.lot_a.access_url).text
        self.assertIn("o_reemploi_lot_timeline", page)
        self.assertIn("o_reemploi_lot_documents", page)
        self.assertIn("o_reemploi_lot_edit", page)

    def test_declare_from_the_form(self):
        self.authenticate("donor_a", "donor_a")
        form = self.url_open("/my/lots/new?device_state=all").text
        self.assertIn("PORTAL-A-1", form)
        self.assertNotIn("PORTAL-B-1", form)
        data = self._form(**{"equipment_id": str(self.device_a.id)})
        data[f"qty_{self.monitor.id}"] = "3"
        response = self._post(
            "/my/lots/new", data, files={"photos": ("quai.png", PNG, "image/png")}
        )
        self.assertEqual(response.status_code, 200)
        lot = self.Lot.search([("line_ids.equipment_id", "=", self.device_a.id)])
        self.assertTrue(response.url.endswith(f"/my/lots/{lot.id}?message=declared"))
        self.assertEqual(lot.state, "declared")
        self.assertEqual(lot.partner_id, self.donor_a)
        self.assertEqual(lot.device_count, 4)
        self.assertTrue(lot.has_lift)
        self.assertEqual(lot.floor, 2)
        self.assertEqual(self.device_a.state, "declared")
        self.assertEqual(lot.photo_ids.mapped("mimetype"), ["image/png"])
        self.assertIn(f"/web/image/{lot.photo_ids.id}/", response.text)
        self.assertEqual(
            self.url_open(f"/web/image/{lot.photo_ids.id}").status_code, 200
        )

    def test_bad_input_shown_again(self):
        self.authenticate("donor_a", "donor_a")
        data = self._form(
            date_from="31/02/2026",
            contact_email="pas-une-adresse",
            floor="rez-de-chaussée",
            access_notes="Code portail 1234B",
            equipment_id=str(self.device_a.id),
        )
        data[f"qty_{self.monitor.id}"] = "beaucoup"
        response = self._post("/my/lots/new", data)
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn("o_reemploi_lot_errors", page)
        self.assertIn("This e-mail address is not valid", page)
        self.assertIn("Enter a date", page)
        self.assertIn("Enter a floor number", page)
        self.assertIn("Enter a number of devices", page)
        # what the user typed is still there
        for typed in (
            "Code portail 1234B",
            "pas-une-adresse",
            "beaucoup",
            "31/02/2026",
        ):
            self.assertIn(typed, page)
        self.assertRegex(page, rf'value="{self.device_a.id}"[^>]*checked')
        self.assertFalse(self.Lot.search([("access_notes", "=", "Code portail 1234B")]))

    def test_foreign_device_refused(self):
        self.authenticate("donor_a", "donor_a")
        data = self._form(equipment_id=[str(self.device_a.id), str(self.device_b.id)])
        response = self._post("/my/lots/new", data)
        self.assertIn("not in your register", response.text)
        self.assertNotIn("PORTAL-B-1", response.text)
        self.assertFalse(
            self.Lot.search([("line_ids.equipment_id", "=", self.device_b.id)])
        )
        self.assertEqual(self.device_b.state, "to_decommission")

    def test_not_an_image_refused(self):
        self.authenticate("donor_a", "donor_a")
        response = self._post(
            "/my/lots/new",
            self._form(**{f"qty_{self.laptop.id}": "1"}),
            files={"photos": ("virus.png", b"MZ\x90\x00not an image", "image/png")},
        )
        self.assertIn("virus.png is not a photo", response.text)
        self.assertFalse(
            self.Lot.search(
                [("partner_id", "=", self.donor_a.id), ("state", "=", "declared")]
            )
        )

    def test_failed_declaration_keeps_the_draft(self):
        self.authenticate("donor_a", "donor_a")
        response = self._post("/my/lots/new", self._form(access_notes="Lot vide"))
        lot = self.Lot.search([("access_notes", "=", "Lot vide")])
        self.assertEqual(lot.state, "draft")
        self.assertIn(f"/my/lots/{lot.id}/edit", response.text)
        self.assertIn(f"Lot {lot.name} cannot be declared yet", response.text)
        # completed and declared from its page
        data = self._form(access_notes="Lot vide")
        data[f"qty_{self.laptop.id}"] = "2"
        response = self._post(f"/my/lots/{lot.id}/edit", data)
        self.assertTrue(response.url.endswith("?message=declared"))
        self.assertEqual((lot.state, lot.device_count), ("declared", 2))

    def test_save_draft_then_cancel(self):
        self.authenticate("donor_a", "donor_a")
        data = self._form(action="save", equipment_id=str(self.device_a.id))
        response = self._post("/my/lots/new", data)
        self.assertTrue(response.url.endswith("?message=saved"))
        lot = self.Lot.search([("line_ids.equipment_id", "=", self.device_a.id)])
        self.assertEqual(lot.state, "draft")
        self.assertEqual(self.device_a.state, "to_decommission")
        response = self._post(
            f"/my/lots/{lot.id}/cancel", {"csrf_token": http.Request.csrf_token(self)}
        )
        self.assertTrue(response.url.endswith("?message=cancelled"))
        self.assertEqual(lot.state, "cancelled")

    def test_csrf_token_required(self):
        self.authenticate("donor_a", "donor_a")
        data = self._form(csrf_token="forged", access_notes="Sans jeton")
        data[f"qty_{self.laptop.id}"] = "1"
        response = self._post("/my/lots/new", data)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.Lot.search([("access_notes", "=", "Sans jeton")]))

    def test_tour_donor_declares_a_lot(self):
        self.start_tour("/my", "reemploi_lot_declare", login="donor_a")
        lot = self.Lot.search([("line_ids.equipment_id", "=", self.device_a.id)])
        self.assertEqual(lot.state, "declared")
        self.assertEqual(lot.device_count, 3)
        self.assertEqual(self.device_a.state, "declared")


@tagged("post_install", "-at_install")
class TestLotPortalQueries(QueryCountMixin, LotPortalCase):
    """The list and the lot page do not grow with the database."""

    def _populate(self, count, prefix):
        devices = self.env["reemploi.equipment"].create(
            [
                {
                    "serial": f"{prefix}-{index}",
                    "category_id": self.laptop.id,
                    "owner_id": self.donor_a.id,
                    "state": "to_decommission",
                }
                for index in range(count)
            ]
        )
        lots = self.Lot.create(
            [
                self._lot_values(devices=device, quantities={self.monitor: 1})
                for device in devices
            ]
        )
        lots[: count // 2].action_declare()
        return lots

    def test_list_and_lot_page_constant(self):
        lots = self._populate(10, "Q1")
        lot = lots[0]
        self.authenticate("donor_a", "donor_a")
        urls = ("/my/lots", lot.access_url)
        counts = {url: self._query_count(url) for url in urls}
        self._populate(200, "Q2")
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self._query_count(url), counts[url])
