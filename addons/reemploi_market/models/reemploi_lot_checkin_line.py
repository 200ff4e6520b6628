from odoo import api, fields, models

STATUS_SELECTION = [
    ("pending", "To check"),
    ("received", "Received"),
    ("partial", "Partly received"),
    ("missing", "Missing"),
    ("extra", "Extra"),
    ("unknown", "Unknown"),
]


class ReemploiLotCheckinLine(models.Model):
    """What was expected of a lot and what came: a declared device, a
    declared quantity of a category, a device that came undeclared, or a
    code that matched nothing. Never changed once the check-in is done."""

    _name = "reemploi.lot.checkin.line"
    _inherit = ["reemploi.lot.evidence.line"]
    _description = "Check-in line"
    _order = "checkin_id, sequence, id"

    checkin_id = fields.Many2one(
        "reemploi.lot.checkin",
        string="Check-in",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="checkin_id.company_id", store=True)
    category_id = fields.Many2one("reemploi.equipment.category")
    received_qty = fields.Integer(string="Received")
    count_line_id = fields.Many2one(
        "reemploi.lot.checkin.line",
        string="Counted in",
        readonly=True,
        ondelete="set null",
        help="Declared quantity of the same category that this undeclared "
        "device fulfils.",
    )
    counted_line_ids = fields.One2many(
        "reemploi.lot.checkin.line", "count_line_id", string="Devices counted"
    )
    status = fields.Selection(
        STATUS_SELECTION, compute="_compute_status", store=True, index=True
    )

    _sql_constraints = [
        (
            "received_positive",
            "CHECK(received_qty >= 0)",
            "A received quantity cannot be negative.",
        ),
    ]

    @api.depends(
        "kind", "expected_qty", "received_qty", "count_line_id", "checkin_id.state"
    )
    def _compute_status(self):
        for line in self:
            done = line.checkin_id.state == "done"
            if line.kind == "unknown":
                line.status = "unknown"
            elif line.kind == "extra":
                line.status = "received" if line.count_line_id else "extra"
            elif line.received_qty >= line.expected_qty:
                line.status = "received" if line.received_qty else "pending"
            elif line.received_qty:
                line.status = "missing" if done else "partial"
            else:
                line.status = "missing" if done else "pending"

    def _evidence(self):
        return self.checkin_id

    def _declared_line_message(self):
        return self.env._(
            "%(line)s was declared by the donor: it stays in the "
            "check-in, received or missing.",
            line=self.label,
        )

    def _count_against_declared(self):
        """An undeclared device of a category the donor declared a quantity
        of fulfils that quantity, as long as it is not reached."""
        for line in self:
            quantity = line.checkin_id.line_ids.filtered(
                lambda other, line=line: (
                    other.kind == "count"
                    and other.category_id == line.category_id
                    and len(other.counted_line_ids) < other.expected_qty
                )
            )[:1]
            if quantity:
                line.count_line_id = quantity
                quantity.received_qty = max(
                    quantity.received_qty, len(quantity.counted_line_ids)
                )

    def _reconcile_kind(self):
        """Kind of the line for services.collection.reconcile()."""
        self.ensure_one()
        return "counted" if self.count_line_id else self.kind

    def _screen_values(self, labels):
        return dict(
            super()._screen_values(labels),
            category_id=self.category_id.id,
            received=self.received_qty,
            counted_in=self.count_line_id.label or "",
        )
