from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# The fields an erasure report gives for one drive: an imported erasure and
# a report waiting for its device (reemploi.erasure.pending) both hold them.
DRIVE_FIELDS = (
    "medium_type",
    "medium_manufacturer",
    "medium_model",
    "medium_serial",
    "medium_capacity_gb",
    "method",
    "technique",
    "tool_name",
    "tool_version",
    "passes",
    "date_start",
    "date_end",
    "result",
    "verification_method",
    "verification_result",
    "import_key",
    "place",
)

# What a verified erasure proves: never changed once verified, by any caller.
# (The note, the tool's report and mail.thread's own fields stay writable.)
EVIDENCE_FIELDS = frozenset(DRIVE_FIELDS) | {
    "equipment_id",
    "company_id",
    "user_id",
    "operator_role",
    "destination",
}


class ReemploiErasure(models.Model):
    """Sanitisation of one storage medium, with the evidence NIST SP 800-88
    (appendix G, certificate of sanitisation) asks for."""

    _name = "reemploi.erasure"
    _description = "Data erasure of a storage medium"
    _inherit = ["mail.thread"]
    _order = "date_end desc, id desc"
    _check_company_auto = True

    equipment_id = fields.Many2one(
        "reemploi.equipment",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    # the device (NIST: manufacturer, model, serial, asset number)
    device_manufacturer = fields.Char(related="equipment_id.manufacturer")
    device_model = fields.Char(related="equipment_id.model")
    device_serial = fields.Char(related="equipment_id.serial")
    device_asset_tag = fields.Char(related="equipment_id.asset_tag")
    # the medium
    medium_type = fields.Selection(
        [
            ("hdd", "Hard disk (HDD)"),
            ("ssd", "SATA SSD"),
            ("nvme", "NVMe SSD"),
            ("emmc", "eMMC / embedded flash"),
            ("flash", "Removable flash"),
            ("mobile", "Mobile device storage"),
            ("other", "Other"),
        ],
        required=True,
        default="ssd",
    )
    medium_manufacturer = fields.Char()
    medium_model = fields.Char()
    medium_serial = fields.Char(required=True, tracking=True)
    medium_capacity_gb = fields.Float(string="Capacity (GB)")
    # the sanitisation
    method = fields.Selection(
        [("clear", "Clear"), ("purge", "Purge"), ("destroy", "Destroy")],
        string="NIST category",
        required=True,
        default="purge",
        tracking=True,
    )
    technique = fields.Char(
        required=True,
        help="e.g. single-pass overwrite, ATA Secure Erase, NVMe Format with "
        "crypto erase, shredding.",
    )
    tool_name = fields.Char(string="Tool", required=True)
    tool_version = fields.Char(required=True)
    user_id = fields.Many2one(
        "res.users",
        string="Technician",
        required=True,
        default=lambda self: self.env.user,
    )
    operator_role = fields.Char(
        string="Role", default=lambda self: self.env._("Technician")
    )
    date_start = fields.Datetime(
        string="Start", default=fields.Datetime.now, required=True
    )
    date_end = fields.Datetime(string="End")
    place = fields.Char(
        help="Where the sanitisation took place.",
        default=lambda self: self.env.company.city or self.env.company.name,
    )
    result = fields.Selection(
        [("success", "Success"), ("failure", "Failure")], tracking=True
    )
    verification_method = fields.Selection(
        [
            ("full", "Full read-back"),
            ("sample", "Representative sampling"),
            ("visual", "Visual inspection (destruction)"),
            ("tool", "Tool's own verification"),
        ],
    )
    verification_result = fields.Selection(
        [("pass", "Passed"), ("fail", "Failed")], tracking=True
    )
    destination = fields.Selection(
        [
            ("reuse", "Reuse"),
            ("recycling", "Recycling"),
            ("returned", "Returned to owner"),
            ("destroyed", "Destroyed"),
        ],
        string="Destination after sanitisation",
        default="reuse",
    )
    report_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Tool report",
        help="Report exported by the erasure tool.",
    )
    verified = fields.Boolean(compute="_compute_verified", store=True, index=True)
    locked = fields.Boolean(
        compute="_compute_locked",
        help="The saved erasure is verified: its evidence can no longer change.",
    )
    note = fields.Text()
    passes = fields.Integer(help="Overwrite passes the tool reports.")
    import_key = fields.Char(
        index=True,
        copy=False,
        readonly=True,
        help="Tool, version, drive and end time of the tool's report this "
        "erasure was imported from: the same report imported again is "
        "recognised and skipped.",
    )

    @api.depends("result", "verification_result", "verification_method", "date_end")
    def _compute_verified(self):
        for erasure in self:
            erasure.verified = bool(
                erasure.result == "success"
                and erasure.verification_result == "pass"
                and erasure.verification_method
                and erasure.date_end
            )

    @api.depends("verified")
    def _compute_locked(self):
        # the SAVED state, not the one being edited: a form that makes the
        # erasure verified must still send every field it shows on save
        for erasure in self:
            erasure.locked = erasure._origin.verified

    def _compute_display_name(self):
        for erasure in self:
            erasure.display_name = f"{erasure.medium_serial or '?'} ({erasure.method})"

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for erasure in self:
            if erasure.date_end and erasure.date_end < erasure.date_start:
                raise ValidationError(
                    self.env._(
                        "The erasure of medium %(medium)s ends before it starts: "
                        "correct its dates.",
                        medium=erasure.medium_serial,
                    )
                )

    @api.constrains("equipment_id", "medium_serial", "verified")
    def _check_one_verified_per_medium(self):
        verified = self.filtered("verified")
        if not verified:
            return
        groups = self._read_group(
            [
                ("equipment_id", "in", verified.equipment_id.ids),
                ("verified", "=", True),
            ],
            ["equipment_id", "medium_serial"],
            ["__count"],
        )
        for equipment, medium, count in groups:
            if count > 1:
                raise ValidationError(
                    self.env._(
                        "Medium %(medium)s of %(device)s already has a verified "
                        "erasure.",
                        medium=medium,
                        device=equipment.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # computed from the evidence, never given
            vals.pop("verified", None)
        records = super().create(vals_list)
        records._log_verified()
        return records

    def write(self, vals):
        if "verified" in vals:
            # computed from the evidence, never given
            vals = {k: v for k, v in vals.items() if k != "verified"}
        verified = self.filtered("verified")
        changed = sorted(EVIDENCE_FIELDS.intersection(vals))
        if verified and changed:
            raise UserError(
                self.env._(
                    "The erasure %(erasure)s of %(device)s is verified: it is "
                    "evidence and its %(fields)s cannot be changed. Record a new "
                    "erasure instead.",
                    erasure=verified[0].display_name,
                    device=verified[0].equipment_id.display_name,
                    fields=", ".join(
                        self._fields[name]._description_string(self.env)
                        for name in changed
                    ),
                )
            )
        was_verified = set(verified.ids)
        result = super().write(vals)
        self.filtered(lambda e: e.id not in was_verified)._log_verified()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_verified(self):
        if any(erasure.verified for erasure in self):
            raise UserError(
                self.env._("A verified erasure is evidence and cannot be deleted.")
            )

    def _log_verified(self):
        for erasure in self.filtered("verified"):
            erasure.equipment_id._log_custody(
                "erasure",
                note=self.env._(
                    "Medium %(medium)s sanitised (%(method)s, %(tool)s %(version)s), "
                    "verification passed",
                    medium=erasure.medium_serial,
                    method=erasure.method,
                    tool=erasure.tool_name,
                    version=erasure.tool_version,
                ),
                document_ref=f"reemploi.erasure,{erasure.id}",
                location=erasure.place,
            )

    def action_print_certificate(self):
        return self.env.ref(
            "reemploi_asset.action_report_erasure_certificate"
        ).report_action(self.equipment_id)

    # ------------------------------------------------------------------
    # Imported from a tool's report
    # ------------------------------------------------------------------
    @api.model
    def _create_imported(self, device, values, report, filename, attachment=None):
        """The erasure of one drive of a tool's report, for ``device``: the
        drive's ``values`` (DRIVE_FIELDS), the importing user as technician,
        the report (bytes) attached, or ``attachment`` when an earlier drive
        of the same report already holds it (one copy per report, not one
        per drive). A device whose every medium is then erased and verified
        moves on to "erased", as the manual path does."""
        medium_type = values.get("medium_type") or "other"
        erasure = self.create(
            dict(
                values,
                medium_type=medium_type,
                equipment_id=device.id,
                company_id=device.company_id.id,
                user_id=self.env.user.id,
                date_start=values.get("date_start") or values.get("date_end"),
            )
        )
        attachment = attachment or self.env["ir.attachment"].create(
            {
                "name": filename or f"{erasure.tool_name}-{erasure.id}",
                "raw": report,
                "res_model": self._name,
                "res_id": erasure.id,
            }
        )
        # not evidence: writable on a verified erasure
        erasure.report_attachment_id = attachment
        device._mark_erased_if_complete()
        return erasure

    @api.model
    def _verified_medium_exists(self, device, serial):
        return bool(
            serial
            and self.search_count(
                [
                    ("equipment_id", "=", device.id),
                    ("medium_serial", "=", serial),
                    ("verified", "=", True),
                ],
                limit=1,
            )
        )
