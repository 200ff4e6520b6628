from odoo import api, fields, models
from odoo.exceptions import UserError

from ..services import allocation as allocation_service


class ReemploiAllocationRequest(models.Model):
    """How many devices of a category an association asks for over a period,
    when devices are scarce: the input of an allocation run."""

    _name = "reemploi.allocation.request"
    _description = "Allocation request"
    _order = "date_from desc, id desc"

    association_id = fields.Many2one(
        "reemploi.association", required=True, ondelete="cascade", index=True
    )
    category_id = fields.Many2one(
        "reemploi.equipment.category", string="Category", required=True
    )
    quantity = fields.Integer(required=True, default=1)
    need_category_id = fields.Many2one(
        "reemploi.need.category",
        string="Need",
        help="The need these devices serve; it weighs the request. Without "
        "one, the largest weight of the association's needs counts.",
    )
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    # what the association wrote of the people it equips: read by the
    # association and the coordinator who shares the devices, not by operators
    note = fields.Text(
        groups="reemploi_asset.group_reemploi_coordinator,"
        "reemploi_social.group_reemploi_association",
    )
    state = fields.Selection(
        [
            ("open", "Open"),
            ("allocated", "Allocated"),
            ("cancelled", "Cancelled"),
        ],
        default="open",
        required=True,
        readonly=True,
        copy=False,
        index=True,
    )
    weight = fields.Float(
        compute="_compute_weight",
        digits=(16, 2),
        help="People served (at least 10) x weight of the need: the share of "
        "scarce devices this request gets is proportional to it.",
    )
    allocation_ids = fields.One2many(
        "reemploi.allocation", "request_id", string="Allocations"
    )

    _sql_constraints = [
        (
            "quantity_positive",
            "CHECK(quantity > 0)",
            "A request asks for at least one device.",
        ),
        ("dates", "CHECK(date_to >= date_from)", "A request ends after it starts."),
    ]

    @api.depends(
        "association_id.people_served",
        "association_id.need_category_ids.weight",
        "need_category_id.weight",
    )
    def _compute_weight(self):
        for request in self:
            request.weight = float(request._allocation_weight())

    @api.depends("association_id", "category_id", "quantity")
    def _compute_display_name(self):
        for request in self:
            request.display_name = self.env._(
                "%(association)s: %(quantity)s × %(category)s",
                association=request.association_id.name or "",
                quantity=request.quantity,
                category=request.category_id.name or "",
            )

    def _allocation_weight(self):
        """Exact weight for the allocation service (see its docstring)."""
        self.ensure_one()
        # sudo: the weight of the association's needs is public information
        association = self.association_id.sudo()
        need = self.need_category_id.weight or max(
            association.need_category_ids.mapped("weight") or [1.0]
        )
        return allocation_service.request_weight(association.people_served, need)

    def action_cancel(self):
        if self.filtered(lambda request: request.state != "open"):
            raise UserError(
                self.env._(
                    "Only open requests can be cancelled: %(requests)s already "
                    "went through an allocation.",
                    requests=", ".join(
                        self.filtered(lambda r: r.state != "open").mapped(
                            "display_name"
                        )
                    ),
                )
            )
        self.state = "cancelled"
        return True
