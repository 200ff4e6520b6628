from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    reemploi_employee_count = fields.Integer(
        string="Employees",
        help="Headcount of the organisation, when known: the leaderboards "
        "normalise its figures per 100 employees so that small organisations "
        "can win too.",
    )
    reemploi_public_leaderboard = fields.Boolean(
        string="Appear in public leaderboards",
        help="The organisation agrees to appear by name on the public pages "
        "of the challenges. Without it, it never appears publicly.",
    )

    _sql_constraints = [
        (
            "reemploi_employee_count_positive",
            "CHECK(reemploi_employee_count >= 0)",
            "The number of employees cannot be negative.",
        ),
    ]
