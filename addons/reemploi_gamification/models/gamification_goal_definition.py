from odoo import api, fields, models

from ..services import scoring

MEASURE_SELECTION = [
    (scoring.DEVICES, "Devices received"),
    (scoring.WEIGHT, "Kilograms received"),
    (scoring.CO2E_AVOIDED, "kgCO2e avoided"),
    (scoring.REUSED_SHARE, "Share reused rather than recycled (%)"),
    (scoring.LOTS, "Lots received"),
    (scoring.LOT_STREAK, "Quarters in a row with a lot received"),
    (scoring.ZERO_WASTE_LOTS, "Processed lots without recycling"),
]

COMPUTE_CODE = "result = object._reemploi_value()"


class GamificationGoalDefinition(models.Model):
    """Goal definitions computed from the devices operators received (see
    reemploi.received.device), for a user or for its organisation."""

    _inherit = "gamification.goal.definition"

    reemploi_measure = fields.Selection(
        MEASURE_SELECTION,
        string="Reuse measure",
        help="What the goal counts among the devices an operator actually "
        "received (declared devices never count).",
    )
    reemploi_scope = fields.Selection(
        [("user", "The user"), ("organisation", "The user's organisation")],
        string="Counted for",
        default="organisation",
        help="The user: devices of the lots whose contact the user is (donor "
        "staff) or that the user received (operator staff). The organisation: "
        "every device of the donor organisation (portal users) or received by "
        "the operator company (internal users).",
    )
    reemploi_per_employee = fields.Boolean(
        string="Per 100 employees",
        help="Divide the organisation's figure by its headcount (per 100 "
        "employees); an organisation whose headcount is unknown scores 0 and "
        "is not ranked.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("reemploi_measure"):
                vals.update(computation_mode="python", compute_code=COMPUTE_CODE)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("reemploi_measure"):
            vals = dict(vals, computation_mode="python", compute_code=COMPUTE_CODE)
        return super().write(vals)
