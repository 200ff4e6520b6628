from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    reemploi_association_ids = fields.One2many(
        "reemploi.association", "partner_id", string="Association"
    )
