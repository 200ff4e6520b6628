from odoo.http import request

from odoo.addons.reemploi_market.controllers.guide import ReemploiGuide


class ReemploiGuideAssociation(ReemploiGuide):
    """The associations' guide joins the guides of reemploi_market."""

    def _guide_roles(self):
        roles = super()._guide_roles()
        roles["association"] = {
            "sequence": 30,
            "title": request.env._("Association"),
            "summary": request.env._(
                "Accredited associations: order devices at solidarity prices, "
                "ask for scarce devices, hand them over to the people they serve."
            ),
            "template": "reemploi_social.guide_association",
        }
        return roles
