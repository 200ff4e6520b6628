"""reemploi.equipment.last_seen_run_id is no longer a column written on every
device at each import but read from reemploi.import.seen: carry the last run
of each device over. Odoo keeps the old column; it is dropped afterwards."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        SELECT 1 FROM information_schema.columns
         WHERE table_name = 'reemploi_equipment' AND column_name = 'last_seen_run_id'
        """
    )
    if not cr.fetchone():
        return
    cr.execute(
        """
        INSERT INTO reemploi_import_seen (run_id, source_id, equipment_id)
        SELECT equipment.last_seen_run_id, run.source_id, equipment.id
          FROM reemploi_equipment equipment
          JOIN reemploi_import_run run ON run.id = equipment.last_seen_run_id
        ON CONFLICT DO NOTHING
        """
    )
    cr.execute("ALTER TABLE reemploi_equipment DROP COLUMN last_seen_run_id")
