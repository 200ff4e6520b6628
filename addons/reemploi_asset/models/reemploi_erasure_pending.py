from odoo import api, fields, models
from odoo.exceptions import UserError

from .reemploi_equipment_component import STORAGE_TYPES
from .reemploi_erasure import DRIVE_FIELDS


class ReemploiErasurePending(models.Model):
    """A drive of an imported erasure report that matched no device: it
    waits until an operator scans or types the device it came out of."""

    _name = "reemploi.erasure.pending"
    _description = "Erasure report waiting for its device"
    _order = "create_date desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Imported by",
        required=True,
        default=lambda self: self.env.user,
        readonly=True,
    )
    report_name = fields.Char(string="Report", readonly=True)
    attachment_id = fields.Many2one(
        "ir.attachment", string="Tool report", readonly=True
    )
    reason = fields.Char(
        readonly=True, help="Why the drive was not matched to a device."
    )
    device_name = fields.Char(
        string="Drive as the tool named it",
        readonly=True,
        help="e.g. /dev/sda: what the tool called the drive on the machine "
        "that erased it.",
    )
    # the drive, as the report gives it (the fields of reemploi.erasure)
    medium_type = fields.Selection(STORAGE_TYPES, readonly=True)
    medium_manufacturer = fields.Char(string="Drive manufacturer", readonly=True)
    medium_model = fields.Char(string="Drive model", readonly=True)
    medium_serial = fields.Char(
        string="Drive serial",
        help="The drive's serial number, as the report gives it; when the tool "
        "could not read it, type it from the drive's label.",
    )
    medium_capacity_gb = fields.Float(string="Capacity (GB)", readonly=True)
    method = fields.Selection(
        [("clear", "Clear"), ("purge", "Purge"), ("destroy", "Destroy")],
        string="NIST category",
        readonly=True,
    )
    technique = fields.Char(readonly=True)
    tool_name = fields.Char(string="Tool", readonly=True)
    tool_version = fields.Char(readonly=True)
    passes = fields.Integer(readonly=True)
    date_start = fields.Datetime(string="Start", readonly=True)
    date_end = fields.Datetime(string="End", readonly=True)
    result = fields.Selection(
        [("success", "Success"), ("failure", "Failure")], readonly=True
    )
    verification_method = fields.Selection(
        [
            ("full", "Full read-back"),
            ("sample", "Representative sampling"),
            ("visual", "Visual inspection (destruction)"),
            ("tool", "Tool's own verification"),
        ],
        readonly=True,
    )
    verification_result = fields.Selection(
        [("pass", "Passed"), ("fail", "Failed")], readonly=True
    )
    place = fields.Char(readonly=True)
    import_key = fields.Char(index=True, readonly=True, copy=False)
    note = fields.Text(readonly=True)
    # the resolution
    reference = fields.Char(
        string="Device",
        help="Scan the QR label of the device the drive came out of, or type "
        "its serial number or asset tag.",
    )
    equipment_id = fields.Many2one(
        "reemploi.equipment",
        string="Device found",
        compute="_compute_equipment_id",
    )

    @api.depends("reference")
    def _compute_equipment_id(self):
        Equipment = self.env["reemploi.equipment"]
        for pending in self:
            devices = Equipment._find_by_scan(pending.reference)
            pending.equipment_id = devices if len(devices) == 1 else False

    def _compute_display_name(self):
        for pending in self:
            drive = pending.medium_serial or pending.device_name or "?"
            pending.display_name = f"{drive} ({pending.tool_name or '?'})"

    def action_resolve(self):
        """Create the erasure of the drive for the device scanned, and take
        the drive out of the queue."""
        self.ensure_one()
        devices = self.env["reemploi.equipment"]._find_by_scan(self.reference)
        if not devices:
            raise UserError(
                self.env._(
                    "No device of yours has the QR label, serial number or asset "
                    "tag %(reference)s: scan the device's label again.",
                    reference=self.reference or "",
                )
            )
        if len(devices) > 1:
            raise UserError(
                self.env._(
                    "Several devices have the serial number or asset tag "
                    "%(reference)s: scan the device's QR label instead.",
                    reference=self.reference,
                )
            )
        serial = (self.medium_serial or "").strip()
        if not serial:
            raise UserError(
                self.env._(
                    "The tool could not read the serial number of drive "
                    "%(drive)s: type it from the drive's label.",
                    drive=self.device_name or self.medium_model or "?",
                )
            )
        Erasure = self.env["reemploi.erasure"]
        if Erasure._verified_medium_exists(devices, serial):
            raise UserError(
                self.env._(
                    "Medium %(medium)s of %(device)s already has a verified "
                    "erasure.",
                    medium=serial,
                    device=devices.display_name,
                )
            )
        values = {name: self[name] for name in DRIVE_FIELDS}
        values.update(medium_serial=serial, note=self.note)
        erasure = Erasure._create_imported(
            devices,
            values,
            self.attachment_id.raw or b"",
            self.attachment_id.name or self.report_name,
        )
        # the report now lives on the erasure; the queue item goes
        self.attachment_id.unlink()
        self.unlink()
        return {
            "type": "ir.actions.act_window",
            "res_model": "reemploi.erasure",
            "res_id": erasure.id,
            "view_mode": "form",
            "target": "current",
        }
