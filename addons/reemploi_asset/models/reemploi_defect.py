from odoo import api, fields, models
from odoo.tools import SQL


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

    @api.model
    def get_tap_choices(self, category_id=False):
        """The defects an operator can tap while grading a device of
        ``category_id``: those of the category and those of every category,
        the most often recorded first (gradings of the user's companies over
        the last year), then by code. One dict per defect: id, code, name,
        kind, severity, count."""
        domain = [("category_ids", "=", False)]
        if category_id:
            domain = ["|", ("category_ids", "in", [int(category_id)]), *domain]
        defects = self.search(domain)
        if not defects:
            return []
        field = self.env["reemploi.grading"]._fields["defect_ids"]
        self.env["reemploi.grading"].flush_model(["defect_ids", "company_id", "date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT rel.%(defect)s, COUNT(*)
                  FROM %(relation)s rel
                  JOIN reemploi_grading grading ON grading.id = rel.%(grading)s
                 WHERE rel.%(defect)s IN %(defects)s
                   AND grading.company_id IN %(companies)s
                   AND grading.date >= NOW() - INTERVAL '1 year'
                 GROUP BY rel.%(defect)s
                """,
                defect=SQL.identifier(field.column2),
                grading=SQL.identifier(field.column1),
                relation=SQL.identifier(field.relation),
                defects=tuple(defects.ids),
                companies=tuple(self.env.companies.ids),
            )
        )
        counts = dict(self.env.cr.fetchall())
        ordered = defects.sorted(lambda d: (-counts.get(d.id, 0), d.code))
        return [
            {
                "id": defect.id,
                "code": defect.code,
                "name": defect.name,
                "kind": defect.kind,
                "severity": defect.severity,
                "count": counts.get(defect.id, 0),
            }
            for defect in ordered
        ]
