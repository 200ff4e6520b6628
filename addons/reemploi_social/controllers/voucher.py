from werkzeug.urls import url_encode

from odoo import http
from odoo.http import request

# longer input is no code: what is logged of it stays small
CODE_MAX = 64


class ReemploiVoucherShop(http.Controller):
    """A referral voucher typed in the cart gives one device of its category
    the solidarity price; it is used when the order is confirmed."""

    @http.route(
        "/shop/voucher", type="http", auth="public", methods=["POST"], website=True
    )
    def voucher_apply(self, code="", **post):
        order = request.website.sale_get_order()
        if not order:
            return request.redirect("/shop/cart")
        applied, message = request.env["reemploi.voucher"]._redeem_in_cart(
            order, (code or "")[:CODE_MAX], request.httprequest.remote_addr
        )
        key = "reemploi_voucher_ok" if applied else "reemploi_voucher_error"
        return request.redirect("/shop/cart?" + url_encode({key: message}))

    @http.route(
        "/shop/voucher/remove",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def voucher_remove(self, line_id=0, **post):
        order = request.website.sale_get_order()
        if order:
            line = order.order_line.filtered(lambda li: str(li.id) == str(line_id))
            line._reemploi_detach_voucher()
        return request.redirect("/shop/cart")
