import json
import logging

from odoo import fields, models
from odoo.tools import SQL, split_every

from ..services import identity, import_mapping, lifecycle

_logger = logging.getLogger(__name__)

CHUNK = 1000  # devices created per batch


class ReemploiImportUpsertMixin(models.AbstractModel):
    """How the mapped rows of an import run reach the register: rows of one
    device merged, devices found by their identity keys, created in sets,
    updated, marked seen (or no longer seen) by the run. Inherited by
    ``reemploi.import.run`` (docs/ARCHITECTURE.md)."""

    _name = "reemploi.import.upsert.mixin"
    _description = "Import run: upsert of the rows into the register"

    def _apply(self, items, rejected, final, mapping, unchanged_rows, known=None):
        """Create, update or leave the devices; return the counts.
        ``unchanged_rows``: {device id: row} already known unchanged;
        ``known``: (identity keys looked up, what was found) by
        :meth:`_split_unchanged`, not looked up again.

        Rows with the same identity key (services/identity.py) are one
        device, merged (later non-empty values win) when their serial
        numbers, manufacturers and models agree; a row that disagrees is
        rejected, never merged. A device an earlier chunk of this run saw
        is merged the same way."""
        source = self.source_id
        # sudo: whoever may run this source's import (access to the source and
        # its runs) registers the devices of the source's owner, and only
        # those: owner and source are set here, not taken from the file.
        Equipment = (
            self.env["reemploi.equipment"]
            .sudo()
            .with_context(
                tracking_disable=True, mail_create_nolog=True, active_test=False
            )
        )
        groups = self._group_rows(items, rejected)
        looked_up, existing = known or ((), {})
        existing = dict(existing)
        existing.update(self._existing({k: 1 for k in groups if k not in looked_up}))
        existing.update(self._renumbered(groups, existing))
        earlier = self._seen_earlier(
            {found[0] for found in existing.values()} | set(unchanged_rows)
        )
        categories = {
            c.code: c.id for c in self.env["reemploi.equipment.category"].search([])
        }
        sites = self._sites(
            {vals.get("site") for _row, vals, _others in groups.values()} - {None}
        )
        merged_rows = []  # (row, reason): counted as merged
        to_create, to_update, seen = [], [], {}
        retire_keys, raw_hashes, again_keys = set(), [], set()
        unchanged = 0
        for device_id, row in unchanged_rows.items():
            seen[device_id] = row
            if device_id in earlier:
                merged_rows.append((row, self._earlier_reason()))
            else:
                unchanged += 1
        for key, (row, vals, others) in groups.items():
            fingerprint = import_mapping.fingerprint(vals)
            # merged rows have no single row to recognise next time
            raw_hash = None if others else mapping.raw_fingerprint(row.values)
            device_id, device_hash, device_raw_hash = existing.get(key, (None,) * 3)
            if device_id in earlier:
                device = Equipment.browse(device_id)
                clash = identity.disagreement(
                    {
                        "serial": device.serial,
                        "manufacturer": device.manufacturer,
                        "model": device.model,
                    },
                    vals,
                )
                if clash:
                    reason = self._clash_reason(key, clash)
                    rejected.extend((item, reason) for item in (row, *others))
                    continue
                again_keys.add(key)
            if vals.get("state") == "to_decommission":
                retire_keys.add(key)
            if device_id and device_hash == fingerprint:
                if key in again_keys:
                    merged_rows.append((row, self._earlier_reason()))
                else:
                    unchanged += 1
                seen[device_id] = row
                if raw_hash != device_raw_hash:
                    raw_hashes.append((device_id, raw_hash))
                merged_rows.extend(self._merged_into(row, others))
                continue
            record_vals = self._record_values(vals, categories, sites)
            record_vals["import_hash"] = fingerprint
            record_vals["import_raw_hash"] = raw_hash
            if device_id:
                to_update.append((key, row, Equipment.browse(device_id), record_vals))
            else:
                record_vals.update(
                    {"owner_id": source.owner_id.id, "import_source_id": source.id}
                )
                to_create.append((key, row, record_vals))

        self._store_raw_hashes(raw_hashes)
        created = self._create_devices(Equipment, to_create, rejected)
        updated = self._update_devices(to_update, rejected)
        rows = {key: row for key, row, _vals in to_create}
        rows.update({key: row for key, row, _device, _vals in to_update})
        merged_rows += self._written_groups(
            groups, rows, {**created, **updated}, again_keys, rejected
        )
        for key, device in {**created, **updated}.items():
            seen[device.id] = rows[key]
        self._mark_seen(seen)
        self._log_rows(merged_rows, "merged")
        # the donor's own decision to retire a device is a lifecycle step
        changed = {**created, **updated}
        retire = Equipment.union(
            *(changed[key] for key in retire_keys if key in changed)
        ).filtered(lambda device: device.state == "in_use")
        if retire:
            retire._transition(
                "to_decommission",
                note=self.env._(
                    "Marked for decommissioning by %(name)s", name=source.name
                ),
                document_ref=f"reemploi.import.run,{self.id}",
            )
        not_seen = self._mark_not_seen() if final and source.full_inventory else 0
        return {
            "created_count": len(created),
            "updated_count": len(set(updated) - again_keys),
            "unchanged_count": unchanged,
            "merged_count": len(merged_rows),
            "not_seen_count": not_seen,
        }

    def _group_rows(self, items, rejected):
        """{identity key: (first row, merged values, other rows)} of the
        mapped rows ``items``: rows of one key are merged (later non-empty
        values win) unless their identity fields disagree, which rejects
        the later row (added to ``rejected``)."""
        groups = {}
        for row, vals in items:
            key = import_mapping.identity_key(vals)
            if key not in groups:
                groups[key] = (row, dict(vals), [])
                continue
            first, merged, others = groups[key]
            clash = identity.disagreement(merged, vals)
            if clash:
                rejected.append((row, self._clash_reason(key, clash, first.line)))
                continue
            merged.update(vals)
            others.append(row)
        return groups

    def _written_groups(self, groups, rows, written, again_keys, rejected):
        """The (row, reason) merged into the devices written for ``rows``
        ({key: first row}); the rows of a device that could not be written
        are rejected with it (added to ``rejected``)."""
        merged_rows = []
        for key, row in rows.items():
            others = groups[key][2]
            if key not in written:
                reason = self.env._(
                    "same device as line %(line)s, which was rejected", line=row.line
                )
                rejected.extend((other, reason) for other in others)
                continue
            merged_rows.extend(self._merged_into(row, others))
            if key in again_keys:
                merged_rows.append((row, self._earlier_reason()))
        return merged_rows

    def _merged_into(self, row, others):
        """(row, reason) of the ``others`` rows merged into ``row``'s device."""
        reason = self.env._(
            "same device as line %(line)s: merged, later values win", line=row.line
        )
        return [(other, reason) for other in others]

    def _earlier_reason(self):
        return self.env._(
            "same device as an earlier line of this file: merged, later values win"
        )

    def _clash_reason(self, key, clash, line=None):
        """Why a row with the identity ``key`` of another row (at ``line``;
        None: a row of an earlier chunk) is not merged with it."""
        field, other_value, value = clash
        kinds = {
            "ref": self.env._("identifier in the source"),
            "serial": self.env._("serial number and manufacturer"),
            "tag": self.env._("asset tag"),
        }
        fields_ = {
            "serial": self.env._("serial number"),
            "manufacturer": self.env._("manufacturer"),
            "model": self.env._("model"),
        }
        values = {
            "identity": kinds[key[0]],
            "field": fields_[field],
            "value": repr(value),
            "other": repr(other_value),
        }
        if line is None:
            return self.env._(
                "same %(identity)s as a device an earlier line of this file "
                "gave, but another %(field)s (%(value)s instead of %(other)s): "
                "two devices are never merged; correct the file and import it "
                "again",
                **values,
            )
        return self.env._(
            "same %(identity)s as line %(line)s, but another %(field)s "
            "(%(value)s instead of %(other)s): two devices are never merged; "
            "correct the file and import it again",
            line=line,
            **values,
        )

    def _seen_earlier(self, device_ids):
        """Of ``device_ids``, those an earlier chunk of this run saw."""
        device_ids = [device_id for device_id in device_ids if device_id]
        if not self.rows_done or not device_ids:
            return set()
        self.env.cr.execute(
            """
            SELECT equipment_id FROM reemploi_import_seen
             WHERE run_id = %s AND equipment_id = ANY(%s)
            """,
            [self.id, device_ids],
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _renumbered(self, groups, existing):
        """{identity key: device} of the rows whose identifier in the source
        is new but whose serial number and manufacturer are those of a
        device of the owner: the same machine, renumbered by the tool (an
        OCS agent reinstalled gets a new DEVICEID, and the server a new id).
        A device claimed by another row of this run, or still known by
        another identifier of this source, is not taken: that row is then
        refused by the register, never merged."""
        by_serial = {}
        for key, (_row, vals, _others) in groups.items():
            if key[0] != "ref" or key in existing:
                continue
            serial_key = identity.device_key(
                vals.get("serial"), vals.get("manufacturer")
            )
            if serial_key:
                by_serial.setdefault(("serial", serial_key), []).append(key)
        if not by_serial:
            return {}
        claimed = {found[0] for found in existing.values()}
        found = self._existing({key: 1 for key in by_serial})
        devices = (
            self.env["reemploi.equipment"]
            .sudo()
            .browse({device[0] for device in found.values()})
        )
        alive_refs = {
            device.id: device.source_ref
            for device in devices
            if device.import_source_id == self.source_id and device.source_ref
        }
        renumbered = {}
        for serial_key, keys in by_serial.items():
            device = found.get(serial_key)
            if not device or len(keys) > 1 or device[0] in claimed:
                continue
            old_ref = alive_refs.get(device[0])
            if old_ref and ("ref", old_ref) in groups:
                continue  # the old identifier is still in the tool
            claimed.add(device[0])
            renumbered[keys[0]] = device
        return renumbered

    def _existing(self, merged):
        """{identity key: (device id, import hash, raw hash)} of the devices
        already known, by the identity keys of ``merged``; plain SQL, as most
        rows of a re-import only need these values. A serial number's
        device is chosen by :func:`identity.pick`."""
        source = self.source_id
        Equipment = self.env["reemploi.equipment"]
        Equipment.flush_model(
            [
                "import_source_id",
                "source_ref",
                "owner_id",
                "serial_key",
                "manufacturer_key",
                "asset_tag",
                "import_hash",
                "import_raw_hash",
            ]
        )
        found = {}
        queries = [
            ("ref", "source_ref", "import_source_id", source.id),
            ("tag", "asset_tag", "owner_id", source.owner_id.id),
        ]
        for kind, column, scope, scope_id in queries:
            values = [key[1] for key in merged if key[0] == kind]
            if not values:
                continue
            self.env.cr.execute(
                SQL(
                    "SELECT %s, id, import_hash, import_raw_hash "
                    "FROM reemploi_equipment WHERE %s = %s AND %s = ANY(%s) "
                    "ORDER BY id DESC",
                    SQL.identifier(column),
                    SQL.identifier(scope),
                    scope_id,
                    SQL.identifier(column),
                    values,
                )
            )
            for value, *device in self.env.cr.fetchall():
                found.setdefault((kind, value), tuple(device))
        serials = [key[1] for key in merged if key[0] == "serial"]
        if serials:
            self.env.cr.execute(
                SQL(
                    "SELECT serial_key, manufacturer_key, id, import_hash, "
                    "import_raw_hash FROM reemploi_equipment "
                    "WHERE owner_id = %s AND serial_key = ANY(%s) ORDER BY id DESC",
                    source.owner_id.id,
                    list({serial for serial, _maker in serials}),
                )
            )
            candidates = {}
            for serial, maker, *device in self.env.cr.fetchall():
                candidates.setdefault(serial, []).append((maker or "", tuple(device)))
            for serial, maker in serials:
                device = identity.pick(maker, candidates.get(serial, []))
                if device:
                    found[("serial", (serial, maker))] = device
        return found

    def _store_raw_hashes(self, raw_hashes):
        """Remember the raw fingerprints of devices whose rows map to the
        same values as before (the mapping or other cells changed): the next
        import recognises them without mapping them."""
        if not raw_hashes:
            return
        self.env.cr.execute(
            """
            UPDATE reemploi_equipment equipment SET import_raw_hash = new.hash
              FROM unnest(%s::int4[], %s::varchar[]) AS new(id, hash)
             WHERE equipment.id = new.id
            """,
            [[item[0] for item in raw_hashes], [item[1] for item in raw_hashes]],
        )
        self.env["reemploi.equipment"].invalidate_model(["import_raw_hash"])

    def _sites(self, names):
        """Sites of the donor by name, created when new."""
        if not names:
            return {}
        owner = self.source_id.owner_id
        # sudo: sites are contacts of the source's owner, created by name only
        Partner = self.env["res.partner"].sudo()
        sites = {
            p.name: p.id
            for p in Partner.search(
                [("parent_id", "=", owner.id), ("name", "in", list(names))]
            )
        }
        new = [name for name in names if name not in sites]
        if new:
            created = Partner.create(
                [{"name": name, "parent_id": owner.id, "type": "other"} for name in new]
            )
            sites.update({p.name: p.id for p in created})
        return sites

    @staticmethod
    def _record_values(vals, categories, sites):
        record = {}
        for field, value in vals.items():
            if field == "category":
                record["category_id"] = categories[value]
            elif field == "site":
                record["site_id"] = sites[value]
            elif field == "state":
                continue
            else:
                record[field] = value
        return record

    def _create_devices(self, Equipment, to_create, rejected):
        """Insert the new devices set-based, in chunks; a chunk that fails,
        and each row whose serial number is already registered, goes through
        ``create()`` row by row, so that one bad row never costs the others
        and each gets ``create()``'s message. Return {key: device}."""
        created, one_by_one = {}, []
        conflicts = Equipment._serial_conflicts([vals for _k, _r, vals in to_create])
        batch = []
        for index, item in enumerate(to_create):
            (one_by_one if index in conflicts else batch).append(item)
        for chunk in split_every(CHUNK, batch, list):
            try:
                with self.env.cr.savepoint():
                    devices = Equipment._insert_imported(
                        [vals for _key, _row, vals in chunk]
                    )
                created.update(
                    zip((key for key, _row, _vals in chunk), devices, strict=True)
                )
            except Exception:  # noqa: BLE001 - the failing rows are isolated below
                _logger.info("import chunk failed, retrying row by row")
                one_by_one.extend(chunk)
        for key, row, vals in sorted(one_by_one, key=lambda item: item[1].line):
            try:
                with self.env.cr.savepoint():
                    created[key] = Equipment.create([vals])
            except Exception as error:  # noqa: BLE001 - reported on the row
                rejected.append((row, self._error_text(error)))
        return created

    def _update_devices(self, to_update, rejected):
        updated = {}
        for key, row, device, vals in to_update:
            try:
                with self.env.cr.savepoint():
                    if device.state in lifecycle.OWNER_STATES:
                        device.write(vals)
                    else:
                        self._note_changes_after_intake(device, vals)
                updated[key] = device
            except Exception as error:  # noqa: BLE001 - reported on the row
                rejected.append((row, self._error_text(error)))
        return updated

    def _note_changes_after_intake(self, device, vals):
        """A device that left its owner (declared, collected, received…)
        keeps what intake recorded: the source's different values are posted
        on it as a note, and only the fingerprints are written, so that the
        same inventory again changes nothing."""
        hashes = {
            name: vals[name]
            for name in ("import_hash", "import_raw_hash")
            if name in vals
        }
        changes = []
        for name, value in vals.items():
            if name in hashes or name not in device._fields:
                continue
            field = device._fields[name]
            current = device[name]
            if field.type == "many2one":
                if (current.id or False) == (value or False):
                    continue
                new = (
                    self.env[field.comodel_name].browse(value).display_name
                    if value
                    else ""
                )
                old = current.display_name or ""
            else:
                if (current or False) == (value or False):
                    continue
                new, old = value or "", current or ""
            changes.append(
                self.env._(
                    "%(field)s: %(old)s → %(new)s",
                    field=field._description_string(self.env),
                    old=old or "—",
                    new=new or "—",
                )
            )
        # sudo: the device is at its operator's now; the donor's import only
        # leaves its fingerprints and a note, never its values
        device = device.sudo()
        if changes:
            # a log note: background imports have no sender's address
            device._message_log(
                body=self.env._(
                    "The inventory of %(inventory)s now says: %(changes)s. The "
                    "values recorded at intake are kept (the device left its owner).",
                    inventory=self.source_id.display_name,
                    changes="; ".join(changes),
                ),
            )
        if hashes:
            device.write(hashes)

    def _mark_seen(self, rows):
        """Record that this run saw the devices of ``rows`` ({device id:
        row}): set-based, as a re-import of an unchanged park sees every
        device. (The same device twice in one file was merged or rejected
        before: see :meth:`_apply`.)"""
        if not rows:
            return
        self.env["reemploi.import.seen"]._record(self, list(rows))
        Equipment = self.env["reemploi.equipment"]
        Equipment.flush_model(["not_seen_since"])
        self.env.cr.execute(
            """
            UPDATE reemploi_equipment SET not_seen_since = NULL
             WHERE id = ANY(%s) AND not_seen_since IS NOT NULL
            """,
            [list(rows)],
        )
        if self.env.cr.rowcount:
            Equipment.invalidate_model(["not_seen_since"])

    def _mark_not_seen(self):
        """At the end of a complete inventory: mark the source's devices it
        did not list "not seen since" today (never deleted), and forget the
        older runs' sightings of the devices it listed. Return how many were
        marked."""
        source = self.source_id
        Equipment = self.env["reemploi.equipment"]
        Equipment.flush_model(["import_source_id", "state", "not_seen_since"])
        # the run has just added its rows: without fresh statistics the
        # planner may take the table for empty and scan it for every device
        self.env.cr.execute("ANALYZE reemploi_import_seen")
        self.env.cr.execute(
            """
            UPDATE reemploi_equipment equipment
               SET not_seen_since = %s
             WHERE equipment.import_source_id = %s
               AND equipment.state IN ('in_use', 'to_decommission')
               AND equipment.not_seen_since IS NULL
               AND NOT EXISTS (
                   SELECT 1 FROM reemploi_import_seen seen
                    WHERE seen.run_id = %s AND seen.equipment_id = equipment.id)
            """,
            [fields.Date.context_today(self), source.id, self.id],
        )
        marked = self.env.cr.rowcount
        Equipment.invalidate_model(["not_seen_since"])
        # what this run saw replaces what the older runs saw; a device it did
        # not see keeps its last run
        self.env.cr.execute(
            """
            DELETE FROM reemploi_import_seen old
             USING reemploi_import_seen seen
             WHERE seen.run_id = %s
               AND old.equipment_id = seen.equipment_id
               AND old.source_id = %s
               AND old.run_id < %s
            """,
            [self.id, source.id, self.id],
        )
        return marked

    @staticmethod
    def _error_text(error):
        return str(error.args[0]) if error.args else str(error)

    def _log_rejected(self, rejected):
        self._log_rows(rejected, "rejected")

    def _log_rows(self, rows, kind):
        if not rows:
            return
        self.env["reemploi.import.run.line"].create(
            [
                {
                    "run_id": self.id,
                    "kind": kind,
                    "line": row.line,
                    "raw": json.dumps(row.raw, ensure_ascii=False),
                    "reason": str(reason),
                }
                for row, reason in rows
            ]
        )
