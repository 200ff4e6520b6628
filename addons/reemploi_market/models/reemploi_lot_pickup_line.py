from odoo import api, fields, models
from odoo.exceptions import UserError

# Context value with which the pickup's own methods (scan, count, missing)
# write its lines. It is an object, not a flag: no RPC, import or URL can
# send it.
PICKUP_WRITE = object()

STATUS_SELECTION = [
    ("pending", "To scan"),
    ("scanned", "Scanned"),
    ("missing", "Missing"),
    ("extra", "Extra"),
]


class ReemploiLotPickupLine(models.Model):
    """What the driver expected at a stop and what was handed over: a
    declared device, a declared quantity counted by hand, a device of the
    donor that was not declared, or a code that matched no device."""

    _name = "reemploi.lot.pickup.line"
    _inherit = ["reemploi.lot.evidence.line"]
    _description = "Pickup line"
    _order = "pickup_id, sequence, id"

    pickup_id = fields.Many2one(
        "reemploi.lot.pickup", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="pickup_id.company_id", store=True)
    category_id = fields.Many2one("reemploi.equipment.category", readonly=True)
    collected_qty = fields.Integer(string="Collected")
    missing_reason = fields.Char(string="Reason missing")
    custody_hash = fields.Char(
        readonly=True, help="Hash of the custody event written at the pickup."
    )
    status = fields.Selection(STATUS_SELECTION, compute="_compute_status")

    _sql_constraints = [
        (
            "collected_positive",
            "CHECK(collected_qty >= 0)",
            "A collected quantity cannot be negative.",
        ),
    ]

    @api.depends("kind", "expected_qty", "collected_qty", "missing_reason")
    def _compute_status(self):
        for line in self:
            if line.kind in ("extra", "unknown"):
                line.status = "extra"
            elif line.collected_qty >= line.expected_qty:
                line.status = "scanned"
            elif line.missing_reason or line.pickup_id.state == "done":
                line.status = "missing"
            else:
                line.status = "pending"

    def _evidence(self):
        return self.pickup_id

    def _check_line_write(self):
        """Lines change only through the screen's methods (scan, count,
        missing), which check what is scanned; not by a direct write."""
        if self.env.context.get("reemploi_pickup_write") is not PICKUP_WRITE:
            raise UserError(
                self.env._(
                    "The lines of a pickup change only by scanning, counting "
                    "or marking missing on the driver's screen."
                )
            )

    def _declared_line_message(self):
        return self.env._(
            "%(line)s was declared by the donor: it stays on the "
            "pickup, collected or missing.",
            line=self.label,
        )

    def _screen_values(self, labels):
        return dict(
            super()._screen_values(labels),
            # sudo: an extra device of the donor's register is not the
            # operator's before the validation; only its serial is shown
            serial=self.equipment_id.sudo().serial or "",
            collected=self.collected_qty,
            missing_reason=self.missing_reason or "",
        )
