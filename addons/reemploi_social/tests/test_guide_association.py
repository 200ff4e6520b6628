from lxml import html

from odoo.tests import tagged

from odoo.addons.reemploi_market.tests.common_phone import PhoneScreenshotMixin

from .test_solidarity import SolidarityHttpCase


@tagged("post_install", "-at_install")
class TestAssociationGuide(SolidarityHttpCase):
    def _page(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return html.fromstring(response.content)

    def test_listed_among_the_guides(self):
        page = self._page("/guide")
        links = page.xpath("//ul[contains(@class, 'o_reemploi_guide_roles')]//a/@href")
        self.assertEqual(
            links,
            [
                "/guide/donor",
                "/guide/operator",
                "/guide/association",
                "/guide/coordinator",
            ],
        )

    def test_covers_orders_imports_grades_and_vouchers(self):
        page = self._page("/guide/association")
        self.assertEqual(len(page.xpath("//h1")), 1)
        toc = page.xpath("//nav[contains(@class, 'o_reemploi_guide_toc')]//a/@href")
        for section in (
            "order",
            "allocations",
            "handovers",
            "import",
            "grade",
            "vouchers",
        ):
            with self.subTest(section=section):
                self.assertIn(f"#{section}", toc)
                self.assertEqual(len(page.xpath(f"//section[@id='{section}']/h2")), 1)

    def test_portal_home_links_the_guide(self):
        self.authenticate("asso_a", "asso_a")
        page = self._page("/my")
        self.assertTrue(page.xpath("//a[@href='/guide/association']"))
        self.authenticate("buyer", "buyer")
        page = self._page("/my")
        self.assertFalse(page.xpath("//a[@href='/guide/association']"))


@tagged("post_install", "-at_install", "reemploi_phone")
class TestAssociationCartOnAPhone(PhoneScreenshotMixin, SolidarityHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device = cls._published("SOL-PHONE-1", model="ThinkPad T480")

    def test_association_cart(self):
        self.authenticate("asso_a", "asso_a")
        self._add_to_cart(self.device)
        cart = self._cart_of(self.user_association_a)
        self.assertEqual(cart.order_line.reemploi_equipment_id, self.device)
        self.assertFitsAPhone(
            "/shop/cart", "asso_a", "association_cart", ".o_reemploi_solidarity_confirm"
        )
