import re
from urllib.parse import unquote_plus, urlencode

from freezegun import freeze_time
from lxml import html

from odoo.tests import HttpCase, tagged

from .common import MarketCase
from .test_shop import ShopHttpCase

# what a new Odoo website shows until someone replaces it
SAMPLE_STRINGS = (
    "YourLogo",
    "555-555",
    "yourcompany",
    "YourCompany",
    "San Francisco",
    "Lorem",
    "Acoustic",
    "Designed for companies",
    "passionate people",
    "Fake Buena Vista",
    "Open Source eCommerce",
)


@tagged("post_install", "-at_install")
class TestTerritoryWebsite(MarketCase, HttpCase):
    """The website speaks for the territory, in French, from its first
    page, without Odoo's sample texts, products or logo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Lang = cls.env["res.lang"]
        Lang._activate_lang("fr_FR")
        french = Lang._lang_get("fr_FR")
        modules = cls.env["ir.module.module"].search(
            [
                ("state", "=", "installed"),
                (
                    "name",
                    "in",
                    [
                        "website",
                        "website_sale",
                        "portal",
                        "reemploi_asset",
                        "reemploi_market",
                        "reemploi_gamification",
                    ],
                ),
            ]
        )
        modules._update_translations(["fr_FR"])
        cls.company = cls.env["res.company"].create(
            {
                "name": "Métropole d'essai — Réemploi",
                "street": "1 place de la Mairie",
                "zip": "38100",
                "city": "Grenoble",
                "country_id": cls.env.ref("base.fr").id,
                "phone": "+33 4 76 00 00 09",
                "email": "reemploi@metropole-essai.example",
                "currency_id": cls.env.ref("base.EUR").id,
            }
        )
        cls.website = cls.env.ref("website.default_website")
        cls.website.write(
            {
                "company_id": cls.company.id,
                # French only: the pages are French whatever the visitor's
                # browser or session asks
                "language_ids": [(6, 0, french.ids)],
                "default_lang_id": french.id,
            }
        )
        # a published product that is not a refurbished device: Odoo's
        # sample furniture in a demo database, anything else elsewhere
        cls.env["product.template"].create(
            {
                "name": "Acoustic Bloc Screens Desk",
                "sale_ok": True,
                "is_published": True,
                "list_price": 295.0,
            }
        )
        cls.device = cls._received("TRACE-4242")
        cls.device_in_use = cls._device("TRACE-IN-USE")

    def _page(self, url, status=200):
        response = self.url_open(url)
        self.assertEqual(response.status_code, status, url)
        return response

    def test_pages_have_no_sample_text(self):
        for url in ("/", "/shop", "/mentions-legales", "/contactus"):
            with self.subTest(url=url):
                text = self._page(url).text
                for sample in SAMPLE_STRINGS:
                    self.assertNotIn(sample, text, f"{sample!r} on {url}")
                # a sample desk, not a desktop computer
                self.assertFalse(re.search(r"\bDesks?\b", text), url)
                self.assertIn(self.company.name, html.fromstring(text).text_content())

    def test_terms_of_sale_are_the_shops(self):
        """The terms of sale (/terms, linked from every product page and the
        checkout) are the shop's, in French, naming the territory's body:
        not Odoo's English sample for "My Company (San Francisco)"; a new
        operator gets them too."""
        # as the settings' "Terms & Conditions" as a web page
        self.env["ir.config_parameter"].set_param("account.use_invoice_terms", True)
        self.company.terms_type = "html"
        text = " ".join(html.fromstring(self._page("/terms").content).text_content().split())
        self.assertIn("Conditions générales de vente de la boutique du réemploi", text)
        self.assertIn(self.company.name, text)
        self.assertIn("décret n° 2022-190", text)
        for sample in (*SAMPLE_STRINGS, "You should update this document", "Odoo S.A."):
            self.assertNotIn(sample, text)
        operator = self.env["res.company"].create({"name": "Ressourcerie du Trièves"})
        operator.terms_type = "html"
        self.assertIn("Ressourcerie du Trièves", str(operator.invoice_terms_html))
        self.assertNotIn("You should update", str(operator.invoice_terms_html))

    def test_home_sends_each_role_to_its_entry(self):
        page = html.fromstring(self._page("/").content)
        self.assertEqual(page.get("lang"), "fr-FR")
        self.assertEqual(len(page.xpath("//main//h1")), 1)
        links = page.xpath("//main//a/@href")
        for url in ("/my", "/shop", "/guide"):
            self.assertIn(url, links)
        self.assertTrue(page.xpath("//form[@action='/tracabilite']//input[@name='reference']"))
        text = " ".join(page.text_content().split())
        self.assertIn("réemploi du matériel informatique", text)

    def test_home_links_the_rankings_with_gamification(self):
        if "gamification.challenge" not in self.env:
            self.skipTest("reemploi_gamification is not installed")
        if "reemploi_kind" not in self.env["gamification.challenge"]._fields:
            self.skipTest("reemploi_gamification is not installed")
        links = html.fromstring(self._page("/").content).xpath("//main//a/@href")
        self.assertIn("/reemploi/challenges", links)

    def test_legal_notice_names_publisher_and_source(self):
        page = html.fromstring(self._page("/mentions-legales").content)
        text = " ".join(page.text_content().split())
        self.assertIn("Mentions légales", text)
        self.assertIn("1 place de la Mairie", text)
        self.assertIn("reemploi@metropole-essai.example", text)
        self.assertIn("https://github.com/reemploi/reemploi", page.xpath("//a/@href"))
        footer = html.fromstring(self._page("/").content).xpath("//footer//a/@href")
        self.assertIn("/mentions-legales", footer)

    def test_shop_lists_only_refurbished_devices(self):
        self.assertIn(
            ("reemploi_grade_id", "!=", False), self.website._product_domain()
        )

    def test_cart_has_one_code_field(self):
        # the referral voucher's; Odoo's discount code is turned off
        self.assertFalse(self.env.ref("website_sale.reduction_code").active)

    def test_lookup_by_serial_opens_the_device_page(self):
        response = self.url_open(
            "/tracabilite?reference=trace-4242", allow_redirects=False
        )
        self.assertEqual(response.status_code, 303)
        self.assertTrue(
            response.headers["Location"].endswith(f"/r/{self.device.qr_token}"),
            response.headers["Location"],
        )
        # the code read from the label, or its whole address, works as well
        for reference in (self.device.qr_token, f"https://x.example/r/{self.device.qr_token}"):
            response = self.url_open(
                f"/tracabilite?reference={reference}", allow_redirects=False
            )
            self.assertEqual(response.status_code, 303, reference)

    def test_lookup_by_a_code_beginning_with_a_dash(self):
        # URL-safe codes may begin with "-" or "_", which no serial does
        for token in ("-fSPY-1eWWff7ovn9eiRRpdOV56JOE-m", "_fSPY-1eWWff7ovn9eiRRpdOV56JOE-m"):
            with self.subTest(token=token):
                self.env.cr.execute(
                    "UPDATE reemploi_equipment SET qr_token = %s WHERE id = %s",
                    (token, self.device.id),
                )
                response = self.url_open(
                    f"/tracabilite?reference={token}", allow_redirects=False
                )
                self.assertEqual(response.status_code, 303, token)
                self.assertTrue(response.headers["Location"].endswith(f"/r/{token}"))

    def test_lookup_of_unknown_device_is_a_french_404(self):
        response = self._page("/tracabilite?reference=NOPE-0000", status=404)
        self.assertIn("Aucun appareil ne correspond", response.text)
        self.assertIn("NOPE-0000", response.text)
        # a device still in use at its owner is not found by its serial
        response = self._page("/tracabilite?reference=TRACE-IN-USE", status=404)
        self.assertNotIn(self.device_in_use.qr_token, response.text)

    def test_lookup_of_garbage_is_refused(self):
        for reference in ("<script>alert(1)</script>", "x" * 300, "%00", "'; DROP"):
            with self.subTest(reference=reference):
                response = self.url_open(
                    f"/tracabilite?{urlencode({'reference': reference})}"
                )
                self.assertEqual(response.status_code, 400)

    def test_lookup_form_without_reference(self):
        page = html.fromstring(self._page("/tracabilite").content)
        self.assertEqual(len(page.xpath("//main//h1")), 1)
        self.assertTrue(page.xpath("//form[@action='/tracabilite']"))

    def test_custody_roots_in_french(self):
        with freeze_time("2031-05-01"):
            root = self.env["reemploi.custody.root"]._publish()
        page = html.fromstring(self._page("/tracabilite/racines").content)
        self.assertEqual(len(page.xpath("//main//h1")), 1)
        text = " ".join(page.text_content().split())
        for french in (
            "Racines de traçabilité publiées",
            "Racine (SHA-256)",
            "Équipements",
            "Vérifier une preuve",
            "Retrouver un appareil",
        ):
            self.assertIn(french, text)
        self.assertIn(root.root, text)
        links = page.xpath("//main//a/@href")
        self.assertIn("/tracabilite/racines.json", links)
        self.assertIn("/tracabilite/racines.atom", links)
        page = html.fromstring(self._page(f"/r/{self.device.qr_token}").content)
        text = " ".join(page.text_content().split())
        for french in (
            "Preuve de traçabilité",
            "Code de l'étiquette",
            "Empreinte de l'événement",
            "Empreinte voisine",
            "Empreintes de l'historique",
        ):
            self.assertIn(french, text)
        self.assertRegex(text, r"\b(gauche|droite)\b")
        lookup = self._page("/tracabilite").text
        self.assertIn("les racines de traçabilité publiées", lookup)

    def test_sitemap_lists_the_lookup_and_the_roots_not_their_feeds(self):
        sitemap = self._page("/sitemap.xml").text
        self.assertIn("/tracabilite</loc>", sitemap)
        self.assertIn("/tracabilite/racines</loc>", sitemap)
        self.assertNotIn("racines.atom", sitemap)


@tagged("post_install", "-at_install")
class TestOrderCompany(ShopHttpCase):
    """A device is ordered from its operator: the order is in the
    operator's company, never in the company of another website."""

    def test_order_lands_in_the_operator_company(self):
        device = self._published("ORDER-X-1")
        self.authenticate("buyer", "buyer")
        self._add_to_cart(device)
        order = self._cart()
        self.assertEqual(order.order_line.reemploi_equipment_id, device)
        self.assertEqual(order.company_id, self.company_x)
        self.assertEqual(order.warehouse_id.company_id, self.company_x)

    def test_website_of_another_company_does_not_sell_it(self):
        device = self._published("ORDER-X-2")
        # the website of operator Y, not the territory's
        self.website.write(
            {"company_id": self.company_y.id, "reemploi_territory_shop": False}
        )
        self.buyer.write({"company_ids": [(4, self.company_y.id)]})
        self.authenticate("buyer", "buyer")
        response = self._add_to_cart(device)
        self.assertLess(response.status_code, 500)
        self.assertFalse(self._cart().order_line)
        self.assertEqual(device.state, "for_sale")


@tagged("post_install", "-at_install")
class TestTerritoryShop(ShopHttpCase):
    """The website of the coordinating body, which is not an operator,
    sells the devices of every operator; each order is made in the company
    of the operator that sells its devices, one operator per order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._territory_shop(cls.buyer)
        cls.device_x = cls._published("TERR-X-1", model="Terr-Book X")
        cls.device_y = cls._graded(
            "TERR-Y-1", model="Terr-Book Y", company=cls.company_y
        )
        cls.device_y.with_user(cls.user_operator_y).action_publish_shop()

    def _warehouse(self, company):
        return self.env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        )

    def test_public_sees_the_devices_of_every_operator(self):
        # the demo's devices are listed as well: look for these models
        shop = self.url_open("/shop?search=Terr-Book")
        self.assertEqual(shop.status_code, 200)
        self.assertIn("Terr-Book X", shop.text)
        self.assertIn("Terr-Book Y", shop.text)
        page = self.url_open(self.device_y.shop_product_id.website_url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("TERR-Y-1", page.text)
        product = self.device_y.shop_product_id
        self.assertFalse(product.company_id)
        self.assertEqual(product.reemploi_operator_id, self.company_y)

    def test_public_cart_in_the_operator_company(self):
        self.authenticate(None, None)
        self._add_to_cart(self.device_y)
        order = self.env["sale.order"].search(
            [("order_line.reemploi_equipment_id", "=", self.device_y.id)]
        )
        self.assertEqual(order.company_id, self.company_y)
        self.assertEqual(order.warehouse_id, self._warehouse(self.company_y))

    def test_one_operator_per_order(self):
        self.authenticate("buyer", "buyer")
        self._add_to_cart(self.device_x)
        order = self._cart()
        self.assertEqual(order.order_line.reemploi_equipment_id, self.device_x)
        self.assertEqual(order.company_id, self.company_x)
        self.assertEqual(order.warehouse_id, self._warehouse(self.company_x))
        cart = self.url_open("/shop/cart")
        self.assertEqual(cart.status_code, 200)
        self.assertIn("TERR-X-1", cart.text)
        response = self._add_to_cart(self.device_y)
        self.assertLess(response.status_code, 500)
        self.assertIn("reemploi_error", response.url)
        self.assertIn(self.company_x.name, unquote_plus(response.url))
        self.assertEqual(self._cart(), order)
        self.assertEqual(order.order_line.reemploi_equipment_id, self.device_x)
        # an emptied cart takes the next operator's device
        order.order_line.unlink()
        self._add_to_cart(self.device_y)
        self.assertEqual(self._cart(), order)
        self.assertEqual(order.company_id, self.company_y)
        self.assertEqual(order.warehouse_id, self._warehouse(self.company_y))
        self.assertEqual(order.order_line.reemploi_equipment_id, self.device_y)
        order.action_confirm()
        self.assertEqual(self.device_y.state, "sold")
        self.assertEqual(order.picking_ids.company_id, self.company_y)

    def test_operator_website_sells_its_own_devices_only(self):
        self.website.write(
            {"company_id": self.company_x.id, "reemploi_territory_shop": False}
        )
        shop = self.url_open("/shop?search=Terr-Book")
        self.assertIn("Terr-Book X", shop.text)
        self.assertNotIn("Terr-Book Y", shop.text)
        page = self.url_open(self.device_y.shop_product_id.website_url)
        self.assertEqual(page.status_code, 404)
