from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class ReemploiQuota(models.Model):
    """How many devices of a category an association may take at solidarity
    conditions over a period (e.g. 20 laptops a quarter).

    ``used_qty`` is only ever changed by one atomic UPDATE (see
    ``_consume``), and a CHECK constraint keeps it within ``limit_qty``:
    two checkouts racing for the last units cannot both succeed, whatever
    the isolation level.
    """

    _name = "reemploi.quota"
    _description = "Solidarity quota"
    _inherit = ["mail.thread", "reemploi.category.period"]
    _order = "date_from desc, association_id, category_id"

    association_id = fields.Many2one(
        "reemploi.association",
        required=True,
        ondelete="cascade",
        index=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        related="association_id.partner_id", store=True, index=True
    )
    category_id = fields.Many2one(
        "reemploi.equipment.category", required=True, tracking=True
    )
    date_from = fields.Date(string="From", required=True, tracking=True)
    date_to = fields.Date(string="To", required=True, tracking=True)
    limit_qty = fields.Integer(string="Limit", required=True, tracking=True)
    used_qty = fields.Integer(
        string="Used",
        default=0,
        required=True,
        readonly=True,
        copy=False,
        help="Devices of confirmed solidarity orders of the period.",
    )
    remaining_qty = fields.Integer(string="Left", compute="_compute_remaining_qty")
    name = fields.Char(compute="_compute_name")

    _sql_constraints = [
        (
            "used_within_limit",
            "CHECK(used_qty >= 0 AND used_qty <= limit_qty)",
            "A quota cannot be used beyond its limit.",
        ),
        ("dates", "CHECK(date_to >= date_from)", "A quota ends after it starts."),
    ]

    @api.depends("limit_qty", "used_qty")
    def _compute_remaining_qty(self):
        for quota in self:
            quota.remaining_qty = quota.limit_qty - quota.used_qty

    @api.constrains("association_id", "category_id", "date_from", "date_to")
    def _check_no_overlap(self):
        for quota in self:
            overlap = self.search_count(
                [
                    ("id", "!=", quota.id),
                    ("association_id", "=", quota.association_id.id),
                    ("category_id", "=", quota.category_id.id),
                    ("date_from", "<=", quota.date_to),
                    ("date_to", ">=", quota.date_from),
                ],
                limit=1,
            )
            if overlap:
                raise ValidationError(
                    self.env._(
                        "%(association)s already has a quota of %(category)s "
                        "overlapping %(start)s – %(end)s: change the dates of one "
                        "of them.",
                        association=quota.association_id.name,
                        category=quota.category_id.name,
                        start=quota.date_from.strftime("%d/%m/%Y"),
                        end=quota.date_to.strftime("%d/%m/%Y"),
                    )
                )

    @api.constrains("limit_qty")
    def _check_limit(self):
        for quota in self:
            if quota.limit_qty < quota.used_qty:
                raise ValidationError(
                    self.env._(
                        "%(quota)s of %(association)s has %(used)s devices ordered "
                        "already: its limit cannot be lower.",
                        quota=quota.name,
                        association=quota.association_id.name,
                        used=quota.used_qty,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("used_qty") and not self.env.su:
                self.check_access("create")
                association = self.env["reemploi.association"].browse(
                    vals.get("association_id")
                )
                self._refuse_used_qty(association.display_name)
        return super().create(vals_list)

    def write(self, vals):
        if "used_qty" in vals and not self.env.su:
            for quota in self:
                if quota.used_qty != (vals["used_qty"] or 0):
                    quota.check_access("write")
                    quota._refuse_used_qty(quota.association_id.display_name)
        return super().write(vals)

    def _refuse_used_qty(self, association):
        """``used_qty`` counts the confirmed solidarity orders: only
        :meth:`_consume` and :meth:`_release` change it."""
        if self.env.su:
            return
        raise UserError(
            self.env._(
                "The used part of a quota of %(association)s counts its "
                "confirmed solidarity orders: it changes only when an order is "
                "confirmed or cancelled. Change the limit of the quota instead.",
                association=association or "-",
            )
        )

    # ------------------------------------------------------------------
    # Consumption: one atomic statement each
    # ------------------------------------------------------------------
    def _consume(self, quantity):
        """Take ``quantity`` units of this quota, or raise a UserError that
        says how many are left. Atomic: the row is written by the very
        statement that checks the limit."""
        self.ensure_one()
        self.flush_recordset()
        self.env.cr.execute(
            """
            UPDATE reemploi_quota
               SET used_qty = used_qty + %(qty)s,
                   write_date = (now() at time zone 'UTC'),
                   write_uid = %(uid)s
             WHERE id = %(id)s AND used_qty + %(qty)s <= limit_qty
            RETURNING used_qty
            """,
            {"qty": quantity, "id": self.id, "uid": self.env.uid},
        )
        done = self.env.cr.fetchone()
        self.invalidate_recordset(["used_qty", "write_date", "write_uid"])
        if not done:
            raise UserError(self._refusal(quantity))

    def _release(self, quantity):
        """Give back ``quantity`` units (a cancelled order)."""
        self.ensure_one()
        self.flush_recordset()
        self.env.cr.execute(
            """
            UPDATE reemploi_quota
               SET used_qty = GREATEST(used_qty - %(qty)s, 0),
                   write_date = (now() at time zone 'UTC'),
                   write_uid = %(uid)s
             WHERE id = %(id)s
            """,
            {"qty": quantity, "id": self.id, "uid": self.env.uid},
        )
        self.invalidate_recordset(["used_qty", "write_date", "write_uid"])

    def _refusal(self, quantity):
        self.ensure_one()
        # read again: another order may have taken units meanwhile
        self.invalidate_recordset(["used_qty"])
        return self.env._(
            "The quota of %(association)s for %(quota)s has %(left)s device(s) "
            "left and this order asks for %(asked)s: remove devices from the "
            "cart or ask the territory coordinator to raise the quota.",
            association=self.association_id.name,
            quota=self.name,
            left=max(self.remaining_qty, 0),
            asked=quantity,
        )
