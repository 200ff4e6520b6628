from odoo import api, fields, models
from odoo.exceptions import UserError

from ..services import demand_matching

OPEN_DEMAND_STATES = ("open", "matched")


class ReemploiDemand(models.Model):
    """What a reseller or an association wants of the refurbished stock."""

    _name = "reemploi.demand"
    _description = "Demand for refurbished devices"
    _inherit = ["mail.thread"]
    _order = "deadline, id"

    name = fields.Char(string="Description", required=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Requested by",
        required=True,
        tracking=True,
        index=True,
        domain=[("is_company", "=", True)],
        help="Reseller or association that wants the devices.",
    )
    category_id = fields.Many2one(
        "reemploi.equipment.category", required=True, tracking=True
    )
    quantity = fields.Integer(default=1, required=True, tracking=True)
    min_grade_id = fields.Many2one(
        "reemploi.grade",
        string="Minimum grade",
        required=True,
        tracking=True,
        domain=[("scale", "=", "overall")],
    )
    deadline = fields.Date(tracking=True)
    max_price = fields.Float(
        string="Maximum price per device",
        digits="Product Price",
        help="0: no maximum. A device without a price in the shop (its "
        "category's product) is not allocated to a demand with a maximum.",
    )
    state = fields.Selection(
        [("open", "Open"), ("matched", "Matched"), ("closed", "Closed")],
        default="open",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    match_ids = fields.One2many(
        "reemploi.demand.match", "demand_id", string="Allocations", readonly=True
    )
    quantity_allocated = fields.Integer(
        string="Allocated", compute="_compute_quantity_allocated", store=True
    )

    _sql_constraints = [
        (
            "quantity_positive",
            "CHECK(quantity > 0)",
            "The quantity of a demand must be positive.",
        ),
        (
            "max_price_positive",
            "CHECK(max_price >= 0)",
            "The maximum price of a demand cannot be negative.",
        ),
    ]

    @api.depends("match_ids.quantity", "match_ids.state")
    def _compute_quantity_allocated(self):
        for demand in self:
            demand.quantity_allocated = sum(
                demand.match_ids.filtered(lambda m: m.state != "released").mapped(
                    "quantity"
                )
            )

    def action_match_stock(self):
        """Allocate the available refurbished stock to every open demand
        (the stock is shared: all open demands are matched together)."""
        demands = self.search([("state", "in", OPEN_DEMAND_STATES)])
        if not demands:
            raise UserError(self.env._("There is no open demand to match."))
        demands._match_stock(fields.Date.context_today(self))
        return True

    def action_close(self):
        """Close the demand: the devices promised to it and not delivered go
        back to the pool."""
        self.match_ids.filtered(lambda m: m.state == "accepted").action_release()
        self.write({"state": "closed"})
        return True

    def action_reopen(self):
        self.write({"state": "open"})
        return True

    def _stock_groups(self):
        """The pool of available devices grouped by (operator, category,
        grade), as demand_matching.StockGroup, in one grouped query."""
        Equipment = self.env["reemploi.equipment"]
        # sudo: the pool is counted whoever matches (see _available_domain);
        # only the counts come out
        groups = Equipment.sudo()._read_group(
            Equipment._available_domain(),
            ["company_id", "category_id", "grade_id"],
            ["__count"],
        )
        return [
            demand_matching.StockGroup(
                (company.id, category.id, grade.id),
                category.id,
                grade.id,
                count,
                price=category.product_id.list_price if category.product_id else None,
            )
            for company, category, grade, count in groups
        ]

    def _match_stock(self, today):
        """Replace the proposed allocations of ``self`` by the engine's; the
        accepted ones stay, and hold their devices out of the stock."""
        grades = self.env["reemploi.grade"].search([("scale", "=", "overall")])
        engine_demands = []
        for demand in self:
            accepted = demand.match_ids.filtered(lambda m: m.state == "accepted")
            quantity = demand.quantity - sum(accepted.mapped("quantity"))
            if quantity > 0:
                engine_demands.append(
                    demand_matching.Demand(
                        demand.id,
                        demand.category_id.id,
                        quantity,
                        demand.min_grade_id.id,
                        deadline=demand.deadline or None,
                        max_price=demand.max_price or None,
                    )
                )
        result = demand_matching.match_demand(
            self._stock_groups(), engine_demands, today=today, grades=tuple(grades.ids)
        )
        self.match_ids.filtered(lambda m: m.state == "proposed").unlink()
        Match = self.env["reemploi.demand.match"]
        Match.create(
            [
                {
                    "demand_id": allocation.demand_id,
                    "company_id": allocation.stock_id[0],
                    "grade_id": allocation.stock_id[2],
                    "quantity": allocation.quantity,
                    "score": allocation.breakdown.total,
                    "breakdown": [
                        {
                            "reason": part.reason,
                            "value": part.value,
                            "minimum": part.minimum,
                            "points": part.points,
                        }
                        for part in allocation.breakdown.parts
                    ],
                }
                for allocation in result.allocations
            ]
        )
        matched = self.filtered(
            lambda d: d.match_ids.filtered(lambda m: m.state != "released")
        )
        matched.write({"state": "matched"})
        (self - matched).write({"state": "open"})
        return result
