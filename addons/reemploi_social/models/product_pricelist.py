from odoo import fields, models


class ProductPricelist(models.Model):
    _inherit = "product.pricelist"

    reemploi_solidarity = fields.Boolean(
        string="Solidarity pricelist",
        help="Applied on the website to the users of associations whose "
        "accreditation is valid, and to nobody else.",
    )

    def _get_partner_pricelist_multi_search_domain_hook(self, company_id):
        # the solidarity pricelist is never anyone's default: an ordinary
        # sale must not fall back on it (it is given by the website to
        # accredited associations only)
        return [
            *super()._get_partner_pricelist_multi_search_domain_hook(company_id),
            ("reemploi_solidarity", "=", False),
        ]
