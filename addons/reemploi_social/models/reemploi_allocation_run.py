from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..services import allocation as allocation_service


class ReemploiAllocationRun(models.Model):
    """One sharing of scarce devices of a category among the associations'
    requests of a period (weighted fair share, see services/allocation.py).

    draft -> computed (proposals the coordinator reviews) -> done (published:
    each association sees its allocation on the portal and confirms it).
    """

    _name = "reemploi.allocation.run"
    _description = "Fair allocation run"
    _inherit = ["mail.thread", "reemploi.category.period"]
    _order = "date_from desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    category_id = fields.Many2one(
        "reemploi.equipment.category",
        string="Category",
        required=True,
        tracking=True,
    )
    date_from = fields.Date(string="From", required=True, tracking=True)
    date_to = fields.Date(string="To", required=True, tracking=True)
    min_grade_id = fields.Many2one(
        "reemploi.grade",
        string="Minimum grade",
        domain=[("scale", "=", "overall")],
        help="Only devices of this grade or better are shared.",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Operator",
        help="Only the devices this reuse operator holds; all operators when empty.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("computed", "Computed"), ("done", "Published")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    supply_qty = fields.Integer(
        string="Devices available",
        readonly=True,
        copy=False,
        help="Devices of the pool when the allocation was computed.",
    )
    asked_qty = fields.Integer(string="Devices asked", readonly=True, copy=False)
    allocated_qty = fields.Integer(
        string="Devices allocated", compute="_compute_allocated_qty"
    )
    request_ids = fields.Many2many(
        "reemploi.allocation.request",
        string="Requests",
        readonly=True,
        copy=False,
        help="The open requests of the category overlapping the period, of "
        "associations accredited on the day the run is computed.",
    )
    allocation_ids = fields.One2many(
        "reemploi.allocation", "run_id", string="Allocations", readonly=True
    )

    _sql_constraints = [
        ("dates", "CHECK(date_to >= date_from)", "A run ends after it starts."),
    ]

    @api.depends("allocation_ids.allocated_qty")
    def _compute_allocated_qty(self):
        for run in self:
            run.allocated_qty = sum(run.allocation_ids.mapped("allocated_qty"))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_published(self):
        if self.filtered(lambda run: run.state == "done"):
            raise UserError(
                self.env._(
                    "A published allocation run cannot be deleted: the "
                    "associations have seen it. Cancel its allocations instead."
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_compute(self):
        """Share the pool among the open requests; the proposals replace
        those of a previous computation."""
        for run in self:
            if run.state == "done":
                raise UserError(
                    self.env._(
                        "%(run)s is published already: create a new run.",
                        run=run.name,
                    )
                )
            run._compute_allocations()
        return True

    def action_publish(self):
        """Show the allocations to the associations, which confirm them. A
        request that got nothing stays open for the next run."""
        for run in self:
            if run.state != "computed":
                raise UserError(
                    self.env._("Compute %(run)s before publishing it.", run=run.name)
                )
        served = self.allocation_ids.filtered("allocated_qty").request_id
        served.filtered(lambda r: r.state == "open").state = "allocated"
        self.state = "done"
        return True

    def action_reset(self):
        """Back to draft: the proposals are deleted."""
        if self.filtered(lambda run: run.state == "done"):
            raise UserError(self.env._("A published run cannot go back to draft."))
        self.allocation_ids.unlink()
        self.write({"state": "draft", "supply_qty": 0, "asked_qty": 0})
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _pool_domain(self):
        """Devices this run can hand out: those of the pool of available
        devices (reemploi.equipment._available_domain) in its scope."""
        self.ensure_one()
        domain = [
            *self.env["reemploi.equipment"]._available_domain(),
            ("category_id", "=", self.category_id.id),
        ]
        if self.company_id:
            domain.append(("company_id", "=", self.company_id.id))
        if self.min_grade_id:
            grades = self.env["reemploi.grade"].search(
                [
                    ("scale", "=", self.min_grade_id.scale),
                    ("sequence", "<=", self.min_grade_id.sequence),
                ]
            )
            domain.append(("grade_id", "in", grades.ids))
        return domain

    def _pool(self):
        """The pool, best devices first (sudo: the coordinator shares devices
        of every operator; only their ids and names are used)."""
        self.ensure_one()
        return (
            self.env["reemploi.equipment"]
            .sudo()
            .search(
                self._pool_domain(),
                order="grade_id, battery_health desc, id",
            )
        )

    def _open_requests(self):
        self.ensure_one()
        requests = self.env["reemploi.allocation.request"].search(
            [
                ("state", "=", "open"),
                ("category_id", "=", self.category_id.id),
                ("date_from", "<=", self.date_to),
                ("date_to", ">=", self.date_from),
            ],
            order="id",
        )
        # only associations accredited today, as for solidarity orders
        today = fields.Date.context_today(self)
        return requests.filtered(
            lambda r: (
                r.association_id.active
                and r.association_id._status_on(today) == "valid"
            )
        )

    def _compute_allocations(self):
        self.ensure_one()
        requests = self._open_requests()
        pool = self._pool()
        result = allocation_service.allocate(
            len(pool),
            [
                allocation_service.Request(
                    request.id, request.quantity, request._allocation_weight()
                )
                for request in requests
            ],
        )
        self.allocation_ids.unlink()
        shares = result.by_request()
        # the best devices are dealt in turn, not to the first requests
        devices = iter(pool)
        left = {request.id: shares[request.id].allocated for request in requests}
        dealt = {request.id: [] for request in requests}
        while any(left.values()):
            for request_id, count in left.items():
                if count:
                    dealt[request_id].append(next(devices).id)
                    left[request_id] -= 1
        values = []
        for request in requests:
            share = shares[request.id]
            values.append(
                {
                    "run_id": self.id,
                    "request_id": request.id,
                    "association_id": request.association_id.id,
                    "asked_qty": share.asked,
                    "weight": float(share.weight),
                    "proportional_share": float(share.proportional),
                    "fair_share": float(share.fair),
                    "allocated_qty": share.allocated,
                    "reason": share.reason,
                    "rounded_up": share.rounded_up,
                    "line_ids": [
                        Command.create({"equipment_id": device_id})
                        for device_id in dealt[request.id]
                    ],
                }
            )
        self.env["reemploi.allocation"].create(values)
        self.write(
            {
                "state": "computed",
                "supply_qty": result.supply,
                "asked_qty": result.total_asked,
                "request_ids": [Command.set(requests.ids)],
            }
        )
