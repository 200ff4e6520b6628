"""The public directory of the actors: each actor writes its own entry, the
coordinator approves it, and only approved entries (and donors that agreed)
reach the website."""

from odoo import Command, http
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from odoo.addons.reemploi_asset.tests.test_integrity_rpc import RpcMixin

from .common import MarketCase


class DirectoryCase(MarketCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Entry = cls.env["reemploi.directory.entry"]
        cls.entry_x = cls.Entry.create(
            {
                "kind": "operator",
                "company_id": cls.company_x.id,
                "name": "Atelier X",
                "activity_refurbish": True,
                "city": "Échirolles",
                "latitude": 45.1418,
                "longitude": 5.7097,
                "category_ids": [Command.set(cls.laptop.ids)],
                "state": "approved",
            }
        )
        cls.entry_y = cls.Entry.create(
            {
                "kind": "operator",
                "company_id": cls.company_y.id,
                "name": "Recyclerie Y",
                "activity_collect": True,
                "city": "Fontaine",
                "state": "submitted",
            }
        )
        cls.entry_donor_a = cls.Entry.create(
            {
                "kind": "donor",
                "partner_id": cls.donor_a.id,
                "name": "Donateur A public",
                "city": "Meylan",
                "donor_consent": True,
                "state": "approved",
            }
        )
        cls.entry_donor_b = cls.Entry.create(
            {
                "kind": "donor",
                "partner_id": cls.donor_b.id,
                "name": "Donateur B discret",
                "city": "Grenoble",
                "donor_consent": False,
                "state": "approved",
            }
        )


@tagged("post_install", "-at_install")
class TestDirectoryEntry(DirectoryCase):
    def test_operator_edits_its_own_entry_only(self):
        self.entry_x.with_user(self.user_operator_x).write({"phone": "04 76 00 00 01"})
        self.assertEqual(self.entry_x.phone, "04 76 00 00 01")
        with self.assertRaises(AccessError):
            self.entry_y.with_user(self.user_operator_x).write({"name": "Pris"})
        self.assertEqual(self.entry_y.name, "Recyclerie Y")
        # nor an entry for another company
        with self.assertRaises(AccessError):
            self.Entry.with_user(self.user_operator_x).create(
                {"kind": "operator", "company_id": self.company_y.id, "name": "Faux Y"}
            )

    def test_donor_edits_its_own_entry_only(self):
        self.entry_donor_a.with_user(self.user_donor_a).write({"description": "Nous"})
        self.assertEqual(self.entry_donor_a.description, "Nous")
        with self.assertRaises(AccessError):
            self.entry_donor_b.with_user(self.user_donor_a).write({"name": "Pris"})
        # nor reads the other's, nor writes an operator's
        self.assertFalse(
            self.Entry.with_user(self.user_donor_a).search([("id", "=", self.entry_donor_b.id)])
        )
        with self.assertRaises(AccessError):
            self.entry_x.with_user(self.user_donor_a).write({"name": "Pris"})

    def test_only_the_coordinator_approves(self):
        for user, entry in (
            (self.user_operator_y, self.entry_y),
            (self.user_donor_b, self.entry_donor_b),
        ):
            with self.assertRaises(AccessError):
                entry.with_user(user).write({"state": "approved"})
            with self.assertRaises(AccessError):
                entry.with_user(user).action_approve()
            with self.assertRaises(AccessError):
                entry.with_user(user).write({"review_note": "Parfait"})
        self.assertEqual(self.entry_y.state, "submitted")
        with self.assertRaises(AccessError):
            self.Entry.with_user(self.user_donor_a).create(
                {"kind": "donor", "partner_id": self.donor_a.id, "name": "A",
                 "state": "approved"}
            )
        self.entry_y.with_user(self.user_coordinator).action_approve()
        self.assertEqual(self.entry_y.state, "approved")

    def test_a_portal_user_cannot_take_another_organisation(self):
        other = self.env["res.partner"].create({"name": "Donateur C", "is_company": True})
        with self.assertRaises(AccessError):
            self.entry_donor_a.with_user(self.user_donor_a).write(
                {"partner_id": self.donor_b.id}
            )
        with self.assertRaises(AccessError):
            self.Entry.with_user(self.user_donor_a).create(
                {"kind": "donor", "partner_id": other.id, "name": "C"}
            )

    def test_change_of_an_approved_entry_goes_back_to_review(self):
        entry = self.entry_x.with_user(self.user_operator_x)
        entry.write({"description": "Nouveau texte"})
        self.assertEqual(self.entry_x.state, "submitted")
        self.assertFalse(self.entry_x.is_public)
        # a donor withdrawing its consent leaves at once, no review needed
        self.entry_donor_a.with_user(self.user_donor_a).write({"donor_consent": False})
        self.assertEqual(self.entry_donor_a.state, "approved")
        self.assertFalse(self.entry_donor_a.is_public)

    def test_a_donor_submits_only_with_its_consent(self):
        self.entry_donor_b.write({"state": "draft"})
        with self.assertRaisesRegex(Exception, "Show our organisation"):
            self.entry_donor_b.with_user(self.user_donor_b).action_submit()
        self.assertEqual(self.entry_donor_b.state, "draft")

    def test_bad_input_is_refused_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        entry = self.entry_x.with_user(self.user_operator_x).with_context(lang="fr_FR")
        with self.assertRaises(ValidationError) as err:
            entry.write({"latitude": 145.0})
        self.assertIn("La latitude de Atelier X doit être comprise entre -90 et 90", str(err.exception))
        with self.assertRaises(ValidationError) as err:
            entry.write({"description": "<script>alert(1)</script>"})
        self.assertIn("contient du HTML", str(err.exception))
        with self.assertRaises(ValidationError):
            entry.write({"website_url": "javascript:alert(1)"})
        self.assertEqual(self.entry_x.latitude, 45.1418)

    def test_donor_figures_come_from_the_register(self):
        self._received("DIR-1", owner=self.donor_a)
        self._device("DIR-2", owner=self.donor_a)  # still in use: not handed
        self.assertEqual(self.entry_donor_a.devices_handed_count, 1)


@tagged("post_install", "-at_install")
class TestDirectoryForms(DirectoryCase):
    """The backend flows: the operator edits its entry, the coordinator
    approves or refuses it."""

    def test_operator_fills_its_entry_and_the_coordinator_approves(self):
        company = self.env["res.company"].create(
            {"name": "Opérateur Z", "city": "Fontaine", "reemploi_category_ids": [Command.set(self.laptop.ids)]}
        )
        user = self._operator("op_z", company)
        action = self.Entry.with_user(user).with_company(company).action_open_my_entry()
        entry = self.Entry.browse(action["res_id"])
        self.assertEqual(entry.company_id, company)
        self.assertEqual(entry.city, "Fontaine")
        with Form(entry.with_user(user)) as form:
            form.description = "Collecte et reconditionnement"
            form.activity_refurbish = True
            form.latitude = 45.2026
            form.longitude = 5.6776
        entry.with_user(user).action_submit()
        self.assertEqual(entry.state, "submitted")
        # the same menu opens the same entry, not a second one
        again = self.Entry.with_user(user).with_company(company).action_open_my_entry()
        self.assertEqual(again["res_id"], entry.id)

        with Form(entry.with_user(self.user_coordinator)) as form:
            form.review_note = "Merci d'ajouter vos horaires."
        with self.assertRaises(AccessError):
            entry.with_user(user).action_refuse()
        entry.with_user(self.user_coordinator).action_refuse()
        self.assertEqual(entry.state, "refused")

        with Form(entry.with_user(user)) as form:
            form.opening_hours = "Lundi – vendredi, 9 h – 17 h"
        self.assertEqual(entry.state, "submitted")
        entry.with_user(self.user_coordinator).action_approve()
        self.assertEqual(entry.state, "approved")
        self.assertFalse(entry.review_note)

    def test_refusal_needs_a_note(self):
        with self.assertRaisesRegex(Exception, "why the entry"):
            self.entry_y.with_user(self.user_coordinator).action_refuse()
        self.assertEqual(self.entry_y.state, "submitted")


@tagged("post_install", "-at_install")
class TestDirectoryWebsite(DirectoryCase, HttpCase, RpcMixin):
    def _post(self, data):
        return self.url_open(
            "/my/annuaire", data=dict(data, csrf_token=http.Request.csrf_token(self))
        )

    def test_only_approved_entries_and_consenting_donors_are_public(self):
        page = self.url_open("/annuaire")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Atelier X", page.text)
        self.assertIn("Donateur A public", page.text)
        self.assertNotIn("Recyclerie Y", page.text)  # waiting for approval
        self.assertNotIn("Donateur B discret", page.text)  # no consent
        data = self.url_open("/annuaire/acteurs.json").json()
        names = {e["name"] for e in data["entries"]}
        self.assertIn("Atelier X", names)
        self.assertIn("Donateur A public", names)
        self.assertNotIn("Recyclerie Y", names)
        self.assertNotIn("Donateur B discret", names)
        point = next(e for e in data["entries"] if e["name"] == "Atelier X")
        self.assertEqual((point["lat"], point["lon"]), (45.1418, 5.7097))
        # nothing a donor did not choose to show
        self.assertEqual(
            set(point), {"id", "name", "kind", "kind_label", "city", "lat", "lon"}
        )

    def test_filters(self):
        # (the database may hold demo entries: only ours are looked at)
        data = self.url_open("/annuaire/acteurs.json?kind=donor").json()
        names = {e["name"] for e in data["entries"]}
        self.assertIn("Donateur A public", names)
        self.assertNotIn("Atelier X", names)
        self.assertEqual({e["kind"] for e in data["entries"]}, {"donor"})
        data = self.url_open(f"/annuaire/acteurs.json?category={self.laptop.id}").json()
        names = {e["name"] for e in data["entries"]}
        self.assertIn("Atelier X", names)
        self.assertNotIn("Donateur A public", names)
        page = self.url_open("/annuaire?commune=meylan&activity=").text
        self.assertIn("Donateur A public", page)
        self.assertNotIn("Atelier X", page)
        page = self.url_open("/annuaire?activity=refurbish&category=abc&kind=<b>").text
        self.assertIn("Atelier X", page)

    def test_page_without_map_tiles(self):
        self.env["ir.config_parameter"].set_param("reemploi_market.directory_tile_url", False)
        page = self.url_open("/annuaire")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Atelier X", page.text)
        self.assertIn('data-tile-url=""', page.text)

    def test_rpc_approval_refused(self):
        self.authenticate("op_y", "op_y")
        answer = self._call_kw(
            "reemploi.directory.entry", "write", [[self.entry_y.id], {"state": "approved"}]
        )
        self.assertIn("error", answer)
        answer = self._call_kw(
            "reemploi.directory.entry", "write", [[self.entry_x.id], {"name": "Pris"}]
        )
        self.assertIn("error", answer)
        self.entry_y.invalidate_recordset()
        self.entry_x.invalidate_recordset()
        self.assertEqual(self.entry_y.state, "submitted")
        self.assertEqual(self.entry_x.name, "Atelier X")

    def test_portal_donor_writes_its_own_entry(self):
        self.entry_donor_b.unlink()
        self.authenticate("donor_b", "donor_b")
        page = self.url_open("/my/annuaire")
        self.assertEqual(page.status_code, 200)
        form = {
            "name": "Donateur B",
            "city": "Fontaine",
            "latitude": "45,2026",
            "longitude": "5.6776",
            "donor_consent": "1",
            "submit": "1",
        }
        response = self._post(form)
        self.assertEqual(response.status_code, 200)
        entry = self.Entry.search([("partner_id", "=", self.donor_b.id)])
        self.assertEqual(entry.state, "submitted")
        self.assertAlmostEqual(entry.latitude, 45.2026)
        # whatever the form says, the post writes the user's own entry
        self._post(dict(form, name="Pris", partner_id=self.donor_a.id))
        self.entry_donor_a.invalidate_recordset()
        self.assertEqual(self.entry_donor_a.name, "Donateur A public")
        # and over RPC neither
        answer = self._call_kw(
            "reemploi.directory.entry", "write", [[self.entry_donor_a.id], {"name": "Pris"}]
        )
        self.assertIn("error", answer)

    def test_portal_bad_input_shows_an_error(self):
        self.authenticate("donor_a", "donor_a")
        response = self._post({"name": "A", "latitude": "912", "longitude": "5.7"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("must be between -90 and 90", response.text)
        response = self._post({"name": "<b>A</b>", "latitude": "nord"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("is not a number", response.text)
        response = self._post({"name": "<b>A</b>"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("contains HTML", response.text)
        self.entry_donor_a.invalidate_recordset()
        self.assertEqual(self.entry_donor_a.name, "Donateur A public")

    def test_a_user_with_no_organisation_role_has_no_form(self):
        self.authenticate("op_x", "op_x")
        self.assertEqual(self.url_open("/my/annuaire").status_code, 404)
