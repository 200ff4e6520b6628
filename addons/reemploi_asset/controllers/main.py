import re

from odoo import http
from odoo.http import request

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class ReemploiTraceability(http.Controller):
    @http.route(
        "/r/<string:token>", type="http", auth="public", methods=["GET"], website=True
    )
    def traceability_page(self, token, **kwargs):
        """Public traceability page of a device, reached from its QR label."""
        if not TOKEN_RE.match(token):
            raise request.not_found()
        # sudo: the visitor is anonymous; the token is unguessable (192 bits)
        # and the template receives only the public values prepared by
        # _public_traceability_values(), never the record itself.
        equipment = (
            request.env["reemploi.equipment"]
            .sudo()
            .search([("qr_token", "=", token)], limit=1)
        )
        if not equipment:
            raise request.not_found()
        values = equipment._public_traceability_values()
        return request.render("reemploi_asset.traceability_page", {"device": values})
