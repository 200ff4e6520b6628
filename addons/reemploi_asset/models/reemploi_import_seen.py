from odoo import fields, models
from odoo.tools import SQL


class ReemploiImportSeen(models.Model):
    """Which devices an import run saw.

    A narrow append-only table instead of a column written on every device:
    a re-import of an unchanged park of 100,000 devices inserts 100,000 small
    rows rather than rewriting 100,000 wide rows and their indexes. A
    complete run that marks the unseen devices drops the older runs' rows of
    the devices it saw, so the table holds about one row per device.

    The table is created by :meth:`init` without foreign keys: checking
    three of them for each row costs four times the insert itself, and the
    rows they point to are never deleted (devices keep their custody chain,
    runs are kept by their sources); a deleted run takes its rows along
    (see ``reemploi.import.run``).
    """

    _name = "reemploi.import.seen"
    _description = "Device seen by an import run"
    _auto = False
    _log_access = False

    run_id = fields.Many2one("reemploi.import.run", required=True, readonly=True)
    source_id = fields.Many2one("reemploi.import.source", required=True, readonly=True)
    equipment_id = fields.Many2one("reemploi.equipment", required=True, readonly=True)

    def init(self):
        self.env.cr.execute(
            """
            CREATE TABLE IF NOT EXISTS reemploi_import_seen (
                id serial PRIMARY KEY,
                run_id integer NOT NULL,
                source_id integer NOT NULL,
                equipment_id integer NOT NULL,
                CONSTRAINT reemploi_import_seen_run_equipment_unique
                    UNIQUE (run_id, equipment_id)
            );
            CREATE INDEX IF NOT EXISTS reemploi_import_seen_equipment_id_index
                ON reemploi_import_seen (equipment_id);
            """
        )

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
