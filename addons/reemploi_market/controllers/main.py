from odoo import http
from odoo.http import request


class ReemploiWebsite(http.Controller):
    """Pages of the territory's website that are not a shop or a portal."""

    @http.route(
        "/mentions-legales", type="http", auth="public", website=True, sitemap=True
    )
    def legal_notice(self, **kwargs):
        """Publisher, host, personal data and source code of the website
        (loi 2004-575 pour la confiance dans l'économie numérique, art. 6)."""
        return request.render("reemploi_market.legal_notice_page")
