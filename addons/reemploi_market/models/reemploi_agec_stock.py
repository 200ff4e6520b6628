from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.reemploi_asset.services import lifecycle

from ..services import takeback

# a device left its owner for the reuse chain when an operator received it
HANDED_OVER_STATES = (lifecycle.COLLECTED, lifecycle.RECEIVED)
# reformed: the owner took the device out of use
REFORMED_STATES = (lifecycle.TO_DECOMMISSION, lifecycle.DECLARED)
# sent to an operator, but not to reuse
NOT_REUSED_STATES = (lifecycle.RECYCLED, lifecycle.MISSING)


class ReemploiAgecStock(models.Model):
    """AGEC indicators of a public donor for one year: the reuse rate of
    décret 2023-266 and the share of reused equipment in its IT purchases."""

    _name = "reemploi.agec.stock"
    _description = "AGEC indicators of a public donor for a year"
    _order = "year desc, partner_id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Public body",
        required=True,
        index=True,
        domain=[("is_public_body", "=", True), ("is_company", "=", True)],
    )
    year = fields.Integer(
        required=True, default=lambda self: fields.Date.context_today(self).year
    )
    reformed_stock = fields.Integer(
        string="Reformed stock on 1 January (entered)",
        help="Reformed IT devices the body held on 1 January, as it declares "
        "them. Leave 0 to count them from the register.",
    )
    register_reformed_stock = fields.Integer(
        string="Reformed stock on 1 January (register)",
        compute="_compute_indicators",
        store=True,
        help="Devices of the register taken out of use (to decommission or "
        "declared) before 1 January and not yet handed over to an operator.",
    )
    stock_used = fields.Integer(
        string="Reformed stock on 1 January",
        compute="_compute_indicators",
        store=True,
    )
    sent_to_reuse = fields.Integer(
        string="Sent to reuse in the year",
        compute="_compute_indicators",
        store=True,
        help="Devices of the body handed over to a reuse operator during the "
        "year, except those recycled or missing since.",
    )
    reuse_rate = fields.Float(
        string="Reuse rate (%)",
        compute="_compute_indicators",
        store=True,
        digits=(16, 1),
        aggregator="avg",
    )
    reuse_target = fields.Float(
        string="Target (%)",
        compute="_compute_indicators",
        store=True,
        digits=(16, 1),
        aggregator="avg",
    )
    reuse_status = fields.Selection(
        [
            ("met", "Target met"),
            ("missed", "Target missed"),
            ("no_stock", "No reformed stock"),
            ("no_target", "No target this year"),
        ],
        string="Reuse target",
        compute="_compute_indicators",
        store=True,
    )
    it_purchase_total = fields.Float(
        string="IT purchases",
        digits=(16, 2),
        help="IT purchases of the year (amount excluding VAT, or devices).",
    )
    reused_purchase = fields.Float(
        string="Reused equipment purchased",
        digits=(16, 2),
        help="Part of the IT purchases that is reused equipment, in the same unit.",
    )
    purchase_share = fields.Float(
        string="Reused share of purchases (%)",
        compute="_compute_indicators",
        store=True,
        digits=(16, 1),
        aggregator="avg",
    )
    purchase_status = fields.Selection(
        [
            ("met", "Target met"),
            ("missed", "Target missed"),
            ("no_purchase", "No purchase"),
        ],
        string="Purchase target (20%)",
        compute="_compute_indicators",
        store=True,
    )

    has_public_body = fields.Boolean(
        string="Public body flagged",
        compute="_compute_has_public_body",
        help="At least one organisation is flagged as a public body.",
    )

    _sql_constraints = [
        (
            "partner_year_unique",
            "unique(partner_id, year)",
            "A public body has one line of AGEC indicators per year.",
        ),
        (
            "figures_positive",
            "CHECK(reformed_stock >= 0 AND it_purchase_total >= 0 "
            "AND reused_purchase >= 0 AND reused_purchase <= it_purchase_total)",
            "Stock and purchases cannot be negative, and the reused purchases "
            "cannot exceed the IT purchases.",
        ),
    ]

    @api.depends(
        "partner_id", "year", "reformed_stock", "it_purchase_total", "reused_purchase"
    )
    def _compute_indicators(self):
        register = self._register_figures()
        for line in self:
            stock, sent = register.get((line.partner_id.id, line.year), (0, 0))
            line.register_reformed_stock = stock
            line.stock_used = line.reformed_stock or stock
            line.sent_to_reuse = sent
            rate = takeback.reuse_rate(sent, line.stock_used, line.year)
            line.reuse_rate = 100 * rate.rate if rate.rate is not None else 0.0
            line.reuse_target = 100 * (rate.target or 0.0)
            if rate.target is None:
                line.reuse_status = "no_target"
            elif rate.met is None:
                line.reuse_status = "no_stock"
            else:
                line.reuse_status = "met" if rate.met else "missed"
            share = takeback.purchase_share(
                line.reused_purchase, line.it_purchase_total
            )
            line.purchase_share = 100 * share.rate if share.rate is not None else 0.0
            if share.met is None:
                line.purchase_status = "no_purchase"
            else:
                line.purchase_status = "met" if share.met else "missed"

    # not a property of the line: the dependencies only make the form compute
    # it when it opens (the year has a default) and while a body is chosen
    @api.depends("partner_id", "year")
    def _compute_has_public_body(self):
        has_any = bool(
            self.env["res.partner"].search_count(
                [("is_public_body", "=", True), ("is_company", "=", True)], limit=1
            )
        )
        for line in self:
            line.has_public_body = has_any

    @api.constrains("partner_id")
    def _check_public_body(self):
        for line in self:
            if not (line.partner_id.is_public_body and line.partner_id.is_company):
                raise ValidationError(
                    self.env._(
                        "%(partner)s is not flagged as a public body: AGEC "
                        "indicators are for public bodies only. Flag it with "
                        "Dashboards > Public bodies first.",
                        partner=line.partner_id.display_name,
                    )
                )

    def _register_figures(self):
        """{(partner id, year): (reformed stock on 1 January, devices sent to
        reuse in the year)} from the custody events of the register, in one
        query."""
        keys = [(line.partner_id.id, line.year) for line in self if line.partner_id]
        if not keys:
            return {}
        self.env["reemploi.custody.event"].flush_model()
        self.env["reemploi.equipment"].flush_model(["owner_id", "state"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env.cr.execute(
            """
            WITH wanted AS (
                SELECT partner_id, year,
                       make_date(year, 1, 1)::timestamp AS jan1,
                       make_date(year + 1, 1, 1)::timestamp AS next_jan1
                  FROM unnest(%s::int[], %s::int[]) AS w(partner_id, year)
            ), device AS (
                SELECT e.id, e.state, p.commercial_partner_id AS partner_id,
                       min(ev.date) FILTER (WHERE ev.to_state = ANY(%s)) AS reformed,
                       min(ev.date) FILTER (WHERE ev.to_state = ANY(%s)) AS handed_over
                  FROM reemploi_equipment e
                  JOIN res_partner p ON p.id = e.owner_id
                  JOIN reemploi_custody_event ev ON ev.equipment_id = e.id
                 WHERE p.commercial_partner_id IN (SELECT partner_id FROM wanted)
              GROUP BY e.id, e.state, p.commercial_partner_id
            )
            SELECT w.partner_id, w.year,
                   count(d.id) FILTER (
                       WHERE d.reformed < w.jan1
                         AND (d.handed_over IS NULL OR d.handed_over >= w.jan1)
                   ),
                   count(d.id) FILTER (
                       WHERE d.handed_over >= w.jan1 AND d.handed_over < w.next_jan1
                         AND d.state <> ALL(%s)
                   )
              FROM wanted w
         LEFT JOIN device d ON d.partner_id = w.partner_id
          GROUP BY w.partner_id, w.year
            """,
            [
                [partner for partner, _year in keys],
                [year for _partner, year in keys],
                list(REFORMED_STATES),
                list(HANDED_OVER_STATES),
                list(NOT_REUSED_STATES),
            ],
        )
        return {
            (partner, year): (stock, sent)
            for partner, year, stock, sent in self.env.cr.fetchall()
        }

    def action_refresh(self):
        """Count again from the register (it changes every day)."""
        fields_ = self.pool.field_computed[self._fields["stock_used"]]
        for field in fields_:
            self.env.add_to_compute(field, self)
        self._recompute_recordset([field.name for field in fields_])
        return True
