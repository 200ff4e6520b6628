import psycopg2
from werkzeug.urls import url_encode

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request


class ReemploiSolidarityShop(http.Controller):
    @http.route(
        "/shop/solidarity/confirm",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def solidarity_confirm(self, **post):
        """An association orders its cart at solidarity prices, on invoice.

        The quotas and the devices are taken by the confirmation itself
        (atomic quota update, exclusion constraint on sold devices): when two
        associations race for the last devices, one gets them and the other
        comes back to its cart with the reason."""
        order = request.website.sale_get_order()
        if not order:
            return request.redirect("/shop/cart")
        try:
            with request.env.cr.savepoint():
                order._reemploi_solidarity_checkout()
        except UserError as error:
            return self._back_to_cart(error.args[0])
        except (
            psycopg2.errors.ExclusionViolation,
            psycopg2.errors.UniqueViolation,
            psycopg2.errors.CheckViolation,
        ):
            return self._back_to_cart(
                request.env._(
                    "A device of your cart or the last units of your quota were "
                    "just taken by another order: check your cart and order again."
                )
            )
        request.website.sale_reset()
        return request.redirect(order.get_portal_url())

    def _back_to_cart(self, message):
        return request.redirect("/shop/cart?" + url_encode({"reemploi_error": message}))
