from odoo import http
from odoo.http import request


class ReemploiGuide(http.Controller):
    """The guide of each role, on the website, in the visitor's language."""

    def _guide_roles(self):
        """{role: {"sequence", "title", "summary", "template"}} of the guides;
        other addons add their roles (reemploi_social: the associations)."""
        _ = request.env._
        return {
            "donor": {
                "sequence": 10,
                "title": _("Donor"),
                "summary": _(
                    "Companies and public bodies that give their used devices: "
                    "import the inventory, declare a lot, follow it."
                ),
                "template": "reemploi_market.guide_donor",
            },
            "operator": {
                "sequence": 20,
                "title": _("Operator"),
                "summary": _(
                    "Refurbishers: collect and check in the lots, erase, grade "
                    "and sell the devices."
                ),
                "template": "reemploi_market.guide_operator",
            },
            "coordinator": {
                "sequence": 40,
                "title": _("Coordinator"),
                "summary": _(
                    "The territory's coordinator: matches the lots with the "
                    "operators and follows the whole register."
                ),
                "template": "reemploi_market.guide_coordinator",
            },
        }

    def _guide_sorted_roles(self, roles=None):
        roles = self._guide_roles() if roles is None else roles
        return sorted(roles.items(), key=lambda item: item[1]["sequence"])

    @http.route("/guide", type="http", auth="public", website=True, sitemap=True)
    def guide_index(self, **kwargs):
        return request.render(
            "reemploi_market.guide_index", {"roles": self._guide_sorted_roles()}
        )

    @http.route(
        "/guide/<string:role>", type="http", auth="public", website=True, sitemap=False
    )
    def guide_role(self, role, **kwargs):
        roles = self._guide_roles()
        guide = roles.get(role)
        if not guide:
            raise request.not_found()
        return request.render(
            guide["template"],
            {
                "role": role,
                "guide": guide,
                "roles": self._guide_sorted_roles(roles),
            },
        )
