from datetime import date, timedelta

import psycopg2
from freezegun import freeze_time

from odoo import fields, http
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.reemploi_market.tests.test_shop import ShopHttpCase

from .common import TODAY, SocialCase


@tagged("post_install", "-at_install")
class TestAccreditation(SocialCase):
    @freeze_time(TODAY)
    def test_status_follows_the_dates(self):
        Association = self.env["reemploi.association"]
        self.assertEqual(self.association_a.accreditation_status, "valid")
        self.assertEqual(self.association_b.accreditation_status, "expired")
        pending = self._association(
            "Association C", accreditation_start=date(2027, 1, 1)
        )
        missing = self._association("Association D", accreditation_number=False)
        self.assertEqual(pending.accreditation_status, "not_yet")
        self.assertEqual(missing.accreditation_status, "missing")
        mine = Association.search(
            [
                (
                    "id",
                    "in",
                    (self.association_a | self.association_b | pending | missing).ids,
                )
            ]
        )
        for status, expected in (
            ("valid", self.association_a),
            ("expired", self.association_b),
            ("not_yet", pending),
            ("missing", missing),
        ):
            found = mine.filtered_domain([("accreditation_status", "=", status)])
            self.assertEqual(found, expected, status)
            others = mine.filtered_domain([("accreditation_status", "!=", status)])
            self.assertEqual(others, mine - expected, status)

    @freeze_time(TODAY)
    def test_expired_association_is_told_why(self):
        self.assertFalse(self.association_a._solidarity_refusal())
        message = self.association_b._solidarity_refusal()
        self.assertIn("Association B", message)
        self.assertIn("31/10/2026", message)
        nobody = self.env["reemploi.association"]._for_partner(self.buyer.partner_id)
        self.assertFalse(nobody)
        self.assertIn("accredited associations", nobody._solidarity_refusal())


@tagged("post_install", "-at_install")
class TestSolidarityPrices(SocialCase):
    def test_ceiling_caps_the_shop_price(self):
        device = self._published("SOL-P-1")
        product = device.shop_product_id
        self.assertEqual(product.lst_price, 300.0)
        self.assertEqual(self.solidarity._get_product_price(product, 1.0), 150.0)
        # below the ceiling, the shop price stays
        self.laptop.shop_list_price = 90.0
        cheap = self._published("SOL-P-2", model="Cheap-Book")
        self.assertEqual(
            self.solidarity._get_product_price(cheap.shop_product_id, 1.0), 90.0
        )

    def test_never_a_default_pricelist(self):
        """An ordinary customer never falls back on the solidarity
        pricelist, even when it comes first."""
        self.solidarity.sequence = 0
        others = self.env["product.pricelist"].search(
            [("id", "!=", self.solidarity.id)]
        )
        others.action_archive()
        partner = self.env["res.partner"].create({"name": "Client ordinaire"})
        self.assertFalse(partner.property_product_pricelist)
        order = self.env["sale.order"].create({"partner_id": partner.id})
        self.assertFalse(order.pricelist_id)

    def test_ceiling_applies_to_its_category_only(self):
        device = self._published("SOL-P-3")
        item = self.env.ref("reemploi_social.pricelist_solidarity_item_laptop")
        item.reemploi_category_id = self.smartphone
        self.assertEqual(
            self.solidarity._get_product_price(device.shop_product_id, 1.0), 300.0
        )


@tagged("post_install", "-at_install")
class TestQuotas(SocialCase):
    @freeze_time(TODAY)
    def test_confirmation_takes_the_quota(self):
        first, second, third = (self._published(f"SOL-Q-{n}") for n in range(3))
        order = self._solidarity_order(self.user_association_a, first, second)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.reemploi_association_id, self.association_a)
        self.assertEqual(order.order_line.reemploi_quota_id, self.quota_a)
        self.assertEqual(self.quota_a.used_qty, 2)
        self.assertEqual(self.quota_a.remaining_qty, 0)
        self.assertEqual(order.amount_untaxed, 300.0)
        # the quota is used up: a third device is refused, nothing is sold
        extra = self._solidarity_order(self.user_association_a, third)
        with self.assertRaises(UserError) as refusal:
            extra.action_confirm()
        self.assertIn("0 device(s) left", refusal.exception.args[0])
        self.assertIn("Association A", refusal.exception.args[0])
        self.assertEqual(third.state, "for_sale")

    @freeze_time(TODAY)
    def test_cancel_gives_the_quota_back(self):
        device = self._published("SOL-Q-10")
        order = self._solidarity_order(self.user_association_a, device)
        order.action_confirm()
        self.assertEqual(self.quota_a.used_qty, 1)
        order._action_cancel()
        self.assertEqual(self.quota_a.used_qty, 0)
        self.assertFalse(order.order_line.reemploi_quota_id)

    @freeze_time(TODAY)
    def test_expired_accreditation_cannot_order(self):
        device = self._published("SOL-Q-20")
        order = self._solidarity_order(self.user_association_b, device)
        with self.assertRaises(UserError) as refusal:
            order.action_confirm()
        self.assertIn("expired on 31/10/2026", refusal.exception.args[0])
        self.assertEqual(self.quota_b.used_qty, 0)

    @freeze_time(TODAY)
    def test_no_quota_for_the_category(self):
        device = self._published("SOL-Q-30")
        self.quota_a.unlink()
        order = self._solidarity_order(self.user_association_a, device)
        with self.assertRaises(UserError) as refusal:
            order.action_confirm()
        self.assertIn("no quota of", refusal.exception.args[0])

    @freeze_time(TODAY)
    def test_quota_of_another_period_does_not_count(self):
        device = self._published("SOL-Q-40")
        self.quota_a.write(
            {"date_from": date(2027, 1, 1), "date_to": date(2027, 3, 31)}
        )
        order = self._solidarity_order(self.user_association_a, device)
        with self.assertRaises(UserError):
            order.action_confirm()
        self.assertEqual(self.quota_a.used_qty, 0)

    def test_database_keeps_used_within_limit(self):
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.CheckViolation),
        ):
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    "UPDATE reemploi_quota SET used_qty = limit_qty + 1 WHERE id = %s",
                    [self.quota_a.id],
                )

    def test_consume_is_atomic_on_the_row(self):
        self.quota_a._consume(2)
        with self.assertRaises(UserError):
            self.quota_a._consume(1)
        self.env.cr.execute(
            "SELECT used_qty FROM reemploi_quota WHERE id = %s", [self.quota_a.id]
        )
        self.assertEqual(self.env.cr.fetchone()[0], 2)

    def test_overlapping_quotas_refused(self):
        with self.assertRaises(Exception) as error:
            self._quota(
                self.association_a, self.laptop, 3, date(2026, 12, 1), date(2027, 2, 28)
            )
        self.assertIn("overlapping", str(error.exception))

    def test_limit_below_used_refused(self):
        self.quota_a._consume(2)
        with self.assertRaises(Exception) as error:
            self.quota_a.limit_qty = 1
        self.assertIn("cannot be lower", str(error.exception))


@tagged("post_install", "-at_install")
class TestSocialAccess(SocialCase):
    def test_association_sees_its_own_records_only(self):
        Association = self.env["reemploi.association"].with_user(
            self.user_association_a
        )
        self.assertEqual(Association.search([]), self.association_a)
        Quota = self.env["reemploi.quota"].with_user(self.user_association_a)
        self.assertEqual(Quota.search([]), self.quota_a)
        with self.assertRaises(AccessError):
            self.association_b.with_user(self.user_association_a).read(["name"])
        with self.assertRaises(AccessError):
            self.quota_a.with_user(self.user_association_a).write({"limit_qty": 99})

    def test_others_cannot_touch_quotas(self):
        with self.assertRaises(AccessError):
            self.env["reemploi.quota"].with_user(self.buyer).search([])
        with self.assertRaises(AccessError):
            self.quota_a.with_user(self.user_operator_x).write({"limit_qty": 99})
        self.quota_a.with_user(self.user_coordinator).write({"limit_qty": 3})
        self.assertEqual(self.quota_a.limit_qty, 3)


class SolidarityHttpCase(SocialCase, ShopHttpCase):
    """Quotas and accreditations around today: pages are served by a real
    server thread, whose clock is not frozen."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.association_a.write(
            {
                "accreditation_start": today - timedelta(days=365),
                "accreditation_end": today + timedelta(days=365),
            }
        )
        cls.association_b.write(
            {
                "accreditation_start": today - timedelta(days=900),
                "accreditation_end": today - timedelta(days=10),
            }
        )
        (cls.quota_a | cls.quota_b).write(
            {
                "date_from": today - timedelta(days=30),
                "date_to": today + timedelta(days=30),
            }
        )

    def _confirm(self):
        return self.url_open(
            "/shop/solidarity/confirm",
            data={"csrf_token": http.Request.csrf_token(self)},
            allow_redirects=False,
        )

    def _cart_of(self, user):
        return self.env["sale.order"].search(
            [("partner_id", "=", user.partner_id.id)], order="id desc", limit=1
        )


@tagged("post_install", "-at_install")
class TestSolidarityShop(SolidarityHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device_1 = cls._published("SOL-H-1")
        cls.device_2 = cls._published("SOL-H-2")
        cls.device_3 = cls._published("SOL-H-3")

    def test_association_sees_solidarity_prices_and_quota(self):
        self.authenticate("asso_a", "asso_a")
        page = self.url_open(self.device_1.shop_product_id.website_url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("150.00", page.text)
        shop = self.url_open("/shop")
        self.assertIn("Solidarity prices for", shop.text)
        self.assertIn("Association A", shop.text)
        self.assertIn('class="o_reemploi_quota_left">2<', shop.text)
        self.assertIn("o_reemploi_ceilings", shop.text)

    def test_expired_association_pays_list_price_and_is_told(self):
        self.authenticate("asso_b", "asso_b")
        page = self.url_open(self.device_1.shop_product_id.website_url)
        self.assertIn("300.00", page.text)
        self.assertNotIn("150.00", page.text)
        shop = self.url_open("/shop")
        self.assertIn("Solidarity prices do not apply", shop.text)
        self.assertIn("expired on", shop.text)

    def test_buyer_sees_no_solidarity(self):
        self.authenticate("buyer", "buyer")
        shop = self.url_open("/shop")
        self.assertNotIn("o_reemploi_solidarity", shop.text)
        page = self.url_open(self.device_1.shop_product_id.website_url)
        self.assertNotIn("150.00", page.text)
        # a buyer checks out with the shop's own button
        self._add_to_cart(self.device_2)
        cart = self.url_open("/shop/cart")
        self.assertIn('name="website_sale_main_button"', cart.text)
        self.assertNotIn("/shop/solidarity/confirm", cart.text)

    def test_association_orders_on_invoice(self):
        self.authenticate("asso_a", "asso_a")
        self._add_to_cart(self.device_1)
        cart = self._cart_of(self.user_association_a)
        self.assertEqual(cart.pricelist_id, self.solidarity)
        self.assertEqual(cart.amount_untaxed, 150.0)
        page = self.url_open("/shop/cart")
        self.assertIn("/shop/solidarity/confirm", page.text)
        self.assertIn("(1 in your cart)", page.text)
        # one step, on invoice: no "1 of 3, next: delivery" above the cart
        self.assertNotIn("o_wizard", page.text)
        response = self._confirm()
        self.assertEqual(response.status_code, 303)
        self.assertIn(f"/my/orders/{cart.id}", response.headers["Location"])
        self.assertEqual(cart.state, "sale")
        self.assertEqual(self.quota_a.used_qty, 1)
        self.assertEqual(self.device_1.state, "sold")
        # paid on the operator's invoice, not "immediate payment"
        self.assertEqual(
            cart.payment_term_id, self.env.ref("account.account_payment_term_30days")
        )

    def test_cart_kept_across_sessions(self):
        self.authenticate("asso_a", "asso_a")
        self._add_to_cart(self.device_2)
        # a new session, as on another device or after logging out
        self.authenticate("asso_a", "asso_a")
        page = self.url_open("/shop/cart")
        self.assertIn("SOL-H-2", page.text)
        self.assertIn("/shop/solidarity/confirm", page.text)
        # one order button: the shop's own checkout is not offered beside it
        self.assertNotIn('name="website_sale_main_button"', page.text)

    def test_cart_refuses_beyond_the_quota(self):
        self.quota_a.limit_qty = 1
        self.authenticate("asso_a", "asso_a")
        self._add_to_cart(self.device_1)
        response = self._add_to_cart(self.device_2)
        self.assertIn("1 device(s) left", response.text)
        cart = self._cart_of(self.user_association_a)
        self.assertEqual(cart.order_line.reemploi_equipment_id, self.device_1)

    def test_device_taken_meanwhile_sends_back_to_cart(self):
        self.authenticate("asso_a", "asso_a")
        self._add_to_cart(self.device_3)
        other = self._order(self.device_3)
        other.action_confirm()
        response = self._confirm()
        self.assertEqual(response.status_code, 303)
        self.assertIn("/shop/cart?reemploi_error=", response.headers["Location"])
        cart = self._cart_of(self.user_association_a)
        self.assertEqual(cart.state, "draft")
        self.assertEqual(self.quota_a.used_qty, 0)
        page = self.url_open(response.headers["Location"])
        self.assertIn("o_reemploi_cart_error", page.text)


@tagged("post_install", "-at_install")
class TestSolidarityTerritoryShop(SolidarityHttpCase):
    """On the website of the coordinating body, an association's order is
    made and confirmed in the company of the operator that sells."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._territory_shop(cls.user_association_a)
        cls.device = cls._published("SOL-T-1")

    def test_association_order_lands_in_the_operator_company(self):
        self.authenticate("asso_a", "asso_a")
        self._add_to_cart(self.device)
        cart = self._cart_of(self.user_association_a)
        self.assertEqual(cart.company_id, self.company_x)
        self.assertEqual(cart.pricelist_id, self.solidarity)
        self.assertEqual(cart.amount_untaxed, 150.0)
        response = self._confirm()
        self.assertEqual(response.status_code, 303)
        self.assertIn(f"/my/orders/{cart.id}", response.headers["Location"])
        self.assertEqual(cart.state, "sale")
        self.assertEqual(cart.company_id, self.company_x)
        self.assertEqual(self.quota_a.used_qty, 1)
        self.assertEqual(self.device.state, "sold")
