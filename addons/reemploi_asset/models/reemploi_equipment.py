import secrets

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, escape_psql

from ..services import forecast, identity, lifecycle
from .labels import selection_labels, state_word

# Context value with which the lifecycle methods write the custody fields.
# It is an object, not a flag: no RPC, import or URL can send it.
CUSTODY_WRITE = object()
# Same, for the grade that a validated grading session gives.
GRADE_WRITE = object()


class ReemploiEquipment(models.Model):
    _name = "reemploi.equipment"
    _description = "Equipment"
    # one mixin per concern, each in its file (docs/ARCHITECTURE.md)
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "reemploi.custody.guard.mixin",
        "reemploi.equipment.import.mixin",
        "reemploi.equipment.tally.read.mixin",
        "reemploi.equipment.pool.mixin",
        "reemploi.equipment.label.mixin",
        "reemploi.equipment.audit.mixin",
        "reemploi.equipment.bench.mixin",
        "reemploi.equipment.forecast.mixin",
        "reemploi.equipment.demo.mixin",
    ]
    _order = "id desc"
    _rec_names_search = ["serial", "asset_tag", "model", "manufacturer"]
    _check_company_auto = True

    # identity
    serial = fields.Char(tracking=True, index="trigram")
    serial_key = fields.Char(
        compute="_compute_serial_key",
        precompute=True,
        store=True,
        index=True,
        copy=False,
    )
    asset_tag = fields.Char(string="Asset tag", tracking=True, index=True)
    manufacturer = fields.Char(tracking=True)
    manufacturer_key = fields.Char(
        compute="_compute_manufacturer_key",
        precompute=True,
        store=True,
        copy=False,
        help="The manufacturer as the identity of devices compares it "
        "(services/identity.py): 'Dell Inc.' is 'dell', 'HP Inc.' is 'hp'.",
    )
    model = fields.Char(string="Model")
    category_id = fields.Many2one(
        "reemploi.equipment.category", required=True, tracking=True, index=True
    )
    # specifications
    cpu = fields.Char(string="Processor")
    ram_gb = fields.Float(string="RAM (GB)")
    storage_gb = fields.Float(string="Storage (GB)")
    storage_type = fields.Selection(
        [
            ("hdd", "HDD"),
            ("ssd", "SSD"),
            ("nvme", "NVMe"),
            ("emmc", "eMMC"),
            ("none", "None"),
        ],
    )
    screen_size = fields.Float(string="Screen size (in)")
    os_name = fields.Char(string="Operating system")
    # life
    purchase_date = fields.Date(
        help="Décret 2023-266 leaves out of the reuse rate of public bodies "
        "the devices more than ten years old when they were taken out of use."
    )
    restricted_data = fields.Boolean(
        string="Classified or restricted data",
        tracking=True,
        help="The device held classified information or data whose "
        "security is restricted (defence, national security...). Décret "
        "2023-266 leaves such devices out of the reuse rate of public bodies.",
    )
    expected_end_override = fields.Date(
        string="Expected end of use (set by hand)",
        help="Overrides the renewal policy for this device only.",
    )
    expected_end_date = fields.Date(
        string="Expected end of use",
        compute="_compute_expected_end_date",
        precompute=True,
        store=True,
        index=True,
        help="Date set by hand, or purchase date plus the donor's renewal "
        "policy for the category, or the category's usual renewal period.",
    )
    owner_id = fields.Many2one(
        "res.partner",
        tracking=True,
        index=True,
        help="Donor organisation that owns or gave the device.",
    )
    site_id = fields.Many2one(
        "res.partner",
        # most devices have no site: the index holds only those that have one
        index="btree_not_null",
        domain="['|', ('id', '=', owner_id), ('parent_id', '=', owner_id)]",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Operator",
        tracking=True,
        index=True,
        help="Reuse operator that holds the device.",
    )
    state = fields.Selection(
        lifecycle.STATE_SELECTION,
        default=lifecycle.IN_USE,
        required=True,
        tracking=True,
        index=True,
        readonly=True,
        copy=False,
        group_expand="_group_expand_states",
    )
    state_date = fields.Datetime(string="State since", readonly=True, copy=False)
    # the first time the chain of custody took the device to these steps,
    # kept by reemploi.custody.event (create): lead times read them without
    # going through millions of events
    first_collected_date = fields.Datetime(
        string="Collected on", readonly=True, copy=False
    )
    first_erased_date = fields.Datetime(string="Erased on", readonly=True, copy=False)
    first_for_sale_date = fields.Datetime(
        string="On sale since", readonly=True, copy=False, index="btree_not_null"
    )
    # processing
    has_data_medium = fields.Boolean(
        string="Holds data",
        compute="_compute_has_data_medium",
        precompute=True,
        store=True,
        readonly=False,
    )
    medium_count = fields.Integer(
        string="Storage media",
        compute="_compute_medium_count",
        precompute=True,
        store=True,
        readonly=False,
        help="Number of data-bearing media in the device; each one needs a "
        "verified erasure before the device leaves for sale, donation or "
        "recycling.",
    )
    erasure_ids = fields.One2many("reemploi.erasure", "equipment_id", string="Erasures")
    erasure_verified = fields.Boolean(
        compute="_compute_erasure_verified",
        store=True,
        string="Erasure verified",
        help="Every data-bearing medium has a verified erasure.",
    )
    grading_ids = fields.One2many("reemploi.grading", "equipment_id", string="Gradings")
    grade_id = fields.Many2one(
        "reemploi.grade",
        readonly=True,
        tracking=True,
        copy=False,
        domain=[("scale", "=", "overall")],
        index=True,
    )
    functional_grade_id = fields.Many2one(
        "reemploi.grade",
        string="Functional grade",
        readonly=True,
        copy=False,
        domain=[("scale", "=", "functional")],
    )
    custody_event_ids = fields.One2many(
        "reemploi.custody.event", "equipment_id", string="Custody events"
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Stock serial",
        copy=False,
        check_company=True,
        help="Serial number in the operator's stock once the device is received.",
    )
    # traceability
    qr_token = fields.Char(
        string="Traceability token",
        default=lambda self: self._default_qr_token(),
        copy=False,
        readonly=True,
        required=True,
        # no index of its own: the unique constraint's index serves lookups
    )
    traceability_url = fields.Char(compute="_compute_traceability_url")
    co2e_avoided_kg = fields.Float(
        string="CO2e avoided (kg)",
        compute="_compute_co2e_avoided_kg",
        precompute=True,
        store=True,
        digits=(16, 1),
        help="Counted once the device is reused (sold or donated): the "
        "embodied CO2e of its category that a new device would have cost. "
        "0 until then, even on sale.",
    )
    weight_kg = fields.Float(related="category_id.weight_kg", string="Weight (kg)")
    note = fields.Html()
    active = fields.Boolean(default=True)
    # imports
    import_source_id = fields.Many2one(
        "reemploi.import.source", string="Import source", index=True, readonly=True
    )
    source_ref = fields.Char(
        string="Identifier in the source", index=True, readonly=True, copy=False
    )
    import_hash = fields.Char(readonly=True, copy=False)
    import_raw_hash = fields.Char(
        string="Raw import fingerprint",
        readonly=True,
        copy=False,
        help="Fingerprint of the cells of the last imported row and of the "
        "mapping: an unchanged row is recognised without being mapped.",
    )
    last_seen_run_id = fields.Many2one(
        "reemploi.import.run",
        string="Last seen in",
        compute="_compute_last_seen_run_id",
        search="_search_last_seen_run_id",
        help="Latest import run that listed the device. Searching for a run "
        "finds every device that run listed.",
    )
    not_seen_since = fields.Date(
        readonly=True,
        copy=False,
        help="The device was missing from a full inventory import since this date.",
    )

    _sql_constraints = [
        (
            "qr_token_unique",
            "unique(qr_token)",
            "The traceability token must be unique.",
        ),
        (
            "medium_count_positive",
            "CHECK(medium_count >= 0)",
            "The number of storage media cannot be negative.",
        ),
    ]

    @api.model
    def _default_qr_token(self):
        return secrets.token_urlsafe(24)

    def _group_expand_states(self, states, domain):
        return [key for key, _label in lifecycle.STATE_SELECTION]

    @api.depends("serial")
    def _compute_serial_key(self):
        for equipment in self:
            equipment.serial_key = identity.serial_key(equipment.serial) or False

    @api.depends("manufacturer")
    def _compute_manufacturer_key(self):
        for equipment in self:
            equipment.manufacturer_key = (
                identity.manufacturer_key(equipment.manufacturer) or False
            )

    @api.depends(
        "expected_end_override",
        "purchase_date",
        "category_id.renewal_years",
        "owner_id",
    )
    def _compute_expected_end_date(self):
        policies = self._renewal_policies(self.owner_id)
        for equipment in self:
            if equipment.expected_end_override:
                equipment.expected_end_date = equipment.expected_end_override
                continue
            years = policies.get(
                (
                    equipment.owner_id.commercial_partner_id.id,
                    equipment.category_id.id,
                ),
                equipment.category_id.renewal_years,
            )
            equipment.expected_end_date = forecast.expected_end(
                equipment.purchase_date, years
            )

    @api.model
    def _renewal_policies(self, owners):
        """{(donor id, category id): years} of the donors of ``owners``."""
        # sudo: renewal policies are read to compute a date, nothing else
        return {
            (policy.owner_id.id, policy.category_id.id): policy.years
            for policy in self.env["reemploi.renewal.policy"]
            .sudo()
            .search([("owner_id", "in", owners.commercial_partner_id.ids)])
        }

    @api.depends("category_id")
    def _compute_has_data_medium(self):
        for equipment in self:
            equipment.has_data_medium = equipment.category_id.has_data_medium

    @api.depends("has_data_medium")
    def _compute_medium_count(self):
        for equipment in self:
            equipment.medium_count = 1 if equipment.has_data_medium else 0

    @api.depends(
        "has_data_medium",
        "medium_count",
        "erasure_ids.verified",
        "erasure_ids.medium_serial",
    )
    def _compute_erasure_verified(self):
        for equipment in self:
            equipment.erasure_verified = equipment._erasure_gaps() == []

    @api.depends("category_id.co2e_kg", "state")
    def _compute_co2e_avoided_kg(self):
        for equipment in self:
            reused = lifecycle.is_reused(equipment.state)
            equipment.co2e_avoided_kg = equipment.category_id.co2e_kg if reused else 0.0

    def _compute_last_seen_run_id(self):
        self.env.cr.execute(
            """
            SELECT equipment_id, max(run_id)
              FROM reemploi_import_seen
             WHERE equipment_id = ANY(%s)
          GROUP BY equipment_id
            """,
            [list(self._origin.ids)],
        )
        last = dict(self.env.cr.fetchall())
        Run = self.env["reemploi.import.run"]
        for equipment in self:
            equipment.last_seen_run_id = Run.browse(last.get(equipment._origin.id))

    def _search_last_seen_run_id(self, operator, value):
        if operator not in ("=", "in") or not value:
            raise UserError(
                self.env._("Search the devices of an import run with 'is' or 'in'.")
            )
        run_ids = [value] if isinstance(value, int) else list(value)
        return [
            (
                "id",
                "in",
                SQL(
                    "(SELECT equipment_id FROM reemploi_import_seen "
                    "WHERE run_id = ANY(%s))",
                    run_ids,
                ),
            )
        ]

    def _compute_display_name(self):
        for equipment in self:
            parts = [equipment.manufacturer, equipment.model]
            label = " ".join(p for p in parts if p) or equipment.category_id.name or ""
            ident = equipment.serial or equipment.asset_tag
            equipment.display_name = f"{label} [{ident}]" if ident else label

    def _compute_traceability_url(self):
        for equipment in self:
            token = equipment.qr_token
            equipment.traceability_url = (
                f"{equipment.get_base_url()}/r/{token}" if token else False
            )

    @api.constrains("serial", "manufacturer", "owner_id")
    def _check_serial_unique(self):
        """One device per serial number and manufacturer for an owner (the
        rule of services/identity.py): a mangled serial number never
        conflicts, an unknown manufacturer conflicts with any."""
        candidates = self.filtered("serial_key")
        if not candidates:
            return
        by_serial = {}
        for equipment in candidates:
            group = by_serial.setdefault(
                (equipment.serial_key, equipment.owner_id.id), []
            )
            twin = next(
                (
                    other
                    for other in group
                    if identity.same_maker(
                        other.manufacturer_key, equipment.manufacturer_key
                    )
                ),
                None,
            )
            if twin:
                raise ValidationError(
                    self.env._(
                        "The serial number %(serial)s appears twice in the same "
                        "import for %(owner)s.",
                        serial=equipment.serial,
                        owner=equipment.owner_id.display_name or self.env._("no owner"),
                    )
                )
            group.append(equipment)
        # sudo: the duplicate may belong to another operator company; only its
        # name is shown, and the user is told to look for it
        others = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("serial_key", "in", list({key for key, _owner in by_serial})),
                    ("id", "not in", candidates.ids),
                ]
            )
        )
        for other in others:
            for equipment in by_serial.get((other.serial_key, other.owner_id.id), []):
                if identity.same_maker(
                    other.manufacturer_key, equipment.manufacturer_key
                ):
                    raise ValidationError(
                        self.env._(
                            "The serial number %(serial)s of %(manufacturer)s is "
                            "already registered for %(owner)s as %(duplicate)s "
                            "(id %(id)s). Open that device instead of creating a "
                            "second one, or correct the serial number.",
                            serial=equipment.serial,
                            manufacturer=equipment.manufacturer or "-",
                            owner=equipment.owner_id.display_name
                            or self.env._("no owner"),
                            duplicate=other.display_name,
                            id=other.id,
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            self._check_registration_state(vals)
            vals.setdefault("state_date", now)
            if not self._custody_write_allowed():
                # the chain of custody's own record (its events write them)
                for name in lifecycle.FIRST_DATE_FIELDS:
                    vals.pop(name, None)
            if vals.get("grade_id") or vals.get("functional_grade_id"):
                self._check_grade_from_grading(vals.get("serial") or "?")
        records = super().create(vals_list)
        records._log_custody("registered", note=self.env._("Device registered"))
        return records

    def write(self, vals):
        if {"grade_id", "functional_grade_id"}.intersection(vals):
            self._check_grade_from_grading(self[:1].display_name)
        self._check_custody_write(vals)
        return super().write(vals)

    def _custody_fields(self):
        """Fields that only the lifecycle actions (which log the custody
        event) or an administrator's logged correction may change."""
        return {
            "state",
            "owner_id",
            "company_id",
            *lifecycle.FIRST_DATE_FIELDS,
        }

    def _custody_token(self):
        return CUSTODY_WRITE

    def _check_registration_state(self, vals):
        state = vals.get("state")
        if (
            not state
            or state in lifecycle.OWNER_STATES
            or self._custody_write_allowed()
        ):
            return
        # who may not register devices at all hears it first
        self.check_access("create")
        raise UserError(
            self.env._(
                "%(device)s cannot be registered as %(state)s: register it in "
                "use or to decommission, then move it on with the actions of "
                "its form (declare, receive, grade, sell...), which record "
                "each step in its custody chain.",
                device=vals.get("serial")
                or vals.get("model")
                or self.env._("A device"),
                state=state_word(self, state),
            )
        )

    def _custody_refusal(self, labels):
        return self.env._(
            "%(device)s: %(fields)s can change only through its "
            "lifecycle actions (declare, receive, sell...) or its "
            "lot's, which record the change in the custody chain. "
            "Use the buttons of the device or lot form; to fix a "
            "mistake, ask an administrator for a logged correction.",
            fields=labels,
            device=self.display_name,
        )

    def action_admin_correct(self, values, reason):
        """Correct the state, owner or operator of devices by hand, as an
        administrator, with the reason logged as a custody event."""
        values, reason = self._check_admin_correction(
            values,
            reason,
            self.env._(
                "Only an administrator may correct the state, owner or "
                "operator of a device."
            ),
            self.env._(
                "Give the reason of the correction: it is kept in the custody chain."
            ),
        )
        if "state" in values:
            if values["state"] not in self._state_labels():
                raise UserError(
                    self.env._("Unknown state: %(state)s.", state=values["state"])
                )
            values["state_date"] = fields.Datetime.now()
        previous = {equipment.id: equipment.state for equipment in self}
        self._write_custody(values)
        self._log_custody("correction", previous=previous, note=reason)
        return True

    def _check_grade_from_grading(self, device):
        """A grade is set only by :meth:`action_grade`, from a validated
        grading session with its checks, whoever calls."""
        if self.env.context.get("reemploi_grade_from_grading") is not GRADE_WRITE:
            raise UserError(
                self.env._(
                    "The grade of %(device)s comes from its validated grading "
                    "session: record the checks in a grading session and "
                    "validate it to grade the device.",
                    device=device,
                )
            )

    def init(self):
        # the operators' lead times of the overview (reemploi_market): the
        # devices put on sale since a date, with the columns averaged, read
        # from the index alone
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS
                reemploi_equipment_first_for_sale_covering_index
                ON reemploi_equipment (first_for_sale_date)
                INCLUDE (company_id, first_collected_date, first_erased_date, active)
                WHERE first_for_sale_date IS NOT NULL
            """
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_custody_history(self):
        if self:
            raise UserError(
                self.env._(
                    "%(device)s has a chain of custody, which is evidence and is "
                    "never deleted: archive the device instead.",
                    device=self[0].display_name,
                )
            )

    # ------------------------------------------------------------------
    # Lifecycle
    # ------------------------------------------------------------------
    def _erasure_gaps(self):
        """Reasons why the data of this device is not known to be destroyed."""
        self.ensure_one()
        if not self.has_data_medium or not self.medium_count:
            return []
        gaps = []
        media = {e.medium_serial for e in self.erasure_ids if e.verified}
        # a failed attempt is a gap until the same medium is erased and
        # verified (wiped again): the data is destroyed then
        unverified = self.erasure_ids.filtered(
            lambda e: not e.verified and e.medium_serial not in media
        )
        if unverified:
            gaps.extend(e.medium_serial or e.display_name for e in unverified)
        if len(media) < self.medium_count:
            gaps.append(
                self.env._(
                    "%(done)s of %(count)s media verified",
                    done=len(media),
                    count=self.medium_count,
                )
            )
        return gaps

    @api.model
    def _scan_domain(self, kind, value):
        """Domain of the devices that a scan designates, ``(kind, value)``
        as :func:`identity.parse_scan` reads it: the QR label's token, or a
        serial number (by its key: a mangled one designates nothing) or an
        asset tag. The check-in and the erasure reports waiting for their
        device look devices up with it."""
        if kind == "token":
            return [("qr_token", "=", value)]
        key = identity.serial_key(value)
        domain = [("asset_tag", "=ilike", escape_psql(value))]
        if key:
            domain = ["|", ("serial_key", "=", key)] + domain
        return domain

    @api.model
    def _find_by_scan(self, code):
        """The devices of the user's companies that ``code`` (what a scanner
        or a hand typed) designates."""
        kind, value = identity.parse_scan(code)
        if not kind:
            return self.browse()
        return self.search(
            [("company_id", "in", self.env.companies.ids)]
            + self._scan_domain(kind, value),
            limit=2,
        )

    def _state_labels(self):
        """State labels in the user's language."""
        return selection_labels(self, "state")

    def _check_erasure_verified(self, target):
        for equipment in self:
            gaps = equipment._erasure_gaps()
            if gaps:
                raise UserError(
                    self.env._(
                        "%(device)s cannot be %(target)s: its data erasure is not "
                        "verified (%(gaps)s). Record a verified erasure for every "
                        "storage medium first.",
                        device=equipment.display_name,
                        target=state_word(self, target),
                        gaps=", ".join(gaps),
                    )
                )

    def _transition(self, target, note=None, document_ref=None, location=None):
        """Move the devices to ``target`` or raise without changing any."""
        labels = self._state_labels()
        for equipment in self:
            if not lifecycle.can_transition(equipment.state, target):
                raise UserError(
                    self.env._(
                        "%(device)s is %(current)s and cannot become %(target)s. "
                        "Allowed next steps: %(allowed)s.",
                        device=equipment.display_name,
                        current=labels[equipment.state].lower(),
                        target=labels[target].lower(),
                        allowed=", ".join(
                            labels[s].lower()
                            for s in lifecycle.allowed_targets(equipment.state)
                        )
                        or self.env._("none"),
                    )
                )
        if target in lifecycle.NEEDS_VERIFIED_ERASURE:
            self._check_erasure_verified(target)
        previous = {equipment.id: equipment.state for equipment in self}
        self._write_custody({"state": target, "state_date": fields.Datetime.now()})
        self._log_custody(
            "state",
            previous=previous,
            note=note,
            document_ref=document_ref,
            location=location,
        )
        return True

    def _log_custody(self, event_type, previous=None, **values):
        events = self.env["reemploi.custody.event"]
        if not self:
            return events
        vals_list = []
        for equipment in self:
            vals = {
                "equipment_id": equipment.id,
                "event_type": event_type,
                "from_state": (previous or {}).get(equipment.id),
                "to_state": equipment.state,
                "company_id": equipment.company_id.id,
                "partner_id": equipment.owner_id.id,
            }
            vals.update({k: v for k, v in values.items() if v})
            vals_list.append(vals)
        # sudo: custody events are append-only evidence written by the
        # lifecycle itself for records the user just changed
        return events.sudo().create(vals_list)

    def action_to_decommission(self):
        return self._transition(lifecycle.TO_DECOMMISSION)

    def action_declare(self):
        return self._transition(lifecycle.DECLARED)

    def action_collect(self):
        return self._transition(lifecycle.COLLECTED)

    def action_receive(self, company=None, note=None, document_ref=None):
        company = company or self.env.company
        for equipment in self:
            if not equipment.company_id:
                # logged below by the transition's custody event
                equipment._write_custody({"company_id": company.id})
        self._transition(
            lifecycle.RECEIVED,
            note=note,
            document_ref=document_ref,
            location=company.name,
        )
        self._ensure_stock_lot()
        return True

    def action_mark_erased(self):
        for equipment in self:
            if not equipment.has_data_medium:
                raise UserError(
                    self.env._(
                        "%(device)s holds no data: grade it directly.",
                        device=equipment.display_name,
                    )
                )
        self._check_erasure_verified(lifecycle.ERASED)
        return self._transition(lifecycle.ERASED)

    def _mark_erased_if_complete(self):
        """Move the received devices whose every medium is erased and
        verified to "erased" (an erasure report imported, a report's drive
        matched to its device): the same transition as "Erasure done"."""
        done = self.filtered(
            lambda equipment: (
                equipment.state == lifecycle.RECEIVED
                and equipment.has_data_medium
                and not equipment._erasure_gaps()
            )
        )
        if done:
            done.action_mark_erased()
        return done

    def action_grade(self):
        for equipment in self:
            grading = equipment._last_done_grading()
            if not grading:
                raise UserError(
                    self.env._(
                        "%(device)s has no completed grading: open a grading "
                        "session, record its checks and validate it first.",
                        device=equipment.display_name,
                    )
                )
            if equipment.state == lifecycle.RECEIVED and equipment.has_data_medium:
                # the erasure recorded and verified: the device is erased on
                # the way (its custody event logged), no separate click on
                # "Erasure done" is needed; otherwise say what is missing
                equipment._check_erasure_verified(lifecycle.GRADED)
        received = self.filtered(
            lambda equipment: (
                equipment.state == lifecycle.RECEIVED and equipment.has_data_medium
            )
        )
        if received:
            received.action_mark_erased()
        for equipment in self:
            grading = equipment._last_done_grading()
            equipment.with_context(reemploi_grade_from_grading=GRADE_WRITE).write(
                {
                    "grade_id": grading.grade_id.id,
                    "functional_grade_id": grading.functional_grade_id.id,
                }
            )
        return self._transition(lifecycle.GRADED)

    def action_refurbish(self):
        return self._transition(lifecycle.REFURBISHED)

    def action_publish(self):
        return self._transition(lifecycle.FOR_SALE)

    def action_sell(self):
        return self._transition(lifecycle.SOLD)

    def action_donate(self):
        return self._transition(lifecycle.DONATED)

    def action_recycle(self):
        return self._transition(lifecycle.RECYCLED)

    def action_mark_missing(self):
        return self._transition(lifecycle.MISSING)

    def action_new_grading(self):
        return self._action_new_record("reemploi.grading")

    def action_new_erasure(self):
        return self._action_new_record("reemploi.erasure")

    @api.model
    def _action_register(self, domain):
        """The register (the action of its menu) narrowed to ``domain``."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "reemploi_asset.reemploi_equipment_action"
        )
        action["domain"] = domain
        return action

    def _action_new_record(self, model):
        """The form of a new ``model`` record (a grading, an erasure) for
        this device."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": model,
            "view_mode": "form",
            "context": {"default_equipment_id": self.id},
            "target": "current",
        }

    def action_verify_custody(self):
        self.ensure_one()
        broken = self.env["reemploi.custody.event"]._verify_chains(self)
        if broken:
            message = broken[self.id]
            kind = "danger"
        else:
            message = self.env._(
                "The custody chain of %(device)s is intact.",
                device=self.display_name,
            )
            kind = "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": kind, "sticky": bool(broken)},
        }

    def _get_report_base_filename(self):
        """Name of the erasure certificate the portal serves (the portal's
        ``_show_report`` asks the record, as ``portal.mixin`` records do)."""
        self.ensure_one()
        return self.env._(
            "Erasure certificate - %(device)s", device=self.serial or self.id
        )

    def _last_done_grading(self):
        self.ensure_one()
        done = self.grading_ids.filtered(lambda g: g.state == "done")
        return done.sorted(lambda g: (g.date, g.id))[-1:] if done else done

    def _ensure_stock_lot(self):
        """Create the stock serial of received devices whose category has a product."""
        todo = self.filtered(
            lambda e: not e.lot_id and e.company_id and e.category_id.product_id
        )
        if not todo:
            return
        lots = self.env["stock.lot"].create(
            [
                {
                    "name": equipment.serial
                    or equipment.asset_tag
                    or f"RE-{equipment.id}",
                    "product_id": equipment.category_id.product_id.id,
                    "company_id": equipment.company_id.id,
                }
                for equipment in todo
            ]
        )
        for equipment, lot in zip(todo, lots, strict=True):
            equipment.lot_id = lot

    @api.model
    def _cron_verify_custody_chains(self):
        return self.env["reemploi.custody.event"]._verify_chains()
