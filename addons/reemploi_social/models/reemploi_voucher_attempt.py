from odoo import fields, models

ATTEMPT_RESULTS = [
    ("pending", "Being checked"),
    ("ok", "Applied"),
    ("unknown", "Unknown code"),
    ("used", "Already used"),
    ("expired", "Expired"),
    ("cancelled", "Cancelled"),
    ("wrong_category", "No device of its category"),
    ("already_applied", "Already applied"),
    ("rate_limited", "Too many attempts"),
]


class ReemploiVoucherAttempt(models.Model):
    """One attempt to redeem a voucher code, whatever its result: the log
    the rate limit counts on, read by the coordinators, written by nobody.

    The code typed is not kept in clear: its last 3 characters and a keyed
    hash (two attempts on the same code can be told apart)."""

    _name = "reemploi.voucher.attempt"
    _description = "Voucher redemption attempt"
    _order = "date desc, id desc"

    date = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now, index=True
    )
    user_id = fields.Many2one(
        "res.users", string="User", readonly=True, ondelete="set null", index=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Buyer", readonly=True, ondelete="set null"
    )
    ip_address = fields.Char(string="IP address", readonly=True, index=True)
    code_hint = fields.Char(
        string="Code (end)", readonly=True, help="The last 3 characters typed."
    )
    code_digest = fields.Char(string="Code hash", readonly=True)
    voucher_id = fields.Many2one(
        "reemploi.voucher", string="Voucher", readonly=True, ondelete="set null"
    )
    result = fields.Selection(ATTEMPT_RESULTS, required=True, readonly=True)
