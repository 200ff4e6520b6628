from odoo import api, fields, models
from odoo.tools.misc import formatLang


class ReemploiDemandMatch(models.Model):
    """Devices of an operator's stock allocated to a demand."""

    _name = "reemploi.demand.match"
    _description = "Stock allocated to a demand"
    _order = "demand_id, score desc, id"

    demand_id = fields.Many2one(
        "reemploi.demand", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        "res.company", string="Operator", required=True, index=True
    )
    category_id = fields.Many2one(related="demand_id.category_id")
    grade_id = fields.Many2one("reemploi.grade", required=True)
    quantity = fields.Integer(required=True)
    score = fields.Float(string="Points per device", digits=(16, 2))
    breakdown = fields.Json()
    breakdown_text = fields.Text(
        string="Score details", compute="_compute_breakdown_text"
    )

    @api.depends("breakdown")
    def _compute_breakdown_text(self):
        grades = {
            grade.id: grade.code
            for grade in self.env["reemploi.grade"].search([("scale", "=", "overall")])
        }
        for line in self:
            line.breakdown_text = "\n".join(
                line._describe_part(part, grades) for part in line.breakdown or ()
            )

    def _describe_part(self, part, grades):
        _ = self.env._
        reason, value = part["reason"], part.get("value")
        points = formatLang(self.env, part["points"], digits=2)
        if reason == "fill":
            return _("Device delivered: %(points)s pts", points=points)
        if reason == "price":
            return _(
                "Price %(percent)s %% of the maximum: %(points)s pts",
                percent=formatLang(self.env, value * 100, digits=0),
                points=points,
            )
        if reason == "no_max_price":
            return _("No maximum price: %(points)s pts", points=points)
        if reason == "grade":
            return _(
                "Grade %(grade)s for a minimum of %(minimum)s: %(points)s pts",
                grade=grades.get(value, value),
                minimum=grades.get(part.get("minimum"), part.get("minimum")),
                points=points,
            )
        if reason == "urgency":
            return _(
                "Deadline in %(days)s days: %(points)s pts", days=value, points=points
            )
        if reason == "no_deadline":
            return _("No deadline: %(points)s pts", points=points)
        return f"{reason}: {points}"
