from datetime import datetime, time, timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from odoo.addons.reemploi_asset.services import lifecycle
from odoo.addons.reemploi_asset.services.demo_clock import demo_clock

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

    def _reemploi_handover_lines(self, include_handed_over=False):
        """The confirmed order lines (sudo) that sold a device to this
        association and, unless ``include_handed_over``, whose device is not
        handed over yet."""
        self.ensure_one()
        # sudo: the association's own confirmed orders, read to list the
        # devices it received; only these lines are returned
        lines = (
            self.env["sale.order.line"]
            .sudo()
            .search(
                [
                    ("state", "=", "sale"),
                    ("reemploi_equipment_id", "!=", False),
                    (
                        "order_id.partner_id.commercial_partner_id",
                        "=",
                        self.partner_id.id,
                    ),
                ],
                order="id",
            )
        )
        if include_handed_over:
            return lines
        done = (
            self.env["reemploi.handover"]
            .sudo()
            .search([("equipment_id", "in", lines.reemploi_equipment_id.ids)])
        )
        handed_over = set(done.equipment_id.ids)
        return lines.filtered(
            lambda line: line.reemploi_equipment_id.id not in handed_over
        )

    # Demo data: the associations' orders at solidarity prices and the
    # hand-overs of the devices, at their dates.
    @api.model
    def _demo_play_orders(self, orders):
        """Order devices of the shop at solidarity prices, then hand them
        over, as the associations' users did it.

        ``orders``: list of dicts with ``user`` (an association user),
        ``days_ago``, ``devices`` ({category code: count}), ``handed_over``
        (how many devices were handed over a week later), ``need`` and
        ``commune`` (ids). Orders fall in the current quarter, whose quotas
        the demo defines."""
        today = fields.Date.context_today(self)
        quarter_start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        steps = []
        for number, spec in enumerate(orders):
            day = max(today - timedelta(days=spec["days_ago"]), quarter_start)
            ordered = datetime.combine(day, time(10, 0)) + timedelta(minutes=number)
            steps.append((ordered, number, "order"))
            handed = ordered + timedelta(days=7, hours=4)
            if spec.get("handed_over") and handed.date() < today:
                steps.append((handed, number, "handover"))
        if not steps:
            return True
        steps.sort()
        placed = {}
        with demo_clock(self.env.cr, steps[0][0]) as clock:
            for when, number, kind in steps:
                clock.move_to(when)
                spec = orders[number]
                if kind == "order":
                    placed[number] = self._demo_order(spec, when)
                elif placed.get(number):
                    self._demo_handover(spec, placed[number])
            self.env.flush_all()
        return True

    @api.model
    def _demo_order(self, spec, when):
        """Confirm the order of ``spec`` with devices on sale at ``when``."""
        user = self.env["res.users"].browse(spec["user"])
        company = user.company_id
        Equipment = self.env["reemploi.equipment"]
        devices = Equipment
        for code, count in spec["devices"].items():
            devices |= Equipment.search(
                [
                    *Equipment._available_domain(user.partner_id.commercial_partner_id),
                    ("company_id", "=", company.id),
                    ("state", "=", lifecycle.FOR_SALE),
                    ("shop_product_id", "!=", False),
                    ("category_id.code", "=", code),
                    ("state_date", "<=", when),
                ],
                order="state_date, id",
                limit=count,
            )
        if not devices:
            return self.env["sale.order"]
        website = self.env["website"].search([("company_id", "=", company.id)], limit=1)
        pricelist = self.env.ref("reemploi_social.pricelist_solidarity")
        env = self.env(user=user.id, su=True)
        order = (
            env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": user.partner_id.id,
                    "company_id": company.id,
                    "website_id": website.id,
                    "pricelist_id": pricelist.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": device.shop_product_id.id,
                                "reemploi_equipment_id": device.id,
                                "product_uom_qty": 1,
                            }
                        )
                        for device in devices
                    ],
                }
            )
        )
        self.invalidate_model(["accreditation_status"])
        order.action_confirm()
        return order

    @api.model
    def _demo_handover(self, spec, order):
        """The association's user confirms the first devices of ``order``
        were handed over."""
        user = self.env["res.users"].browse(spec["user"])
        Handover = self.env["reemploi.handover"].with_user(user)
        need = self.env["reemploi.need.category"].browse(spec["need"])
        commune = self.env["reemploi.commune"].browse(spec["commune"])
        lines = order.order_line.filtered("reemploi_equipment_id").sorted("id")
        for line in lines[: spec["handed_over"]]:
            Handover._confirm_handover(line, need, commune, True)
