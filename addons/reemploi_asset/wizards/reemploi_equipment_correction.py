from odoo import api, fields, models
from odoo.exceptions import UserError

from ..services.lifecycle import STATE_SELECTION
from .correction import correction_defaults, correction_values

# the fields a correction may change (action_admin_correct)
CORRECTED = ("state", "owner_id", "company_id")


class ReemploiEquipmentCorrection(models.TransientModel):
    """An administrator's correction of the state, owner or operator of
    devices, with its reason: the form of
    :meth:`reemploi.equipment.action_admin_correct`, which checks the rights,
    writes the fields and logs a "correction" custody event per device."""

    _name = "reemploi.equipment.correction"
    _description = "Administrator correction of devices"

    equipment_ids = fields.Many2many(
        "reemploi.equipment", string="Devices", required=True, readonly=True
    )
    equipment_count = fields.Integer(compute="_compute_equipment_count")
    state = fields.Selection(STATE_SELECTION, string="New state")
    owner_id = fields.Many2one("res.partner", string="New owner")
    company_id = fields.Many2one("res.company", string="New operator")
    reason = fields.Text(
        required=True,
        help="Kept in each device's custody chain, with your name and the date.",
    )

    @api.model
    def default_get(self, fields_list):
        return correction_defaults(
            self,
            super().default_get(fields_list),
            fields_list,
            "equipment_ids",
            CORRECTED,
        )

    @api.depends("equipment_ids")
    def _compute_equipment_count(self):
        for wizard in self:
            wizard.equipment_count = len(wizard.equipment_ids)

    def action_apply(self):
        self.ensure_one()
        values = correction_values(self, CORRECTED)
        if not values:
            raise UserError(
                self.env._("Choose what to correct: a new state, owner or operator.")
            )
        self.equipment_ids.action_admin_correct(values, self.reason)
        return {"type": "ir.actions.act_window_close"}
