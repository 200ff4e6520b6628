from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    reemploi_waste_compensation = fields.Boolean(
        related="company_id.reemploi_waste_compensation", readonly=False
    )
    website_reemploi_territory_shop = fields.Boolean(
        related="website_id.reemploi_territory_shop", readonly=False
    )
