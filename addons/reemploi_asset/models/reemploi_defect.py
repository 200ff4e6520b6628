from odoo import fields, models


class ReemploiDefect(models.Model):
    _name = "reemploi.defect"
    _description = "Defect code"
    _order = "kind, code"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True)
    name = fields.Char(required=True, translate=True)
    kind = fields.Selection(
        [("cosmetic", "Cosmetic"), ("functional", "Functional")],
        required=True,
        default="cosmetic",
    )
    severity = fields.Selection(
        [("minor", "Minor"), ("major", "Major"), ("critical", "Critical")],
        required=True,
        default="minor",
    )
    category_ids = fields.Many2many(
        "reemploi.equipment.category",
        string="Categories",
        help="Leave empty when the defect applies to every category.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "unique(code)", "The code of a defect must be unique."),
    ]

    def _compute_display_name(self):
        for defect in self:
            defect.display_name = f"{defect.code} — {defect.name}"
