from odoo import api, fields, models

from ..services import forecast, identity, lifecycle
from . import bulk


class ReemploiEquipmentImportMixin(models.AbstractModel):
    """How an import registers new devices: the serial numbers it would refuse, found in
    one query, and the set-based insert that gives what ``create()`` gives.
    Inherited by ``reemploi.equipment`` (docs/ARCHITECTURE.md)."""

    _name = "reemploi.equipment.import.mixin"
    _description = "Equipment: registration of imported devices"

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
