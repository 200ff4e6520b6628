from odoo import api, fields, models

from ..services import import_mapping
from .labels import selection_labels


class ReemploiImportRunColumn(models.Model):
    """A column of the file that the source's mapping reads into no field."""

    _name = "reemploi.import.run.column"
    _description = "Column an import ignored"
    _order = "run_id, sequence, id"

    run_id = fields.Many2one(
        "reemploi.import.run", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer()
    name = fields.Char(string="Column", required=True)
    sample = fields.Char(
        string="Example", help="The first value of the column in the file."
    )
    mapped_to = fields.Char(
        compute="_compute_mapped_to",
        string="Now mapped to",
        help="The field the source maps this column to since the import.",
    )

    @api.depends("run_id.source_id.mapping_ids")
    def _compute_mapped_to(self):
        labels = selection_labels(self.env["reemploi.import.mapping"], "target_field")
        for column in self:
            line = column._mapping_line()
            column.mapped_to = labels.get(line.target_field, False) if line else False

    def _mapping_line(self):
        self.ensure_one()
        name = import_mapping.normalise(self.name)
        return self.run_id.source_id.mapping_ids.filtered(
            lambda line: (
                line.mapping_type == "column"
                and import_mapping.normalise(line.source_value) == name
            )
        )[:1]

    def action_map_to_field(self):
        """Open the mapping of this column to a field of the devices, in a
        dialog; the next import of the source reads it."""
        self.ensure_one()
        line = self._mapping_line()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Map the column %(column)s", column=self.name),
            "res_model": "reemploi.import.mapping",
            "res_id": line.id,
            "views": [
                (
                    self.env.ref("reemploi_asset.reemploi_import_mapping_view_form").id,
                    "form",
                )
            ],
            "target": "new",
            "context": {
                "default_source_id": self.run_id.source_id.id,
                "default_mapping_type": "column",
                "default_source_value": self.name,
            },
        }
