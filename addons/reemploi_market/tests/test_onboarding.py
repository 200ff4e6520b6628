from odoo import Command, fields
from odoo.tests import Form, new_test_user, tagged

from .common import MarketCase

COORDINATOR = "reemploi_asset.group_reemploi_coordinator"


@tagged("post_install", "-at_install")
class TestRoleOnboarding(MarketCase):
    """Odoo proposes tours only to the administrators of databases without
    demo data; a Réemploi role turns the onboarding on."""

    def test_new_role_users_have_the_onboarding(self):
        self.assertTrue(self.user_operator_x.tour_enabled)
        self.assertTrue(self.user_coordinator.tour_enabled)
        self.assertFalse(self.user_donor_a.tour_enabled)
        clerk = new_test_user(self.env, login="clerk", groups="base.group_user")
        self.assertFalse(clerk.tour_enabled)

    def test_role_added_later_turns_the_onboarding_on(self):
        clerk = new_test_user(self.env, login="clerk", groups="base.group_user")
        clerk.groups_id = [Command.link(self.env.ref(COORDINATOR).id)]
        self.assertTrue(clerk.tour_enabled)
        # switched off by the user, it stays off when other groups change
        clerk.with_user(clerk).switch_tour_enabled(False)
        self.assertFalse(clerk.tour_enabled)
        clerk.groups_id = [Command.link(self.env.ref("base.group_partner_manager").id)]
        self.assertFalse(clerk.tour_enabled)

    def test_role_tour_before_the_apps_tours(self):
        sale_tour = self.env["web_tour.tour"].search([("name", "=", "sale_tour")])
        self.assertTrue(sale_tour, "Sales' tour comes first by sequence")
        for user, expected in (
            (self.user_operator_x, "reemploi_operator_onboarding"),
            (self.user_coordinator, "reemploi_coordinator_onboarding"),
        ):
            with self.subTest(user=user.login):
                Tour = self.env["web_tour.tour"].with_user(user)
                self.assertEqual(Tour.get_current_tour()["name"], expected)
                Tour.consume(expected)
                # and no app's tour (Sales…) after it
                self.assertFalse(Tour.get_current_tour())


@tagged("post_install", "-at_install")
class TestDemoSetup(MarketCase):
    """reemploi.demo._setup, run by demo/build.py on the demo database."""

    def test_french_everywhere_and_onboarding_on(self):
        english = self.env["res.partner"].create({"name": "Contact", "lang": "en_US"})
        self.user_operator_x.tour_enabled = False
        admin = self.env.ref("base.user_admin")
        admin_tour = admin.tour_enabled
        sample = self.env["product.pricelist"].create(
            {"name": "Benelux", "selectable": True}
        )
        self.env["reemploi.demo"]._setup()
        # no sample pricelist offered to the shop's visitors
        self.assertFalse(sample.selectable)
        french = self.env["res.lang"]._lang_get("fr_FR")
        self.assertTrue(french.active)
        self.assertEqual(english.lang, "fr_FR")
        self.assertEqual(self.user_donor_a.lang, "fr_FR")
        self.assertEqual(admin.lang, "fr_FR")
        for website in self.env["website"].search([]):
            self.assertEqual(website.default_lang_id, french)
            self.assertIn(french, website.language_ids)
        self.assertTrue(self.user_operator_x.tour_enabled)
        self.assertEqual(admin.tour_enabled, admin_tour)
        # contacts and users created later are French too
        user = new_test_user(self.env, login="newcomer", groups="base.group_portal")
        self.assertEqual(user.lang, "fr_FR")
        with Form(self.env["res.partner"].with_context(lang="en_US")) as form:
            form.name = "Nouveau contact"
        self.assertEqual(form.record.lang, "fr_FR")

    def test_custody_root_published(self):
        device = self._device("DEMO-ROOT")
        self.env["reemploi.demo"]._setup()
        root = self.env["reemploi.custody.root"].search([])
        self.assertEqual(len(root), 1)
        self.assertEqual(root.date, fields.Date.today())
        self.env.cr.execute(
            "SELECT count(DISTINCT equipment_id) FROM reemploi_custody_event"
        )
        self.assertEqual(root.leaf_count, self.env.cr.fetchone()[0])
        proofs = self.env["reemploi.custody.root"]._latest_proofs(device)
        self.assertEqual(proofs[device.id]["root"], root.root)


    def test_creation_notes_name_the_model_in_french(self):
        """Notes logged while the demo installed, before the modules' French
        was loaded, read "Lot declared by a donor créé": named again."""
        self.env["res.lang"]._activate_lang("fr_FR")
        lot = self._lot(quantities={self.laptop: 1})
        model = self.env["ir.model"]._get("reemploi.lot")
        english = model.with_context(lang="en_US").name
        french = model.with_context(lang="fr_FR").name
        self.assertNotEqual(english, french)
        message = self.env["mail.message"].create(
            {
                "model": "reemploi.lot",
                "res_id": lot.id,
                "message_type": "notification",
                "body": f"<p>{english} créé</p>",
            }
        )
        self.env["reemploi.demo"]._translate_creation_messages("fr_FR")
        message.invalidate_recordset()
        self.assertIn(french, str(message.body))
        self.assertNotIn(english, str(message.body))


@tagged("post_install", "-at_install")
class TestDashboardsApp(MarketCase):
    def _visible(self, user):
        menu = self.env.ref("spreadsheet_dashboard.spreadsheet_dashboard_menu_root")
        # sudo: the groups of the user (env.uid) decide what is visible
        return (
            menu.id in self.env["ir.ui.menu"].with_user(user).sudo()._visible_menu_ids()
        )

    def test_no_empty_dashboards_app_for_the_roles(self):
        self.assertFalse(self._visible(self.user_operator_x))
        self.assertFalse(self._visible(self.user_coordinator))
        manager = new_test_user(
            self.env, login="sales_boss", groups="sales_team.group_sale_manager"
        )
        self.assertTrue(self._visible(manager))
        dashboards = self.env["spreadsheet.dashboard"].with_user(manager).search([])
        self.assertTrue(dashboards, "a user who sees the app has dashboards in it")
