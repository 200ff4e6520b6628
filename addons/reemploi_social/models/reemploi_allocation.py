from collections import defaultdict

import psycopg2

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import formatLang

from ..services import allocation as allocation_service

REASONS = [
    (allocation_service.FULL, "Enough devices for every request"),
    (allocation_service.CAPPED, "Asked less than its share"),
    (allocation_service.SHARED, "Weighted share of the scarce devices"),
    (allocation_service.NOTHING_ASKED, "Nothing asked"),
]


class ReemploiAllocation(models.Model):
    """What one association got in an allocation run, and why.

    proposed (published run) -> confirmed by the association on the portal,
    which reserves the devices -> turned into a solidarity sale order; or
    refused by the association, or cancelled by the coordinator.
    """

    _name = "reemploi.allocation"
    _description = "Fair allocation"
    _order = "run_id desc, association_id"
    _rec_name = "association_id"

    run_id = fields.Many2one(
        "reemploi.allocation.run", required=True, ondelete="cascade", index=True
    )
    run_state = fields.Selection(related="run_id.state", string="Run state")
    request_id = fields.Many2one(
        "reemploi.allocation.request", required=True, ondelete="restrict", index=True
    )
    association_id = fields.Many2one(
        "reemploi.association", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one(
        related="association_id.partner_id", store=True, index=True
    )
    category_id = fields.Many2one(related="run_id.category_id")
    date_from = fields.Date(related="run_id.date_from")
    date_to = fields.Date(related="run_id.date_to")
    supply_qty = fields.Integer(related="run_id.supply_qty")
    asked_qty = fields.Integer(string="Asked", readonly=True)
    weight = fields.Float(digits=(16, 2), readonly=True)
    proportional_share = fields.Float(
        digits=(16, 2),
        readonly=True,
        help="Devices available x weight / total weight of the requests.",
    )
    fair_share = fields.Float(
        digits=(16, 2),
        readonly=True,
        help="Proportional share, plus what associations asking less than "
        "theirs left, never more than asked.",
    )
    allocated_qty = fields.Integer(string="Allocated", readonly=True)
    reason = fields.Selection(REASONS, readonly=True)
    rounded_up = fields.Boolean(
        readonly=True,
        help="Got one of the devices left once every fair share was rounded "
        "down (largest fractional parts first).",
    )
    explanation = fields.Text(compute="_compute_explanation")
    state = fields.Selection(
        [
            ("proposed", "Proposed"),
            ("confirmed", "Confirmed"),
            ("refused", "Refused"),
            ("cancelled", "Cancelled"),
        ],
        default="proposed",
        required=True,
        readonly=True,
        copy=False,
        index=True,
    )
    line_ids = fields.One2many(
        "reemploi.allocation.line", "allocation_id", string="Devices", readonly=True
    )
    sale_order_ids = fields.Many2many(
        "sale.order", string="Orders", compute="_compute_sale_order_ids"
    )

    @api.depends(
        "reason",
        "weight",
        "proportional_share",
        "fair_share",
        "allocated_qty",
        "asked_qty",
        "rounded_up",
        "run_id.supply_qty",
    )
    @api.depends_context("lang")
    def _compute_explanation(self):
        for allocation in self:
            allocation.explanation = allocation._explain()

    def _explain(self):
        """The allocation in words, in the reader's language."""
        self.ensure_one()
        _ = self.env._

        def number(value):
            digits = 0 if float(value).is_integer() else 2
            return formatLang(self.env, value, digits=digits)

        values = {
            "supply": self.supply_qty,
            "asked": self.asked_qty,
            "allocated": self.allocated_qty,
            "weight": number(self.weight),
            "proportional": number(self.proportional_share),
            "fair": number(self.fair_share),
            "leftovers": number(max(self.fair_share - self.proportional_share, 0)),
            "given_up": number(max(self.proportional_share - self.fair_share, 0)),
        }
        if self.reason == allocation_service.NOTHING_ASKED:
            return _("Nothing was asked.")
        if self.reason == allocation_service.FULL:
            return _(
                "%(supply)s devices were available, enough for every request: "
                "%(allocated)s allocated, as asked.",
                **values,
            )
        text = _(
            "%(supply)s devices for more requests than that: each association "
            "gets a share proportional to its weight (people served, at least "
            "10, × weight of the need). Weight %(weight)s: proportional share "
            "%(proportional)s.",
            **values,
        )
        if self.reason == allocation_service.CAPPED:
            text += " " + _(
                "Asked %(asked)s, no more than its share: all of it.", **values
            )
            if self.proportional_share > self.fair_share:
                text += " " + _(
                    "The %(given_up)s left went to the other associations.",
                    **values,
                )
            return text
        if self.fair_share > self.proportional_share:
            text += " " + _(
                "Plus %(leftovers)s left by associations that asked less than "
                "their share: fair share %(fair)s.",
                **values,
            )
        if float(self.fair_share).is_integer():
            text += " " + _(
                "%(allocated)s device(s) allocated of %(asked)s asked.", **values
            )
        elif self.rounded_up:
            text += " " + _(
                "Rounded up to %(allocated)s device(s) (of %(asked)s asked): its "
                "fractional part was among the largest.",
                **values,
            )
        else:
            text += " " + _(
                "Rounded down to %(allocated)s device(s) (of %(asked)s asked): "
                "the devices left by rounding went to larger fractional parts.",
                **values,
            )
        return text

    @api.depends("line_ids.sale_line_id")
    def _compute_sale_order_ids(self):
        for allocation in self:
            allocation.sale_order_ids = allocation.line_ids.sale_line_id.order_id

    # ------------------------------------------------------------------
    # Actions of the association (through the portal) and the coordinator
    # ------------------------------------------------------------------
    def action_confirm(self):
        """Accept the allocation: its devices are reserved for the
        association, in this transaction, or nothing is."""
        for allocation in self:
            if allocation.state != "proposed" or allocation.run_id.state != "done":
                raise UserError(
                    self.env._(
                        "The allocation of %(association)s is not waiting for a "
                        "confirmation.",
                        association=allocation.association_id.name,
                    )
                )
            # all the devices or none
            with self.env.cr.savepoint():
                allocation._reserve_devices()
                allocation.state = "confirmed"
        return True

    def action_refuse(self):
        """Decline the allocation: its devices go back to the pool."""
        for allocation in self:
            if allocation.state not in ("proposed", "confirmed") or any(
                line.state == "ordered" for line in allocation.line_ids
            ):
                raise UserError(
                    self.env._(
                        "The allocation of %(association)s can no longer be "
                        "declined: its devices are ordered.",
                        association=allocation.association_id.name,
                    )
                )
        self.line_ids.state = "cancelled"
        self.state = "refused"
        return True

    def action_cancel(self):
        """The coordinator withdraws the allocation (devices not ordered yet
        go back to the pool)."""
        self.line_ids.filtered(lambda line: line.state != "ordered").state = "cancelled"
        self.state = "cancelled"
        return True

    def action_create_sale_orders(self):
        """One draft sale order per operator at solidarity prices for the
        reserved devices; confirming it consumes the association's quota and
        sells the devices."""
        orders = self.env["sale.order"]
        for allocation in self:
            orders |= allocation._create_sale_orders()
        if not orders.has_access("read"):
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "success",
                    "message": self.env._(
                        "Quotations %(orders)s created: the operators confirm them.",
                        orders=", ".join(orders.sudo().mapped("name")),
                    ),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale.action_quotations_with_onboarding"
        )
        action["domain"] = [("id", "in", orders.ids)]
        if len(orders) == 1:
            action.update(res_id=orders.id, view_mode="form", views=[(False, "form")])
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _reserve_devices(self):
        """Reserve the proposed devices; one that is gone (promised by
        another allocation, a demand or a sale meanwhile, withdrawn) is
        replaced by another device of the pool, or the confirmation is
        refused naming it.

        The devices are taken from the pool of available devices
        (reemploi.equipment._pool_take), which is what makes this safe
        against a concurrent promise of the same device by any path. The
        partial unique index of reemploi.allocation.line remains the
        database's last word between two allocations."""
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.state == "proposed")
        # sudo: the pool is read whoever confirms (see _available_domain);
        # the devices are taken all at once, in the order that avoids
        # deadlocks
        available = lines.equipment_id.sudo()._pool_take()
        # devices found taken, not to be proposed again as replacements
        taken = self.env["reemploi.equipment"]
        for line in lines:
            device = line.equipment_id
            while True:
                if device in available:
                    try:
                        with self.env.cr.savepoint():
                            line.write({"equipment_id": device.id, "state": "reserved"})
                        break
                    except psycopg2.errors.UniqueViolation:
                        pass
                taken |= device
                replacement = self._replacement_device(taken)
                if not replacement:
                    raise UserError(
                        self.env._(
                            "%(device)s is no longer available and no other "
                            "device of %(run)s is left: the allocation of "
                            "%(association)s cannot be confirmed. Contact the "
                            "territory coordinator.",
                            device=line.equipment_id.sudo().display_name,
                            run=self.run_id.name,
                            association=self.association_id.name,
                        )
                    )
                device = replacement
                available |= replacement._pool_take()

    def _replacement_device(self, taken):
        """Another free device of the run's pool, none of ``taken``, proposed
        to no other allocation waiting for its association (sudo, as the
        pool)."""
        run = self.run_id
        pool = run._pool() - self.line_ids.equipment_id - taken
        proposed = (
            self.env["reemploi.allocation.line"]
            .sudo()
            .search(
                [
                    ("equipment_id", "in", pool.ids),
                    ("state", "=", "proposed"),
                    ("allocation_id.state", "=", "proposed"),
                ]
            )
            .equipment_id
        )
        return (pool - proposed)[:1]

    def _create_sale_orders(self):
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.state == "reserved")
        if self.state != "confirmed" or not lines:
            raise UserError(
                self.env._(
                    "The allocation of %(association)s has no reserved device to "
                    "order: it must be confirmed by the association first.",
                    association=self.association_id.name,
                )
            )
        # sudo: the devices and orders of the allocation's operators are
        # handled by the coordinator who allocated them; operators only
        # reach allocations holding their own devices (record rules)
        lines = lines.sudo()
        devices = lines.equipment_id
        unpublished = devices.filtered(lambda d: d.state != "for_sale")
        if unpublished:
            # the register requires a device on the shop before a sale;
            # _check_erasure_verified and the lifecycle keep their rules
            unpublished.action_publish_shop()
        by_company = defaultdict(lambda: self.env["reemploi.allocation.line"].sudo())
        for line in lines:
            by_company[line.equipment_id.company_id] |= line
        orders = self.env["sale.order"]
        for company, company_lines in by_company.items():
            pricelist = (
                self.env["product.pricelist"]
                .sudo()
                .search(
                    [
                        ("reemploi_solidarity", "=", True),
                        ("company_id", "in", (False, company.id)),
                    ],
                    limit=1,
                )
            )
            if not pricelist:
                raise UserError(
                    self.env._(
                        "No solidarity pricelist is usable by %(operator)s: "
                        "create one before ordering allocated devices.",
                        operator=company.name,
                    )
                )
            order = (
                self.env["sale.order"]
                .sudo()
                .with_company(company)
                .create(
                    {
                        "partner_id": self.partner_id.id,
                        "company_id": company.id,
                        "pricelist_id": pricelist.id,
                        "origin": self.run_id.name,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": line.equipment_id.shop_product_id.id,
                                    "product_uom_qty": 1,
                                    "reemploi_equipment_id": line.equipment_id.id,
                                }
                            )
                            for line in company_lines
                        ],
                    }
                )
            )
            for order_line in order.order_line:
                company_lines.filtered(
                    lambda line, o=order_line: (
                        line.equipment_id == o.reemploi_equipment_id
                    )
                ).write({"state": "ordered", "sale_line_id": order_line.id})
            orders |= order
        return orders.sudo(False)
