from odoo import http
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.reemploi_market.tests.common import MarketCase


@tagged("post_install", "-at_install")
class TestAssociationDirectory(MarketCase, HttpCase):
    """An accredited association writes its entry on the portal; its card
    shows whom it equips and where."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.org = cls.env["res.partner"].create({"name": "Asso Entraide", "is_company": True})
        cls.commune = cls.env["reemploi.commune"].create(
            {"name": "Fontaine-Test", "insee_code": "38999", "zip": "38600"}
        )
        cls.association = cls.env["reemploi.association"].create(
            {"partner_id": cls.org.id, "commune_ids": [(6, 0, cls.commune.ids)]}
        )
        contact = cls.env["res.partner"].create({"name": "Bénévole", "parent_id": cls.org.id})
        cls.user_asso = new_test_user(
            cls.env,
            login="asso_user",
            groups="reemploi_social.group_reemploi_association",
            partner_id=contact.id,
        )

    def test_only_an_accredited_association(self):
        with self.assertRaises(ValidationError):
            self.env["reemploi.directory.entry"].create(
                {"kind": "association", "partner_id": self.donor_a.id, "name": "Fausse"}
            )

    def test_association_writes_its_entry_and_is_shown_once_approved(self):
        self.authenticate("asso_user", "asso_user")
        response = self.url_open(
            "/my/annuaire",
            data={
                "name": "Asso Entraide",
                "audience": "Familles et collégiens",
                "city": "Fontaine",
                "submit": "1",
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200)
        entry = self.env["reemploi.directory.entry"].search([("partner_id", "=", self.org.id)])
        self.assertEqual((entry.kind, entry.state), ("association", "submitted"))
        self.assertEqual(entry.audience, "Familles et collégiens")
        self.assertNotIn("Asso Entraide", self.url_open("/annuaire").text)
        entry.with_user(self.user_coordinator).action_approve()
        page = self.url_open("/annuaire?kind=association").text
        self.assertIn("Asso Entraide", page)
        self.assertIn("Familles et collégiens", page)
        self.assertIn("Fontaine-Test", page)
