from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.reemploi_asset.services import lifecycle

OUTCOME_SELECTION = [
    (lifecycle.OUTCOME_SOLD, "Sold"),
    (lifecycle.OUTCOME_DONATED, "Donated"),
    (lifecycle.OUTCOME_RECYCLED, "Recycled"),
    (lifecycle.OUTCOME_IN_PROGRESS, "In progress"),
    (lifecycle.OUTCOME_MISSING, "Missing"),
]

ERASURE_RESULT_SELECTION = [
    ("verified", "Verified"),
    ("not_verified", "Not verified"),
    ("no_data", "No data medium"),
]

# devices still with their owner are not in the reuse chain yet


class ReemploiEquipmentReport(models.Model):
    """Devices in the reuse chain, for the coordinator's dashboards: volumes
    by donor, operator, category, grade, outcome and month."""

    _name = "reemploi.equipment.report"
    _inherit = ["reemploi.sql.view.mixin"]
    _description = "Reuse volumes"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "equipment_id"

    equipment_id = fields.Many2one("reemploi.equipment", string="Device", readonly=True)
    owner_id = fields.Many2one("res.partner", string="Donor", readonly=True)
    company_id = fields.Many2one("res.company", string="Operator", readonly=True)
    lot_id = fields.Many2one("reemploi.lot", string="Lot", readonly=True)
    category_id = fields.Many2one(
        "reemploi.equipment.category", string="Category", readonly=True
    )
    grade_id = fields.Many2one("reemploi.grade", string="Grade", readonly=True)
    state = fields.Selection(lifecycle.STATE_SELECTION, readonly=True)
    outcome = fields.Selection(OUTCOME_SELECTION, readonly=True)
    erasure_result = fields.Selection(
        ERASURE_RESULT_SELECTION, string="Erasure", readonly=True
    )
    date = fields.Date(
        string="Month",
        readonly=True,
        help="Month of the device's last change of state.",
    )
    device_count = fields.Integer(string="Devices", readonly=True)
    weight_kg = fields.Float(string="Weight (kg)", readonly=True, digits=(16, 2))
    co2e_avoided_kg = fields.Float(
        string="CO2e avoided (kg)", readonly=True, digits=(16, 1)
    )

    def _query(self):
        outcome_cases = SQL(" ").join(
            SQL(
                "WHEN e.state = ANY(%s) THEN %s",
                lifecycle.states_of(outcome),
                outcome,
            )
            for outcome in lifecycle.OUTCOMES
            if outcome != lifecycle.OUTCOME_IN_PROGRESS
        )
        return SQL(
            """
            SELECT e.id AS id,
                   e.id AS equipment_id,
                   COALESCE(p.commercial_partner_id, e.owner_id) AS owner_id,
                   e.company_id AS company_id,
                   e.reemploi_lot_id AS lot_id,
                   e.category_id AS category_id,
                   e.grade_id AS grade_id,
                   e.state AS state,
                   CASE %(outcome_cases)s ELSE %(in_progress)s END AS outcome,
                   CASE WHEN NOT COALESCE(e.has_data_medium, FALSE) THEN 'no_data'
                        WHEN e.erasure_verified THEN 'verified'
                        ELSE 'not_verified' END AS erasure_result,
                   date_trunc('month', COALESCE(e.state_date, e.create_date))::date
                       AS date,
                   1 AS device_count,
                   COALESCE(c.weight_kg, 0.0) AS weight_kg,
                   CASE WHEN e.state = ANY(%(reused)s)
                        THEN COALESCE(e.co2e_avoided_kg, 0.0) ELSE 0.0 END
                       AS co2e_avoided_kg
              FROM reemploi_equipment e
              JOIN reemploi_equipment_category c ON c.id = e.category_id
         LEFT JOIN res_partner p ON p.id = e.owner_id
             WHERE e.active AND e.state <> ALL(%(outside)s)
            """,
            outcome_cases=outcome_cases,
            in_progress=lifecycle.OUTCOME_IN_PROGRESS,
            outside=sorted(lifecycle.OWNER_STATES),
            reused=sorted(lifecycle.REUSED_STATES),
        )
