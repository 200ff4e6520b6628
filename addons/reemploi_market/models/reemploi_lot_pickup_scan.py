from odoo import api, fields, models
from odoo.exceptions import UserError


class ReemploiLotPickupScan(models.Model):
    """One scan sent by the driver's phone, under the id the phone gave it.

    The phone queues its scans while offline and sends them again when it is
    back online, possibly more than once (an answer lost on the way): the
    unique id makes a scan count once, whatever the replays."""

    _name = "reemploi.lot.pickup.scan"
    _description = "Pickup scan"
    _order = "id"
    _rec_name = "code"

    pickup_id = fields.Many2one(
        "reemploi.lot.pickup", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="pickup_id.company_id", store=True)
    client_uid = fields.Char(
        string="Scan id", required=True, readonly=True, help="Given by the phone."
    )
    code = fields.Char(readonly=True)
    result = fields.Selection(
        [
            ("scanned", "Scanned"),
            ("duplicate", "Already scanned"),
            ("extra", "Extra"),
            ("unknown", "Unknown code"),
            ("refused", "Refused"),
        ],
        readonly=True,
    )
    message = fields.Char(readonly=True)
    line_id = fields.Many2one(
        "reemploi.lot.pickup.line", readonly=True, ondelete="set null"
    )

    _sql_constraints = [
        (
            "client_uid_unique",
            "unique(pickup_id, client_uid)",
            "A scan is recorded once per stop.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        scans = super().create(vals_list)
        scans.pickup_id._check_draft()
        return scans

    def write(self, vals):
        raise UserError(self.env._("A scan is recorded once and never changed."))
