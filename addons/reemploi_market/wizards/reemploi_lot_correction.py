from odoo import api, fields, models

from ..services.lot_lifecycle import STATE_SELECTION


class ReemploiLotCorrection(models.TransientModel):
    """An administrator's correction of the state, donor or operator of
    lots, with its reason: the form of
    :meth:`reemploi.lot.action_admin_correct`, which checks the rights,
    writes the fields and posts the reason on each lot."""

    _name = "reemploi.lot.correction"
    _description = "Administrator correction of lots"
    _inherit = ["reemploi.correction.mixin"]
    _corrected_records = "lot_ids"
    # the fields a correction may change (action_admin_correct)
    _corrected = ("state", "partner_id", "company_id")

    lot_ids = fields.Many2many(
        "reemploi.lot", string="Lots", required=True, readonly=True
    )
    lot_count = fields.Integer(compute="_compute_lot_count")
    state = fields.Selection(STATE_SELECTION, string="New state")
    partner_id = fields.Many2one("res.partner", string="New donor")
    company_id = fields.Many2one("res.company", string="New operator")
    reason = fields.Text(
        required=True, help="Posted on each lot, with your name and the date."
    )

    @api.depends("lot_ids")
    def _compute_lot_count(self):
        for wizard in self:
            wizard.lot_count = len(wizard.lot_ids)

    def _nothing_chosen_message(self):
        return self.env._("Choose what to correct: a new state, donor or operator.")
