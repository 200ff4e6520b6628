from datetime import datetime

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount

from odoo.addons.reemploi_asset.services import lifecycle

from ..services import takeback

# a device left its owner for the reuse chain when an operator received it
HANDED_OVER_STATES = (lifecycle.COLLECTED, lifecycle.RECEIVED)
# reformed: the owner took the device out of use
REFORMED_STATES = (lifecycle.TO_DECOMMISSION, lifecycle.DECLARED)
# what counts as sent to reuse is the outcome of the device
# (lifecycle.REUSE_OUTCOMES), counted by services/takeback.py: reuse_figures


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
        "declared) before 1 January and not yet handed over to an operator, "
        "except those more than ten years old when taken out of use and "
        "those with classified or restricted data (décret 2023-266).",
    )
    stock_left_out_old = fields.Integer(
        string="Stock left out: over ten years old",
        compute="_compute_indicators",
        store=True,
    )
    stock_left_out_restricted = fields.Integer(
        string="Stock left out: restricted data",
        compute="_compute_indicators",
        store=True,
    )
    sent_left_out_old = fields.Integer(
        string="Hand-overs left out: over ten years old",
        compute="_compute_indicators",
        store=True,
    )
    sent_left_out_restricted = fields.Integer(
        string="Hand-overs left out: restricted data",
        compute="_compute_indicators",
        store=True,
    )
    handed_over_in_progress = fields.Integer(
        string="Handed over, still being processed",
        compute="_compute_indicators",
        store=True,
        help="Devices handed over to an operator in the year that are not "
        "sold or donated yet: they count once they are.",
    )
    handed_over_not_reused = fields.Integer(
        string="Handed over, recycled or missing",
        compute="_compute_indicators",
        store=True,
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
        "year and reused since (sold, or donated to a person, an association "
        "or another public body); not those recycled, missing or still being "
        "processed, nor those the décret leaves out.",
    )
    stock_explanation = fields.Text(
        string="What the stock counts", compute="_compute_explanations"
    )
    sent_explanation = fields.Text(
        string="What the devices sent to reuse count",
        compute="_compute_explanations",
    )
    purchase_explanation = fields.Text(
        string="What the purchases count", compute="_compute_explanations"
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
    external_purchase_total = fields.Float(
        string="IT purchases elsewhere",
        digits=(16, 2),
        help="IT purchases of the year made outside the Réemploi shop, "
        "amount excluding VAT, as the body declares them.",
    )
    external_reused_purchase = fields.Float(
        string="Reused equipment bought elsewhere",
        digits=(16, 2),
        help="Part of the IT purchases made elsewhere that is reused "
        "equipment, amount excluding VAT.",
    )
    shop_purchase = fields.Float(
        string="Bought on the Réemploi shop",
        compute="_compute_indicators",
        store=True,
        digits=(16, 2),
        help="Refurbished devices the body (or one of its contacts) ordered "
        "on the Réemploi shop in the year, confirmed orders, amount excluding "
        "VAT: counted automatically, both as IT purchases and as reused.",
    )
    it_purchase_total = fields.Float(
        string="IT purchases",
        compute="_compute_indicators",
        store=True,
        digits=(16, 2),
        help="IT purchases of the year: those made elsewhere plus those of "
        "the Réemploi shop (amount excluding VAT).",
    )
    reused_purchase = fields.Float(
        string="Reused equipment purchased",
        compute="_compute_indicators",
        store=True,
        digits=(16, 2),
        help="Reused equipment bought elsewhere plus the purchases of the "
        "Réemploi shop (amount excluding VAT).",
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
            "CHECK(reformed_stock >= 0 AND external_purchase_total >= 0 "
            "AND external_reused_purchase >= 0 "
            "AND external_reused_purchase <= external_purchase_total)",
            "Stock and purchases cannot be negative, and the reused equipment "
            "bought elsewhere cannot exceed the IT purchases made elsewhere.",
        ),
    ]

    @api.depends(
        "partner_id",
        "year",
        "reformed_stock",
        "external_purchase_total",
        "external_reused_purchase",
    )
    def _compute_indicators(self):
        register = self._register_figures()
        shop = self._shop_purchases()
        empty = takeback.reuse_figures([], 2000)
        for line in self:
            key = (line.partner_id.id, line.year)
            figures = register.get(key, empty)
            line.register_reformed_stock = figures.stock
            line.stock_left_out_old = figures.stock_left_out[takeback.TOO_OLD]
            line.stock_left_out_restricted = figures.stock_left_out[takeback.RESTRICTED]
            line.sent_left_out_old = figures.sent_left_out[takeback.TOO_OLD]
            line.sent_left_out_restricted = figures.sent_left_out[takeback.RESTRICTED]
            line.handed_over_in_progress = figures.in_progress
            line.handed_over_not_reused = figures.not_reused
            line.stock_used = line.reformed_stock or figures.stock
            line.sent_to_reuse = figures.sent
            rate = takeback.reuse_rate(figures.sent, line.stock_used, line.year)
            line.reuse_rate = 100 * rate.rate if rate.rate is not None else 0.0
            line.reuse_target = 100 * (rate.target or 0.0)
            if rate.target is None:
                line.reuse_status = "no_target"
            elif rate.met is None:
                line.reuse_status = "no_stock"
            else:
                line.reuse_status = "met" if rate.met else "missed"
            line.shop_purchase = shop.get(key, 0.0)
            line.it_purchase_total = line.external_purchase_total + line.shop_purchase
            line.reused_purchase = line.external_reused_purchase + line.shop_purchase
            share = takeback.purchase_share(
                line.reused_purchase, line.it_purchase_total
            )
            line.purchase_share = 100 * share.rate if share.rate is not None else 0.0
            if share.met is None:
                line.purchase_status = "no_purchase"
            else:
                line.purchase_status = "met" if share.met else "missed"

    @api.depends(
        "reformed_stock",
        "register_reformed_stock",
        "stock_left_out_old",
        "stock_left_out_restricted",
        "sent_to_reuse",
        "sent_left_out_old",
        "sent_left_out_restricted",
        "handed_over_in_progress",
        "handed_over_not_reused",
        "shop_purchase",
        "external_purchase_total",
        "external_reused_purchase",
    )
    def _compute_explanations(self):
        _ = self.env._
        currency = self.env.company.currency_id
        for line in self:
            left_out = _(
                "Left out, as décret 2023-266 says: %(old)s device(s) more "
                "than ten years old when taken out of use, %(restricted)s "
                "device(s) with classified or restricted data.",
                old=line.stock_left_out_old,
                restricted=line.stock_left_out_restricted,
            )
            if line.reformed_stock:
                stock = _(
                    "Stock entered by the body: %(entered)s device(s); it must "
                    "leave out the devices more than ten years old when taken "
                    "out of use and those with classified or restricted data. "
                    "The register counts %(register)s.",
                    entered=line.reformed_stock,
                    register=line.register_reformed_stock,
                )
            else:
                stock = _(
                    "Counted from the register: %(count)s device(s) taken out "
                    "of use before 1 January and not yet handed over to an "
                    "operator on that day.",
                    count=line.register_reformed_stock,
                )
            line.stock_explanation = f"{stock} {left_out}"
            line.sent_explanation = _(
                "%(sent)s device(s) handed over to an operator in the year and "
                "reused since (sold, or donated to a person, an association or "
                "another public body). Not counted: %(in_progress)s still "
                "being processed (they count once reused), %(not_reused)s "
                "recycled or missing. Left out, as décret 2023-266 says: "
                "%(old)s device(s) more than ten years old when taken out of "
                "use, %(restricted)s device(s) with classified or restricted "
                "data.",
                sent=line.sent_to_reuse,
                in_progress=line.handed_over_in_progress,
                not_reused=line.handed_over_not_reused,
                old=line.sent_left_out_old,
                restricted=line.sent_left_out_restricted,
            )
            line.purchase_explanation = _(
                "Reused equipment purchased / IT purchases, amounts excluding "
                "VAT. The body's orders confirmed on the Réemploi shop in the "
                "year (%(shop)s) count automatically in both; add by hand what "
                "was bought elsewhere (%(reused)s reused out of %(total)s).",
                shop=format_amount(self.env, line.shop_purchase, currency),
                reused=format_amount(self.env, line.external_reused_purchase, currency),
                total=format_amount(self.env, line.external_purchase_total, currency),
            )

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
        """{(partner id, year): takeback.ReuseFigures} of the lines, from the
        custody events of the register: one query for the devices, the
        counting in services/takeback.py."""
        keys = {(line.partner_id.id, line.year) for line in self if line.partner_id}
        if not keys:
            return {}
        self.env["reemploi.custody.event"].flush_model()
        self.env["reemploi.equipment"].flush_model(
            ["owner_id", "state", "purchase_date", "restricted_data"]
        )
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env.cr.execute(
            """
            SELECT p.commercial_partner_id, e.state, e.purchase_date,
                   COALESCE(e.restricted_data, FALSE),
                   min(ev.date) FILTER (WHERE ev.to_state = ANY(%s)),
                   min(ev.date) FILTER (WHERE ev.to_state = ANY(%s))
              FROM reemploi_equipment e
              JOIN res_partner p ON p.id = e.owner_id
              JOIN reemploi_custody_event ev ON ev.equipment_id = e.id
             WHERE p.commercial_partner_id = ANY(%s)
          GROUP BY e.id, e.state, e.purchase_date, e.restricted_data,
                   p.commercial_partner_id
            """,
            [
                list(REFORMED_STATES),
                list(HANDED_OVER_STATES),
                list({partner for partner, _year in keys}),
            ],
        )
        devices = {}
        for partner, *values in self.env.cr.fetchall():
            devices.setdefault(partner, []).append(takeback.RegisterDevice(*values))
        return {
            (partner, year): takeback.reuse_figures(devices.get(partner, []), year)
            for partner, year in keys
        }

    def _shop_purchases(self):
        """{(partner id, year): amount excluding VAT of the refurbished
        devices the body ordered on the Réemploi shop in the year (confirmed
        orders of the body or of its contacts)}."""
        partners = self.partner_id
        years = set(self.mapped("year"))
        if not partners or not years:
            return {}
        # sudo: the orders are in the operators' companies, which the
        # coordinator or the donor may not read; only sums leave here
        groups = (
            self.env["sale.order.line"]
            .sudo()
            ._read_group(
                [
                    ("reemploi_equipment_id", "!=", False),
                    ("order_id.state", "=", "sale"),
                    ("order_id.partner_id.commercial_partner_id", "in", partners.ids),
                    ("order_id.date_order", ">=", datetime(min(years), 1, 1)),
                    ("order_id.date_order", "<", datetime(max(years) + 1, 1, 1)),
                ],
                ["order_id"],
                ["price_subtotal:sum"],
            )
        )
        totals = {}
        for order, amount in groups:
            key = (order.partner_id.commercial_partner_id.id, order.date_order.year)
            totals[key] = totals.get(key, 0.0) + (amount or 0.0)
        return totals

    def action_refresh(self):
        """Count again from the register (it changes every day)."""
        fields_ = self.pool.field_computed[self._fields["stock_used"]]
        for field in fields_:
            self.env.add_to_compute(field, self)
        self._recompute_recordset([field.name for field in fields_])
        return True

    # Demo data: the AGEC figures of the public bodies of the demo story.
    @api.model
    def _demo_flag_restricted(self, owner_id, count):
        """Flag ``count`` devices the public body ``owner_id`` took out of
        use as holding classified or restricted data (a security service's
        workstations, a laboratory under restricted access...): décret
        2023-266 leaves them out of its reuse rate. The same devices at
        every install: those out of use for the longest time (in the
        reformed stock of this year), then by asset tag."""
        devices = self.env["reemploi.equipment"].search(
            [
                ("owner_id", "child_of", owner_id),
                ("state", "=", lifecycle.TO_DECOMMISSION),
            ],
            order="state_date, asset_tag, id",
            limit=count,
        )
        devices.write({"restricted_data": True})
        return devices.ids
