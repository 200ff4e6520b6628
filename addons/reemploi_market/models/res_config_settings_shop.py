from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    reemploi_waste_compensation = fields.Boolean(
        related="company_id.reemploi_waste_compensation", readonly=False
    )
