from odoo import fields, models


class GamificationBadge(models.Model):
    _inherit = "gamification.badge"

    reemploi_badge = fields.Boolean(
        string="Reuse badge",
        index=True,
        help="Earned by the organisations that bring devices to reuse; "
        "shown on the donors' portal.",
    )
