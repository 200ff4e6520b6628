import base64

from odoo import fields, models
from odoo.exceptions import UserError


class ReemploiImportWizard(models.TransientModel):
    _name = "reemploi.import.wizard"
    _description = "Import an inventory file"

    source_id = fields.Many2one("reemploi.import.source", required=True)
    owner_id = fields.Many2one(related="source_id.owner_id")
    preset = fields.Selection(related="source_id.preset")
    file = fields.Binary(required=True, attachment=False)
    filename = fields.Char()

    def action_import(self):
        self.ensure_one()
        data = base64.b64decode(self.file or b"")
        if not data:
            raise UserError(self.env._("Choose a CSV or XLSX file to import."))
        run = self.env["reemploi.import.run"]._import_file(
            self.source_id, data, self.filename or ""
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "reemploi.import.run",
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
        }
