from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from lxml import html

from odoo import fields, http
from odoo.tests import HttpCase, tagged

from odoo.addons.reemploi_market.tests.test_shop import shop_order

from .common_voucher import VoucherCase


class VoucherHttpCase(VoucherCase, HttpCase):
    """Pages are served by a real server thread, whose clock is not frozen:
    the vouchers here are valid around today."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()

    @classmethod
    def _fresh_voucher(cls, code, **values):
        return cls._voucher(
            code,
            date_issued=cls.today - timedelta(days=1),
            date_expiry=cls.today + timedelta(days=30),
            **values,
        )

    def _post(self, url, **data):
        data["csrf_token"] = http.Request.csrf_token(self)
        return self.url_open(url, data=data, allow_redirects=False)

    def _message(self, response, key):
        self.assertEqual(response.status_code, 303)
        query = parse_qs(urlparse(response.headers["Location"]).query)
        return query.get(key, [""])[0]


@tagged("post_install", "-at_install")
class TestVoucherCart(VoucherHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device = cls._published("VOU-H-1")
        cls.voucher = cls._fresh_voucher("HTTP-2M9X-PQ")

    def _cart(self):
        return self.env["sale.order"].search(
            [("partner_id", "=", self.buyer.partner_id.id), ("state", "=", "draft")],
            order="id desc",
            limit=1,
        )

    def test_buyer_applies_a_voucher_in_the_cart(self):
        self.authenticate("buyer", "buyer")
        self._post("/shop/reemploi/add", equipment_id=str(self.device.id))
        page = self.url_open("/shop/cart")
        self.assertIn("o_reemploi_voucher_form", page.text)
        response = self._post("/shop/voucher", code="http 2m9x pq")
        message = self._message(response, "reemploi_voucher_ok")
        self.assertIn("HTTP-2M9X-PQ applied", message)
        cart = self._cart()
        self.assertEqual(cart.order_line.reemploi_voucher_id, self.voucher)
        self.assertEqual(cart.amount_untaxed, 150.0)
        page = self.url_open(response.headers["Location"])
        self.assertIn("o_reemploi_cart_vouchers", page.text)
        self.assertIn("HTTP-2M9X-PQ", page.text)
        # what the voucher takes off, printed next to it
        line = html.fromstring(page.content).xpath(
            "//*[contains(@class, 'o_reemploi_cart_vouchers')]//li"
        )[0]
        public = line.xpath(".//*[contains(@class, 'o_reemploi_voucher_price')]//del")[0]
        paid = line.xpath(".//*[contains(@class, 'o_reemploi_voucher_paid')]")[0]
        self.assertIn("300", public.text_content())
        self.assertIn("150", paid.text_content())
        self.assertEqual(cart.order_line._reemploi_voucher_prices(), (300.0, 150.0))
        attempt = self._attempts()
        self.assertEqual(attempt.result, "ok")
        self.assertEqual(attempt.ip_address, "127.0.0.1")
        # removed: the ordinary price again
        self._post("/shop/voucher/remove", line_id=str(cart.order_line.id))
        self.assertFalse(cart.order_line.reemploi_voucher_id)
        self.assertEqual(cart.amount_untaxed, 300.0)

    def test_wrong_code_is_told_and_shown(self):
        self.authenticate("buyer", "buyer")
        self._post("/shop/reemploi/add", equipment_id=str(self.device.id))
        response = self._post("/shop/voucher", code="ZZZZ-ZZZZ-ZZ")
        message = self._message(response, "reemploi_voucher_error")
        self.assertIn("No voucher has the code ZZZZ-ZZZZ-ZZ", message)
        page = self.url_open(response.headers["Location"])
        self.assertIn("o_reemploi_voucher_error", page.text)
        self.assertEqual(self._attempts().result, "unknown")

    def test_without_a_cart_nothing_is_tried(self):
        self.authenticate(None, None)
        response = self._post("/shop/voucher", code=self.voucher.code)
        self.assertTrue(response.headers["Location"].endswith("/shop/cart"))
        self.assertFalse(self._attempts())


@tagged("post_install", "-at_install")
class TestVoucherPortal(VoucherHttpCase):
    def _issue(self, **values):
        data = {
            "issuer_id": str(self.ccas.id),
            "category_id": str(self.laptop.id),
            "need_category_id": str(self.need_job.id),
            "commune_id": str(self.grenoble.id),
        }
        data.update(values)
        return self._post("/my/vouchers/issue", **data)

    def test_issuer_issues_and_lists_its_vouchers(self):
        theirs = self._fresh_voucher("THEI-RS00-01", issuer=self.department)
        self.authenticate("issuer_ccas", "issuer_ccas")
        page = self.url_open("/my")
        self.assertIn("/my/vouchers", page.text)
        response = self._issue()
        location = response.headers["Location"]
        self.assertIn("/my/vouchers?issued=", location)
        voucher = self.Voucher.search([("issuer_id", "=", self.ccas.id)])
        self.assertEqual(len(voucher), 1)
        self.assertEqual(voucher.issued_by_id, self.user_issuer)
        page = self.url_open(location)
        self.assertIn("o_reemploi_voucher_issued", page.text)
        self.assertIn(voucher.code, page.text)
        self.assertNotIn(theirs.code, page.text)
        # cancelled from the list
        self._post(f"/my/vouchers/{voucher.id}/cancel")
        self.assertEqual(voucher.state, "cancelled")
        # not theirs
        self._post(f"/my/vouchers/{theirs.id}/cancel")
        self.assertEqual(theirs.state, "valid")

    def test_issue_refusal_is_shown(self):
        self.authenticate("issuer_ccas", "issuer_ccas")
        past = fields.Date.to_string(self.today - timedelta(days=2))
        response = self._issue(date_expiry=past)
        self.assertIn("cannot expire before", self._message(response, "error"))
        response = self._issue(commune_id="")
        self.assertIn("the commune", self._message(response, "error"))
        self.assertFalse(self.Voucher.search([("issuer_id", "=", self.ccas.id)]))

    def test_other_users_cannot_issue(self):
        self.authenticate("buyer", "buyer")
        response = self.url_open("/my/vouchers", allow_redirects=False)
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.authenticate("issuer_dept", "issuer_dept")
        response = self._issue()
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertFalse(self.Voucher.search([("issuer_id", "=", self.ccas.id)]))


@tagged("post_install", "-at_install")
class TestHandoverPortal(VoucherHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        device = cls._published("HO-H-1")
        order = shop_order(cls, cls.user_association_a.partner_id, device)
        order.action_confirm()
        cls.line = order.order_line

    def _handovers(self):
        """Hand-overs of the device of the test (the demo has its own)."""
        return self.env["reemploi.handover"].search(
            [("equipment_id", "=", self.line.reemploi_equipment_id.id)]
        )

    def _confirm(self, **values):
        data = {
            "line_id": str(self.line.id),
            "need_category_id": str(self.need_school.id),
            "commune_id": str(self.echirolles.id),
            "confirm": "1",
        }
        data.update(values)
        return self._post("/my/handovers/confirm", **data)

    def test_voucher_need_and_commune_already_chosen(self):
        """A device a referral voucher brought: the hand-over form has the
        voucher's need and commune chosen; another device's has none."""
        voucher = self._voucher(
            "HO0V-2M9X-PQ",
            need_category_id=self.need_school.id,
            commune_id=self.echirolles.id,
        )
        self.line.sudo().reemploi_voucher_id = voucher
        self.authenticate("asso_a", "asso_a")
        page = self.url_open("/my/handovers")
        self.assertEqual(page.status_code, 200)
        form = html.fromstring(page.text).xpath(
            f"//form[.//input[@name='line_id'][@value='{self.line.id}']]"
        )[0]
        need = form.xpath(".//select[@name='need_category_id']/option[@selected]")
        commune = form.xpath(".//select[@name='commune_id']/option[@selected]")
        self.assertEqual([o.get("value") for o in need], [str(self.need_school.id)])
        self.assertEqual([o.get("value") for o in commune], [str(self.echirolles.id)])
        self.line.sudo().reemploi_voucher_id = False
        page = self.url_open("/my/handovers")
        form = html.fromstring(page.text).xpath(
            f"//form[.//input[@name='line_id'][@value='{self.line.id}']]"
        )[0]
        self.assertFalse(form.xpath(".//option[@selected]"))

    def test_association_confirms_on_the_portal(self):
        self.authenticate("asso_a", "asso_a")
        page = self.url_open("/my/handovers")
        self.assertIn("o_reemploi_handover_pending", page.text)
        self.assertIn("HO-H-1", page.text)
        response = self._confirm(confirm="")
        self.assertIn("Tick", self._message(response, "error"))
        self.assertFalse(self._handovers())
        response = self._confirm()
        self.assertIn("done=1", response.headers["Location"])
        handover = self._handovers()
        self.assertEqual(handover.need_category_id, self.need_school)
        self.assertEqual(handover.commune_id, self.echirolles)
        page = self.url_open("/my/handovers")
        self.assertNotIn("o_reemploi_handover_pending", page.text)
        self.assertIn("o_reemploi_handover_row", page.text)

    def test_other_association_cannot_confirm(self):
        self.authenticate("asso_b", "asso_b")
        response = self._confirm()
        self.assertIn("not waiting", self._message(response, "error"))
        self.assertFalse(self._handovers())
        self.authenticate("buyer", "buyer")
        response = self._confirm()
        self.assertTrue(response.headers["Location"].endswith("/my"))
