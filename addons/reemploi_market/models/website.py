import base64

from odoo import fields, models
from odoo.osv import expression
from odoo.tools import file_open


def _static_image(name):
    with file_open(f"reemploi_market/static/src/img/{name}", "rb") as f:
        return base64.b64encode(f.read())


class Website(models.Model):
    _inherit = "website"

    # a new website shows the Réemploi mark, not Odoo's sample logo
    logo = fields.Binary(default=lambda self: _static_image("reemploi_logo.svg"))
    favicon = fields.Binary(
        default=lambda self: _static_image("reemploi_favicon.png")
    )
    reemploi_territory_shop = fields.Boolean(
        string="Territory shop",
        help="The shop lists the devices of every reuse operator; each order "
        "is made in the company of the operator that sells its devices. "
        "Otherwise the shop lists the devices of the website's company only.",
    )

    def _product_domain(self):
        # the shop is the refurbished catalogue: its products are the
        # operators' devices (one per operator, model and grade), never
        # a sample or a product sold by other means
        domain = [("reemploi_grade_id", "!=", False)]
        # Odoo calls it on the empty model as well
        website = self[:1] or self.get_current_website()
        if not website.reemploi_territory_shop:
            domain.append(("reemploi_operator_id", "=", website.company_id.id))
        return expression.AND([super()._product_domain(), domain])

    def _reemploi_sells(self, operator):
        """Whether this website's shop sells the devices of ``operator``."""
        self.ensure_one()
        return bool(operator) and (
            self.reemploi_territory_shop or operator == self.company_id
        )

    def _reemploi_order_company_values(self, operator, partner, pricelist, team):
        """Values of a cart made in ``operator``'s company: its warehouse,
        and what of the website's company does not belong to it replaced by
        the operator's own."""
        self.ensure_one()
        no_company = self.env["res.company"]
        # sudo: the operator's warehouse, pricelist and fiscal position are
        # only linked to the visitor's cart, as for the website's company
        warehouse = (
            self.env["stock.warehouse"]
            .sudo()
            .search([("company_id", "=", operator.id)], limit=1)
        )
        partner = partner.sudo().with_company(operator)
        pricelist, team = pricelist.sudo(), team.sudo()
        if pricelist.company_id not in (operator, no_company):
            pricelist = partner.property_product_pricelist
        fiscal_position = (
            self.env["account.fiscal.position"]
            .sudo()
            .with_company(operator)
            ._get_fiscal_position(partner)
        )
        return {
            "company_id": operator.id,
            "warehouse_id": warehouse.id,
            "pricelist_id": pricelist.id,
            "fiscal_position_id": fiscal_position.id,
            "team_id": team.id if team.company_id in (operator, no_company) else False,
        }
