from collections import Counter

import pytz

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import escape_psql

from ..services import erasure_reports, identity
from ..services.messages import translate


class ReemploiErasureImport(models.TransientModel):
    """Import the reports of erasure tools (nwipe, Blancco, CSV): each drive
    matched by its serial to a device becomes its erasure; the others wait
    in the queue of reports to match."""

    _name = "reemploi.erasure.import"
    _description = "Import erasure reports"

    attachment_ids = fields.Many2many(
        "ir.attachment",
        string="Reports",
        help="nwipe logs, Blancco XML reports or CSV tables of drives; several "
        "files at once.",
    )
    place = fields.Char(
        help="Where the drives were erased.",
        default=lambda self: self.env.company.city or self.env.company.name,
    )
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")
    summary = fields.Text(readonly=True)
    pending_count = fields.Integer(readonly=True)
    verified_count = fields.Integer(readonly=True)
    unverified_count = fields.Integer(readonly=True)
    skipped_count = fields.Integer(readonly=True)
    rejected_count = fields.Integer(readonly=True)

    def action_import(self):
        self.ensure_one()
        if not self.attachment_ids:
            raise UserError(self.env._("Choose one or more erasure reports to import."))
        counts = Counter()
        lines = []
        for attachment in self.attachment_ids:
            # the report's copy kept on its erasures, made by the first
            kept = {}
            data = attachment.raw or b""
            try:
                _kind, results = erasure_reports.read_report(data, attachment.name)
            except erasure_reports.ErasureReportError as error:
                counts["rejected"] += 1
                lines.append(translate(error.args[0], self.env._))
                continue
            for result in results:
                outcome, line = self._import_drive(result, data, attachment.name, kept)
                counts[outcome] += 1
                lines.append(line)
        header = self.env._(
            "Verified erasures recorded: %(verified)s; not verified: "
            "%(unverified)s; waiting for their device: %(pending)s; already "
            "imported: %(skipped)s; files refused: %(rejected)s.",
            verified=counts["verified"],
            unverified=counts["unverified"],
            pending=counts["pending"],
            skipped=counts["skipped"],
            rejected=counts["rejected"],
        )
        # the reports are kept on the erasures and the queue items
        self.attachment_ids.unlink()
        self.write(
            {
                "state": "done",
                "summary": "\n".join([header, ""] + lines),
                "pending_count": counts["pending"],
                "verified_count": counts["verified"],
                "unverified_count": counts["unverified"],
                "skipped_count": counts["skipped"],
                "rejected_count": counts["rejected"],
            }
        )
        return {
            "type": "ir.actions.act_window",
            # the result's dialog keeps the title it opened with
            "name": self.env._("Import erasure reports"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_open_pending(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "reemploi_asset.reemploi_erasure_pending_action"
        )

    # ------------------------------------------------------------------
    def _import_drive(self, result, data, filename, kept=None):
        """Record one drive result; ``(outcome, line of the summary)``.
        ``kept`` holds the copy of the report the file's erasures share."""
        kept = {} if kept is None else kept
        Erasure = self.env["reemploi.erasure"]
        Pending = self.env["reemploi.erasure.pending"]
        drive = result.serial or result.device_name or "?"
        key = result.key()
        if Erasure.search_count([("import_key", "=", key)], limit=1) or (
            Pending.search_count([("import_key", "=", key)], limit=1)
        ):
            return "skipped", self.env._(
                "%(drive)s (%(report)s): already imported, nothing changed.",
                drive=drive,
                report=filename,
            )
        missing = [
            label
            for label, value in (
                (self.env._("tool"), result.tool_name),
                (self.env._("tool version"), result.tool_version),
                (self.env._("method"), result.technique),
                (self.env._("end time"), result.end),
            )
            if not value
        ]
        if missing:
            return "rejected", self.env._(
                "%(drive)s (%(report)s): the report gives no %(missing)s; the "
                "drive was not imported.",
                drive=drive,
                report=filename,
                missing=", ".join(missing),
            )
        device, component, reason = self._match(result)
        values = self._drive_values(result, key, component)
        if not device:
            attachment = self.env["ir.attachment"].create(
                {"name": filename, "raw": data, "res_model": Pending._name}
            )
            pending = Pending.create(
                dict(
                    values,
                    device_name=result.device_name,
                    reason=reason,
                    report_name=filename,
                    attachment_id=attachment.id,
                )
            )
            attachment.res_id = pending.id
            return "pending", self.env._(
                "%(drive)s (%(report)s): %(reason)s; it waits in the erasure "
                "reports to match.",
                drive=drive,
                report=filename,
                reason=reason,
            )
        if Erasure._verified_medium_exists(device, values["medium_serial"]):
            return "skipped", self.env._(
                "%(drive)s (%(report)s): %(device)s already has a verified "
                "erasure of this drive; nothing changed.",
                drive=drive,
                report=filename,
                device=device.display_name,
            )
        erasure = Erasure._create_imported(
            device, values, data, filename, attachment=kept.get("report")
        )
        kept["report"] = erasure.report_attachment_id
        if erasure.verified:
            return "verified", self.env._(
                "%(drive)s (%(report)s): verified erasure recorded for %(device)s.",
                drive=drive,
                report=filename,
                device=device.display_name,
            )
        return "unverified", self.env._(
            "%(drive)s (%(report)s): erasure recorded for %(device)s but NOT "
            "verified (%(why)s).",
            drive=drive,
            report=filename,
            device=device.display_name,
            why=values["note"] or self.env._("no verification in the report"),
        )

    def _match(self, result):
        """The device of the drive: a storage component of the user's
        companies with the drive's serial, or else a device whose erasure
        already names that medium. ``(device, component, reason)``."""
        serial = (result.serial or "").strip()
        if not serial:
            return None, None, self.env._("the tool read no serial number")
        if identity.serial_key(serial) is None:
            return None, None, self.env._(
                "%(serial)s cannot tell a drive", serial=repr(serial)
            )
        companies = self.env.companies.ids
        Component = self.env["reemploi.equipment.component"]
        storage = [("kind", "=", "storage"), ("equipment_id.company_id", "in", companies)]
        # the serial as the audit read it (indexed), else in any case (a
        # scan of the table: 9 ms a drive at 12,500 components)
        components = Component.search(storage + [("serial", "=", serial)]) or (
            Component.search(storage + [("serial", "=ilike", escape_psql(serial))])
        )
        devices = components.equipment_id
        if not devices:
            devices = (
                self.env["reemploi.erasure"]
                .search(
                    [
                        ("medium_serial", "=ilike", escape_psql(serial)),
                        ("company_id", "in", companies),
                    ]
                )
                .equipment_id
            )
        if len(devices) > 1:
            return None, None, self.env._(
                "several devices have a drive with this serial number"
            )
        if not devices:
            return None, None, self.env._(
                "no device has a drive with this serial number"
            )
        return devices, components[:1], ""

    def _drive_values(self, result, key, component=None):
        """The erasure fields (DRIVE_FIELDS) of a drive result."""
        component = component or self.env["reemploi.equipment.component"]
        verification = result.verification or False
        note = ""
        if not result.success:
            note = self.env._(
                "The tool reports that the erasure failed (%(status)s).",
                status=result.message or "?",
            )
        elif not verification:
            note = self.env._("The report shows no verification of the erasure.")
        elif not result.verification_passed:
            note = self.env._("The verification of the erasure failed.")
        return {
            "medium_type": component.storage_type or result.medium_type or False,
            "medium_manufacturer": result.manufacturer or component.manufacturer,
            "medium_model": result.model or component.model,
            "medium_serial": (result.serial or component.serial or "").strip(),
            "medium_capacity_gb": result.capacity_gb or component.capacity_gb,
            "method": result.method,
            "technique": result.technique,
            "tool_name": result.tool_name,
            "tool_version": result.tool_version,
            "passes": result.passes,
            "date_start": self._utc(result.start),
            "date_end": self._utc(result.end),
            "result": "success" if result.success else "failure",
            "verification_method": verification,
            "verification_result": verification
            and ("pass" if result.verification_passed else "fail"),
            "import_key": key,
            "place": self.place,
            "note": note,
        }

    def _utc(self, value):
        """A report's time as Odoo stores it (UTC, naive). A time without
        offset is the local time of the machine that erased: it is read in
        the importing user's time zone."""
        if not value:
            return False
        if value.tzinfo is None:
            zone = pytz.timezone(
                self.env.context.get("tz") or self.env.user.tz or "UTC"
            )
            value = zone.localize(value)
        return value.astimezone(pytz.utc).replace(tzinfo=None)
