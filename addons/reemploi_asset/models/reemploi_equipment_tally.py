from odoo import api, fields, models

from .reemploi_equipment import STATE_SELECTION


class ReemploiEquipmentTally(models.Model):
    """Number of devices and CO2e avoided by donor, category, state and
    archive flag, kept up to date by the database as devices change.

    At a metropolitan scale (a million devices) the register's pivot and
    grouped views would count every device at each load: ~1 s per
    ``GROUP BY`` and six of them for a pivot donor x category x state. The
    groups are few (a few tens of thousands), so the counts are kept here
    and ``reemploi.equipment._read_group`` reads them when the grouping,
    the aggregates and the domain, record rules included, only use these
    columns.

    Append-only: statement-level triggers on ``reemploi_equipment`` (created
    by :meth:`init`, with transition tables, so one row per group and
    statement whatever the number of devices, ORM or SQL) insert the
    changes as signed rows; nothing is updated in place, so concurrent
    writers never wait for each other here. The sum of the rows of a group
    is its count; :meth:`_compact` folds them into one row per group (a
    scheduled action, hourly).
    """

    _name = "reemploi.equipment.tally"
    _description = "Register counts by donor, category and state"
    _auto = False
    _log_access = False
    _order = "id"

    owner_id = fields.Many2one("res.partner", readonly=True)
    category_id = fields.Many2one("reemploi.equipment.category", readonly=True)
    state = fields.Selection(STATE_SELECTION, readonly=True)
    active = fields.Boolean(readonly=True)
    device_count = fields.Integer(string="Devices", readonly=True)
    co2e_avoided_kg = fields.Float(string="CO2e avoided (kg)", readonly=True)

    def init(self):
        cr = self.env.cr
        cr.execute("SELECT to_regclass('reemploi_equipment_tally') IS NULL")
        missing = cr.fetchone()[0]
        cr.execute(
            """
            CREATE TABLE IF NOT EXISTS reemploi_equipment_tally (
                id serial PRIMARY KEY,
                owner_id integer,
                category_id integer,
                state varchar,
                active boolean,
                device_count integer NOT NULL,
                co2e_avoided_kg numeric NOT NULL DEFAULT 0
            );
            CREATE OR REPLACE FUNCTION reemploi_equipment_tally() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    INSERT INTO reemploi_equipment_tally (owner_id, category_id,
                           state, active, device_count, co2e_avoided_kg)
                    SELECT owner_id, category_id, state, active, count(*),
                           coalesce(sum(co2e_avoided_kg), 0)
                      FROM new_rows
                  GROUP BY owner_id, category_id, state, active;
                ELSIF TG_OP = 'DELETE' THEN
                    INSERT INTO reemploi_equipment_tally (owner_id, category_id,
                           state, active, device_count, co2e_avoided_kg)
                    SELECT owner_id, category_id, state, active, -count(*),
                           -coalesce(sum(co2e_avoided_kg), 0)
                      FROM old_rows
                  GROUP BY owner_id, category_id, state, active;
                ELSE
                    INSERT INTO reemploi_equipment_tally (owner_id, category_id,
                           state, active, device_count, co2e_avoided_kg)
                    SELECT owner_id, category_id, state, active, sum(n), sum(co2e)
                      FROM (SELECT owner_id, category_id, state, active, 1 AS n,
                                   coalesce(co2e_avoided_kg, 0) AS co2e
                              FROM new_rows
                         UNION ALL
                            SELECT owner_id, category_id, state, active, -1,
                                   -coalesce(co2e_avoided_kg, 0)
                              FROM old_rows) AS changes
                  GROUP BY owner_id, category_id, state, active
                    HAVING sum(n) <> 0 OR sum(co2e) <> 0;
                END IF;
                RETURN NULL;
            END
            $$;
            DROP TRIGGER IF EXISTS reemploi_equipment_tally_insert
                ON reemploi_equipment;
            DROP TRIGGER IF EXISTS reemploi_equipment_tally_update
                ON reemploi_equipment;
            DROP TRIGGER IF EXISTS reemploi_equipment_tally_delete
                ON reemploi_equipment;
            CREATE TRIGGER reemploi_equipment_tally_insert
                AFTER INSERT ON reemploi_equipment
                REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION reemploi_equipment_tally();
            CREATE TRIGGER reemploi_equipment_tally_update
                AFTER UPDATE ON reemploi_equipment
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION reemploi_equipment_tally();
            CREATE TRIGGER reemploi_equipment_tally_delete
                AFTER DELETE ON reemploi_equipment
                REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION reemploi_equipment_tally();
            """
        )
        if missing:
            # the devices registered before the table existed (an update of
            # the module on a filled database), in the same transaction as
            # the triggers: nothing is counted twice nor missed
            cr.execute(
                """
                INSERT INTO reemploi_equipment_tally (owner_id, category_id,
                       state, active, device_count, co2e_avoided_kg)
                SELECT owner_id, category_id, state, active, count(*),
                       coalesce(sum(co2e_avoided_kg), 0)
                  FROM reemploi_equipment
              GROUP BY owner_id, category_id, state, active
                """
            )

    @api.model
    def _compact(self):
        """Fold the rows of each group into one (the groups whose devices
        all left them disappear). Rows that concurrent transactions insert
        meanwhile are not seen, hence kept as they are."""
        self.env["reemploi.equipment"].flush_model()
        self.env.cr.execute(
            """
            WITH gone AS (
                DELETE FROM reemploi_equipment_tally
                  RETURNING owner_id, category_id, state, active, device_count,
                            co2e_avoided_kg
            )
            INSERT INTO reemploi_equipment_tally (owner_id, category_id, state,
                   active, device_count, co2e_avoided_kg)
            SELECT owner_id, category_id, state, active, sum(device_count),
                   sum(co2e_avoided_kg)
              FROM gone
          GROUP BY owner_id, category_id, state, active
            HAVING sum(device_count) <> 0 OR sum(co2e_avoided_kg) <> 0
            """
        )
        self.env.invalidate_all()
        return True
