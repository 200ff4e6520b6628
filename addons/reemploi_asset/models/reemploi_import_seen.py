from odoo import fields, models
from odoo.tools import SQL


class ReemploiImportSeen(models.Model):
    """Which devices an import run saw.

    A narrow append-only table instead of a column written on every device:
    a re-import of an unchanged park of 100,000 devices inserts 100,000 small
    rows rather than rewriting 100,000 wide rows and their indexes. A
    complete run that marks the unseen devices drops the older runs' rows of
    its source, so the table holds about one row per device.
    """

    _name = "reemploi.import.seen"
    _description = "Device seen by an import run"
    _log_access = False

    run_id = fields.Many2one(
        "reemploi.import.run", required=True, ondelete="cascade", index=True
    )
    source_id = fields.Many2one(
        "reemploi.import.source", required=True, ondelete="cascade", index=True
    )
    equipment_id = fields.Many2one(
        "reemploi.equipment", required=True, ondelete="cascade", index=True
    )

    _sql_constraints = [
        (
            "run_equipment_unique",
            "unique(run_id, equipment_id)",
            "A run sees a device once.",
        ),
    ]

    def _record(self, run, equipment_ids):
        """Record that ``run`` saw ``equipment_ids``; return the ids it had
        seen already (the same device twice in one file)."""
        if not equipment_ids:
            return set()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO reemploi_import_seen (run_id, source_id, equipment_id)
                SELECT %s, %s, unnest(%s::int4[])
                ON CONFLICT (run_id, equipment_id) DO NOTHING
                RETURNING equipment_id
                """,
                run.id,
                run.source_id.id,
                list(equipment_ids),
            )
        )
        inserted = {row[0] for row in self.env.cr.fetchall()}
        return set(equipment_ids) - inserted
