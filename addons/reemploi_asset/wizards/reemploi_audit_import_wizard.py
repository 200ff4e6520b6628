from odoo import Command, fields, models
from odoo.exceptions import UserError


class ReemploiAuditImportWizard(models.TransientModel):
    """Import audit snapshots (glpi-agent JSON, fusioninventory-agent XML,
    eReuse Workbench JSON), several files at once, in the current company."""

    _name = "reemploi.audit.import.wizard"
    _description = "Import audit snapshots"

    attachment_ids = fields.Many2many(
        "ir.attachment",
        "reemploi_audit_import_wizard_attachment_rel",
        "wizard_id",
        "attachment_id",
        string="Audit files",
    )
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")
    created_count = fields.Integer(string="Created", readonly=True)
    updated_count = fields.Integer(string="Updated", readonly=True)
    unchanged_count = fields.Integer(string="Unchanged", readonly=True)
    refused_count = fields.Integer(string="Refused", readonly=True)
    result = fields.Text(readonly=True)
    equipment_ids = fields.Many2many(
        "reemploi.equipment", string="Devices audited", readonly=True
    )

    def action_import(self):
        self.ensure_one()
        if not self.attachment_ids:
            raise UserError(
                self.env._(
                    "Add the audit files to import (glpi-agent JSON, "
                    "fusioninventory-agent XML or eReuse Workbench JSON)."
                )
            )
        Equipment = self.env["reemploi.equipment"]
        counts = {"created": 0, "updated": 0, "unchanged": 0, "refused": 0}
        lines, devices = [], Equipment
        labels = {
            "created": self.env._("created"),
            "updated": self.env._("updated"),
            "unchanged": self.env._("unchanged"),
        }
        for attachment in self.attachment_ids.sorted("name"):
            name = attachment.name or ""
            try:
                with self.env.cr.savepoint():
                    status, device = Equipment._audit_import(attachment.raw, name)
            except UserError as error:
                counts["refused"] += 1
                lines.append(
                    self.env._(
                        "%(file)s: refused, %(reason)s", file=name, reason=error.args[0]
                    )
                )
                continue
            counts[status] += 1
            devices |= device
            lines.append(
                self.env._(
                    "%(file)s: %(device)s %(status)s",
                    file=name,
                    device=device.display_name,
                    status=labels[status],
                )
            )
        summary = self.env._(
            "%(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
            "%(refused)s refused.",
            **counts,
        )
        # the uploaded files are not kept: each device keeps the filtered copy
        uploads = self.attachment_ids
        self.write(
            {
                "state": "done",
                "created_count": counts["created"],
                "updated_count": counts["updated"],
                "unchanged_count": counts["unchanged"],
                "refused_count": counts["refused"],
                "result": "\n".join([summary, *lines]),
                "equipment_ids": [Command.set(devices.ids)],
                "attachment_ids": [Command.clear()],
            }
        )
        uploads.unlink()
        return {
            "type": "ir.actions.act_window",
            # the result's dialog keeps the title it opened with
            "name": self.env._("Import audits"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_open_devices(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Devices audited"),
            "res_model": "reemploi.equipment",
            "view_mode": "list,form",
            "domain": [("id", "in", self.equipment_ids.ids)],
        }
