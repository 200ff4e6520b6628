from odoo import fields, models


class ReemploiImportRunLine(models.Model):
    _name = "reemploi.import.run.line"
    _description = "Row of an import to check"
    _order = "run_id, line"

    run_id = fields.Many2one(
        "reemploi.import.run", required=True, ondelete="cascade", index=True
    )
    kind = fields.Selection(
        [("rejected", "Rejected"), ("merged", "Merged"), ("warning", "Warning")],
        required=True,
        default="rejected",
    )
    line = fields.Integer(required=True)
    raw = fields.Text(string="Values", help="The row's cells as read, as JSON.")
    reason = fields.Char(required=True)
    replayed = fields.Boolean()
