from odoo import fields, models


class ReemploiGrade(models.Model):
    _name = "reemploi.grade"
    _description = "Grade of the shared grading standard"
    _order = "scale, sequence, code"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True)
    name = fields.Char(required=True, translate=True)
    scale = fields.Selection(
        [("overall", "Overall (cosmetic)"), ("functional", "Functional")],
        required=True,
        default="overall",
    )
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    min_battery_health = fields.Float(
        string="Minimum battery health (%)",
        help="Minimum remaining capacity, in percent of design capacity, that "
        "a device of this grade guarantees.",
    )
    color = fields.Integer()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "code_scale_unique",
            "unique(scale, code)",
            "A grade code must be unique within its scale.",
        ),
    ]

    def _compute_display_name(self):
        for grade in self:
            grade.display_name = f"{grade.code} — {grade.name}"
