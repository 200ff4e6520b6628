from odoo import api, fields, models

from ..services.lifecycle import STATE_SELECTION


class ReemploiEquipmentCorrection(models.TransientModel):
    """An administrator's correction of the state, owner or operator of
    devices, with its reason: the form of
    :meth:`reemploi.equipment.action_admin_correct`, which checks the rights,
    writes the fields and logs a "correction" custody event per device."""

    _name = "reemploi.equipment.correction"
    _description = "Administrator correction of devices"
    _inherit = ["reemploi.correction.mixin"]
    _corrected_records = "equipment_ids"
    # the fields a correction may change (action_admin_correct)
    _corrected = ("state", "owner_id", "company_id")

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

    @api.depends("equipment_ids")
    def _compute_equipment_count(self):
        for wizard in self:
            wizard.equipment_count = len(wizard.equipment_ids)

    def _nothing_chosen_message(self):
        return self.env._("Choose what to correct: a new state, owner or operator.")
