from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import formatLang


class ReemploiDemandMatch(models.Model):
    """Devices of an operator's stock allocated to a demand.

    proposed (by the matching: a number of devices of a grade, none held) ->
    accepted by the operator, which promises that many devices of its stock
    to the demand (they leave the pool of available devices) -> released
    when the demand is closed or the operator withdraws them.
    """

    _name = "reemploi.demand.match"
    _description = "Stock allocated to a demand"
    _order = "demand_id, score desc, id"

    demand_id = fields.Many2one(
        "reemploi.demand", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one(
        related="demand_id.partner_id", string="Requested by", store=True, index=True
    )
    company_id = fields.Many2one(
        "res.company", string="Operator", required=True, index=True
    )
    category_id = fields.Many2one(related="demand_id.category_id")
    grade_id = fields.Many2one("reemploi.grade", required=True)
    quantity = fields.Integer(required=True)
    score = fields.Float(string="Points per device", digits=(16, 2))
    breakdown = fields.Json()
    breakdown_text = fields.Text(
        string="Score details", compute="_compute_breakdown_text"
    )
    state = fields.Selection(
        [
            ("proposed", "Proposed"),
            ("accepted", "Accepted"),
            ("released", "Released"),
        ],
        default="proposed",
        required=True,
        readonly=True,
        copy=False,
        index=True,
    )
    equipment_ids = fields.Many2many(
        "reemploi.equipment",
        "reemploi_demand_match_equipment_rel",
        "match_id",
        "equipment_id",
        string="Devices",
        readonly=True,
        copy=False,
        help="The devices the operator promised to the demand when it accepted "
        "the allocation.",
    )

    @api.depends("breakdown")
    def _compute_breakdown_text(self):
        grades = {
            grade.id: grade.code
            for grade in self.env["reemploi.grade"].search([("scale", "=", "overall")])
        }
        for line in self:
            line.breakdown_text = "\n".join(
                line._describe_part(part, grades) for part in line.breakdown or ()
            )

    def _describe_part(self, part, grades):
        _ = self.env._
        reason, value = part["reason"], part.get("value")
        points = formatLang(self.env, part["points"], digits=2)
        if reason == "fill":
            return _("Device delivered: %(points)s pts", points=points)
        if reason == "price":
            return _(
                "Price %(percent)s %% of the maximum: %(points)s pts",
                percent=formatLang(self.env, value * 100, digits=0),
                points=points,
            )
        if reason == "no_max_price":
            return _("No maximum price: %(points)s pts", points=points)
        if reason == "grade":
            return _(
                "Grade %(grade)s for a minimum of %(minimum)s: %(points)s pts",
                grade=grades.get(value, value),
                minimum=grades.get(part.get("minimum"), part.get("minimum")),
                points=points,
            )
        if reason == "urgency":
            return _(
                "Deadline in %(days)s days: %(points)s pts", days=value, points=points
            )
        if reason == "no_deadline":
            return _("No deadline: %(points)s pts", points=points)
        return f"{reason}: {points}"

    # ------------------------------------------------------------------
    # Actions of the operator (and the coordinator)
    # ------------------------------------------------------------------
    def _pool_hold_label(self, public=False):
        """What holds the devices of this accepted match, in words
        (reemploi.equipment._pool_holder_labels)."""
        if public:
            return self.env._("the demand of a reseller or an association")
        return self.env._(
            'the demand "%(demand)s" of %(partner)s',
            demand=self.demand_id.name,
            partner=self.partner_id.name,
        )

    def action_accept(self):
        """Promise the allocated devices to the demand: the best devices of
        the operator's stock of that category and grade are taken from the
        pool in this transaction (reemploi.equipment._pool_take), all of
        them or none."""
        # the operators of the allocation's company and the coordinator
        self.check_access("read")
        for match in self:
            if match.state != "proposed" or match.demand_id.state == "closed":
                raise UserError(
                    self.env._(
                        "The allocation of %(quantity)s device(s) of %(operator)s "
                        "to %(demand)s is not waiting for an answer.",
                        quantity=match.quantity,
                        operator=match.company_id.name,
                        demand=match.demand_id.name,
                    )
                )
        Equipment = self.env["reemploi.equipment"]
        # sudo: operators answer the allocations of their own companies
        # (checked above) but do not write allocations otherwise; only
        # devices of the allocation's operator are taken
        for match in self.sudo():
            candidates = Equipment.sudo().search(
                [
                    *Equipment._available_domain(),
                    ("company_id", "=", match.company_id.id),
                    ("category_id", "=", match.category_id.id),
                    ("grade_id", "=", match.grade_id.id),
                ],
                order="battery_health desc, id",
                limit=match.quantity,
            )
            taken = candidates._pool_take()
            if len(taken) < match.quantity:
                raise UserError(
                    self.env._(
                        "Only %(available)s of the %(quantity)s device(s) graded "
                        "%(grade)s that %(operator)s allocated to %(demand)s are "
                        "still available: match the stock again.",
                        available=len(taken),
                        quantity=match.quantity,
                        grade=match.grade_id.code,
                        operator=match.company_id.name,
                        demand=match.demand_id.name,
                    )
                )
            match.write(
                {"state": "accepted", "equipment_ids": [Command.set(taken.ids)]}
            )
        return True

    def action_release(self):
        """Give the promised devices back to the pool."""
        self.check_access("read")
        if self.filtered(lambda match: match.state != "accepted"):
            raise UserError(
                self.env._("Only accepted allocations hold devices to release.")
            )
        # sudo: as for the acceptance
        self.sudo().state = "released"
        return True
