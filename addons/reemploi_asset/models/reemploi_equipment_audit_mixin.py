import hashlib

from odoo import api, models
from odoo.exceptions import UserError

from ..services import audit_snapshot, identity, lifecycle
from ..services.messages import translate
from .labels import state_word

# component fields an audit gives, compared to tell a changed audit
COMPONENT_FIELDS = (
    "kind",
    "manufacturer",
    "model",
    "serial",
    "storage_type",
    "capacity_gb",
    "smart_passed",
    "power_on_hours",
    "size_mb",
    "speed_mhz",
    "cores",
    "design_capacity_mwh",
    "current_capacity_mwh",
)
SPEC_FIELDS = ("cpu", "ram_gb", "storage_gb", "storage_type")
# identity and description fields an audit fills only when they are empty:
# intake recorded them, and a live system's name is not the device's
FILL_FIELDS = ("manufacturer", "model", "os_name")


class ReemploiEquipmentAuditMixin(models.AbstractModel):
    """Audit snapshots (services/audit_snapshot.py) applied to the register."""

    _name = "reemploi.equipment.audit.mixin"
    _description = "Equipment: hardware audits"

    @api.model
    def _audit_import(self, data, filename=""):
        """Apply one audit snapshot file (bytes) in the current company:
        find or register its device, write its specifications, replace its
        components, keep the filtered file. Return ``(status, device)``,
        status ``created``, ``updated`` or ``unchanged``; raise a
        :class:`UserError` saying why the file is refused."""
        try:
            audit = audit_snapshot.parse(data)
        except audit_snapshot.AuditError as error:
            raise UserError(translate(error.args[0], self.env._)) from None
        values = audit.values
        device = self._audit_device(values)
        if device:
            changed = device._audit_write(values)
            status = "updated" if changed else "unchanged"
        else:
            device = self._audit_register(values)
            device._audit_write(values)
            status = "created"
        if device._audit_attach(audit, filename):
            if status == "unchanged":
                status = "updated"
        return status, device

    @api.model
    def _audit_device(self, values):
        """The device of the audit among those the current company holds,
        by the identity rule of services/identity.py; an empty recordset
        for a device not known yet. Refuses an audit without a usable
        serial number, an ambiguous one, and a device that is not at the
        operator's bench."""
        serial = values["serial"]
        key = identity.serial_key(serial)
        if not key:
            problem = identity.serial_problem(serial)
            raise UserError(
                self.env._(
                    "The audit gives no usable serial number of the device "
                    "(%(why)s): it cannot tell which device it is. Check the "
                    "BIOS serial number, or record the device by hand.",
                    why=translate(problem, self.env._)
                    if problem
                    else self.env._("the BIOS gives none"),
                )
            )
        maker = identity.manufacturer_key(values["manufacturer"])
        company = self.env.company
        candidates = self.with_context(active_test=False).search(
            [("serial_key", "=", key), ("company_id", "=", company.id)],
            order="id desc",
        )
        device = identity.pick(
            maker,
            [(candidate.manufacturer_key or "", candidate) for candidate in candidates],
        )
        if not device:
            if any(
                identity.same_maker(maker, candidate.manufacturer_key or "")
                for candidate in candidates
            ):
                raise UserError(
                    self.env._(
                        "Several devices of %(company)s have the serial number "
                        "%(serial)s: archive or correct the duplicates before "
                        "importing its audit.",
                        company=company.name,
                        serial=serial,
                    )
                )
            return self
        if device.state not in lifecycle.AUDIT_STATES:
            raise UserError(
                self.env._(
                    "%(device)s is %(state)s: an audit updates only the devices "
                    "received at the operator's (check its lot in first).",
                    device=device.display_name,
                    state=state_word(device),
                )
            )
        return device

    @api.model
    def _audit_register(self, values):
        """Register the device of an audit that the operator holds without
        having it in the register: as received by the current company, its
        donor unknown (the owner stays empty; it can be set by an
        administrator's logged correction)."""
        code = values["category_code"]
        category = (
            self.env["reemploi.equipment.category"]._find_by_code(code)
            if code
            else self.env["reemploi.equipment.category"]
        )
        if not category:
            raise UserError(
                self.env._(
                    "The audit of %(serial)s does not tell the kind of device "
                    "(chassis type: %(chassis)s): register the device by hand "
                    "with its category, then import the audit again.",
                    serial=values["serial"],
                    chassis=values["chassis"] or self.env._("none"),
                )
            )
        company = self.env.company
        device = self.create(
            {
                "serial": values["serial"],
                "manufacturer": values["manufacturer"] or False,
                "model": values["model"] or False,
                "category_id": category.id,
                "company_id": company.id,
            }
        )
        note = self.env._(
            "Registered by an audit at %(company)s, not declared by a donor",
            company=company.name,
        )
        # the same path as a device that came undeclared with a lot: each
        # step in the custody chain
        device._transition(lifecycle.DECLARED, note=note)
        device.action_receive(company, note=note)
        return device

    def _audit_write(self, values):
        """Write the audit's specifications and components on this device;
        return whether anything changed. Identity and description fields
        keep what intake recorded (filled only when empty)."""
        self.ensure_one()
        vals = {}
        for name in SPEC_FIELDS:
            value = values.get(name)
            if value and self._fields[name].convert_to_write(self[name], self) != value:
                vals[name] = value
        for name in FILL_FIELDS:
            if values.get(name) and not self[name]:
                vals[name] = values[name]
        storage = [c for c in values["components"] if c["kind"] == "storage"]
        if storage and self.has_data_medium and self.medium_count != len(storage):
            vals["medium_count"] = len(storage)
        if vals:
            self.write(vals)
        new = [self._audit_component_values(c) for c in values["components"]]
        current = [
            {name: component[name] or False for name in COMPONENT_FIELDS}
            for component in self.component_ids
        ]

        def key(row):
            return tuple(str(row[name]) for name in COMPONENT_FIELDS)

        if sorted(map(key, new)) == sorted(map(key, current)):
            return bool(vals)
        self.component_ids.unlink()
        self.env["reemploi.equipment.component"].create(
            [dict(row, equipment_id=self.id) for row in new]
        )
        return True

    @staticmethod
    def _audit_component_values(component):
        row = {name: component.get(name) or False for name in COMPONENT_FIELDS}
        # a placeholder serial ("To Be Filled By O.E.M.") matches no report
        if row["serial"] and not identity.serial_key(row["serial"]):
            row["serial"] = False
        return row

    def _audit_attach(self, audit, filename):
        """Keep the filtered snapshot on the device, once: return whether it
        was new. Only the filtered copy is ever stored."""
        self.ensure_one()
        checksum = hashlib.sha1(audit.filtered).hexdigest()
        Attachment = self.env["ir.attachment"]
        if Attachment.search_count(
            [
                ("res_model", "=", self._name),
                ("res_id", "=", self.id),
                ("checksum", "=", checksum),
            ],
            limit=1,
        ):
            return False
        stem = (filename or "").rsplit("/", 1)[-1].rsplit(".", 1)[0] or (
            f"audit-{self.serial}"
        )
        attachment = Attachment.create(
            {
                "name": f"{stem}.filtered.{audit.extension}",
                "raw": audit.filtered,
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/json"
                if audit.extension == "json"
                else "application/xml",
            }
        )
        values = audit.values
        # a log note: a bench station's user may have no e-mail address, which
        # message_post() requires of its author
        self._message_log(
            body=self.env._(
                "Audit imported (%(software)s): %(cpu)s, %(ram)s GB RAM, "
                "%(storage)s GB storage, %(count)s components. Personal data "
                "left out of the kept copy: %(dropped)s.",
                software=values["software"] or audit.fmt,
                cpu=values["cpu"] or "-",
                ram=values["ram_gb"],
                storage=values["storage_gb"],
                count=len(values["components"]),
                dropped=", ".join(audit.dropped) or self.env._("none"),
            ),
            attachment_ids=attachment.ids,
        )
        return True
