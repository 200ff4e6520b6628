from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

ACCREDITATION_TYPES = [
    ("public_interest", "General interest (intérêt général)"),
    ("public_utility", "Recognised public utility (RUP)"),
    ("esus", "ESUS accreditation"),
    ("prefecture", "Prefectoral accreditation"),
    ("ccas", "Social action centre (CCAS/CIAS)"),
    ("other", "Other"),
]


class ReemploiAssociation(models.Model):
    """An association serving people in the digital divide, with the
    accreditation that opens the solidarity conditions of the shop."""

    _name = "reemploi.association"
    _description = "Association"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name"
    _rec_name = "name"

    partner_id = fields.Many2one(
        "res.partner",
        string="Organisation",
        required=True,
        ondelete="restrict",
        index=True,
        tracking=True,
        domain=[("is_company", "=", True)],
    )
    name = fields.Char(related="partner_id.name", store=True, readonly=True)
    active = fields.Boolean(default=True)
    accreditation_type = fields.Selection(
        ACCREDITATION_TYPES, required=True, default="public_interest", tracking=True
    )
    accreditation_number = fields.Char(tracking=True)
    accreditation_body = fields.Char(
        string="Issuing body",
        tracking=True,
        help="Who granted the accreditation (prefecture, ministry, city…).",
    )
    accreditation_start = fields.Date(string="Accredited from", tracking=True)
    accreditation_end = fields.Date(
        string="Accreditation expires on",
        tracking=True,
        help="From the day after, the association orders at ordinary prices "
        "until its accreditation is renewed.",
    )
    document_ids = fields.Many2many(
        "ir.attachment",
        string="Documents",
        help="Accreditation decision, statutes, latest activity report.",
    )
    referent_id = fields.Many2one(
        "res.partner",
        string="Referent",
        tracking=True,
        help="The person the coordinator and the operators talk to.",
    )
    commune_ids = fields.Many2many("reemploi.commune", string="Communes served")
    need_category_ids = fields.Many2many(
        "reemploi.need.category", string="Needs served"
    )
    people_served = fields.Integer(
        string="People served per year",
        tracking=True,
        help="Weighs the association's requests when scarce devices are shared.",
    )
    accreditation_status = fields.Selection(
        [
            ("valid", "Valid"),
            ("missing", "Missing"),
            ("not_yet", "Not yet valid"),
            ("expired", "Expired"),
        ],
        compute="_compute_accreditation_status",
        search="_search_accreditation_status",
    )
    quota_ids = fields.One2many("reemploi.quota", "association_id", string="Quotas")
    user_ids = fields.One2many(
        "res.users",
        compute="_compute_user_ids",
        string="Portal users",
        help="The users of the organisation and of its contacts.",
    )

    _sql_constraints = [
        (
            "partner_unique",
            "unique(partner_id)",
            "This organisation is already an association of the network.",
        ),
        (
            "people_served_positive",
            "CHECK(people_served >= 0)",
            "The number of people served cannot be negative.",
        ),
        (
            "accreditation_dates",
            "CHECK(accreditation_end IS NULL OR accreditation_start IS NULL "
            "OR accreditation_end >= accreditation_start)",
            "An accreditation cannot expire before it starts.",
        ),
    ]

    @api.depends_context("date")
    @api.depends("accreditation_start", "accreditation_end", "accreditation_number")
    def _compute_accreditation_status(self):
        today = fields.Date.context_today(self)
        for association in self:
            association.accreditation_status = association._status_on(today)

    def _status_on(self, day):
        self.ensure_one()
        if not self.accreditation_number or not self.accreditation_start:
            return "missing"
        if day < self.accreditation_start:
            return "not_yet"
        if self.accreditation_end and day > self.accreditation_end:
            return "expired"
        return "valid"

    def _search_accreditation_status(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Search accreditations by status (= or !=)."))
        today = fields.Date.context_today(self)
        domains = {
            "valid": [
                ("accreditation_number", "!=", False),
                ("accreditation_start", "<=", today),
                "|",
                ("accreditation_end", "=", False),
                ("accreditation_end", ">=", today),
            ],
            "missing": [
                "|",
                ("accreditation_number", "=", False),
                ("accreditation_start", "=", False),
            ],
            "not_yet": [
                ("accreditation_number", "!=", False),
                ("accreditation_start", ">", today),
            ],
            "expired": [
                ("accreditation_number", "!=", False),
                ("accreditation_start", "<=", today),
                ("accreditation_end", "<", today),
            ],
        }
        domain = expression.normalize_domain(domains.get(value, [(0, "=", 1)]))
        return domain if operator == "=" else ["!", *domain]

    def _compute_user_ids(self):
        # sudo: the association's coordinator sees which portal accounts exist
        users = (
            self.env["res.users"]
            .sudo()
            .search([("partner_id", "child_of", self.partner_id.ids)])
        )
        for association in self:
            association.user_ids = users.filtered(
                lambda user, a=association: (
                    user.partner_id.commercial_partner_id == a.partner_id
                )
            )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _for_partner(self, partner):
        """The active association of ``partner``'s organisation (sudo), or an
        empty recordset."""
        if not partner:
            return self.browse()
        # sudo: finding one's own association is needed by every shop page;
        # only this record is returned
        return self.sudo().search(
            [("partner_id", "=", partner.commercial_partner_id.id)], limit=1
        )

    def _solidarity_refusal(self):
        """Why this association cannot order at solidarity conditions today,
        or an empty string when it can."""
        if not self:
            return self.env._(
                "Solidarity prices are for accredited associations of the "
                "network: ask the territory coordinator to register yours."
            )
        self.ensure_one()
        status = self.accreditation_status
        if status == "expired":
            return self.env._(
                "The accreditation of %(association)s expired on %(date)s: send "
                "the renewed accreditation to the territory coordinator to order "
                "at solidarity prices again.",
                association=self.name,
                date=self.accreditation_end.strftime("%d/%m/%Y"),
            )
        if status == "not_yet":
            return self.env._(
                "The accreditation of %(association)s starts on %(date)s: "
                "solidarity prices apply from that day.",
                association=self.name,
                date=self.accreditation_start.strftime("%d/%m/%Y"),
            )
        if status == "missing":
            return self.env._(
                "%(association)s has no accreditation on record: send it to the "
                "territory coordinator to order at solidarity prices.",
                association=self.name,
            )
        return ""

    def _quota_for(self, category, day):
        """The quota of this association covering ``day`` for ``category``."""
        self.ensure_one()
        return self.env["reemploi.quota"].search(
            [
                ("association_id", "=", self.id),
                ("category_id", "=", category.id),
                ("date_from", "<=", day),
                ("date_to", ">=", day),
            ],
            limit=1,
        )
