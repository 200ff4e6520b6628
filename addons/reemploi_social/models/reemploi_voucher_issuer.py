from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.reemploi_asset.models.actions import (
    related_counts,
    related_records_action,
)

ISSUER_TYPES = [
    ("ccas", "Social action centre (CCAS/CIAS)"),
    ("social_services", "Social services (département, CAF…)"),
    ("association", "Association"),
    ("other", "Other"),
]
# the longest validity a voucher may be given
MAX_VALIDITY_MONTHS = 12


class ReemploiVoucherIssuer(models.Model):
    """A body allowed to refer people to the solidarity shop: a CCAS, the
    social services, an association… Its users issue referral vouchers."""

    _name = "reemploi.voucher.issuer"
    _description = "Voucher issuer"
    _order = "name"

    name = fields.Char(required=True)
    issuer_type = fields.Selection(
        ISSUER_TYPES, string="Type", required=True, default="ccas"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Organisation",
        ondelete="restrict",
        domain=[("is_company", "=", True)],
    )
    user_ids = fields.Many2many(
        "res.users",
        "reemploi_voucher_issuer_user_rel",
        "issuer_id",
        "user_id",
        string="Users allowed to issue",
        help="Social workers who issue vouchers on the portal in the name of "
        "this body (they are given the group Voucher issuer).",
    )
    active = fields.Boolean(default=True)
    default_validity_months = fields.Integer(
        string="Validity (months)",
        default=3,
        required=True,
        help="How long a voucher of this body is valid unless its issuer "
        "chooses otherwise.",
    )
    voucher_ids = fields.One2many("reemploi.voucher", "issuer_id", string="Vouchers")
    voucher_count = fields.Integer(compute="_compute_voucher_count")

    _sql_constraints = [
        (
            "validity_range",
            f"CHECK(default_validity_months BETWEEN 1 AND {MAX_VALIDITY_MONTHS})",
            "A voucher is valid from 1 to 12 months.",
        ),
    ]

    def _compute_voucher_count(self):
        counts = related_counts(self, "reemploi.voucher", "issuer_id")
        for issuer in self:
            issuer.voucher_count = counts.get(issuer, 0)

    @api.model_create_multi
    def create(self, vals_list):
        issuers = super().create(vals_list)
        issuers._grant_issuer_group()
        return issuers

    def write(self, vals):
        result = super().write(vals)
        if "user_ids" in vals:
            self._grant_issuer_group()
        return result

    def _grant_issuer_group(self):
        group = self.env.ref("reemploi_social.group_reemploi_voucher_issuer")
        users = self.user_ids - group.users
        if users:
            # sudo: the coordinator who lists the users of an issuer gives
            # them the group that lets them issue; nothing else changes
            group.sudo().write({"users": [Command.link(u.id) for u in users]})

    def action_view_vouchers(self):
        return related_records_action(
            self, "reemploi_social.reemploi_voucher_action", "issuer_id"
        )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _check_can_issue(self):
        self.ensure_one()
        user = self.env.user
        # sudo: whether the user belongs to the body is what is checked here,
        # even when the rules hide the body from them
        issuer = self.sudo()
        coordinator = user.has_group("reemploi_asset.group_reemploi_coordinator")
        if not self.env.su and not coordinator and user not in issuer.user_ids:
            raise AccessError(
                self.env._(
                    "You do not issue vouchers for %(issuer)s: ask the territory "
                    "coordinator to add you to its users.",
                    issuer=issuer.name,
                )
            )
        if not issuer.active:
            raise UserError(
                self.env._("%(issuer)s no longer issues vouchers.", issuer=issuer.name)
            )

    def _issue_voucher(self, category, need_category, commune, date_expiry=None):
        """A new voucher of this body, issued by the current user. Nothing
        about the person referred is asked, nor kept."""
        self._check_can_issue()
        today = fields.Date.context_today(self)
        date_expiry = date_expiry or today + relativedelta(
            months=self.default_validity_months
        )
        if date_expiry < today:
            raise UserError(
                self.env._(
                    "A voucher cannot expire before it is issued: choose a date "
                    "from today on."
                )
            )
        if date_expiry > today + relativedelta(months=MAX_VALIDITY_MONTHS):
            raise UserError(
                self.env._(
                    "A voucher is valid for %(months)s months at most: choose an "
                    "earlier expiry date.",
                    months=MAX_VALIDITY_MONTHS,
                )
            )
        missing = [
            label
            for record, label in (
                (category, self.env._("the category of equipment")),
                (need_category, self.env._("the category of need")),
                (commune, self.env._("the commune")),
            )
            if not record
        ]
        if missing:
            raise UserError(
                self.env._(
                    "Choose %(missing)s to issue a voucher.",
                    missing=", ".join(missing),
                )
            )
        # sudo: issuers only read vouchers; the values are checked above and
        # the code, state and issuer are set here, never by the caller
        return (
            self.env["reemploi.voucher"]
            .sudo()
            .create(
                {
                    "issuer_id": self.id,
                    "issued_by_id": self.env.user.id,
                    "category_id": category.id,
                    "need_category_id": need_category.id,
                    "commune_id": commune.id,
                    "date_issued": today,
                    "date_expiry": date_expiry,
                }
            )
            .sudo(False)
        )
