import logging
from contextlib import nullcontext

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import SQL
from odoo.tools.misc import formatLang

from odoo.addons.reemploi_asset.models.labels import selection_labels
from odoo.addons.reemploi_market.models.reemploi_api_rate import limit_cursor
from odoo.addons.reemploi_market.services import ratelimit

from ..services import voucher as voucher_service

_logger = logging.getLogger(__name__)

VALID = "valid"
USED = "used"
EXPIRED = "expired"
CANCELLED = "cancelled"
ANONYMISED = "anonymised"
# "pending": an attempt whose code is being checked counts as a failure
# until its result is known, so that concurrent attempts cannot all pass
FAILED_RESULTS = (
    "pending",
    "unknown",
    "used",
    "expired",
    "cancelled",
    "wrong_category",
    "already_applied",
)
RETENTION_PARAM = "reemploi_social.retention_months"

# Context value with which the voucher's own actions write its state. It is an
# object, not a flag: no RPC, import or URL can send it.
STATE_WRITE = object()


class ReemploiVoucher(models.Model):
    """A referral voucher: a social worker sends a person to the solidarity
    shop for one device of a category.

    Nothing about the person is stored: the voucher knows the category of
    need, the commune and its dates, that is all. It is used once: a
    single UPDATE … WHERE state = 'valid' consumes it when the order that
    holds it is confirmed, and a constraint on the order lines keeps it on
    at most one confirmed line.
    """

    _name = "reemploi.voucher"
    _description = "Referral voucher"
    _order = "date_issued desc, id desc"
    _rec_name = "code"

    code = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: voucher_service.generate_code(),
    )
    issuer_id = fields.Many2one(
        "reemploi.voucher.issuer",
        string="Issued by",
        required=True,
        ondelete="restrict",
        index=True,
    )
    issued_by_id = fields.Many2one(
        "res.users",
        string="Social worker",
        readonly=True,
        ondelete="set null",
        default=lambda self: self.env.user,
        help="Removed when the voucher is anonymised.",
    )
    category_id = fields.Many2one(
        "reemploi.equipment.category",
        string="Equipment category",
        required=True,
        ondelete="restrict",
    )
    need_category_id = fields.Many2one(
        "reemploi.need.category",
        string="Category of need",
        required=True,
        ondelete="restrict",
    )
    commune_id = fields.Many2one(
        "reemploi.commune", string="Commune", required=True, ondelete="restrict"
    )
    date_issued = fields.Date(
        string="Issued on",
        required=True,
        readonly=True,
        default=fields.Date.context_today,
    )
    date_expiry = fields.Date(
        string="Valid until", required=True, default=lambda self: self._default_expiry()
    )
    state = fields.Selection(
        [
            (VALID, "Valid"),
            (USED, "Used"),
            (EXPIRED, "Expired"),
            (CANCELLED, "Cancelled"),
            (ANONYMISED, "Anonymised"),
        ],
        required=True,
        readonly=True,
        default=VALID,
        index=True,
        copy=False,
    )
    date_used = fields.Date(string="Used on", readonly=True, copy=False)
    order_id = fields.Many2one(
        "sale.order", string="Order", readonly=True, copy=False, ondelete="set null"
    )
    order_line_id = fields.Many2one(
        "sale.order.line",
        string="Order line",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    redeemed_by_partner_id = fields.Many2one(
        "res.partner",
        string="Redeemed by",
        readonly=True,
        copy=False,
        ondelete="set null",
        index="btree_not_null",
        help="The association or the buyer whose order used the voucher; "
        "removed when the voucher is anonymised.",
    )

    _sql_constraints = [
        ("code_unique", "unique(code)", "A voucher code is unique."),
        (
            "dates",
            "CHECK(date_expiry >= date_issued)",
            "A voucher cannot expire before it is issued.",
        ),
        (
            "used_has_date",
            "CHECK(state != 'used' OR date_used IS NOT NULL)",
            "A used voucher has the date it was used.",
        ),
    ]

    @api.model
    def _default_expiry(self):
        return fields.Date.context_today(self) + relativedelta(months=3)

    @api.onchange("issuer_id")
    def _onchange_issuer_id(self):
        if self.issuer_id and self.state == VALID:
            self.date_expiry = self.date_issued + relativedelta(
                months=self.issuer_id.default_validity_months
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("state", VALID) != VALID:
                self.check_access("create")
                self._check_state_write()
        return super().create(vals_list)

    def write(self, vals):
        if "state" in vals and any(v.state != vals["state"] for v in self):
            # who may not write the vouchers at all hears it first
            self.check_access("write")
            self._check_state_write()
        return super().write(vals)

    def _check_state_write(self):
        """A voucher is used by the order that redeems it, cancelled by its
        button, expired and anonymised by the scheduled actions: whoever
        calls, its state is never written directly."""
        if self.env.su or self.env.context.get("reemploi_voucher_state") is STATE_WRITE:
            return
        raise UserError(
            self.env._(
                "The state of a voucher follows its use: an order redeems it, "
                "the Cancel button cancels it, and it expires on its date. "
                "Use these instead of changing the state by hand."
            )
        )

    def _write_state(self, state):
        return self.with_context(reemploi_voucher_state=STATE_WRITE).write(
            {"state": state}
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_cancel(self):
        """Cancel valid vouchers (lost, issued by mistake)."""
        for voucher in self:
            if voucher.state != VALID:
                raise UserError(
                    self.env._(
                        "Voucher %(code)s is %(state)s: only a valid voucher can "
                        "be cancelled.",
                        code=voucher.code,
                        state=selection_labels(self, "state")[voucher.state].lower(),
                    )
                )
        self._write_state(CANCELLED)
        # a cart that holds it gets the ordinary price back
        lines = (
            self.env["sale.order.line"]
            .sudo()
            .search([("reemploi_voucher_id", "in", self.ids), ("state", "=", "draft")])
        )
        lines._reemploi_detach_voucher()
        return True

    def _cancel_as_issuer(self):
        """Cancellation from the portal: the issuer's own valid vouchers."""
        self.check_access("read")
        for voucher in self:
            voucher.issuer_id._check_can_issue()
        # sudo: issuers read their vouchers only; the checks above allow them
        # to cancel these ones
        return self.sudo().action_cancel()

    # ------------------------------------------------------------------
    # Redemption in a cart
    # ------------------------------------------------------------------
    @api.model
    def _redeem_in_cart(self, order, typed, ip_address):
        """Attach the voucher ``typed`` to a line of the cart ``order``.

        Returns ``(applied, message)``; every attempt is logged and the
        failed ones count in the rate limit of the user and of the address.
        """
        order = order.sudo()
        user = self.env.user
        now = fields.Datetime.now()
        attempt = {
            "date": now,
            "user_id": user.id,
            "partner_id": order.partner_id.id or user.partner_id.id,
            "ip_address": ip_address or False,
            "code_hint": voucher_service.code_hint(typed),
            "code_digest": voucher_service.code_digest(self._digest_key(), typed),
        }
        attempt_id, decision = self._reserve_attempt(attempt, user, ip_address)
        if not decision.allowed:
            minutes = max(1, -(-decision.retry_after // 60))
            return False, self.env._(
                "Too many wrong voucher codes were typed: try again in "
                "%(minutes)s minute(s).",
                minutes=minutes,
            )
        code = voucher_service.format_code(typed)
        # sudo: buyers do not read vouchers; the code they typed is looked
        # up, and only its own voucher is used
        voucher = (
            self.sudo().search(
                [("code", "=", code), ("state", "!=", ANONYMISED)], limit=1
            )
            if code
            else self.sudo()
        )
        result, line = voucher._redemption_check(order)
        self._settle_attempt(attempt_id, result, voucher)
        if result != "ok":
            return False, voucher._refusal_message(result, code)
        line._reemploi_attach_voucher(voucher)
        public, paid = line._reemploi_voucher_prices()
        currency = line.currency_id
        if order.pricelist_id.reemploi_solidarity:
            # an association: the device already had its solidarity price;
            # what the voucher changes is the quota
            return True, self.env._(
                "Voucher %(code)s applied to %(product)s: this device does not "
                "count in your quota (solidarity price %(paid)s instead of "
                "%(public)s).",
                code=voucher.code,
                product=line.product_id.display_name,
                paid=formatLang(self.env, paid, currency_obj=currency),
                public=formatLang(self.env, public, currency_obj=currency),
            )
        if currency.compare_amounts(public, paid) > 0:
            return True, self.env._(
                "Voucher %(code)s applied to %(product)s: solidarity price "
                "%(paid)s instead of %(public)s.",
                code=voucher.code,
                product=line.product_id.display_name,
                paid=formatLang(self.env, paid, currency_obj=currency),
                public=formatLang(self.env, public, currency_obj=currency),
            )
        return True, self.env._(
            "Voucher %(code)s applied to %(product)s: its price, %(paid)s, is "
            "already below the voucher's ceiling.",
            code=voucher.code,
            product=line.product_id.display_name,
            paid=formatLang(self.env, paid, currency_obj=currency),
        )

    def _state_refusal(self):
        """Why this voucher cannot be used whatever the cart: "used",
        "cancelled" or "expired"; empty when it can."""
        self.ensure_one()
        if self.state == USED:
            return "used"
        if self.state == CANCELLED:
            return "cancelled"
        if self.state == EXPIRED or self.date_expiry < fields.Date.context_today(self):
            return "expired"
        return ""

    def _redemption_check(self, order):
        """The result of redeeming this voucher (sudo) in ``order`` and the
        line it would go to."""
        lines = self.env["sale.order.line"]
        if not self:
            return "unknown", lines
        self.ensure_one()
        refusal = self._state_refusal()
        if refusal:
            return refusal, lines
        if self in order.order_line.reemploi_voucher_id:
            return "already_applied", lines
        candidates = order.order_line.filtered(
            lambda line: (
                line.product_id.product_tmpl_id.reemploi_category_id == self.category_id
            )
        )
        if not candidates:
            return "wrong_category", lines
        free = candidates.filtered(lambda line: not line.reemploi_voucher_id)
        if not free:
            return "already_applied", lines
        return "ok", free[:1]

    def _refusal_message(self, result, code):
        if result == "unknown":
            return self.env._(
                "No voucher has the code %(code)s: check the code written on "
                "the voucher (letters and digits, without O, I, L, 0 or 1).",
                code=code or "",
            )
        if result == "used":
            return self.env._(
                "Voucher %(code)s was already used on %(date)s: a voucher is "
                "used once.",
                code=self.code,
                date=self.date_used.strftime("%d/%m/%Y"),
            )
        if result == "cancelled":
            return self.env._(
                "Voucher %(code)s was cancelled by %(issuer)s: ask them for a new one.",
                code=self.code,
                issuer=self.issuer_id.name,
            )
        if result == "expired":
            return self.env._(
                "Voucher %(code)s expired on %(date)s: ask %(issuer)s for a new one.",
                code=self.code,
                date=self.date_expiry.strftime("%d/%m/%Y"),
                issuer=self.issuer_id.name,
            )
        if result == "wrong_category":
            return self.env._(
                "Voucher %(code)s is for a device of the category %(category)s "
                "and your cart has none: add one, then type the code again.",
                code=self.code,
                category=self.category_id.name,
            )
        return self.env._(
            "Voucher %(code)s cannot be added: the devices of the category "
            "%(category)s in your cart already have a voucher (one voucher per "
            "device).",
            code=self.code,
            category=self.category_id.name,
        )

    @api.model
    def _digest_key(self):
        # sudo: the database secret keys the hash of the codes typed
        return self.env["ir.config_parameter"].sudo().get_param("database.secret", "")

    @api.model
    def _reserve_attempt(self, values, user, ip_address):
        """Decide whether this attempt may check its code, and log it, in one
        step that concurrent attempts of the same user or address take one
        after the other: an allowed attempt is logged "pending" (a failure
        until its result is written), a refused one "rate_limited". Returns
        ``(attempt id, decision)``.

        Over HTTP the step is a short transaction of its own
        (``limit_cursor``): the attempt stays logged whatever becomes of the
        request, and the next attempt, waiting on the advisory lock, sees it.
        Elsewhere (a script, a test) it runs in the caller's transaction.
        """
        now = values["date"]
        keys = []
        if not user._is_public():
            keys.append(("user_id", user.id))
        if ip_address:
            keys.append(("ip_address", ip_address))
        self.env["reemploi.voucher.attempt"].flush_model()
        with limit_cursor(self.env) if request else nullcontext(self.env.cr) as cr:
            # in one order for every request: two requests never wait on
            # each other's second lock
            for column, value in sorted(keys, key=str):
                cr.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                    [f"reemploi.voucher.attempt:{column}:{value}"],
                )
            decisions = []
            for column, value in keys:
                cr.execute(
                    SQL(
                        """
                        SELECT date FROM reemploi_voucher_attempt
                         WHERE %s = %s AND date > %s AND result IN %s
                        """,
                        SQL.identifier(column),
                        value,
                        now - voucher_service.WINDOW,
                        FAILED_RESULTS,
                    )
                )
                decisions.append(
                    voucher_service.check_failures(
                        [row[0] for row in cr.fetchall()], now
                    )
                )
            blocked = [d for d in decisions if not d.allowed]
            if blocked:
                decision = max(blocked, key=lambda d: d.retry_after)
            else:
                decision = ratelimit.Decision(True, 0)
            row = {
                column: None if value is False else value
                for column, value in values.items()
            }
            row.update(
                result="pending" if decision.allowed else "rate_limited",
                create_uid=self.env.uid,
                write_uid=self.env.uid,
            )
            columns = list(row)
            cr.execute(
                SQL(
                    """
                    INSERT INTO reemploi_voucher_attempt
                           (%s, create_date, write_date)
                    VALUES (%s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
                    RETURNING id
                    """,
                    SQL(", ").join(SQL.identifier(column) for column in columns),
                    SQL(", ").join(row[column] for column in columns),
                )
            )
            attempt_id = cr.fetchone()[0]
        self.env["reemploi.voucher.attempt"].invalidate_model()
        return attempt_id, decision

    @api.model
    def _settle_attempt(self, attempt_id, result, voucher):
        """Write the result of the attempt :meth:`_reserve_attempt` logged, in
        the same kind of transaction: over HTTP the row was committed after
        this request's snapshot, which cannot see it (nor update it)."""
        with limit_cursor(self.env) if request else nullcontext(self.env.cr) as cr:
            cr.execute(
                """
                UPDATE reemploi_voucher_attempt
                   SET result = %s, voucher_id = %s,
                       write_date = now() AT TIME ZONE 'UTC'
                 WHERE id = %s
                """,
                [result, voucher.id or None, attempt_id],
            )
        self.env["reemploi.voucher.attempt"].invalidate_model()

    def _solidarity_ceiling(self, order):
        """The price ceiling of the solidarity pricelist for this voucher's
        category, in the currency of ``order``, or None."""
        self.ensure_one()
        # sudo: the solidarity pricelist is read to price the line, whoever
        # the buyer is; the one of the order's company or shared, else the
        # territory's one
        Pricelist = self.env["product.pricelist"].sudo()
        domain = [("reemploi_solidarity", "=", True)]
        pricelist = Pricelist.search(
            [
                *domain,
                ("website_id", "in", (False, order.website_id.id)),
                ("company_id", "in", (False, order.company_id.id)),
            ],
            limit=1,
        ) or Pricelist.search(domain, limit=1)
        ceilings = pricelist.item_ids.filtered(
            lambda item: (
                item.reemploi_category_id == self.category_id
                and item.reemploi_price_ceiling > 0
            )
        ).mapped("reemploi_price_ceiling")
        if not ceilings:
            return None
        return pricelist.currency_id._convert(
            min(ceilings),
            order.currency_id,
            order.company_id,
            order.date_order or fields.Date.context_today(self),
        )

    # ------------------------------------------------------------------
    # Scheduled actions: expiry and GDPR retention
    # ------------------------------------------------------------------
    @api.model
    def _cron_expire(self):
        today = fields.Date.context_today(self)
        expired = self.search([("state", "=", VALID), ("date_expiry", "<", today)])
        expired._write_state(EXPIRED)
        return expired

    @api.model
    def _retention_months(self):
        # sudo: a setting of the coordinator, read by the scheduled action
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(RETENTION_PARAM, voucher_service.DEFAULT_RETENTION_MONTHS)
        )
        try:
            months = int(value)
        except (TypeError, ValueError):
            months = 0
        if months < 1:
            _logger.warning(
                "Invalid retention period %r, %s months used",
                value,
                voucher_service.DEFAULT_RETENTION_MONTHS,
            )
            months = voucher_service.DEFAULT_RETENTION_MONTHS
        return months

    @api.model
    def _cron_anonymise(self):
        """Anonymise the vouchers and hand-overs older than the retention
        period; forget the redemption attempts as old."""
        today = fields.Date.context_today(self)
        cutoff = voucher_service.retention_cutoff(today, self._retention_months())
        vouchers = self.search(
            [
                ("state", "!=", ANONYMISED),
                ("state", "!=", VALID),
                "|",
                "&",
                ("date_used", "!=", False),
                ("date_used", "<", cutoff),
                "&",
                ("date_used", "=", False),
                ("date_expiry", "<", cutoff),
            ]
        )
        vouchers._anonymise()
        handovers = self.env["reemploi.handover"].search(
            [("state", "!=", "anonymised"), ("date", "<", cutoff)]
        )
        handovers._anonymise()
        attempts = self.env["reemploi.voucher.attempt"].search(
            [("date", "<", fields.Datetime.to_datetime(cutoff))]
        )
        attempts.unlink()
        _logger.info(
            "GDPR retention: %s voucher(s) and %s hand-over(s) anonymised, "
            "%s attempt(s) deleted",
            len(vouchers),
            len(handovers),
            len(attempts),
        )
        return vouchers, handovers

    def _anonymise(self):
        """Keep what the statistics need (categories, commune, issuer,
        months); remove the code, the links to the order, the buyer and the
        users. One statement for the whole batch."""
        if not self:
            return
        # sudo: the scheduled action forgets these links whoever runs it
        self.env["sale.order.line"].sudo().search(
            [("reemploi_voucher_id", "in", self.ids)]
        ).write({"reemploi_voucher_id": False})
        self.env["reemploi.voucher.attempt"].sudo().search(
            [("voucher_id", "in", self.ids)]
        ).unlink()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE reemploi_voucher
                   SET code = %(prefix)s || id,
                       state = 'anonymised',
                       issued_by_id = NULL,
                       order_id = NULL,
                       order_line_id = NULL,
                       redeemed_by_partner_id = NULL,
                       date_issued = date_trunc('month', date_issued)::date,
                       date_expiry = date_trunc('month', date_expiry)::date,
                       date_used = date_trunc('month', date_used)::date,
                       create_uid = NULL,
                       write_uid = NULL,
                       write_date = (now() at time zone 'UTC')
                 WHERE id IN %(ids)s
                """,
                prefix=voucher_service.ANONYMOUS_PREFIX,
                ids=tuple(self.ids),
            )
        )
        self.invalidate_recordset()

    # ------------------------------------------------------------------
    # Consumption at confirmation
    # ------------------------------------------------------------------
    def _consume_for_lines(self, lines):
        """Use the vouchers of ``lines`` (sudo) in one atomic statement, or
        raise a UserError naming the first one that cannot be used."""
        if not lines:
            return
        today = fields.Date.context_today(self)
        vouchers = lines.reemploi_voucher_id
        if len(vouchers) != len(lines):
            raise UserError(
                self.env._(
                    "A voucher is attached to two devices of these orders: "
                    "remove it from one of them."
                )
            )
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE reemploi_voucher v
                   SET state = 'used',
                       date_used = %(today)s,
                       order_id = l.order_id,
                       order_line_id = l.id,
                       redeemed_by_partner_id = p.commercial_partner_id,
                       write_date = (now() at time zone 'UTC'),
                       write_uid = %(uid)s
                  FROM sale_order_line l
                  JOIN sale_order o ON o.id = l.order_id
                  JOIN res_partner p ON p.id = o.partner_id
                 WHERE l.id IN %(lines)s
                   AND v.id = l.reemploi_voucher_id
                   AND v.state = 'valid'
                   AND v.date_expiry >= %(today)s
             RETURNING v.id
                """,
                today=today,
                uid=self.env.uid,
                lines=tuple(lines.ids),
            )
        )
        used = {row[0] for row in self.env.cr.fetchall()}
        vouchers.invalidate_recordset()
        refused = vouchers.filtered(lambda v: v.id not in used)
        if refused:
            voucher = refused[0]
            line = lines.filtered(lambda li: li.reemploi_voucher_id == voucher)
            # not used by this UPDATE: used, cancelled or expired meanwhile
            result = voucher._state_refusal() or EXPIRED
            raise UserError(
                self.env._(
                    "Order %(order)s cannot be confirmed: %(reason)s Remove the "
                    "voucher from the cart to buy at the ordinary price.",
                    order=line.order_id.name,
                    reason=voucher._refusal_message(result, voucher.code),
                )
            )

    def _release_for_orders(self, orders):
        """Cancelled orders give their vouchers back (if still in time, the
        expiry cron handles the others)."""
        if not orders:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE reemploi_voucher
                   SET state = 'valid', date_used = NULL, order_id = NULL,
                       order_line_id = NULL, redeemed_by_partner_id = NULL,
                       write_date = (now() at time zone 'UTC'),
                       write_uid = %(uid)s
                 WHERE order_id IN %(orders)s AND state = 'used'
                """,
                uid=self.env.uid,
                orders=tuple(orders.ids),
            )
        )
        self.invalidate_model()
