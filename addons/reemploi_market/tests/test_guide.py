import io
import json

from lxml import html
from PIL import Image

from odoo.tests import HttpCase, tagged

from .common import MarketCase
from .test_shop import ShopCase

ROLES = ("donor", "operator", "coordinator")
SHARED_SECTIONS = ("import", "grade", "vouchers")


class GuideHttpCase(MarketCase, HttpCase):
    def _page(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return html.fromstring(response.content)


@tagged("post_install", "-at_install")
class TestGuidePages(GuideHttpCase):
    def test_index_lists_every_role(self):
        page = self._page("/guide")
        links = page.xpath("//ul[contains(@class, 'o_reemploi_guide_roles')]//a/@href")
        for role in ROLES:
            self.assertIn(f"/guide/{role}", links)
        self.assertEqual(len(page.xpath("//h1")), 1)

    def test_each_guide_covers_imports_grades_and_vouchers(self):
        for role in ROLES:
            with self.subTest(role=role):
                page = self._page(f"/guide/{role}")
                self.assertEqual(len(page.xpath("//h1")), 1)
                toc = page.xpath(
                    "//nav[contains(@class, 'o_reemploi_guide_toc')]//a/@href"
                )
                for section in SHARED_SECTIONS:
                    found = page.xpath(f"//section[@id='{section}']")
                    self.assertEqual(len(found), 1, section)
                    # a section is named by its heading, and listed on top
                    self.assertTrue(found[0].xpath("./h2[@id=../@aria-labelledby]"))
                    self.assertIn(f"#{section}", toc)
                # every anchor of the table of contents exists
                for anchor in toc:
                    self.assertTrue(page.xpath(f"//*[@id='{anchor[1:]}']"), anchor)

    def test_import_section_says_how_to_replay(self):
        page = self._page("/guide/operator")
        text = " ".join(page.xpath("//section[@id='import']")[0].text_content().split())
        for words in ("Replay rejected rows", "Mappings", "Rows to check"):
            self.assertIn(words, text)

    def test_unknown_role_is_not_found(self):
        response = self.url_open("/guide/nobody")
        self.assertEqual(response.status_code, 404)

    def test_guides_in_the_website_menu(self):
        page = self._page("/")
        self.assertTrue(page.xpath("//header//a[@href='/guide']"))

    def test_portal_home_links_the_donor_guide(self):
        self.user_donor_a.password = "donor_a"
        self.authenticate("donor_a", "donor_a")
        page = self._page("/my")
        self.assertTrue(page.xpath("//a[@href='/guide/donor']"))

    def test_portal_home_of_a_buyer_has_no_donor_guide(self):
        buyer = self.env["res.users"].create(
            {
                "name": "Acheteur",
                "login": "plain_buyer",
                "password": "plain_buyer",
                "groups_id": [(6, 0, self.env.ref("base.group_portal").ids)],
            }
        )
        self.assertFalse(buyer.has_group("reemploi_asset.group_reemploi_donor"))
        self.authenticate("plain_buyer", "plain_buyer")
        page = self._page("/my")
        self.assertFalse(page.xpath("//a[@href='/guide/donor']"))


@tagged("post_install", "-at_install")
class TestGuideMenus(MarketCase):
    def _visible(self, user, xmlid):
        menu = self.env.ref(xmlid)
        # sudo: a portal user may not read menus at all; the groups of the
        # user (env.uid) decide what is visible
        menus = self.env["ir.ui.menu"].with_user(user).sudo()
        return menu.id in menus._visible_menu_ids()

    def test_each_role_has_its_guide(self):
        menu = "reemploi_market.reemploi_guide_menu"
        self.assertTrue(self._visible(self.user_operator_x, menu))
        self.assertTrue(self._visible(self.user_coordinator, menu))
        self.assertFalse(self._visible(self.user_donor_a, menu))
        action = self.env.ref(menu).action
        for user, url in (
            (self.user_operator_x, "/guide/operator"),
            (self.user_coordinator, "/guide/coordinator"),
            (self.env.ref("base.user_admin"), "/guide/coordinator"),
        ):
            opened = action.with_user(user).run()
            self.assertEqual((opened["type"], opened["url"]), ("ir.actions.act_url", url))
        # one "Guide" in the top bar, whatever roles the user has
        admin_menus = self.env["ir.ui.menu"].with_user(self.env.ref("base.user_admin"))
        root = self.env.ref("reemploi_asset.reemploi_root_menu")
        names = admin_menus.search([("parent_id", "=", root.id)]).mapped("name")
        self.assertEqual(names.count("Guide"), 1)

    def test_onboarding_tour_is_proposed(self):
        tour = self.env.ref("reemploi_market.reemploi_operator_onboarding_tour")
        self.assertFalse(tour.custom)
        self.assertEqual(tour.url, "/odoo")
        # the onboarding proposes the first tour not yet done, by sequence
        user = self.user_operator_x
        others = self.env["web_tour.tour"].search(
            [("id", "!=", tour.id), ("sequence", "<=", tour.sequence)]
        )
        others.user_consumed_ids = [(4, user.id)]
        user.tour_enabled = True
        current = self.env["web_tour.tour"].with_user(user).get_current_tour()
        self.assertEqual(current["name"], "reemploi_operator_onboarding")
        tour.with_user(user).consume("reemploi_operator_onboarding")
        current = self.env["web_tour.tour"].with_user(user).get_current_tour()
        self.assertFalse(current and current["name"] == "reemploi_operator_onboarding")

    def test_each_role_is_proposed_its_own_tour(self):
        operator_tour = self.env.ref(
            "reemploi_market.reemploi_operator_onboarding_tour"
        )
        coordinator_tour = self.env.ref(
            "reemploi_market.reemploi_coordinator_onboarding_tour"
        )
        tours = operator_tour | coordinator_tour
        # Odoo's own tours done: ours are what is left
        (self.env["web_tour.tour"].search([]) - tours).user_consumed_ids = [
            (4, self.user_operator_x.id),
            (4, self.user_coordinator.id),
        ]
        for user, expected in (
            (self.user_operator_x, "reemploi_operator_onboarding"),
            (self.user_coordinator, "reemploi_coordinator_onboarding"),
        ):
            with self.subTest(user=user.login):
                user.tour_enabled = True
                Tour = self.env["web_tour.tour"].with_user(user)
                self.assertEqual(Tour.get_current_tour()["name"], expected)
                self.assertEqual(Tour.search([("id", "in", tours.ids)]).name, expected)
                Tour.consume(expected)
                self.assertFalse(Tour.get_current_tour())


@tagged("post_install", "-at_install")
class TestOnboardingTour(MarketCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_operator_x.password = "op_x"
        cls._received("ONBOARD-1")
        # the coordinator's tour opens a lot of the list
        cls._lot(quantities={cls.laptop: 1}).action_declare()
        # the tests run the tours themselves: the onboarding that would start
        # them at login (test_onboarding.py) would run them a second time
        (cls.user_operator_x | cls.user_coordinator).tour_enabled = False

    def test_coordinator_onboarding_runs(self):
        self.user_coordinator.password = "coordinator"
        self.start_tour(
            "/odoo",
            "reemploi_coordinator_onboarding",
            login=self.user_coordinator.login,
        )

    def test_operator_onboarding_runs(self):
        self.start_tour("/odoo", "reemploi_operator_onboarding", login="op_x")
        # the tour ends on a new grading, not saved
        self.assertFalse(
            self.env["reemploi.grading"].search(
                [("company_id", "=", self.company_x.id)]
            )
        )


@tagged("post_install", "-at_install")
class TestPwa(ShopCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_donor_a.password = "donor_a"
        cls._published("PWA-1")

    def test_manifest(self):
        response = self.url_open("/reemploi/manifest.webmanifest")
        self.assertEqual(response.status_code, 200)
        self.assertIn("application/manifest+json", response.headers["Content-Type"])
        manifest = json.loads(response.content)
        self.assertEqual(manifest["name"], "Réemploi")
        self.assertTrue(manifest["short_name"])
        self.assertEqual(manifest["start_url"], "/my")
        self.assertEqual(manifest["display"], "standalone")
        self.assertRegex(manifest["theme_color"], r"^#[0-9a-f]{6}$")
        sizes = {icon["sizes"] for icon in manifest["icons"]}
        self.assertEqual(sizes, {"192x192", "512x512"})

    def test_icons_have_their_sizes(self):
        manifest = json.loads(self.url_open("/reemploi/manifest.webmanifest").content)
        for icon in manifest["icons"]:
            with self.subTest(icon=icon["src"]):
                response = self.url_open(icon["src"])
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.headers["Content-Type"], "image/png")
                image = Image.open(io.BytesIO(response.content))
                self.assertEqual(image.format, "PNG")
                self.assertEqual("x".join(map(str, image.size)), icon["sizes"])

    def test_service_worker_at_the_root(self):
        response = self.url_open("/reemploi-sw.js")
        self.assertEqual(response.status_code, 200)
        self.assertIn("javascript", response.headers["Content-Type"])
        self.assertEqual(response.headers["Service-Worker-Allowed"], "/")
        self.assertIn('addEventListener("fetch"', response.text)
        offline = self.url_open("/reemploi_market/static/src/pwa/offline.html")
        self.assertEqual(offline.status_code, 200)

    def _head(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return html.fromstring(response.content).xpath("//head")[0]

    def test_manifest_linked_on_shop_and_portal(self):
        for url, login in (
            ("/shop", None),
            ("/my", "donor_a"),
            ("/my/lots", "donor_a"),
        ):
            with self.subTest(url=url):
                if login:
                    self.authenticate(login, login)
                head = self._head(url)
                self.assertEqual(
                    head.xpath("link[@rel='manifest']/@href"),
                    ["/reemploi/manifest.webmanifest"],
                )
                self.assertEqual(
                    head.xpath("meta[@name='theme-color']/@content"), ["#1f6f43"]
                )
