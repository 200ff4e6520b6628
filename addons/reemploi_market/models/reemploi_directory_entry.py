import re

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import email_normalize

from odoo.addons.reemploi_asset.models.labels import selection_labels
from odoo.addons.reemploi_asset.services import lifecycle

COORDINATOR = "reemploi_asset.group_reemploi_coordinator"
DRAFT, SUBMITTED, APPROVED, REFUSED = "draft", "submitted", "approved", "refused"
# an opening tag, a closing tag, an HTML comment or an entity: the public
# directory shows plain text only
HTML_RE = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|&[a-zA-Z#][a-zA-Z0-9]*;")
# what an actor does, each a boolean field activity_<name>
ACTIVITIES = ("collect", "refurbish", "sell", "give")
ACTIVITY_FIELDS = tuple(f"activity_{activity}" for activity in ACTIVITIES)
# the actor's own words, checked to be plain text
TEXT_FIELDS = ("name", "description", "opening_hours", "phone", "street", "zip", "city")
# how to reach the actor, checked as an address and a URL
CONTACT_FIELDS = ("email", "website_url")
# what the actor writes, shown on the public page: changing one of them on an
# approved entry sends it back to the coordinator
PUBLIC_FIELDS = frozenset(
    {
        *TEXT_FIELDS,
        *CONTACT_FIELDS,
        *ACTIVITY_FIELDS,
        "category_ids",
        "label_ids",
        "social_status",
        "latitude",
        "longitude",
        # reemploi_social: the association's own words
        "audience",
    }
)
# what only the coordinator decides
COORDINATOR_FIELDS = frozenset({"state", "review_note", "kind", "company_id", "partner_id"})


class ReemploiDirectoryEntry(models.Model):
    """One actor of the territory in the public directory (/annuaire).

    Each actor writes its own entry: an operator for its company in the
    backend, a donor (and, with reemploi_social, an association) for its
    organisation on the portal. The coordinator approves it before it is
    public; changing what the public sees on an approved entry sends it back
    to review, and the entry leaves the directory until it is approved again
    (the public never reads text nobody checked).
    """

    _name = "reemploi.directory.entry"
    _description = "Directory entry"
    _inherit = ["mail.thread"]
    _order = "kind, name"

    name = fields.Char(required=True, tracking=True)
    kind = fields.Selection(
        [("operator", "Reuse operator"), ("donor", "Donor organisation")],
        required=True,
        default="operator",
        readonly=True,
        tracking=True,
    )
    state = fields.Selection(
        [
            (DRAFT, "Draft"),
            (SUBMITTED, "Waiting for approval"),
            (APPROVED, "Public"),
            (REFUSED, "Refused"),
        ],
        default=DRAFT,
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    review_note = fields.Text(
        string="Coordinator's note",
        readonly=True,
        help="Why the entry was refused, or what to change.",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Operator",
        readonly=True,
        index=True,
        help="The reuse operator this entry presents.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Organisation",
        readonly=True,
        required=True,
        index=True,
        ondelete="cascade",
    )
    description = fields.Text(help="Who you are and what you do, in a few lines.")
    activity_collect = fields.Boolean(string="Collects")
    activity_refurbish = fields.Boolean(string="Refurbishes")
    activity_sell = fields.Boolean(string="Sells")
    activity_give = fields.Boolean(string="Gives or lends")
    category_ids = fields.Many2many(
        "reemploi.equipment.category", string="Equipment accepted"
    )
    label_ids = fields.Many2many(
        "reemploi.directory.label", string="Labels and certifications"
    )
    social_status = fields.Selection(
        [
            ("ess", "Social and solidarity economy (ESS)"),
            ("siae", "Work integration (SIAE)"),
            ("ea", "Adapted company (EA)"),
            ("esat", "ESAT"),
            ("association", "Association"),
            ("public", "Public body"),
            ("company", "Company"),
        ],
        string="Status",
    )
    opening_hours = fields.Text(help="e.g. Monday to Friday, 9 am to 5 pm")
    phone = fields.Char()
    email = fields.Char()
    website_url = fields.Char(string="Website")
    street = fields.Char()
    zip = fields.Char(string="Postcode")
    city = fields.Char(string="Commune", index=True)
    latitude = fields.Float(digits=(10, 6))
    longitude = fields.Float(digits=(10, 6))
    donor_consent = fields.Boolean(
        string="Show our organisation and its figures",
        help="The organisation agrees to appear in the public directory with "
        "the number of devices it handed over and the CO2e avoided. Unticked, "
        "it leaves the directory at once.",
    )
    is_public = fields.Boolean(compute="_compute_is_public")
    devices_handed_count = fields.Integer(
        string="Devices handed over", compute="_compute_donor_figures"
    )
    co2e_avoided_kg = fields.Float(
        string="CO2e avoided (kg)", compute="_compute_donor_figures", digits=(16, 0)
    )

    _sql_constraints = [
        (
            "partner_unique",
            "UNIQUE(partner_id)",
            "This organisation already has an entry in the directory: edit it.",
        ),
    ]

    @api.depends("state", "kind", "donor_consent")
    def _compute_is_public(self):
        for entry in self:
            entry.is_public = entry.filtered_domain(self._public_domain()) == entry

    def _compute_donor_figures(self):
        figures = self._donor_figures(self.partner_id)
        for entry in self:
            count, co2e = figures.get(entry.partner_id.id, (0, 0.0))
            entry.devices_handed_count = count
            entry.co2e_avoided_kg = co2e

    @api.model
    def _public_domain(self):
        """The entries the public sees: approved, and a donor only while it
        consents."""
        return [
            ("state", "=", APPROVED),
            "|",
            ("kind", "!=", "donor"),
            ("donor_consent", "=", True),
        ]

    @api.model
    def _donor_figures(self, partners):
        """{partner id: (devices handed over, CO2e avoided kg)} from the
        register: the devices of the organisation that reached an operator
        (received or further), and the CO2e of the ones reused."""
        if not partners:
            return {}
        Equipment = self.env["reemploi.equipment"]
        handed_states = [
            s
            for s, _label in Equipment._fields["state"].selection
            if s not in lifecycle.OWNER_STATES | {lifecycle.DECLARED, lifecycle.MISSING}
        ]
        # sudo: aggregates of the register (counts and CO2e, no device, no
        # person) of the organisations shown in the directory
        groups = Equipment.sudo()._read_group(
            [
                ("owner_id", "child_of", partners.ids),
                ("state", "in", handed_states),
            ],
            ["owner_id"],
            ["__count", "co2e_avoided_kg:sum"],
        )
        figures = {}
        for owner, count, co2e in groups:
            key = owner.commercial_partner_id.id
            previous = figures.get(key, (0, 0.0))
            figures[key] = (previous[0] + count, previous[1] + (co2e or 0.0))
        return figures

    @api.constrains("latitude", "longitude")
    def _check_coordinates(self):
        for entry in self:
            if not -90 <= entry.latitude <= 90:
                raise ValidationError(
                    self.env._(
                        "The latitude of %(name)s must be between -90 and 90 "
                        "(%(value)s given); around Grenoble it is about 45.2.",
                        name=entry.name,
                        value=entry.latitude,
                    )
                )
            if not -180 <= entry.longitude <= 180:
                raise ValidationError(
                    self.env._(
                        "The longitude of %(name)s must be between -180 and 180 "
                        "(%(value)s given); around Grenoble it is about 5.7.",
                        name=entry.name,
                        value=entry.longitude,
                    )
                )

    @api.constrains(*TEXT_FIELDS, *CONTACT_FIELDS)
    def _check_plain_text(self):
        for entry in self:
            for fname in TEXT_FIELDS:
                if entry[fname] and HTML_RE.search(entry[fname]):
                    raise ValidationError(
                        self.env._(
                            "The field “%(field)s” of %(name)s contains HTML: "
                            "write plain text, without tags.",
                            field=entry._fields[fname].get_description(self.env)[
                                "string"
                            ],
                            name=entry.name,
                        )
                    )
            if entry.email and not email_normalize(entry.email):
                raise ValidationError(
                    self.env._(
                        "“%(email)s” is not an e-mail address.", email=entry.email
                    )
                )
            if entry.website_url and not re.match(
                r"^https?://[^\s<>\"']+$", entry.website_url
            ):
                raise ValidationError(
                    self.env._(
                        "The website of %(name)s must be an address starting "
                        "with https:// (or http://).",
                        name=entry.name,
                    )
                )

    @api.constrains("kind", "company_id")
    def _check_operator_company(self):
        for entry in self:
            if entry.kind == "operator" and not entry.company_id:
                raise ValidationError(
                    self.env._("An operator's entry needs its operator (company).")
                )

    @api.model
    def _is_coordinator(self):
        return self.env.su or self.env.user.has_group(COORDINATOR)

    @api.model_create_multi
    def create(self, vals_list):
        if not self._is_coordinator():
            for vals in vals_list:
                if vals.get("state", DRAFT) != DRAFT or vals.get("review_note"):
                    raise AccessError(
                        self.env._("Only the coordinator approves directory entries.")
                    )
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id"))
            if company:
                # an operator's entry is its company's: the rules check the
                # company, the partner follows it
                if not (self.env.su or self.env.user._is_internal()):
                    raise AccessError(
                        self.env._("Operators write their entry in the backend.")
                    )
                vals["partner_id"] = company.partner_id.id
        return super().create(vals_list)

    def write(self, vals):
        if not self._is_coordinator():
            forbidden = COORDINATOR_FIELDS.intersection(vals)
            # an actor submits its entry, or takes it back to draft
            if vals.get("state") in (DRAFT, SUBMITTED) and forbidden == {"state"}:
                forbidden = set()
            if forbidden:
                raise AccessError(
                    self.env._(
                        "Only the coordinator approves directory entries and "
                        "changes their organisation (%(fields)s).",
                        fields=", ".join(sorted(forbidden)),
                    )
                )
            if PUBLIC_FIELDS.intersection(vals):
                # what the public reads was checked by the coordinator: a
                # change goes back to review (written as the actor, the rule
                # already checked it is its own entry)
                reviewed = self.filtered(lambda e: e.state in (APPROVED, REFUSED))
                if reviewed:
                    super(ReemploiDirectoryEntry, reviewed).write({"state": SUBMITTED})
        return super().write(vals)

    def action_submit(self):
        for entry in self:
            if entry.kind == "donor" and not entry.donor_consent:
                raise UserError(
                    self.env._(
                        "Tick “Show our organisation and its figures” to send "
                        "the entry of %(name)s to the directory.",
                        name=entry.name,
                    )
                )
        self.filtered(lambda e: e.state in (DRAFT, REFUSED)).write({"state": SUBMITTED})
        return True

    def action_approve(self):
        self._check_coordinator()
        self.write({"state": APPROVED, "review_note": False})
        return True

    def action_refuse(self):
        self._check_coordinator()
        for entry in self:
            if not entry.review_note:
                raise UserError(
                    self.env._(
                        "Write in the coordinator's note why the entry of "
                        "%(name)s is refused: its author reads it.",
                        name=entry.name,
                    )
                )
        self.write({"state": REFUSED})
        return True

    def _check_coordinator(self):
        if not self._is_coordinator():
            raise AccessError(
                self.env._("Only the coordinator approves directory entries.")
            )

    @api.model
    def _operator_entry(self, company):
        """The entry of an operator, created from its company on first use."""
        entry = self.search([("company_id", "=", company.id)], limit=1)
        if entry:
            return entry
        partner = company.partner_id
        return self.create(
            {
                "kind": "operator",
                "company_id": company.id,
                "name": company.name,
                "category_ids": [fields.Command.set(company.reemploi_category_ids.ids)],
                "activity_collect": bool(company.reemploi_category_ids),
                "social_status": "ess" if company.reemploi_social_economy else False,
                "phone": partner.phone,
                "email": partner.email,
                "street": partner.street,
                "zip": partner.zip,
                "city": partner.city,
                "latitude": partner.partner_latitude,
                "longitude": partner.partner_longitude,
            }
        )

    @api.model
    def action_open_my_entry(self):
        """Backend menu of an operator: its company's entry."""
        entry = self._operator_entry(self.env.company)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": entry.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def _public_values(self):
        """What the public page and its map read of an entry: no person."""
        self.ensure_one()
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "kind_label": selection_labels(self, "kind")[self.kind],
            "city": self.city or "",
            "lat": self.latitude or None,
            "lon": self.longitude or None,
        }
