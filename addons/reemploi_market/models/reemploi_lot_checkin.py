import json

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.reemploi_asset.models.labels import selection_labels, state_word
from odoo.addons.reemploi_asset.services import identity, lifecycle

from ..services import collection
from ..services.lot_lifecycle import RECEIVED, SCHEDULED

# fields the validation writes once; nothing is written afterwards
FROZEN_FIELDS = frozenset({"state", "snapshot", "date_done", "user_done_id"})


class ReemploiLotCheckin(models.Model):
    """Check-in of a collected lot at the operator's: each scan is matched
    against what the donor declared; the validation receives the devices,
    marks the others missing, validates the stock receipt and freezes a
    snapshot of what was collected."""

    _name = "reemploi.lot.checkin"
    _inherit = ["reemploi.lot.evidence"]
    _description = "Lot check-in"
    _order = "id desc"
    _rec_name = "lot_id"

    lot_id = fields.Many2one(
        "reemploi.lot", required=True, readonly=True, ondelete="restrict", index=True
    )
    partner_id = fields.Many2one(related="lot_id.partner_id", string="Donor")
    company_id = fields.Many2one(
        related="lot_id.company_id", string="Operator", store=True, index=True
    )
    round_id = fields.Many2one(
        related="lot_id.round_id", store=True, index="btree_not_null"
    )
    picking_id = fields.Many2one(related="lot_id.picking_id", string="Receipt")
    state = fields.Selection(
        [("draft", "In progress"), ("done", "Validated")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
    )
    line_ids = fields.One2many(
        "reemploi.lot.checkin.line", "checkin_id", string="Lines"
    )
    expected_count = fields.Integer(
        string="Expected", compute="_compute_counts", store=True
    )
    received_count = fields.Integer(
        string="Received", compute="_compute_counts", store=True
    )
    missing_count = fields.Integer(
        string="Missing", compute="_compute_counts", store=True
    )
    extra_count = fields.Integer(string="Extra", compute="_compute_counts", store=True)
    unknown_count = fields.Integer(
        string="Unknown codes", compute="_compute_counts", store=True
    )
    date_done = fields.Datetime(string="Validated on", readonly=True, copy=False)
    user_done_id = fields.Many2one("res.users", string="Validated by", readonly=True)
    snapshot = fields.Text(
        readonly=True,
        copy=False,
        help="What was collected, as validated (JSON); never written again.",
    )

    _sql_constraints = [
        ("lot_unique", "unique(lot_id)", "A lot is checked in once."),
    ]

    @api.depends("line_ids.kind", "line_ids.expected_qty", "line_ids.received_qty")
    def _compute_counts(self):
        for checkin in self:
            totals = collection.reconcile(
                (line._reconcile_kind(), line.expected_qty, line.received_qty)
                for line in checkin.line_ids
            )
            checkin.expected_count = totals["expected"]
            checkin.received_count = totals["received"]
            checkin.missing_count = totals["missing"]
            checkin.extra_count = totals["extra"]
            checkin.unknown_count = len(
                checkin.line_ids.filtered(lambda line: line.kind == "unknown")
            )

    def _check_validation_fields(self, vals):
        """A check-in is validated only by its "Validate" button, which
        receives the devices and writes these fields itself."""
        state = vals.get("state")
        if (
            (state and state != "draft")
            or vals.get("date_done")
            or vals.get("user_done_id")
        ):
            raise UserError(
                self.env._(
                    "A check-in is validated only by its Validate button, which "
                    "receives the devices scanned."
                )
            )

    def _frozen_message(self):
        return self.env._(
            "The check-in of lot %(lot)s is validated: what was "
            "collected is frozen and never changes.",
            lot=self.lot_id.name,
        )

    def _expected_line_values(self):
        self.ensure_one()
        values = []
        for line in self.lot_id.line_ids:
            device = line.equipment_id
            label = device.display_name or line.category_id.name
            if device.state == lifecycle.MISSING:
                # declared missing at the signed pickup: received if it turns
                # up all the same, left missing otherwise
                label = self.env._(
                    "%(device)s (missing at the pickup)", device=device.display_name
                )
            values.append(
                {
                    "checkin_id": self.id,
                    "sequence": line.sequence,
                    "kind": "device" if device else "count",
                    "equipment_id": device.id,
                    "category_id": line.category_id.id,
                    "label": label,
                    "expected_qty": line.quantity,
                }
            )
        # devices handed over undeclared at the pickup, signed for: expected
        for device in self.lot_id.equipment_ids - self.lot_id.line_ids.equipment_id:
            values.append(
                {
                    "checkin_id": self.id,
                    "sequence": 900,
                    "kind": "device",
                    "equipment_id": device.id,
                    "category_id": device.category_id.id,
                    "label": device.display_name,
                    "expected_qty": 1,
                }
            )
        return values

    # ------------------------------------------------------------------
    # Scanning (called by the check-in screen)
    # ------------------------------------------------------------------
    def _check_scannable(self):
        self.ensure_one()
        self.check_access("write")
        self._check_draft()

    def _match_line(self, kind, value):
        """The line of this check-in that the scanned value designates."""
        # sudo: the lines' devices are this lot's, read to compare their
        # identifiers only
        lines = self.line_ids.sudo()
        if kind == "token":
            return lines.filtered(
                lambda line: line.equipment_id.qr_token == value or line.code == value
            )[:1]
        # a mangled serial number ("N/A") has no key: only the same text
        # then designates a line
        key = identity.serial_key(value)
        tag = value.casefold()

        def same(line):
            device = line.equipment_id
            if device:
                return (key and device.serial_key == key) or (
                    (device.asset_tag or "").strip().casefold() == tag
                )
            return bool(line.code) and (
                bool(key and identity.serial_key(line.code) == key)
                or line.code.strip().casefold() == tag
            )

        return lines.filtered(same)[:1]

    def _find_in_register(self, kind, value):
        """A device of the donor's register that was not declared in the lot."""
        domain = self.env["reemploi.equipment"]._scan_domain(kind, value)
        # sudo: the operator does not see the donor's register yet; the search
        # is limited to this lot's donor, and only the device's name is shown
        return (
            self.env["reemploi.equipment"]
            .sudo()
            .search(
                [("owner_id", "child_of", self.lot_id.partner_id.id)] + domain,
                limit=1,
            )
        )

    def scan_code(self, code):
        """Record one scan; return the result for the screen."""
        self._check_scannable()
        kind, value = self._parse_scan(code)
        line = self._match_line(kind, value)
        if line:
            line = line.sudo(False)
            if line.kind == "device" and not line.received_qty:
                line.write({"received_qty": 1, "scan_date": fields.Datetime.now()})
                return self._scan_result("received", line)
            return self._scan_result("duplicate", line)
        device = self._find_in_register(kind, value)
        lot = device.reemploi_lot_id
        if device and (
            device.state not in lifecycle.TAKEABLE_STATES
            or (lot and lot != self.lot_id and lot.state != "cancelled")
        ):
            line = self._add_line(
                "unknown",
                code=value,
                label=self.env._(
                    "%(device)s (%(state)s, lot %(lot)s)",
                    device=device.display_name,
                    state=state_word(device),
                    lot=lot.name or "-",
                ),
            )
            return self._scan_result("elsewhere", line)
        if device:
            line = self._add_extra_device(device, value)
            line._count_against_declared()
            return self._scan_result("extra", line)
        line = self._add_line("unknown", code=value, label=value)
        return self._scan_result("unknown", line)

    def _scanned_quantity(self, kind):
        # an unknown code is received once it is given a category
        return {"received_qty": 0 if kind == "unknown" else 1}

    def _scan_result(self, result, line):
        item = line.label or line.code
        messages = {
            "received": self.env._("%(item)s received.", item=item),
            "duplicate": self.env._("%(item)s was already scanned.", item=item),
            "extra": self.env._(
                "%(item)s was not declared: added as an extra device.", item=item
            ),
            "elsewhere": self.env._(
                "%(item)s cannot join this lot: it is not waiting for a collection.",
                item=item,
            ),
            "unknown": self.env._(
                "%(item)s is unknown: choose its category to add it as an extra "
                "device, or remove it.",
                item=item,
            ),
        }
        return {
            "result": result,
            "line_id": line.id,
            "message": messages[result],
            "screen": self.get_screen_data(),
        }

    def _foreign_line_message(self):
        return self.env._("This line is not part of the check-in.")

    def set_line_count(self, line_id, quantity):
        """Received quantity of a declared quantity, counted by hand."""
        self._check_scannable()
        line = self._line(line_id)
        if line.kind != "count":
            raise UserError(self.env._("Only declared quantities are counted by hand."))
        quantity = max(int(quantity), len(line.counted_line_ids))
        line.write({"received_qty": quantity, "scan_date": fields.Datetime.now()})
        return self.get_screen_data()

    def register_line(self, line_id, category_id):
        """An unknown code becomes a device that came undeclared."""
        self._check_scannable()
        line = self._line(line_id)
        if line.kind != "unknown" or line.equipment_id:
            raise UserError(self.env._("Only unknown codes are added as new devices."))
        category = self.env["reemploi.equipment.category"].browse(category_id).exists()
        if not category:
            raise UserError(self.env._("Choose the category of the device."))
        line.write(
            {
                "kind": "extra",
                "category_id": category.id,
                "received_qty": 1,
                "label": self.env._(
                    "%(category)s [%(code)s]", category=category.name, code=line.code
                ),
            }
        )
        line._count_against_declared()
        return self.get_screen_data()

    def remove_line(self, line_id):
        """Forget a scan that was a mistake (an extra device or a code)."""
        self._check_scannable()
        line = self._line(line_id)
        counted = line.count_line_id
        line.unlink()
        if counted and counted.received_qty > 0:
            counted.received_qty -= 1
        return self.get_screen_data()

    def get_screen_data(self):
        """Everything the check-in screen shows."""
        self.ensure_one()
        labels = selection_labels(self.env["reemploi.lot.checkin.line"], "status")
        lot = self.lot_id
        return {
            "id": self.id,
            "lot": lot.name,
            "donor": lot.partner_id.display_name,
            "address": lot.pickup_address or "",
            "round": lot.round_id.name or "",
            "picking": lot.picking_id.name or "",
            "state": self.state,
            "counts": {
                "expected": self.expected_count,
                "received": self.received_count,
                "missing": self.missing_count,
                "extra": self.extra_count,
                "unknown": self.unknown_count,
            },
            "lines": [line._screen_values(labels) for line in self.line_ids],
            "categories": [
                {"id": category.id, "name": category.name}
                for category in self.env["reemploi.equipment.category"].search([])
            ],
        }

    def action_open_screen(self):
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "reemploi_lot_checkin",
            "name": self.env._("Check-in %(lot)s", lot=self.lot_id.name),
            "params": {"checkin_id": self.id},
            "context": {"active_id": self.id},
        }

    # ------------------------------------------------------------------
    # Validation
    # ------------------------------------------------------------------
    def action_validate(self):
        """Receive what came, mark missing what did not, validate the stock
        receipt and freeze the snapshot; the lot is received."""
        for checkin in self:
            checkin._check_scannable()
            checkin._validate()
        self.round_id._close_if_checked_in()
        return True

    def _validate(self):
        self.ensure_one()
        lot = self.lot_id
        if lot.state == SCHEDULED:
            lot.action_collect()
        lot._check_transition(RECEIVED)
        company = lot.company_id
        document = lot.picking_id.name or lot.round_id.name or lot.name
        note = self.env._(
            "Checked in with lot %(lot)s (%(round)s)",
            lot=lot.name,
            round=lot.round_id.name or self.env._("no round"),
        )
        lines = self.line_ids
        declared = lines.filtered(lambda line: line.kind == "device")
        existing = lines.filtered(lambda line: line.kind == "extra").equipment_id
        # found in this lot's donor register by the scan (_find_in_register)
        self._take_undeclared_devices(existing, note, lot.name)
        received = (
            declared.filtered("received_qty").equipment_id
            | existing
            | self._register_new_devices()
        )
        missing = (declared.equipment_id - received).filtered(
            lambda device: device.state != lifecycle.MISSING
        )
        received.with_company(company).action_receive(
            company, note=note, document_ref=document
        )
        missing._transition(
            lifecycle.MISSING,
            note=self.env._("Missing at the check-in of lot %(lot)s", lot=lot.name),
            document_ref=document,
        )
        self._validate_picking(received)
        now = fields.Datetime.now()
        self._write_evidence(
            {"state": "done", "date_done": now, "user_done_id": self.env.uid}
        )
        snapshot = json.dumps(self._snapshot(now), ensure_ascii=False, sort_keys=True)
        self._write_evidence({"snapshot": snapshot})
        lot.action_receive()

    def _register_new_devices(self):
        """Register the devices that came without being in the register: the
        unknown codes given a category, and the units of declared quantities
        that were counted without being scanned."""
        lot = self.lot_id
        lines, vals_list = [], []
        base = {
            "owner_id": lot.partner_id.id,
            "site_id": lot.site_id.id,
            "company_id": lot.company_id.id,
            "reemploi_lot_id": lot.id,
        }
        for line in self.line_ids:
            if line.kind == "extra" and not line.equipment_id:
                serial = (
                    line.code
                    if collection.parse_scan(line.code)[0] == "code"
                    else False
                )
                lines.append(line)
                vals_list.append(
                    dict(base, serial=serial, category_id=line.category_id.id)
                )
            elif line.kind == "count":
                units = line.received_qty - len(line.counted_line_ids)
                for _unit in range(units):
                    lines.append(line)
                    vals_list.append(dict(base, category_id=line.category_id.id))
        devices = (
            self.env["reemploi.equipment"]
            .with_company(lot.company_id)
            .create(vals_list)
        )
        new_lines = []
        for line, device in zip(lines, devices, strict=True):
            if line.kind == "extra":
                line.write({"equipment_id": device.id, "label": device.display_name})
            else:
                new_lines.append(
                    {
                        "checkin_id": self.id,
                        "sequence": line.sequence,
                        "kind": "extra",
                        "equipment_id": device.id,
                        "category_id": device.category_id.id,
                        "label": device.display_name,
                        "received_qty": 1,
                        "count_line_id": line.id,
                    }
                )
        self._lines().create(new_lines)
        devices._transition(
            lifecycle.DECLARED,
            note=self.env._("Came undeclared with lot %(lot)s", lot=lot.name),
            document_ref=lot.name,
        )
        return devices

    def _validate_picking(self, devices):
        """Validate the lot's receipt with the serials actually received;
        what did not come is not back-ordered."""
        picking = self.lot_id.picking_id
        if not picking or picking.state in ("done", "cancel"):
            return
        devices = devices.filtered("lot_id")
        if not devices:
            picking.action_cancel()
            return
        moves = {move.product_id: move for move in picking.move_ids}
        for product in devices.lot_id.product_id:
            if product not in moves:
                move = self.env["stock.move"].create(
                    dict(
                        self.lot_id._receipt_move_values(
                            product, 0, picking.location_id, picking.location_dest_id
                        ),
                        picking_id=picking.id,
                    )
                )
                move._action_confirm()
                moves[product] = move
        picking.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            [
                {
                    "move_id": moves[device.lot_id.product_id].id,
                    "picking_id": picking.id,
                    "product_id": device.lot_id.product_id.id,
                    "product_uom_id": device.lot_id.product_id.uom_id.id,
                    "lot_id": device.lot_id.id,
                    "quantity": 1,
                    "location_id": picking.location_id.id,
                    "location_dest_id": picking.location_dest_id.id,
                }
                for device in devices
            ]
        )
        picking.move_ids.picked = True
        result = picking.with_context(
            skip_backorder=True, picking_ids_not_to_backorder=picking.ids
        ).button_validate()
        if result is not True:
            raise UserError(
                self.env._(
                    "The receipt %(picking)s could not be validated: open it "
                    "from the round and check its quantities.",
                    picking=picking.name,
                )
            )

    def _snapshot(self, now):
        """What was collected, frozen at the validation."""
        lot = self.lot_id
        # sudo: the devices were all just received by the operator; only
        # their identifiers go in the snapshot
        lines = self.line_ids.sudo()
        return {
            "lot": lot.name,
            "donor": lot.partner_id.display_name,
            "operator": lot.company_id.name,
            "round": lot.round_id.name or None,
            "picking": lot.picking_id.name or None,
            "validated_at": fields.Datetime.to_string(now),
            "validated_by": self.env.user.name,
            "counts": collection.reconcile(
                (line._reconcile_kind(), line.expected_qty, line.received_qty)
                for line in lines
            ),
            "lines": [
                {
                    "kind": line.kind,
                    "status": line.status,
                    "category": line.category_id.code or None,
                    "label": line.label or None,
                    "code": line.code or None,
                    "device_id": line.equipment_id.id or None,
                    "serial": line.equipment_id.serial or None,
                    "asset_tag": line.equipment_id.asset_tag or None,
                    "qr_token": line.equipment_id.qr_token or None,
                    "stock_serial": line.equipment_id.lot_id.name or None,
                    "expected": line.expected_qty,
                    "received": line.received_qty,
                    "counted_in": line.count_line_id.id or None,
                }
                for line in lines
            ],
        }

    def get_snapshot(self):
        """The frozen snapshot, decoded."""
        self.ensure_one()
        return json.loads(self.snapshot) if self.snapshot else {}
