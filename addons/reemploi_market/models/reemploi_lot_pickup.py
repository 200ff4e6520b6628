import base64
import binascii

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import html2plaintext

from odoo.addons.reemploi_asset.models.labels import selection_labels, state_word
from odoo.addons.reemploi_asset.services import identity, lifecycle

from ..services import collection
from ..services.lot_lifecycle import COLLECTED, OPEN_STATES, SCHEDULED
from .reemploi_lot_pickup_line import PICKUP_WRITE

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# fields the validation writes once; nothing is written afterwards
FROZEN_FIELDS = frozenset(
    {
        "state",
        "date_done",
        "user_done_id",
        "signer_name",
        "signature",
        "validation_key",
        "report_id",
    }
)


class ReemploiLotPickup(models.Model):
    """One stop of a collection round: the pickup of a lot at the donor's
    site, on the driver's phone. Its validation, signed by the donor's
    representative, is the moment custody passes to the operator: the
    devices handed over become collected, the others missing, and the
    pickup receipt ("bordereau d'enlèvement") is sent to both sides."""

    _name = "reemploi.lot.pickup"
    _inherit = ["reemploi.lot.evidence"]
    _description = "Pickup of a lot"
    _order = "round_id, sequence, id"
    _rec_name = "lot_id"
    _check_company_auto = True

    round_id = fields.Many2one(
        "reemploi.collection.round",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    lot_id = fields.Many2one(
        "reemploi.lot", required=True, readonly=True, ondelete="restrict", index=True
    )
    company_id = fields.Many2one(
        related="round_id.company_id", string="Operator", store=True, index=True
    )
    partner_id = fields.Many2one(related="lot_id.partner_id", string="Donor")
    sequence = fields.Integer(default=10)
    state = fields.Selection(
        [("draft", "To collect"), ("done", "Collected")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
    )
    line_ids = fields.One2many("reemploi.lot.pickup.line", "pickup_id", string="Lines")
    scan_ids = fields.One2many("reemploi.lot.pickup.scan", "pickup_id", string="Scans")
    photo_ids = fields.Many2many(
        "ir.attachment",
        "reemploi_lot_pickup_photo_rel",
        "pickup_id",
        "attachment_id",
        string="Photos",
    )
    photo_count = fields.Integer(compute="_compute_counts")
    expected_count = fields.Integer(string="Expected", compute="_compute_counts")
    collected_count = fields.Integer(string="Collected", compute="_compute_counts")
    missing_count = fields.Integer(string="Missing", compute="_compute_counts")
    extra_count = fields.Integer(string="Extra", compute="_compute_counts")
    signer_name = fields.Char(string="Signed by", readonly=True, copy=False)
    signature = fields.Binary(readonly=True, copy=False, attachment=True)
    date_done = fields.Datetime(string="Collected on", readonly=True, copy=False)
    user_done_id = fields.Many2one("res.users", string="Driver", readonly=True)
    validation_key = fields.Char(
        readonly=True,
        copy=False,
        help="Id the phone gave the validation: sent again, it changes nothing.",
    )
    report_id = fields.Many2one(
        "ir.attachment", string="Pickup receipt", readonly=True, copy=False
    )

    _sql_constraints = [
        ("lot_unique", "unique(lot_id)", "A lot is picked up once."),
    ]

    @api.depends("line_ids.collected_qty", "line_ids.expected_qty", "photo_ids")
    def _compute_counts(self):
        for pickup in self:
            totals = collection.reconcile(
                (line.kind, line.expected_qty, line.collected_qty)
                for line in pickup.line_ids
            )
            pickup.expected_count = totals["expected"]
            pickup.collected_count = totals["received"]
            pickup.missing_count = totals["missing"]
            pickup.extra_count = totals["extra"] + len(
                pickup.line_ids.filtered(lambda line: line.kind == "unknown")
            )
            pickup.photo_count = len(pickup.photo_ids)

    def _check_validation_fields(self, vals):
        if (
            FROZEN_FIELDS.intersection(vals)
            and self.env.context.get("reemploi_pickup_write") is not PICKUP_WRITE
        ):
            raise UserError(
                self.env._(
                    "A pickup is validated only on the driver's screen, with "
                    "the signature of the donor's representative."
                )
            )

    def _frozen_message(self):
        return self.env._(
            "The pickup of lot %(lot)s was signed: what was collected "
            "is frozen and never changes.",
            lot=self.lot_id.name,
        )

    def _expected_line_values(self):
        self.ensure_one()
        return [
            {
                "pickup_id": self.id,
                "sequence": line.sequence,
                "kind": "device" if line.equipment_id else "count",
                "equipment_id": line.equipment_id.id,
                "category_id": line.category_id.id,
                "label": line.equipment_id.display_name or line.category_id.name,
                "expected_qty": line.quantity,
            }
            for line in self.lot_id.line_ids
        ]

    # ------------------------------------------------------------------
    # Guards
    # ------------------------------------------------------------------
    def _check_recorder(self):
        """Only the users of the round's operator record its pickups."""
        self.ensure_one()
        if self.company_id not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "Only the users of %(operator)s record the pickups of round "
                    "%(round)s.",
                    operator=self.company_id.name,
                    round=self.round_id.name,
                )
            )
        self.check_access("write")

    def _check_recordable(self):
        self._check_recorder()
        self._check_draft()
        if self.round_id.state != "in_progress":
            raise UserError(
                self.env._(
                    "Round %(round)s is not started: start it before recording "
                    "its pickups.",
                    round=self.round_id.name,
                )
            )
        if self.lot_id.state != SCHEDULED:
            raise UserError(
                self.env._(
                    "Lot %(lot)s is %(state)s: only a lot scheduled for "
                    "collection is picked up.",
                    lot=self.lot_id.name,
                    state=state_word(self.lot_id),
                )
            )

    # ------------------------------------------------------------------
    # Scanning (called by the round screen)
    # ------------------------------------------------------------------
    def _match_line(self, kind, value):
        """The declared device or extra line that the scan designates."""
        # sudo: the lines' devices are this lot's, read to compare their
        # identifiers only
        lines = self.line_ids.sudo().filtered("equipment_id")
        if kind == "token":
            return lines.filtered(lambda line: line.equipment_id.qr_token == value)[:1]
        key = identity.serial_key(value)
        tag = value.casefold()
        return lines.filtered(
            lambda line: (
                (key and line.equipment_id.serial_key == key)
                or (line.equipment_id.asset_tag or "").strip().casefold() == tag
            )
        )[:1]

    def _find_device(self, kind, value):
        """Any device of the register that the scan designates."""
        domain = self.env["reemploi.equipment"]._scan_domain(kind, value)
        # sudo: the device may be another donor's; it is only compared with
        # this lot's donor, and refused without showing anything of it
        return self.env["reemploi.equipment"].sudo().search(domain, limit=1)

    def _refusal(self, device, code):
        """Why ``device``, scanned at this stop, cannot be taken; or None."""
        lot = self.lot_id
        donor = lot.partner_id.commercial_partner_id
        if device.owner_id.commercial_partner_id != donor:
            return self.env._(
                "%(code)s belongs to another donor than %(donor)s: it cannot "
                "be collected at this stop.",
                code=code,
                donor=donor.name,
            )
        other = device.reemploi_lot_id
        if other and other != lot and other.state in OPEN_STATES:
            return self.env._(
                "%(code)s is declared in another lot (%(other)s): collect it "
                "with that lot.",
                code=code,
                other=other.name,
            )
        if device.state not in lifecycle.TAKEABLE_STATES:
            return self.env._(
                "%(code)s is %(state)s: it cannot be collected.",
                code=code,
                state=state_word(device),
            )
        return None

    def scan_code(self, code, client_uid):
        """Record one scan under the id the phone gave it; a scan sent again
        returns what it returned the first time."""
        self.ensure_one()
        client_uid = (client_uid or "").strip()
        if not client_uid:
            raise UserError(self.env._("A scan comes with the id the phone gave it."))
        Scan = self.env["reemploi.lot.pickup.scan"]
        known = Scan.search(
            [("pickup_id", "=", self.id), ("client_uid", "=", client_uid)], limit=1
        )
        if known:
            self._check_recorder()
            return self._scan_result(known)
        self._check_recordable()
        kind, value = self._parse_scan(code)
        result, message, line = self._record_scan(kind, value)
        scan = Scan.create(
            {
                "pickup_id": self.id,
                "client_uid": client_uid,
                "code": value,
                "result": result,
                "message": message,
                "line_id": line.id,
            }
        )
        return self._scan_result(scan)

    def _record_scan(self, kind, value):
        line = self._match_line(kind, value).sudo(False)
        now = fields.Datetime.now()
        if line:
            item = line.label
            if line.collected_qty:
                return (
                    "duplicate",
                    self.env._("%(item)s was already scanned.", item=item),
                    line,
                )
            self._lines(line).write(
                {"collected_qty": 1, "missing_reason": False, "scan_date": now}
            )
            return "scanned", self.env._("%(item)s scanned.", item=item), line
        device = self._find_device(kind, value)
        if device:
            refusal = self._refusal(device, value)
            if refusal:
                return "refused", refusal, line
            line = self._add_extra_device(device, value)
            message = self.env._(
                "%(item)s was not declared: added as an extra device.",
                item=line.label,
            )
            return "extra", message, line
        known = self.line_ids.filtered(
            lambda line: line.kind == "unknown" and line.code == value
        )
        if known:
            return (
                "duplicate",
                self.env._("%(item)s was already scanned.", item=value),
                known,
            )
        line = self._add_line("unknown", code=value, label=value)
        message = self.env._(
            "%(item)s is not in the register: added as an extra device, "
            "registered at the check-in.",
            item=value,
        )
        return "unknown", message, line

    def _lines(self, lines=None):
        """Lines (or the line model) that the pickup's own methods write."""
        return super()._lines(lines).with_context(reemploi_pickup_write=PICKUP_WRITE)

    def _scanned_quantity(self, kind):
        # an unknown code is collected too: registered at the check-in
        return {"collected_qty": 1}

    def _scan_result(self, scan):
        return {
            "result": scan.result,
            "message": scan.message,
            "line_id": scan.line_id.id,
            "client_uid": scan.client_uid,
            "stop": self.get_stop_data(),
        }

    def _foreign_line_message(self):
        return self.env._("This line is not part of the pickup.")

    def set_count(self, line_id, quantity):
        """Quantity collected of a category declared by number."""
        self.ensure_one()
        self._check_recordable()
        line = self._line(line_id)
        if line.kind != "count":
            raise UserError(self.env._("Only declared quantities are counted by hand."))
        self._lines(line).write({"collected_qty": max(int(quantity), 0)})
        return self.get_stop_data()

    def set_missing(self, line_id, reason):
        """A declared device that the donor did not hand over, and why."""
        self.ensure_one()
        self._check_recordable()
        line = self._line(line_id)
        if line.kind != "device":
            raise UserError(self.env._("Only declared devices are marked missing."))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason why the device is missing."))
        self._lines(line).write({"collected_qty": 0, "missing_reason": reason})
        return self.get_stop_data()

    def remove_line(self, line_id):
        """Forget an extra scanned by mistake."""
        self.ensure_one()
        self._check_recordable()
        self._line(line_id).unlink()
        return self.get_stop_data()

    def add_photo(self, name, data):
        """A photo taken at the stop, kept on the lot."""
        self.ensure_one()
        self._check_recordable()
        try:
            raw = base64.b64decode(data or "", validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if not raw:
            raise UserError(self.env._("The photo could not be read: take it again."))
        # sudo: the operator writes the photos of the lot it collects, which
        # portal-side rules reserve to the lot's readers; the attachment is
        # linked to this lot only
        photo = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name or f"{self.lot_id.name}.jpg",
                    "raw": raw,
                    "res_model": "reemploi.lot",
                    "res_id": self.lot_id.id,
                }
            )
        )
        self._write_evidence({"photo_ids": [fields.Command.link(photo.id)]})
        return self.get_stop_data()

    def get_stop_data(self):
        """Everything the round screen shows of the stop."""
        self.ensure_one()
        labels = selection_labels(self.env["reemploi.lot.pickup.line"], "status")
        lot = self.lot_id
        site = lot.site_id or lot.partner_id
        notes = [lot.access_notes or "", html2plaintext(site.comment or "")]
        access = []
        if lot.floor:
            access.append(self.env._("Floor %(floor)s", floor=lot.floor))
        if lot.has_lift:
            access.append(self.env._("lift"))
        if lot.has_loading_dock:
            access.append(self.env._("loading dock"))
        return {
            "id": self.id,
            "sequence": self.sequence,
            "lot": lot.name,
            "donor": lot.partner_id.display_name,
            "site": lot.site_id.name or "",
            "address": lot.pickup_address or "",
            "latitude": site.partner_latitude or 0,
            "longitude": site.partner_longitude or 0,
            "access": ", ".join(access),
            "access_notes": "\n".join(filter(None, (n.strip() for n in notes))),
            "contact": lot.contact_name or "",
            "phone": lot.contact_phone or "",
            "state": self.state,
            "signer": self.signer_name or "",
            "date_done": fields.Datetime.to_string(self.date_done) or "",
            "report_url": (
                f"/web/content/{self.report_id.id}?download=true"
                if self.report_id
                else ""
            ),
            "counts": {
                "expected": self.expected_count,
                "collected": self.collected_count,
                # before the signature, only what the driver marked missing
                "missing": self.missing_count
                if self.state == "done"
                else len(self.line_ids.filtered(lambda line: line.status == "missing")),
                "extra": self.extra_count,
                "photos": self.photo_count,
            },
            "lines": [line._screen_values(labels) for line in self.line_ids],
        }

    # ------------------------------------------------------------------
    # Validation
    # ------------------------------------------------------------------
    def _decode_signature(self, signature):
        if isinstance(signature, str) and signature.startswith("data:"):
            signature = signature.partition(",")[2]
        try:
            raw = base64.b64decode(signature or "", validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if not raw.startswith(PNG_SIGNATURE):
            raise UserError(
                self.env._(
                    "Lot %(lot)s: the donor's representative signs on the screen "
                    "before the pickup is validated.",
                    lot=self.lot_id.name,
                )
            )
        return base64.b64encode(raw)

    def action_validate_stop(self, key, signer_name, signature, missing_reasons=None):
        """Validate the stop in one call: the server checks everything from
        its own records (the client sends only the signature, the signer's
        name and the reasons of what is missing). Sent again with the same
        key, it changes nothing and returns the stop."""
        self.ensure_one()
        key = (key or "").strip()
        if not key:
            raise UserError(
                self.env._("A validation comes with the id the phone gave it.")
            )
        if self.state == "done":
            self._check_recorder()
            if self.validation_key == key:
                return self.get_stop_data()
            raise UserError(
                self.env._(
                    "The pickup of lot %(lot)s was already signed by %(signer)s "
                    "on %(date)s: it cannot be validated twice.",
                    lot=self.lot_id.name,
                    signer=self.signer_name,
                    date=fields.Datetime.to_string(self.date_done),
                )
            )
        self._check_recordable()
        signer_name = (signer_name or "").strip()
        if not signer_name:
            raise UserError(
                self.env._("Type the name of the donor's representative who signs.")
            )
        signature = self._decode_signature(signature)
        reasons = {
            int(k): (v or "").strip() for k, v in (missing_reasons or {}).items()
        }
        self._validate(key, signer_name, signature, reasons)
        self._send_receipt()
        return self.get_stop_data()

    def _validate(self, key, signer_name, signature, reasons):
        lot = self.lot_id
        round_ = self.round_id
        now = fields.Datetime.now()
        lines = self.line_ids
        declared = lines.filtered(lambda line: line.kind == "device")
        scanned = declared.filtered("collected_qty")
        # every device is checked again on the server, whatever the phone sent
        # sudo: the devices are read to check they are this donor's
        for line in scanned.sudo():
            device = line.equipment_id
            if device.reemploi_lot_id != lot or device.state != lifecycle.DECLARED:
                raise UserError(
                    self.env._(
                        "%(device)s is no longer waiting for this pickup: "
                        "remove it, then validate again.",
                        device=device.display_name,
                    )
                )
        extras = lines.filtered(lambda line: line.kind == "extra")
        for line in extras:
            refusal = self._refusal(line.equipment_id.sudo(), line.code)
            if refusal:
                raise UserError(refusal)
        note = self.env._(
            "Collected at the pickup of lot %(lot)s, signed by %(signer)s",
            lot=lot.name,
            signer=signer_name,
        )
        location = lot.collection_area or lot.partner_id.display_name
        # each extra was checked above (_refusal) to be this donor's and free
        # of any other open lot
        self._take_undeclared_devices(extras.equipment_id, note, round_.name)
        collected = scanned.equipment_id | extras.equipment_id
        collected._transition(
            lifecycle.COLLECTED, note=note, document_ref=round_.name, location=location
        )
        missing_lines = declared - scanned
        default_reason = self.env._("not handed over")
        for line in missing_lines:
            reason = reasons.get(line.id) or line.missing_reason or default_reason
            self._lines(line).write({"missing_reason": reason})
            line.equipment_id._transition(
                lifecycle.MISSING,
                note=self.env._(
                    "Missing at the pickup of lot %(lot)s: %(reason)s",
                    lot=lot.name,
                    reason=reason,
                ),
                document_ref=round_.name,
                location=location,
            )
        # the hash of each device's pickup event, printed on the receipt
        events = (
            self.env["reemploi.custody.event"]
            .sudo()
            .search(
                [
                    (
                        "equipment_id",
                        "in",
                        (collected | missing_lines.equipment_id).ids,
                    ),
                    ("document_ref", "=", round_.name),
                ],
                order="id",
            )
        )
        hashes = {event.equipment_id.id: event.hash for event in events}
        for line in lines.filtered("equipment_id"):
            self._lines(line).custody_hash = hashes.get(line.equipment_id.id)
        lot._set_state(COLLECTED)
        self.with_context(reemploi_pickup_write=PICKUP_WRITE).write(
            {
                "state": "done",
                "date_done": now,
                "user_done_id": self.env.uid,
                "signer_name": signer_name,
                "signature": signature,
                "validation_key": key,
            }
        )

    def _receipt_recipients(self):
        lot = self.lot_id
        partners = lot.contact_partner_id | self.company_id.partner_id
        if not lot.contact_partner_id:
            partners |= lot.partner_id
        return partners.filtered("email")

    def _send_receipt(self):
        """Render the pickup receipt, attach it to the lot and mail it to
        the donor's contact and to the operator."""
        report = self.env.ref("reemploi_market.action_report_pickup")
        # sudo: the report and its attachment are rendered for the pickup the
        # user just validated
        pdf, _type = (
            self.env["ir.actions.report"].sudo()._render_qweb_pdf(report, self.ids)
        )
        name = self.env._(
            "Pickup receipt %(lot)s.pdf", lot=self.lot_id.name.replace("/", "-")
        )
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name,
                    "raw": pdf,
                    "mimetype": "application/pdf",
                    "res_model": "reemploi.lot",
                    "res_id": self.lot_id.id,
                }
            )
        )
        # the pickup is frozen already: its own receipt is the last thing set
        self._write_evidence({"report_id": attachment.id})
        template = self.env.ref("reemploi_market.mail_template_pickup_receipt")
        recipients = self._receipt_recipients()
        lang = self.lot_id.partner_id.lang or self.env.lang
        # sudo: the template and the mail are the operator's own message about
        # the lot it collects
        template.sudo().with_context(lang=lang).send_mail(
            self.id,
            email_values={
                "recipient_ids": [fields.Command.set(recipients.ids)],
                "attachment_ids": [fields.Command.link(attachment.id)],
            },
        )
        # logged, not posted: a driver without an e-mail address of their
        # own still validates the pickup
        self.lot_id._message_log(
            body=self.env._(
                "Picked up, signed by %(signer)s.", signer=self.signer_name
            ),
            attachment_ids=attachment.ids,
        )
