import base64
import io
import secrets

import qrcode
import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, escape_psql

from ..services import forecast, identity, lifecycle
from . import bulk
from .download import xlsx_download_action
from .labels import selection_labels
from .reemploi_tally_mixin import TRUE_OR_FALSE, tally_rules

STATE_SELECTION = [
    (lifecycle.IN_USE, "In use"),
    (lifecycle.TO_DECOMMISSION, "To decommission"),
    (lifecycle.DECLARED, "Declared"),
    (lifecycle.COLLECTED, "Collected"),
    (lifecycle.RECEIVED, "Received"),
    (lifecycle.ERASED, "Erased"),
    (lifecycle.GRADED, "Graded"),
    (lifecycle.REFURBISHED, "Refurbished"),
    (lifecycle.FOR_SALE, "For sale"),
    (lifecycle.SOLD, "Sold"),
    (lifecycle.DONATED, "Donated"),
    (lifecycle.RECYCLED, "Recycled"),
    (lifecycle.MISSING, "Missing"),
]

# States a device may be registered in (by hand, an import or the API); it
# reaches the others only through its lifecycle actions.
REGISTRATION_STATES = lifecycle.OWNER_STATES

# Context value with which the lifecycle methods write the custody fields.
# It is an object, not a flag: no RPC, import or URL can send it.
CUSTODY_WRITE = object()
# Same, for the grade that a validated grading session gives.
GRADE_WRITE = object()

# What ``reemploi.equipment.tally`` counts: groupings, filters and aggregates
# of the register that it answers instead of the devices' table
TALLY_KEYS = frozenset({"owner_id", "category_id", "state", "active"})
# the kept counts that answer the register's counts, in the order they are
# tried, with the fields they count by (``reemploi.equipment.month.tally``
# answers an operator's user, whose record rule compares the operator)
MONTH_TALLY_KEYS = frozenset({"company_id", "category_id", "state", "active"})
TALLIES = (
    ("reemploi.equipment.tally", TALLY_KEYS),
    ("reemploi.equipment.month.tally", MONTH_TALLY_KEYS),
)
# the devices' fields the tallies count by or sum (kept by triggers, so
# pending writes are flushed before reading them)
TALLY_FIELDS = [
    "owner_id",
    "company_id",
    "category_id",
    "state",
    "active",
    "state_date",
    "expected_end_date",
    "co2e_avoided_kg",
]
TALLY_AGGREGATES = {
    "__count": "device_count:sum",
    "co2e_avoided_kg:sum": "co2e_avoided_kg:sum",
}
# operators whose meaning does not depend on who searches (no name search
# nor hierarchy of the comodel)
TALLY_OPERATORS = frozenset({"=", "!=", "in", "not in"})


class ReemploiEquipment(models.Model):
    _name = "reemploi.equipment"
    _description = "Equipment"
    _inherit = ["mail.thread", "mail.activity.mixin"]
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
        STATE_SELECTION,
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
        return [key for key, _label in STATE_SELECTION]

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

    def _custody_write_allowed(self):
        return (
            self.env.su
            or self.env.context.get("reemploi_custody_write") is CUSTODY_WRITE
        )

    def _write_custody(self, vals):
        """Write custody fields on behalf of a lifecycle method (which logs
        the custody event itself)."""
        return self.with_context(reemploi_custody_write=CUSTODY_WRITE).write(vals)

    def _check_registration_state(self, vals):
        state = vals.get("state")
        if not state or state in REGISTRATION_STATES or self._custody_write_allowed():
            return
        # who may not register devices at all hears it first
        self.check_access("create")
        labels = self._state_labels()
        raise UserError(
            self.env._(
                "%(device)s cannot be registered as %(state)s: register it in "
                "use or to decommission, then move it on with the actions of "
                "its form (declare, receive, grade, sell...), which record "
                "each step in its custody chain.",
                device=vals.get("serial")
                or vals.get("model")
                or self.env._("A device"),
                state=labels.get(state, state).lower(),
            )
        )

    def _check_custody_write(self, vals):
        """Refuse, whoever calls (web client, JSON-RPC, XML-RPC, import), a
        change of state, owner or operator outside the lifecycle actions.
        Values equal to the current ones (an import re-sending them) pass."""
        names = self._custody_fields().intersection(vals)
        if not names or not self or self._custody_write_allowed():
            return
        for equipment in self:
            changed = [
                name
                for name in sorted(names)
                if self._fields[name].convert_to_write(equipment[name], equipment)
                != (vals[name] or False)
            ]
            if changed:
                # who may not write the device at all hears it first
                equipment.check_access("write")
                raise UserError(
                    self.env._(
                        "%(device)s: %(fields)s can change only through its "
                        "lifecycle actions (declare, receive, sell...) or its "
                        "lot's, which record the change in the custody chain. "
                        "Use the buttons of the device or lot form; to fix a "
                        "mistake, ask an administrator for a logged correction.",
                        fields=", ".join(
                            self._fields[name].get_description(self.env)["string"]
                            for name in changed
                        ),
                        device=equipment.display_name,
                    )
                )

    def action_admin_correct(self, values, reason):
        """Correct the state, owner or operator of devices by hand, as an
        administrator, with the reason logged as a custody event."""
        if not self.env.is_system():
            raise AccessError(
                self.env._(
                    "Only an administrator may correct the state, owner or "
                    "operator of a device."
                )
            )
        reason = (reason or "").strip()
        values = dict(values or {})
        if not reason:
            raise UserError(
                self.env._(
                    "Give the reason of the correction: it is kept in the "
                    "custody chain."
                )
            )
        unknown = set(values) - self._custody_fields()
        if not values or unknown:
            raise UserError(
                self.env._(
                    "A correction changes only %(fields)s.",
                    fields=", ".join(sorted(self._custody_fields())),
                )
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

    @api.model
    def _serial_conflicts(self, vals_list):
        """Positions in ``vals_list`` (values of new devices) that
        :meth:`_check_serial_unique` would refuse: a serial number already
        registered for the same owner and manufacturer, or given twice.
        One query for the whole list."""
        identities = [
            (
                identity.serial_key(vals.get("serial")),
                identity.manufacturer_key(vals.get("manufacturer")),
                vals.get("owner_id") or False,
            )
            for vals in vals_list
        ]
        keys = list({key for key, _maker, _owner in identities if key})
        if not keys:
            return set()
        self.flush_model(["serial_key", "manufacturer_key", "owner_id"])
        self.env.cr.execute(
            """
            SELECT serial_key, manufacturer_key, owner_id
              FROM reemploi_equipment
             WHERE serial_key = ANY(%s)
            """,
            [keys],
        )
        taken = {}  # (serial key, owner): manufacturer keys
        for key, maker, owner in self.env.cr.fetchall():
            taken.setdefault((key, owner or False), []).append(maker or "")
        conflicts = set()
        for index, (key, maker, owner) in enumerate(identities):
            if not key:
                continue
            makers = taken.setdefault((key, owner), [])
            if any(identity.same_maker(maker, other) for other in makers):
                conflicts.add(index)
            makers.append(maker)
        return conflicts

    @api.model
    def _insert_imported(self, vals_list):
        """Register new devices of an import with set-based INSERTs; return
        them.

        The same records as :meth:`create` with these values would give (a
        test compares the two): defaults, stored computed fields, Python
        constraints and the sealed 'registered' custody event, without the
        ORM's per-record work. ``vals_list`` holds stored values only; the
        caller has set apart the rows :meth:`_serial_conflicts` finds, so
        that ``create()`` refuses them with its message.
        """
        if not vals_list:
            return self
        now = fields.Datetime.now()
        # what each row needs of its category and donor, read once: the
        # ORM's attribute access per row and field costs more than the rest
        categories = {
            category.id: (
                category.has_data_medium,
                category.renewal_years,
                category.co2e_kg,
            )
            for category in self.env["reemploi.equipment.category"].browse(
                {vals["category_id"] for vals in vals_list}
            )
        }
        owners = self.env["res.partner"].browse(
            {vals["owner_id"] for vals in vals_list if vals.get("owner_id")}
        )
        policies = self._renewal_policies(owners)
        donors = {owner.id: owner.commercial_partner_id.id for owner in owners}
        plain = [
            name
            for name, field in self._fields.items()
            if field.store and field.column_type and not field.compute
        ]
        defaults = self.default_get(plain)
        end_dates = {}  # (purchase date, years): expected end, dates repeat
        rows = []
        for vals in vals_list:
            row = {**defaults, **vals}
            category_id = row["category_id"]
            has_medium, renewal_years, co2e_kg = categories[category_id]
            row.setdefault("state_date", now)
            row["qr_token"] = self._default_qr_token()
            row["serial_key"] = identity.serial_key(row.get("serial"))
            row["manufacturer_key"] = (
                identity.manufacturer_key(row.get("manufacturer")) or None
            )
            end = row.get("expected_end_override")
            if not end:
                years = policies.get(
                    (donors.get(row.get("owner_id")), category_id), renewal_years
                )
                key = (row.get("purchase_date"), years)
                if key not in end_dates:
                    end_dates[key] = forecast.expected_end(*key)
                end = end_dates[key]
            row["expected_end_date"] = end
            row["has_data_medium"] = has_medium
            row["medium_count"] = 1 if has_medium else 0
            row["erasure_verified"] = not has_medium
            row["co2e_avoided_kg"] = (
                co2e_kg if lifecycle.is_reused(row["state"]) else 0.0
            )
            rows.append(row)
        records = self.browse(bulk.insert_rows(self, rows))
        # stored fields computed elsewhere (other modules) are computed as
        # create() would; then whatever depends on devices is told of them
        done = set().union(*rows)
        with self.env.protecting([self._fields[name] for name in done], records):
            records.modified(list(done), create=True)
        for field in self._fields.values():
            if field.store and field.compute and field.name not in done:
                self.env.add_to_compute(field, records)
        records._validate_fields(done, excluded_names=("serial", "manufacturer"))
        self.env["reemploi.custody.event"]._insert_first_events(
            [
                {
                    "equipment_id": record_id,
                    "event_type": "registered",
                    "to_state": row["state"],
                    "partner_id": row.get("owner_id") or False,
                    "company_id": row.get("company_id") or False,
                    "note": self.env._("Device registered"),
                }
                for record_id, row in zip(records.ids, rows, strict=True)
            ]
        )
        return records

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

    @api.model
    def _read_group(
        self,
        domain,
        groupby=(),
        aggregates=(),
        having=(),
        offset=0,
        limit=None,
        order=None,
    ):
        """Counts and CO2e avoided by donor, category and state (the pivot,
        grouped lists, the dashboards) from ``reemploi.equipment.tally``
        when it can answer exactly, otherwise from the devices."""
        tally = self._read_group_tally_args(domain, groupby, aggregates, having, order)
        if tally is None:
            return super()._read_group(
                domain, groupby, aggregates, having, offset, limit, order
            )
        self.browse().check_access("read")
        # the triggers count what reached the table: pending writes first
        self.flush_model(TALLY_FIELDS)
        tally_model, tally_domain, tally_order = tally
        # sudo: the tally has no record rules of its own; the domain carries
        # the devices' rules for this user, evaluated as _search() does
        # (sudo), and the user's own filters only compare the tally's columns
        rows = (
            self.env[tally_model]
            .sudo()
            ._read_group(
                tally_domain,
                groupby,
                [TALLY_AGGREGATES[spec] for spec in aggregates],
                # a group whose devices all left it sums to 0: not a group
                having=[("device_count:sum", ">", 0)] if groupby else (),
                offset=offset,
                limit=limit,
                order=tally_order,
            )
        )
        # the groups' records in the caller's environment, once per record
        relational = [
            index
            for index, spec in enumerate(groupby)
            if self._fields[spec].type == "many2one"
        ]
        counts = [
            index
            for index, spec in enumerate(aggregates, start=len(groupby))
            if spec == "__count"
        ]
        records = {}
        result = []
        for row in rows:
            row = list(row)
            for index in relational:
                value = row[index]
                key = (index, value._ids)
                if key not in records:
                    records[key] = value.with_env(self.env)
                row[index] = records[key]
            for index in counts:
                row[index] = row[index] or 0
            result.append(tuple(row))
        return result

    @api.model
    def _read_group_format_result(self, rows_dict, lazy_groupby):
        """As Odoo formats the groups of ``read_group``, with each donor's
        and category's label read once rather than once per group: a pivot
        donor x category x state has ~20,000 groups for 200 donors, and
        Odoo's ``value.sudo().display_name`` per group and field costed
        most of its time. Only the many2one groupings that come first are
        formatted here (the groups' domains keep Odoo's order of terms)."""
        own = []
        for group in lazy_groupby:
            if ":" in group or "." in group or self._fields[group].type != "many2one":
                break
            own.append(group)
        for group in own:
            labels = {}
            for row in rows_dict:
                value = row[group]
                if isinstance(value, models.BaseModel):
                    if value and value.id not in labels:
                        # sudo: as Odoo does, the group's label whoever reads
                        labels[value.id] = (value.id, value.sudo().display_name)
                    row[group] = labels[value.id] if value else False
                    value = value.id
                row["__domain"] = expression.AND(
                    [row["__domain"], [(group, "=", value)]]
                )
        return super()._read_group_format_result(rows_dict, lazy_groupby[len(own) :])

    @api.model
    def _read_group_tally_args(self, domain, groupby, aggregates, having, order):
        """(tally model, domain, order) of the same grouping on a tally
        (TALLIES), the devices' record rules included, or None when none
        can answer it."""
        if having or self.env.context.get("reemploi_no_tally"):
            return None
        if not set(aggregates) <= set(TALLY_AGGREGATES):
            return None
        leaves = []
        for leaf in expression.normalize_domain(domain or []):
            if not expression.is_leaf(leaf) or tuple(leaf) in TRUE_OR_FALSE:
                continue
            left, operator, right = leaf
            if operator not in TALLY_OPERATORS:
                return None
            values = right if isinstance(right, list | tuple) else [right]
            if left not in self._fields or (
                self._fields[left].type == "many2one"
                and any(isinstance(value, str) for value in values)
            ):
                return None  # a name search of the comodel, as the user
            leaves.append(left)
        terms = []
        for term in (order or "").split(","):
            words = term.split()
            if words:
                terms.append((TALLY_AGGREGATES.get(words[0], words[0]), words[1:]))
        for tally_model, keys in TALLIES:
            if not set(groupby) <= keys or not set(leaves) <= keys:
                continue
            if any(
                name not in keys and name not in TALLY_AGGREGATES.values()
                for name, _words in terms
            ):
                continue
            rules = tally_rules(self.env, self._name, keys)
            if rules is None:
                continue
            tally_domain = expression.AND([domain or [], rules]) if rules else domain
            tally_order = ", ".join(" ".join([name, *words]) for name, words in terms)
            return tally_model, tally_domain or [], tally_order or None
        return None

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
                        target=self._state_labels()[target].lower(),
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
            lambda equipment: equipment.state == lifecycle.RECEIVED
            and equipment.has_data_medium
            and not equipment._erasure_gaps()
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
            lambda equipment: equipment.state == lifecycle.RECEIVED
            and equipment.has_data_medium
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
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "reemploi.grading",
            "view_mode": "form",
            "context": {"default_equipment_id": self.id},
            "target": "current",
        }

    def action_new_erasure(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "reemploi.erasure",
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

    # ------------------------------------------------------------------
    # The pool of available devices
    # ------------------------------------------------------------------
    @api.model
    def _available_domain(self, partner=None):
        """The pool of available devices, as a domain: in an operator's
        hands, graded at least and not gone yet (``lifecycle.POOL_STATES``),
        promised to nobody.

        The refurbished shop, the demand matching of reemploi_market and the
        fair allocation of reemploi_social hand out this one pool. Each addon
        that promises devices extends this method to leave out what it
        promised itself, and nothing else; the consumers add their scope (a
        product, a category, an operator), never an exclusion.

        ``partner`` (a commercial partner): the devices promised to it stay
        in, for the order that delivers what was promised. A new promise
        never passes one: a device is promised once.

        Search it as superuser: a promise holds whoever looks, also for who
        may not read it.
        """
        return [
            ("state", "in", sorted(lifecycle.POOL_STATES)),
            ("company_id", "!=", False),
            ("grade_id", "!=", False),
        ]

    def _pool_take(self, partner=None):
        """Take these devices from the pool for a promise that this
        transaction records (a sale, a demand accepted, an allocation
        confirmed): return those that are available, in ``self``'s
        environment; the caller refuses or replaces the others.

        Every promise writes the rows of its devices before it commits, as
        the checkout of the shop has always done by selling them. At Odoo's
        REPEATABLE READ isolation, of two transactions writing the same row
        the second waits for the first and, if the first commits, fails with
        a serialization error: Odoo runs its request again, and the new run
        finds the first promise in the pool's domain. Under READ COMMITTED,
        the pool read after the lock finds it at once. The rows are locked in
        id order, so that promises of overlapping devices do not deadlock.
        """
        if not self:
            return self
        ids = tuple(sorted(set(self.ids)))
        self.env.cr.execute(
            SQL(
                "SELECT id FROM reemploi_equipment WHERE id IN %s "
                "ORDER BY id FOR NO KEY UPDATE",
                ids,
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE reemploi_equipment SET write_date = %s, write_uid = %s "
                "WHERE id IN %s",
                self.env.cr.now(),
                self.env.uid,
                ids,
            )
        )
        self.invalidate_recordset(["write_date", "write_uid"])
        # sudo: the promises of every path count, whoever takes the devices;
        # only the ids of the available ones are used
        available = set(
            self.sudo()
            .search([("id", "in", ids), *self._available_domain(partner)])
            .ids
        )
        return self.filtered(lambda device: device.id in available)

    def _pool_holder_labels(self, public=False):
        """{device: what holds it, in words} for those of these devices that
        a promise holds, to say why one is not available. Addons that promise
        devices extend it with their own promises; ``public``: words that
        name nobody, for a visitor of the shop."""
        return {}

    # ------------------------------------------------------------------
    # QR label and public page
    # ------------------------------------------------------------------
    def _qr_code_png(self, box_size=6):
        self.ensure_one()
        qr = qrcode.QRCode(
            error_correction=qrcode.constants.ERROR_CORRECT_M,
            box_size=box_size,
            border=2,
        )
        qr.add_data(self.traceability_url)
        qr.make(fit=True)
        buffer = io.BytesIO()
        qr.make_image().save(buffer, format="PNG")
        return buffer.getvalue()

    def _label_sheet_pages(self, rows, columns):
        """Split the devices into pages of rows of labels for the A4 sheet."""
        per_page = rows * columns
        return [
            [
                self[start + offset : start + offset + columns]
                for offset in range(0, min(per_page, len(self) - start), columns)
            ]
            for start in range(0, len(self), per_page)
        ]

    def _qr_code_data_uri(self):
        return "data:image/png;base64," + base64.b64encode(self._qr_code_png()).decode()

    def _public_traceability_values(self):
        """Values shown on the public page: no donor data, no person's name."""
        self.ensure_one()
        labels = self._state_labels()
        steps = []
        for event in self.custody_event_ids.sorted("sequence"):
            if event.event_type == "state" or event.sequence == 1:
                steps.append(
                    {
                        "state": labels.get(event.to_state, event.to_state or ""),
                        "date": event.date.date(),
                    }
                )
        return {
            "category": self.category_id.name,
            "manufacturer": self.manufacturer or "",
            "model": self.model or "",
            "grade": self.grade_id.code or "",
            "grade_name": self.grade_id.name or "",
            "state": labels[self.state],
            "steps": steps,
            "has_data_medium": self.has_data_medium,
            "erasure_verified": self.erasure_verified,
            "co2e_avoided_kg": self.co2e_avoided_kg,
            "co2e_potential_kg": self.category_id.co2e_kg,
        }

    def _public_custody_values(self):
        """What the public page shows of the custody chain: the proof of the
        device against the latest published root (None while no root holds
        it, see reemploi.custody.root._proofs) and the number, date and hash
        of each event, oldest first. Hashes, numbers and dates only: nothing
        about anyone."""
        self.ensure_one()
        Root = self.env["reemploi.custody.root"]
        return {
            "proof": Root._latest_proofs(self).get(self.id),
            "chain": [
                {"sequence": event.sequence, "date": event.date, "hash": event.hash}
                for event in self.custody_event_ids.sorted("sequence")
            ],
        }

    @api.model
    def _cron_verify_custody_chains(self):
        return self.env["reemploi.custody.event"]._verify_chains()

    # ------------------------------------------------------------------
    # Demo data
    # ------------------------------------------------------------------
    @api.model
    def _demo_walk_lifecycle(self, targets):
        """Bring demo devices to their target states through the real actions."""
        path = {
            lifecycle.IN_USE: [],
            lifecycle.TO_DECOMMISSION: [lifecycle.TO_DECOMMISSION],
            lifecycle.DECLARED: [lifecycle.TO_DECOMMISSION, lifecycle.DECLARED],
            lifecycle.MISSING: [lifecycle.DECLARED, lifecycle.MISSING],
        }
        intake = [lifecycle.DECLARED, lifecycle.COLLECTED, lifecycle.RECEIVED]
        path[lifecycle.COLLECTED] = intake[:2]
        path[lifecycle.RECEIVED] = intake
        path[lifecycle.RECYCLED] = intake + [lifecycle.RECYCLED]
        path[lifecycle.ERASED] = intake + [lifecycle.ERASED]
        path[lifecycle.GRADED] = path[lifecycle.ERASED] + [lifecycle.GRADED]
        path[lifecycle.DONATED] = path[lifecycle.GRADED] + [lifecycle.DONATED]
        path[lifecycle.REFURBISHED] = path[lifecycle.GRADED] + [lifecycle.REFURBISHED]
        path[lifecycle.FOR_SALE] = path[lifecycle.REFURBISHED] + [lifecycle.FOR_SALE]
        path[lifecycle.SOLD] = path[lifecycle.FOR_SALE] + [lifecycle.SOLD]
        actions = {
            lifecycle.TO_DECOMMISSION: "action_to_decommission",
            lifecycle.DECLARED: "action_declare",
            lifecycle.COLLECTED: "action_collect",
            lifecycle.RECEIVED: "action_receive",
            lifecycle.REFURBISHED: "action_refurbish",
            lifecycle.FOR_SALE: "action_publish",
            lifecycle.SOLD: "action_sell",
            lifecycle.DONATED: "action_donate",
            lifecycle.RECYCLED: "action_recycle",
            lifecycle.MISSING: "action_mark_missing",
        }
        for equipment_id, target in targets.items():
            equipment = self.browse(int(equipment_id)).with_company(
                self.browse(int(equipment_id)).company_id or self.env.company
            )
            for step in path[target]:
                if step == lifecycle.ERASED and not equipment.has_data_medium:
                    continue
                if step == lifecycle.RECYCLED and not equipment.erasure_verified:
                    equipment._demo_erase(method="destroy")
                    equipment.action_recycle()
                elif step == lifecycle.ERASED:
                    equipment._demo_erase()
                    equipment.action_mark_erased()
                elif step == lifecycle.GRADED:
                    equipment._demo_grade()
                    equipment.action_grade()
                else:
                    getattr(equipment, actions[step])()
        return True

    def _demo_erase(self, method="purge"):
        """The device's verified erasure (or destruction), as the demo story
        records them (reemploi_equipment_demo.py)."""
        self.ensure_one()
        return self._demo_record_erasures(destroy=method == "destroy")

    def _demo_grade(self):
        """A validated grading of the device giving B (a minor scratch)."""
        self.ensure_one()
        return self._demo_record_gradings({self.id: "B"})

    # ------------------------------------------------------------------
    # Supply forecast
    # ------------------------------------------------------------------
    @api.model
    def _forecast_domain(self, start, years=3):
        return [
            ("state", "in", sorted(lifecycle.OWNER_STATES)),
            ("expected_end_date", "!=", False),
            ("expected_end_date", "<=", forecast.horizon_end(start, years)),
        ]

    @api.model
    def _forecast(self, start=None, years=3, by_owner=True):
        """Devices expected per quarter, by category (and donor), among the
        devices the user may read. Return (quarters, keys, counts)."""
        start = start or fields.Date.context_today(self)
        # by month: the forecast counts by quarter, and the window ends with
        # a quarter
        groupby = ["expected_end_date:month", "category_id"]
        if by_owner:
            groupby.append("owner_id")
        domain = self._forecast_domain(start, years)
        rules = (
            None
            if by_owner
            else tally_rules(self.env, self._name, {"category_id", "state", "active"})
        )
        if rules is None or not self.has_access("read"):
            rows = self._read_group(domain, groupby, ["__count"])
        else:
            # the devices in use of the whole territory: the kept counts
            # by expected end, without reading every device in use
            self.flush_model(TALLY_FIELDS)
            tally_domain = [
                ("expected_end_month" if leaf[0] == "expected_end_date" else leaf[0],)
                + tuple(leaf[1:])
                for leaf in domain
            ]
            # sudo: the user reads every device (no record rule compares
            # another field than the tally's, and they are added)
            rows = (
                self.env["reemploi.equipment.forecast.tally"]
                .sudo()
                ._read_group(
                    expression.AND([tally_domain, rules]),
                    ["expected_end_month:month", "category_id"],
                    ["device_count:sum"],
                    having=[("device_count:sum", ">", 0)],
                )
            )
        items = []
        for row in rows:
            date, category = row[0], row[1]
            owner = row[2] if by_owner else self.env["res.partner"]
            key = (category.name or "", owner.commercial_partner_id.name or "")
            items.append((date, key, row[-1]))
        return forecast.matrix(items, start, years)

    @api.model
    def _forecast_xlsx(self, start=None, years=3, by_owner=True):
        """The forecast as an XLSX workbook (bytes)."""
        window, keys, counts = self._forecast(start, years, by_owner)
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(
            buffer, {"in_memory": True, "strings_to_formulas": False}
        )
        sheet = workbook.add_worksheet(self.env._("Forecast"))
        bold = workbook.add_format({"bold": True})
        titles = [self.env._("Category")]
        if by_owner:
            titles.append(self.env._("Donor"))
        titles += [forecast.quarter_label(q) for q in window] + [self.env._("Total")]
        for column, title in enumerate(titles):
            sheet.write_string(0, column, title, bold)
        offset = len(titles) - len(window) - 1
        for line, key in enumerate(sorted(keys), start=1):
            sheet.write_string(line, 0, key[0])
            if by_owner:
                sheet.write_string(line, 1, key[1])
            total = 0
            for column, quarter in enumerate(window, start=offset):
                count = counts.get((quarter, key), 0)
                total += count
                sheet.write_number(line, column, count)
            sheet.write_number(line, offset + len(window), total, bold)
        sheet.set_column(0, offset - 1, 28)
        workbook.close()
        return buffer.getvalue()

    @api.model
    def action_export_forecast(self):
        return xlsx_download_action(
            self.env, self.env._("supply-forecast.xlsx"), self._forecast_xlsx()
        )
