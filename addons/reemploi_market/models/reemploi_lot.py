from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.reemploi_asset.models.actions import related_records_action
from odoo.addons.reemploi_asset.models.labels import selection_labels, state_word
from odoo.addons.reemploi_asset.services import lifecycle

from ..services import webhooks
from ..services.lot_lifecycle import (
    CANCELLED,
    COLLECTED,
    DECLARED,
    DRAFT,
    MATCHED,
    OPEN_STATES,
    PROCESSED,
    RECEIVED,
    REPORTED,
    SCHEDULED,
    STATE_SELECTION,
    TRANSITIONS,
)
from .reemploi_match_proposal import EXPIRED, OPEN_PROPOSAL_STATES, PROPOSED

# Fields that only the workflow sets: portal users (donors) never write them
# directly, whatever they send through RPC.
WORKFLOW_FIELDS = frozenset({"name", "state", "company_id", "date_declared"})

# Fields that carry the custody of the lot's devices: whoever calls, only the
# workflow actions (and an administrator's logged correction) change them,
# except the operator a coordinator picks before confirming the match and the
# donor of a draft.
CUSTODY_FIELDS = ("company_id", "partner_id", "state")

# Context value with which the workflow writes the custody fields. It is an
# object, not a flag: no RPC, import or URL can send it.
CUSTODY_WRITE = object()


COORDINATOR = "reemploi_asset.group_reemploi_coordinator"


class ReemploiLot(models.Model):
    _name = "reemploi.lot"
    _description = "Lot declared by a donor"
    _inherit = [
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "reemploi.custody.guard.mixin",
        # one mixin per concern beside the lot's workflow (docs/ARCHITECTURE.md)
        "reemploi.lot.takeback.mixin",
        "reemploi.lot.demo.mixin",
    ]
    _order = "id desc"
    _rec_names_search = ["name", "partner_id"]

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env._("New"),
        index="trigram",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Donor",
        required=True,
        tracking=True,
        index=True,
        default=lambda self: self._default_partner_id(),
        domain=[("is_company", "=", True)],
        help="Donor organisation that gives the devices.",
    )
    site_id = fields.Many2one(
        "res.partner",
        string="Pickup site",
        domain="['|', ('id', '=', partner_id), ('parent_id', '=', partner_id)]",
    )
    pickup_address = fields.Text(
        compute="_compute_pickup_address",
        precompute=True,
        store=True,
        readonly=False,
        help="Where the operator collects the devices; filled from the site.",
    )
    date_from = fields.Date(string="Available from", tracking=True)
    date_to = fields.Date(string="Available until", tracking=True)
    # access constraints for the collection
    floor = fields.Integer(help="0 for the ground floor, -1 for the basement.")
    has_lift = fields.Boolean(string="Lift")
    has_loading_dock = fields.Boolean(string="Loading dock")
    access_notes = fields.Text(
        string="Access notes", help="Entrance, parking, opening hours, badge..."
    )
    # contact on site
    contact_partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        default=lambda self: self._default_contact_partner_id(),
    )
    contact_name = fields.Char(
        compute="_compute_contact", precompute=True, store=True, readonly=False
    )
    contact_phone = fields.Char(
        compute="_compute_contact", precompute=True, store=True, readonly=False
    )
    contact_email = fields.Char(
        compute="_compute_contact", precompute=True, store=True, readonly=False
    )
    photo_ids = fields.Many2many(
        "ir.attachment",
        "reemploi_lot_photo_rel",
        "lot_id",
        "attachment_id",
        string="Photos",
    )
    line_ids = fields.One2many("reemploi.lot.line", "lot_id", string="Lines", copy=True)
    equipment_ids = fields.One2many(
        "reemploi.equipment",
        "reemploi_lot_id",
        string="Declared devices",
        readonly=True,
    )
    device_count = fields.Integer(
        string="Devices", compute="_compute_totals", store=True
    )
    weight_kg = fields.Float(
        string="Weight (kg)", compute="_compute_totals", store=True, digits=(16, 1)
    )
    co2e_kg = fields.Float(
        string="Potential CO2e (kg)",
        compute="_compute_totals",
        store=True,
        digits=(16, 1),
        help="Manufacturing emissions avoided if every device of the lot is reused.",
    )
    co2e_avoided_kg = fields.Float(
        string="CO2e avoided (kg)",
        compute="_compute_co2e_avoided_kg",
        digits=(16, 1),
        help="Emissions avoided by the devices of the lot already reused.",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Operator",
        tracking=True,
        index=True,
        copy=False,
        help="Reuse operator assigned to the lot when it is matched.",
    )
    state = fields.Selection(
        STATE_SELECTION,
        default=DRAFT,
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
        group_expand="_group_expand_states",
    )
    date_declared = fields.Datetime(string="Declared on", readonly=True, copy=False)

    @api.model
    def _default_partner_id(self):
        user = self.env.user
        return user.commercial_partner_id if user.share else False

    @api.model
    def _default_contact_partner_id(self):
        user = self.env.user
        return user.partner_id if user.share else False

    def _group_expand_states(self, states, domain):
        return [key for key, _label in STATE_SELECTION]

    @api.depends("site_id", "partner_id")
    def _compute_pickup_address(self):
        for lot in self:
            place = lot.site_id or lot.partner_id
            address = place._display_address(without_company=True) if place else ""
            lot.pickup_address = "\n".join(
                line.strip() for line in address.splitlines() if line.strip()
            )

    @api.depends("contact_partner_id")
    def _compute_contact(self):
        for lot in self:
            contact = lot.contact_partner_id
            lot.contact_name = contact.name or lot.contact_name
            lot.contact_phone = contact.phone or contact.mobile or lot.contact_phone
            lot.contact_email = contact.email or lot.contact_email

    @api.depends("line_ids.quantity", "line_ids.weight_kg", "line_ids.co2e_kg")
    def _compute_totals(self):
        for lot in self:
            lot.device_count = sum(lot.line_ids.mapped("quantity"))
            lot.weight_kg = sum(lot.line_ids.mapped("weight_kg"))
            lot.co2e_kg = sum(lot.line_ids.mapped("co2e_kg"))

    @api.depends("equipment_ids.co2e_avoided_kg")
    def _compute_co2e_avoided_kg(self):
        for lot in self:
            lot.co2e_avoided_kg = sum(lot.equipment_ids.mapped("co2e_avoided_kg"))

    def _compute_access_url(self):
        super()._compute_access_url()
        for lot in self:
            lot.access_url = f"/my/lots/{lot.id}"

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for lot in self:
            if lot.date_from and lot.date_to and lot.date_to < lot.date_from:
                raise ValidationError(
                    self.env._(
                        "The availability window of lot %(lot)s ends before it "
                        "starts: check the dates.",
                        lot=lot.name,
                    )
                )

    def _check_workflow_fields(self, vals):
        """Donors (portal users) never set the workflow fields themselves."""
        if self.env.su or self.env.user._is_internal():
            return
        forbidden = WORKFLOW_FIELDS.intersection(vals)
        if forbidden:
            raise AccessError(
                self.env._(
                    "Only the declaration workflow sets %(fields)s on a lot.",
                    fields=", ".join(
                        self._fields[name].get_description(self.env)["string"]
                        for name in sorted(forbidden)
                    ),
                )
            )

    def _custody_fields(self):
        return set(CUSTODY_FIELDS)

    def _custody_token(self):
        return CUSTODY_WRITE

    def _custody_change_allowed(self, name):
        if name == "company_id" and self.state in (DRAFT, DECLARED):
            # the coordinator picks the operator, then confirms the match
            return self.env.user.has_group("reemploi_asset.group_reemploi_coordinator")
        # nothing was promised yet; the lines' constraint keeps the devices
        # the donor's own
        return name == "partner_id" and self.state == DRAFT

    def _custody_refusal(self, labels):
        return self.env._(
            "Lot %(lot)s: %(fields)s can change only through its "
            "workflow buttons (declare, confirm the operator, "
            "collect, receive, cancel...), which move its devices "
            "with it. To fix a mistake, ask an administrator for a "
            "logged correction.",
            fields=labels,
            lot=self.name,
        )

    def action_admin_correct(self, values, reason):
        """Correct the state, donor or operator of lots by hand, as an
        administrator; the reason is posted on each lot."""
        values, reason = self._check_admin_correction(
            values,
            reason,
            self.env._(
                "Only an administrator may correct the state, donor or "
                "operator of a lot."
            ),
            self.env._("Give the reason of the correction: it is kept on the lot."),
        )
        self._write_custody(values)
        for lot in self:
            lot.message_post(
                body=self.env._("Administrator correction: %(reason)s", reason=reason),
                subtype_xmlid="mail.mt_note",
            )
        return True

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_workflow_fields(vals)
            if vals.get("state", DRAFT) != DRAFT and not self._custody_write_allowed():
                self.check_access("create")
                raise UserError(
                    self.env._(
                        "A lot is created as a draft, then moves on through "
                        "its workflow buttons (declare, confirm the operator, "
                        "collect...)."
                    )
                )
        if vals_list:
            # sudo: the sequence is shared by every donor; portal users cannot
            # read ir.sequence, and only the next reference is drawn
            Sequence = self.env["ir.sequence"].sudo()
            for vals in vals_list:
                vals["name"] = Sequence.next_by_code("reemploi.lot") or "/"
        return super().create(vals_list)

    def write(self, vals):
        self._check_workflow_fields(vals)
        if "partner_id" in vals and not (self.env.su or self.env.user._is_internal()):
            raise AccessError(
                self.env._("A lot stays with the organisation that declared it.")
            )
        self._check_custody_write(vals)
        if "state" not in vals:
            return super().write(vals)
        # webhooks of the lots' state changes, whatever workflow step makes
        # them: the workflow methods stay unaware of the partner API
        previous = {lot.id: lot.state for lot in self}
        result = super().write(vals)
        changed = self.filtered(lambda lot: lot.state != previous[lot.id])
        self.env["reemploi.webhook.delivery"]._enqueue(
            webhooks.LOT_STATE_CHANGED, changed, previous
        )
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_open(self):
        for lot in self:
            if lot.state not in (DRAFT, CANCELLED):
                raise UserError(
                    self.env._(
                        "Lot %(lot)s is %(state)s: cancel it instead of deleting it.",
                        lot=lot.name,
                        state=state_word(lot),
                    )
                )

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    def _state_labels(self):
        """State labels in the user's language."""
        return selection_labels(self, "state")

    def _check_transition(self, target):
        labels = self._state_labels()
        for lot in self:
            if lot.state not in TRANSITIONS[target]:
                allowed = [
                    labels[state].lower()
                    for state, _label in STATE_SELECTION
                    if lot.state in TRANSITIONS.get(state, ())
                ]
                raise UserError(
                    self.env._(
                        "Lot %(lot)s is %(current)s and cannot become %(target)s. "
                        "Allowed next steps: %(allowed)s.",
                        lot=lot.name,
                        current=labels[lot.state].lower(),
                        target=labels[target].lower(),
                        allowed=", ".join(allowed) or self.env._("none"),
                    )
                )

    def _set_state(self, target, **values):
        """Move the lots to ``target`` (the caller checked the preconditions);
        date the match; a lot matched or cancelled closes its proposals."""
        self._check_transition(target)
        self.check_access("write")
        if target == MATCHED:
            values.setdefault("date_matched", fields.Datetime.now())
        # sudo: the user may write these lots (checked just above); sudo only
        # lets the workflow set its own fields, which donors cannot write
        self.sudo().write(dict(values, state=target))
        if target in (MATCHED, CANCELLED):
            # their open proposals expire with them, whoever moved them
            self.sudo().proposal_ids.filtered(
                lambda p: p.state in OPEN_PROPOSAL_STATES
            ).write({"state": EXPIRED})
        return True

    def _declaration_problems(self):
        """What prevents the lot from being declared, in the user's language."""
        self.ensure_one()
        problems = []
        if not self.line_ids:
            problems.append(
                self.env._("add devices from your register or quantities per category")
            )
        if not self.date_from or not self.date_to:
            problems.append(self.env._("give the dates when the devices are available"))
        elif self.date_to < fields.Date.context_today(self):
            problems.append(
                self.env._(
                    "the availability window ended on %(date)s: give new dates",
                    date=self.date_to,
                )
            )
        if not (self.pickup_address or "").strip():
            problems.append(self.env._("give the pickup address"))
        if not (self.contact_phone or self.contact_email):
            problems.append(
                self.env._("give a phone number or an e-mail address to call on site")
            )
        labels = self.env["reemploi.equipment"]._state_labels()
        # sudo: the devices are the donor's own (see reemploi.lot.line's
        # constraint); sudo reads the lot holding one of them, of which only
        # the reference is shown
        for device in self.line_ids.equipment_id.sudo():
            other = device.reemploi_lot_id
            if other and other != self and other.state in OPEN_STATES:
                problems.append(
                    self.env._(
                        "%(device)s is already in lot %(other)s: remove it from "
                        "this lot",
                        device=device.display_name,
                        other=other.name,
                    )
                )
            elif device.state != lifecycle.DECLARED and not lifecycle.can_transition(
                device.state, lifecycle.DECLARED
            ):
                problems.append(
                    self.env._(
                        "%(device)s is %(state)s: only devices in use or to "
                        "decommission can be declared",
                        device=device.display_name,
                        state=labels[device.state].lower(),
                    )
                )
        return problems

    def action_declare(self):
        """Promise the lot to the reuse chain: its devices become declared."""
        self._check_transition(DECLARED)
        for lot in self:
            problems = lot._declaration_problems()
            if problems:
                raise UserError(
                    self.env._(
                        "Lot %(lot)s cannot be declared yet: %(problems)s.",
                        lot=lot.name,
                        problems="; ".join(problems),
                    )
                )
        self._set_state(DECLARED, date_declared=fields.Datetime.now())
        for lot in self:
            # sudo: donors only read their register; the devices were checked
            # above to be the donor's own and declarable, and the lifecycle
            # still refuses any other move
            devices = lot.line_ids.equipment_id.sudo()
            devices.write({"reemploi_lot_id": lot.id})
            note = self.env._("Declared in lot %(lot)s", lot=lot.name)
            undeclared = devices.filtered(lambda d: d.state != lifecycle.DECLARED)
            undeclared._transition(lifecycle.DECLARED, note=note, document_ref=lot.name)
            (devices - undeclared)._log_custody(
                "note", note=note, document_ref=lot.name
            )
        return True

    def action_match(self, company=None):
        """Assign the lot to a reuse operator, who then sees it and its devices."""
        self._check_transition(MATCHED)
        for lot in self:
            operator = company or lot.company_id
            if not operator:
                raise UserError(
                    self.env._(
                        "Choose the operator that will collect lot %(lot)s, then "
                        "confirm the match.",
                        lot=lot.name,
                    )
                )
            lot._set_state(MATCHED, company_id=operator.id)
            # sudo: the coordinator only reads the register; the operator now
            # holds the devices of this lot only, as a custody transfer
            devices = lot.equipment_ids.sudo()
            devices.write({"company_id": operator.id})
            devices._log_custody(
                "transfer",
                note=self.env._(
                    "Lot %(lot)s assigned to %(operator)s",
                    lot=lot.name,
                    operator=operator.name,
                ),
                document_ref=lot.name,
            )
        return True

    def action_schedule(self):
        return self._set_state(SCHEDULED)

    def action_collect(self):
        self._check_transition(COLLECTED)
        for lot in self:
            devices = lot.equipment_ids.filtered(
                lambda d: d.state == lifecycle.DECLARED
            )
            devices._transition(
                lifecycle.COLLECTED,
                note=self.env._("Collected with lot %(lot)s", lot=lot.name),
                document_ref=lot.name,
            )
        return self._set_state(COLLECTED)

    def action_receive(self):
        self._check_transition(RECEIVED)
        for lot in self:
            devices = lot.equipment_ids.filtered(
                lambda d: d.state in (lifecycle.DECLARED, lifecycle.COLLECTED)
            )
            devices.with_company(lot.company_id).action_receive(company=lot.company_id)
        return self._set_state(RECEIVED)

    def action_process(self):
        self._check_transition(PROCESSED)
        for lot in self:
            waiting = lot.equipment_ids.filtered(
                lambda d: d.state in lifecycle.WAITING_STATES
            )
            if waiting:
                raise UserError(
                    self.env._(
                        "Lot %(lot)s still has devices waiting for erasure or "
                        "grading: %(devices)s. Process them, or mark them as "
                        "missing, first.",
                        lot=lot.name,
                        devices=", ".join(waiting.mapped("display_name")),
                    )
                )
        return self._set_state(PROCESSED)

    def action_report(self):
        """Send the take-back report: the lot keeps its PDF, which the donor
        downloads on the portal."""
        self._set_state(REPORTED)
        # while modules load (demo data), wkhtmltopdf would wait for the
        # stylesheets of this very server: the portal makes the PDF when the
        # donor first asks for it
        if self.env.registry.ready:
            for lot in self:
                lot._attach_takeback_pdf()
        return True

    def action_cancel(self):
        """Withdraw the lot: its devices go back to the donor's register."""
        self._check_transition(CANCELLED)
        self._set_state(CANCELLED)
        for lot in self:
            # sudo: the devices of a lot that was never collected go back to
            # their donor; the lifecycle refuses it once they have moved on
            devices = lot.equipment_ids.sudo()
            devices.write({"reemploi_lot_id": False, "company_id": False})
            devices._transition(
                lifecycle.TO_DECOMMISSION,
                note=self.env._("Lot %(lot)s cancelled", lot=lot.name),
                document_ref=lot.name,
            )
        return True

    def action_reset_to_draft(self):
        return self._set_state(DRAFT)

    # ------------------------------------------------------------------
    # Portal
    # ------------------------------------------------------------------
    def _portal_timeline(self):
        """Steps of the lot (from its tracked states) and of its devices (from
        their custody events), oldest first, in a constant number of queries."""
        self.ensure_one()
        labels = self._state_labels()
        by_label = {}
        for lang_code, _name in self.env["res.lang"].get_installed():
            lang_labels = self.with_context(lang=lang_code)._state_labels()
            by_label.update({label: key for key, label in lang_labels.items()})
        steps = [{"date": self.create_date, "label": labels[DRAFT], "count": 0}]
        state_field = self.env["ir.model.fields"]._get(self._name, "state")
        # sudo: tracking values are for administrators; only the state changes
        # of this lot, which the user reads, are shown
        trackings = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("field_id", "=", state_field.id),
                    ("mail_message_id.model", "=", self._name),
                    ("mail_message_id.res_id", "=", self.id),
                ],
                order="id",
            )
        )
        for tracking in trackings:
            state = by_label.get(tracking.new_value_char)
            if state:
                steps.append(
                    {
                        "date": tracking.create_date,
                        "label": labels[state],
                        "count": 0,
                    }
                )
        device_labels = self.env["reemploi.equipment"]._state_labels()
        Event = self.env["reemploi.custody.event"]
        lot_devices = [("equipment_id.reemploi_lot_id", "=", self.id)]
        # the devices' life since their declaration in this lot, not before
        declared = Event.search(
            lot_devices + [("document_ref", "=", self.name)], order="id", limit=1
        )
        if not declared:
            return sorted(steps, key=lambda step: step["date"])
        groups = Event._read_group(
            lot_devices + [("event_type", "=", "state"), ("id", ">=", declared.id)],
            ["date:day", "to_state"],
            ["__count", "date:min"],
        )
        for _day, to_state, count, first in groups:
            steps.append(
                {
                    "date": first,
                    "label": device_labels.get(to_state, to_state),
                    "count": count,
                }
            )
        return sorted(steps, key=lambda step: step["date"])

    # ------------------------------------------------------------------
    # Demo data
    # ------------------------------------------------------------------
    @api.model
    def _demo_walk(self, targets):
        """Bring demo lots to their target states through the real actions.

        ``targets``: {lot id: (state, operator company id or False)}.
        """
        path = [DECLARED, MATCHED, SCHEDULED, COLLECTED, RECEIVED, PROCESSED, REPORTED]
        actions = {
            DECLARED: "action_declare",
            SCHEDULED: "action_schedule",
            COLLECTED: "action_collect",
            RECEIVED: "action_receive",
            PROCESSED: "action_process",
            REPORTED: "action_report",
            CANCELLED: "action_cancel",
        }
        for lot_id, (target, company_id) in targets.items():
            lot = self.browse(int(lot_id))
            operator = self.env["res.company"].browse(company_id)
            steps = [DECLARED, CANCELLED] if target == CANCELLED else path
            for step in steps[: steps.index(target) + 1]:
                if step == MATCHED:
                    lot.action_match(operator)
                else:
                    getattr(
                        lot.with_company(operator or self.env.company), actions[step]
                    )()
        return True

    # Webhooks of the lots' state changes (sent by write())
    def _webhook_scope(self):
        """(operator, donor organisation) that may hear of this lot."""
        self.ensure_one()
        return self.company_id, self.partner_id.commercial_partner_id

    def _webhook_data(self, previous_state):
        """Values of this lot in the webhooks' payloads."""
        self.ensure_one()
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "previous_state": previous_state,
            "donor_id": self.partner_id.commercial_partner_id.id or None,
            "operator_id": self.company_id.id or None,
            "device_count": self.device_count,
        }

    # The matching of the lots: proposals of operators (reemploi.match.proposal).
    proposal_ids = fields.One2many(
        "reemploi.match.proposal", "lot_id", string="Proposals", readonly=True
    )
    proposal_count = fields.Integer(compute="_compute_proposal_count")
    current_proposal_id = fields.Many2one(
        "reemploi.match.proposal",
        string="Offered to",
        compute="_compute_proposal_count",
        help="Proposal waiting for the operator's answer.",
    )
    date_matched = fields.Datetime(
        string="Matched on",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When the lot was matched with its operator: counts in the "
        "operator's capacity for its period.",
    )
    match_problem = fields.Text(
        string="Why no operator is proposed", readonly=True, copy=False
    )
    # the position of the pickup place (site, else donor), which the
    # matching needs: coordinators fix it here when the address gave none
    pickup_latitude = fields.Float(
        string="Pickup latitude",
        digits=(10, 7),
        compute="_compute_pickup_position",
        inverse="_inverse_pickup_position",
        help="Latitude of the pickup site (or of the donor without a site), "
        "in decimal degrees, e.g. 45.1885 for Grenoble.",
    )
    pickup_longitude = fields.Float(
        string="Pickup longitude",
        digits=(10, 7),
        compute="_compute_pickup_position",
        inverse="_inverse_pickup_position",
        help="Longitude of the pickup site (or of the donor without a site), "
        "in decimal degrees, e.g. 5.7245 for Grenoble.",
    )

    @api.depends("proposal_ids.state")
    def _compute_proposal_count(self):
        for lot in self:
            lot.proposal_count = len(lot.proposal_ids)
            lot.current_proposal_id = lot.proposal_ids.filtered(
                lambda p: p.state == PROPOSED
            )[:1]

    @api.depends(
        "site_id.partner_latitude",
        "site_id.partner_longitude",
        "partner_id.partner_latitude",
        "partner_id.partner_longitude",
    )
    def _compute_pickup_position(self):
        for lot in self:
            place = lot.site_id or lot.partner_id
            lot.pickup_latitude = place.partner_latitude
            lot.pickup_longitude = place.partner_longitude

    def _inverse_pickup_position(self):
        self._check_place_editor()
        for lot in self:
            place = lot.site_id or lot.partner_id
            values = {
                "partner_latitude": lot.pickup_latitude,
                "partner_longitude": lot.pickup_longitude,
            }
            if place and any(place[name] != value for name, value in values.items()):
                # sudo: coordinators keep the places of the lots without
                # write access to contacts; only the two coordinates change
                place.sudo().write(values)
        # the coordinates typed: the lots waiting for them are offered
        self._propose_when_placed()

    def _check_place_editor(self):
        """Only coordinators place the lots' pickup sites."""
        if not (self.env.su or self.env.user.has_group(COORDINATOR)):
            raise AccessError(
                self.env._(
                    "Only the territory coordinators may change the position "
                    "of a pickup site."
                )
            )
        self.check_access("write")

    def action_propose(self):
        """Rank the operators that can take the lots and offer each lot to
        the first one (see reemploi.match.proposal)."""
        self._check_transition(MATCHED)
        self.check_access("write")
        self.env["reemploi.match.proposal"]._propose(self)
        return True

    def action_locate_pickup_site(self):
        """Place the pickup sites on the map from their address (Odoo's
        geocoder), then propose operators again for the lots declared."""
        self._check_place_editor()
        places = self.mapped(lambda lot: lot.site_id or lot.partner_id)
        # sudo: as in _inverse_pickup_position, only the coordinates change
        places.sudo().action_reemploi_geolocate()
        self._propose_when_placed()
        return True

    def _propose_when_placed(self):
        """Propose operators again for the declared lots that have none,
        now that their pickup place is on the map."""
        declared = self.filtered(
            lambda lot: (
                lot.state == DECLARED
                and not lot.current_proposal_id
                and lot.pickup_latitude
                and lot.pickup_longitude
            )
        )
        if declared:
            self.env["reemploi.match.proposal"]._propose(declared)

    def action_view_proposals(self):
        return related_records_action(
            self, "reemploi_market.reemploi_match_proposal_action", "lot_id"
        )

    @api.model
    def _cron_propose(self):
        """Scheduled: update the operators' reliability, then propose
        operators for every declared lot not offered to any."""
        self.env["res.company"]._reemploi_update_reliability()
        lots = self.search(
            [
                ("state", "=", DECLARED),
                ("proposal_ids", "not any", [("state", "=", PROPOSED)]),
            ]
        )
        self.env["reemploi.match.proposal"]._propose(lots)
        return True

    # A lot's collection: its round, its stock receipt, its check-in.
    round_id = fields.Many2one(
        "reemploi.collection.round",
        string="Collection round",
        readonly=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
    )
    collection_area = fields.Char(
        string="Area",
        compute="_compute_collection_area",
        store=True,
        help="Postcode and commune of the pickup site: rounds group lots by area.",
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Receipt",
        readonly=True,
        copy=False,
        help="Incoming transfer of the devices in the operator's stock.",
    )
    checkin_ids = fields.One2many("reemploi.lot.checkin", "lot_id", string="Check-ins")
    checkin_id = fields.Many2one(
        "reemploi.lot.checkin", string="Check-in", compute="_compute_checkin_id"
    )

    @api.depends("site_id.zip", "site_id.city", "partner_id.zip", "partner_id.city")
    def _compute_collection_area(self):
        for lot in self:
            place = (
                lot.site_id if lot.site_id.zip or lot.site_id.city else lot.partner_id
            )
            lot.collection_area = " ".join(filter(None, (place.zip, place.city)))

    @api.depends("checkin_ids")
    def _compute_checkin_id(self):
        for lot in self:
            lot.checkin_id = lot.checkin_ids[:1]

    # ------------------------------------------------------------------
    # Stock receipt
    # ------------------------------------------------------------------
    def _receipt_picking_type(self):
        self.ensure_one()
        warehouse = self.company_id._reemploi_warehouse()
        if not warehouse.in_type_id:
            raise UserError(
                self.env._(
                    "%(operator)s has no warehouse with a receipt operation: "
                    "configure its warehouse before planning the collection "
                    "of lot %(lot)s.",
                    operator=self.company_id.name,
                    lot=self.name,
                )
            )
        return warehouse.in_type_id

    def _create_receipt_pickings(self):
        """One incoming transfer per lot in its operator's company, one move
        per stock product (the product of each category) with the quantity
        declared. Categories without a stock product stay out of stock."""
        for lot in self.filtered(lambda lot: not lot.picking_id):
            quantities = defaultdict(int)
            for line in lot.line_ids:
                if line.category_id.product_id:
                    quantities[line.category_id.product_id] += line.quantity
            if not quantities:
                continue
            company = lot.company_id
            picking_type = lot.with_company(company)._receipt_picking_type()
            source = picking_type.default_location_src_id
            if not source:
                source = self.env.ref("stock.stock_location_suppliers")
            destination = picking_type.default_location_dest_id
            picking = (
                self.env["stock.picking"]
                .with_company(company)
                .create(
                    {
                        "picking_type_id": picking_type.id,
                        "company_id": company.id,
                        "partner_id": lot.partner_id.id,
                        "origin": lot.name,
                        "scheduled_date": lot.round_id.date or lot.date_from,
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                        "move_ids": [
                            Command.create(
                                lot._receipt_move_values(
                                    product, quantity, source, destination
                                )
                            )
                            for product, quantity in quantities.items()
                        ],
                    }
                )
            )
            picking.action_confirm()
            lot.picking_id = picking

    def _release_receipts(self):
        """Lots leaving their round: their receipts, with nothing received
        yet, are cancelled."""
        pickings = self.picking_id.filtered(lambda p: p.state != "done")
        pickings.action_cancel()
        self.filtered(lambda lot: lot.picking_id in pickings).write(
            {"picking_id": False}
        )

    def _receipt_move_values(self, product, quantity, source, destination):
        self.ensure_one()
        return {
            "name": product.display_name,
            "product_id": product.id,
            "product_uom_qty": quantity,
            "product_uom": product.uom_id.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "company_id": self.company_id.id,
            "origin": self.name,
        }

    # ------------------------------------------------------------------
    # Check-in
    # ------------------------------------------------------------------
    def _get_checkin(self):
        """The check-in of the lot, created with what was declared; a lot
        checked in has been collected."""
        self.ensure_one()
        if not self.checkin_id and self.state not in (SCHEDULED, COLLECTED):
            raise UserError(
                self.env._(
                    "Lot %(lot)s is %(state)s: only a lot scheduled for "
                    "collection, or collected, is checked in.",
                    lot=self.name,
                    state=state_word(self),
                )
            )
        if self.state == SCHEDULED:
            self.action_collect()
        return self.checkin_id or self.env["reemploi.lot.checkin"].create(
            {"lot_id": self.id}
        )

    def action_open_checkin(self):
        self.ensure_one()
        return self._get_checkin().action_open_screen()
