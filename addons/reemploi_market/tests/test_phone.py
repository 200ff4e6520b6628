from odoo.tests import HttpCase, tagged

from .common_phone import PhoneScreenshotMixin
from .test_collection import CollectionCase
from .test_shop import ShopCase


@tagged("post_install", "-at_install", "reemploi_phone")
class TestOnAPhone(ShopCase, CollectionCase, PhoneScreenshotMixin, HttpCase):
    """The donor's lots, the shop, a product page and the check-in screen in
    a 360 px wide phone: nothing overflows sideways; the screenshots are
    kept (see common_phone.screenshots_dir)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_donor_a.password = "donor_a"
        cls.user_driver_x.password = "driver_x"
        cls.for_sale = cls._published("PHONE-SHOP-1", model="EliteBook 840 G6")
        cls._published("PHONE-SHOP-2", model="EliteBook 840 G6", scratched=True)
        cls.declared = cls._lot(quantities={cls.laptop: 4})
        cls.declared.action_declare()
        cls.round = cls._round(cls.lot)
        cls.round.action_plan()
        cls.checkin = cls._checkin(cls.lot)
        cls.checkin.scan_code(cls.device_1.serial)

    def test_donor_lots(self):
        self.assertFitsAPhone(
            "/my/lots",
            "donor_a",
            "donor_lots",
            ".o_portal_wrap table, .o_portal_wrap .list-group",
        )

    def test_shop(self):
        self.assertFitsAPhone("/shop", "buyer", "shop", "#products_grid .oe_product")

    def test_product_page(self):
        url = self.for_sale.shop_product_id.product_tmpl_id.website_url
        self.assertFitsAPhone(url, "buyer", "product", "#product_detail")

    def test_checkin_screen(self):
        self.assertFitsAPhone(
            f"/odoo/action-reemploi_lot_checkin?active_id={self.checkin.id}",
            "driver_x",
            "operator_checkin",
            ".o_reemploi_checkin .o_reemploi_checkin_line",
        )
