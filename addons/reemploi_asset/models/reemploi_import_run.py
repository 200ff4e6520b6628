import io
import itertools
import json
import logging
import time

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, file_open, split_every

from ..services import identity, import_mapping, messages, tabular
from .download import xlsx_download_action
from .labels import selection_labels
from .reemploi_equipment import REGISTRATION_STATES

_logger = logging.getLogger(__name__)

CHUNK = 1000  # devices created per batch
CHUNK_ROWS = 2000  # rows of a background import processed per transaction
BACKGROUND_ROWS = 2000  # larger files are processed by a scheduled job


class ReemploiImportRun(models.Model):
    """One import of a file or one synchronisation of a source."""

    _name = "reemploi.import.run"
    _description = "Inventory import run"
    _order = "id desc"

    source_id = fields.Many2one(
        "reemploi.import.source", required=True, index=True, ondelete="restrict"
    )
    owner_id = fields.Many2one(related="source_id.owner_id", store=True, index=True)
    company_id = fields.Many2one(
        related="source_id.company_id", store=True, index=True, string="Operator"
    )
    filename = fields.Char()
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("running", "Running"),
            ("done", "Done"),
            ("failed", "Failed"),
        ],
        default="running",
        required=True,
        readonly=True,
    )
    attachment_id = fields.Many2one("ir.attachment", string="File", readonly=True)
    chunk_offsets = fields.Text(readonly=True)
    rows_done = fields.Integer(string="Rows processed", readonly=True)
    progress = fields.Float(compute="_compute_progress")
    date_start = fields.Datetime(default=fields.Datetime.now, readonly=True)
    duration = fields.Float(string="Duration (s)", digits=(16, 2), readonly=True)
    row_count = fields.Integer(string="Rows", readonly=True)
    created_count = fields.Integer(string="Created", readonly=True)
    updated_count = fields.Integer(string="Updated", readonly=True)
    unchanged_count = fields.Integer(string="Unchanged", readonly=True)
    rejected_count = fields.Integer(string="Rejected", readonly=True)
    merged_count = fields.Integer(
        string="Merged",
        readonly=True,
        help="Rows that describe a device another row of the file gives too: "
        "merged into it, each listed with the line it was merged into.",
    )
    retried_count = fields.Integer(
        string="Retried",
        readonly=True,
        help="Rows that earlier synchronisations rejected, tried again with the "
        "source's current mappings (they are among the rows).",
    )
    not_seen_count = fields.Integer(string="Not seen", readonly=True)
    message = fields.Text(readonly=True)
    header = fields.Text(readonly=True, help="Columns of the file, as JSON.")
    line_ids = fields.One2many(
        "reemploi.import.run.line", "run_id", string="Rows to check"
    )
    ignored_column_ids = fields.One2many(
        "reemploi.import.run.column", "run_id", string="Columns ignored"
    )
    cursor_after = fields.Char(
        readonly=True,
        help="Cursor of a synchronisation, stored on its source once the run is done.",
    )
    replay_of_id = fields.Many2one(
        "reemploi.import.run", string="Replay of", readonly=True
    )

    def _compute_display_name(self):
        for run in self:
            run.display_name = f"{run.source_id.name} — {run.filename or run.id}"

    @api.depends("rows_done", "row_count", "state")
    def _compute_progress(self):
        for run in self:
            if run.state == "done":
                run.progress = 100.0
            else:
                run.progress = (
                    100.0 * run.rows_done / run.row_count if run.row_count else 0.0
                )

    def unlink(self):
        # the sightings have no foreign key to cascade (reemploi.import.seen)
        self.env.cr.execute(
            "DELETE FROM reemploi_import_seen WHERE run_id = ANY(%s)", [self.ids]
        )
        return super().unlink()

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------
    @api.model
    def _import_file(self, source, data, filename=""):
        """Import ``data`` (bytes) for ``source``; always return the run.

        The file is read at once, so that a file that cannot be read is
        refused while the user waits; a file of more than BACKGROUND_ROWS
        rows is then processed by a scheduled job, CHUNK_ROWS at a time.
        """
        run = self.create(
            {
                "source_id": source.id,
                "filename": filename,
                "cursor_after": self.env.context.get("reemploi_cursor_after"),
            }
        )
        started = time.perf_counter()
        limit = self._background_rows()
        try:
            table = tabular.iter_table(data, filename)
            first = list(itertools.islice(table.rows, limit + 1))
            run.write({"header": json.dumps(table.header, ensure_ascii=False)})
            if len(first) <= limit:
                run.row_count = len(first)
                if not run._check_mapping(table.header, started, first):
                    return run
                return run._process_rows(first, final=True, started=started)
            if not run._check_mapping(table.header, started, first):
                run.row_count = len(first) + sum(1 for _row in table.rows)
                return run
            # the rows are written as they are read: a large file is never
            # held in memory as rows
            rows_data, offsets, count = run._serialise_rows(
                itertools.chain(first, table.rows)
            )
        except tabular.TabularError as error:
            return run._fail(run._message(error), started)
        del first
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{filename or run.id}.rows.jsonl",
                "raw": rows_data,
                "mimetype": "application/jsonl",
                "res_model": self._name,
                "res_id": run.id,
            }
        )
        run.write(
            {
                "state": "queued",
                "row_count": count,
                "attachment_id": attachment.id,
                "chunk_offsets": json.dumps(offsets),
            }
        )
        self.env.ref("reemploi_asset.ir_cron_process_import_runs")._trigger()
        return run

    @api.model
    def _background_rows(self):
        return int(self.env.context.get("reemploi_background_rows", BACKGROUND_ROWS))

    def _import_rows(self, header, rows):
        """Import rows already read (replay of rejected rows)."""
        self.ensure_one()
        started = time.perf_counter()
        self.write(
            {"header": json.dumps(header, ensure_ascii=False), "row_count": len(rows)}
        )
        if self._check_mapping(header, started, rows):
            self._process_rows(rows, final=True, started=started)
        return self

    def _check_mapping(self, header, started, rows=()):
        """Whether the source's mapping can read ``header``; list the columns
        it ignores, with a value of ``rows`` (the first rows) as example."""
        try:
            mapping = self.source_id._mapping(header)
        except ValueError as error:
            self._fail(self._message(error), started)
            return False
        self._record_ignored_columns(mapping.ignored_columns(header), rows)
        if mapping.missing_identity():
            self._fail(
                self.env._(
                    "No column gives a serial number, an asset tag or an "
                    "identifier. Columns found: %(columns)s. Map one of them in "
                    "the source and import again.",
                    columns=", ".join(header) or "-",
                ),
                started,
            )
            return False
        return True

    def _record_ignored_columns(self, columns, rows):
        if not columns:
            return
        samples = {}
        for row in itertools.islice(rows, 200):
            for column in columns:
                if column not in samples and (row.values.get(column) or "").strip():
                    samples[column] = row.values[column].strip()[:80]
        self.env["reemploi.import.run.column"].create(
            [
                {
                    "run_id": self.id,
                    "sequence": sequence,
                    "name": column,
                    "sample": samples.get(column, False),
                }
                for sequence, column in enumerate(columns)
            ]
        )

    def _process_rows(self, rows, final, started=None):
        """Map and apply ``rows``. Each row is counted once, as created,
        updated, unchanged, merged or rejected: the counts add up to the
        rows, over the chunks too."""
        self.ensure_one()
        started = started or time.perf_counter()
        mapping = self.source_id._mapping(json.loads(self.header or "[]"))
        unchanged, rows, known = self._split_unchanged(mapping, rows)
        rejected, items, notices = [], [], []
        for row in rows:
            if row.error:
                rejected.append((row, self._message(row.error)))
                continue
            row_notices = []
            vals, errors = mapping.map_row(
                row.values, tabular.parse_date, tabular.parse_decimal, row_notices
            )
            if errors:
                rejected.append((row, "; ".join(map(self._message, errors))))
            else:
                items.append((row, vals))
                notices.extend((row, self._message(notice)) for notice in row_notices)
        counts = self._apply(items, rejected, final, mapping, unchanged, known)
        self._log_rows(notices, "warning")
        self._log_rejected(rejected)
        values = {
            field: self[field] + counts.get(field, 0)
            for field in (
                "created_count",
                "updated_count",
                "unchanged_count",
                "merged_count",
            )
        }
        values.update(
            {
                "not_seen_count": counts.get("not_seen_count", 0),
                "rejected_count": self.rejected_count + len(rejected),
                "rows_done": self.rows_done + len(rows) + len(unchanged),
                "duration": self.duration + time.perf_counter() - started,
                "state": "done" if final else self.state,
            }
        )
        self.write(values)
        if final and self.cursor_after:
            # the next synchronisation starts where this complete one ended
            self.source_id.sudo().cursor = self.cursor_after
        return self

    def _split_unchanged(self, mapping, rows):
        """Set apart the rows whose cells are those the device was last
        imported from, with the same mapping: nothing to map nor write.
        Return ({device id: row}, the other rows, what :meth:`_existing`
        found for the rows' identity keys)."""
        keyed = {}
        for row in rows:
            key = None if row.error else mapping.quick_identity(row.values)
            if key:
                keyed.setdefault(key, []).append(row)
        known = self._existing(keyed)
        unchanged = {}
        for key, (device_id, _hash, raw_hash) in known.items():
            key_rows = keyed[key]
            if (
                len(key_rows) == 1
                and device_id not in unchanged
                and raw_hash == mapping.raw_fingerprint(key_rows[0].values)
            ):
                unchanged[device_id] = key_rows[0]
        if not unchanged:
            return unchanged, rows, (keyed.keys(), known)
        skipped = {id(row) for row in unchanged.values()}
        rows = [row for row in rows if id(row) not in skipped]
        return unchanged, rows, (keyed.keys(), known)

    def _serialise_rows(self, rows):
        """The rows read from the file as JSON lines, the byte offset of each
        chunk and the number of rows: the file is read once, each chunk
        reads only its lines."""
        buffer, offsets, count = io.BytesIO(), [], 0
        for count, row in enumerate(rows, start=1):
            if (count - 1) % CHUNK_ROWS == 0:
                offsets.append(buffer.tell())
            error = self._message(row.error) if row.error else None
            line = json.dumps([row.line, row.raw, error], ensure_ascii=False)
            buffer.write(line.encode("utf-8") + b"\n")
        return buffer.getvalue(), offsets, count

    def _chunk_data(self, start, end):
        """Bytes ``start:end`` of the run's rows file (``end`` None: to the
        end), read from the filestore without loading the whole file."""
        attachment = self.attachment_id
        if attachment.store_fname:
            with open(attachment._full_path(attachment.store_fname), "rb") as rows:
                rows.seek(start)
                return rows.read(-1 if end is None else end - start)
        return attachment.raw[start:end]

    def _process_next_chunk(self):
        """Process the next CHUNK_ROWS rows of a queued run.

        Devices and ``rows_done`` change in the same transaction: a worker
        that dies mid-chunk leaves neither, and the chunk is done again.
        """
        self.ensure_one()
        started = time.perf_counter()
        offsets = json.loads(self.chunk_offsets or "[]")
        index = self.rows_done // CHUNK_ROWS
        if index >= len(offsets):
            return self._process_rows([], final=True, started=started)
        end = offsets[index + 1] if index + 1 < len(offsets) else None
        data = self._chunk_data(offsets[index], end)
        header = json.loads(self.header or "[]")
        rows = []
        # decoded once: json.loads() of bytes would sniff each line's encoding
        for text in data.decode("utf-8").splitlines():
            line, raw, error = json.loads(text)
            cells = raw + [""] * (len(header) - len(raw))
            rows.append(
                tabular.Row(
                    line=line,
                    values=dict(zip(header, cells, strict=False)),
                    raw=raw,
                    error=error,
                )
            )
        final = index + 1 >= len(offsets)
        return self._process_rows(rows, final=final, started=started)

    @api.model
    def _cron_process_queued(self):
        run = self.search([("state", "=", "queued")], order="id", limit=1)
        if not run:
            return
        before = run.rows_done
        # the devices are registered in the name of whoever uploaded the file,
        # and the run's messages written in that person's language
        user = run.create_uid
        lang = user.lang or run.source_id._job_lang()
        run.with_user(user).with_context(lang=lang)._process_next_chunk()
        queued = self.search([("state", "=", "queued")])
        remaining = sum(queued.mapped("row_count")) - sum(queued.mapped("rows_done"))
        self.env["ir.cron"]._notify_progress(
            done=run.rows_done - before, remaining=remaining
        )
        if remaining:
            self.env.ref("reemploi_asset.ir_cron_process_import_runs")._trigger()

    def _message(self, error):
        """A service's message (or exception) in the user's language."""
        if isinstance(error, Exception):
            error = error.args[0] if error.args else str(error)
        return messages.translate(error, self.env._)

    def _fail(self, message, started):
        self.write(
            {
                "state": "failed",
                "message": message,
                "duration": time.perf_counter() - started,
            }
        )
        return self

    # ------------------------------------------------------------------
    # Upsert
    # ------------------------------------------------------------------
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
            serial_key = identity.device_key(vals.get("serial"), vals.get("manufacturer"))
            if serial_key:
                by_serial.setdefault(("serial", serial_key), []).append(key)
        if not by_serial:
            return {}
        claimed = {found[0] for found in existing.values()}
        found = self._existing({key: 1 for key in by_serial})
        devices = self.env["reemploi.equipment"].sudo().browse(
            {device[0] for device in found.values()}
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
                    if device.state in REGISTRATION_STATES:
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

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_download_rejected(self):
        """The rejected rows as XLSX, each cell written as text."""
        self.ensure_one()
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(
            buffer, {"in_memory": True, "strings_to_formulas": False}
        )
        sheet = workbook.add_worksheet(self.env._("Rejected rows"))
        bold = workbook.add_format({"bold": True})
        header = json.loads(self.header or "[]")
        titles = [self.env._("Line"), self.env._("Kind"), self.env._("Reason"), *header]
        for column, title in enumerate(titles):
            sheet.write_string(0, column, str(title), bold)
        for index, line in enumerate(self.line_ids.sorted("line"), start=1):
            sheet.write_number(index, 0, line.line)
            sheet.write_string(index, 1, line.kind)
            sheet.write_string(index, 2, line.reason or "")
            for column, value in enumerate(json.loads(line.raw or "[]"), start=3):
                sheet.write_string(index, column, str(value))
        workbook.close()
        return xlsx_download_action(
            self.env, f"rejected-{self.id}.xlsx", buffer.getvalue(), record=self
        )

    def action_replay_rejected(self):
        """Import the rejected rows again with the source's current mapping."""
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.kind == "rejected")
        if not lines:
            raise UserError(
                self.env._(
                    "%(run)s has no rejected row to replay.", run=self.display_name
                )
            )
        header = json.loads(self.header or "[]")
        rows = []
        for line in lines.sorted("line"):
            raw = json.loads(line.raw or "[]")
            error = None
            if len(raw) > len(header) and any(cell for cell in raw[len(header) :]):
                error = self.env._(
                    "expected %(expected)s columns, found %(found)s",
                    expected=len(header),
                    found=len(raw),
                )
            padded = list(raw) + [""] * (len(header) - len(raw))
            rows.append(
                tabular.Row(
                    line=line.line,
                    values=dict(zip(header, padded, strict=False)),
                    raw=raw,
                    error=error,
                )
            )
        replay = self.create(
            {
                "source_id": self.source_id.id,
                "filename": self.filename,
                "replay_of_id": self.id,
            }
        )
        replay._import_rows(header, rows)
        lines.write({"replayed": True})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": replay.id,
            "view_mode": "form",
        }

    def action_open_equipment(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "reemploi_asset.reemploi_equipment_action"
        )
        action["domain"] = [("last_seen_run_id", "=", self.id)]
        return action

    @api.model
    def _demo_import_file(self, source_id, path):
        with file_open(path, "rb") as demo_file:
            data = demo_file.read()
        return self._import_file(
            self.env["reemploi.import.source"].browse(source_id),
            data,
            path.rsplit("/", 1)[-1],
        )


class ReemploiImportRunLine(models.Model):
    _name = "reemploi.import.run.line"
    _description = "Row of an import to check"
    _order = "run_id, line"

    run_id = fields.Many2one(
        "reemploi.import.run", required=True, ondelete="cascade", index=True
    )
    kind = fields.Selection(
        [("rejected", "Rejected"), ("merged", "Merged"), ("warning", "Warning")],
        required=True,
        default="rejected",
    )
    line = fields.Integer(required=True)
    raw = fields.Text(string="Values", help="The row's cells as read, as JSON.")
    reason = fields.Char(required=True)
    replayed = fields.Boolean()


class ReemploiImportRunColumn(models.Model):
    """A column of the file that the source's mapping reads into no field."""

    _name = "reemploi.import.run.column"
    _description = "Column an import ignored"
    _order = "run_id, sequence, id"

    run_id = fields.Many2one(
        "reemploi.import.run", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer()
    name = fields.Char(string="Column", required=True)
    sample = fields.Char(
        string="Example", help="The first value of the column in the file."
    )
    mapped_to = fields.Char(
        compute="_compute_mapped_to",
        string="Now mapped to",
        help="The field the source maps this column to since the import.",
    )

    @api.depends("run_id.source_id.mapping_ids")
    def _compute_mapped_to(self):
        labels = selection_labels(self.env["reemploi.import.mapping"], "target_field")
        for column in self:
            line = column._mapping_line()
            column.mapped_to = labels.get(line.target_field, False) if line else False

    def _mapping_line(self):
        self.ensure_one()
        name = import_mapping.normalise(self.name)
        return self.run_id.source_id.mapping_ids.filtered(
            lambda line: (
                line.mapping_type == "column"
                and import_mapping.normalise(line.source_value) == name
            )
        )[:1]

    def action_map_to_field(self):
        """Open the mapping of this column to a field of the devices, in a
        dialog; the next import of the source reads it."""
        self.ensure_one()
        line = self._mapping_line()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Map the column %(column)s", column=self.name),
            "res_model": "reemploi.import.mapping",
            "res_id": line.id,
            "views": [
                (
                    self.env.ref("reemploi_asset.reemploi_import_mapping_view_form").id,
                    "form",
                )
            ],
            "target": "new",
            "context": {
                "default_source_id": self.run_id.source_id.id,
                "default_mapping_type": "column",
                "default_source_value": self.name,
            },
        }
