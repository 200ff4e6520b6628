from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    reemploi_waste_compensation = fields.Boolean(
        string="Waste compensation",
        help="For each device sold on the shop, collect and recycle one "
        "scrap device; a compensation is recorded at each sale.",
    )
