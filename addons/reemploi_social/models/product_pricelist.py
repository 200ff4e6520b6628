from odoo import fields, models


class ProductPricelist(models.Model):
    _inherit = "product.pricelist"

    reemploi_solidarity = fields.Boolean(
        string="Solidarity pricelist",
        help="Applied on the website to the users of associations whose "
        "accreditation is valid, and to nobody else.",
    )
