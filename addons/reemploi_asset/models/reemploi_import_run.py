import io
import itertools
import json
import time

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import file_open

from ..services import messages, tabular
from .download import XlsxBook, xlsx_download_action

CHUNK_ROWS = 2000  # rows of a background import processed per transaction
BACKGROUND_ROWS = 2000  # larger files are processed by a scheduled job


class ReemploiImportRun(models.Model):
    """One import of a file or one synchronisation of a source."""

    _name = "reemploi.import.run"
    _inherit = ["reemploi.import.upsert.mixin"]
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
        """Import ``data`` (bytes of a CSV or XLSX file) for ``source``;
        always return the run. The file is parsed here, once: the engine
        receives its rows (:meth:`_import_table`)."""
        return self._import_table(
            source, lambda: tabular.iter_table(data, filename), filename
        )

    @api.model
    def _import_table(self, source, read, label="", values=None):
        """Import the rows of ``read()`` (a :class:`tabular.Table`) for
        ``source``; always return the run, named ``label`` (and given
        ``values``). A file gives its parsed table, a connector its rows as
        they are (:func:`tabular.table_of`), the partner API and a replay
        rows already read (:func:`tabular.rows_table`).

        The rows are read at once, so that a table that cannot be read is
        refused while the user waits; more than BACKGROUND_ROWS rows are
        then processed by a scheduled job, CHUNK_ROWS at a time.
        """
        run = self.create(
            {
                "source_id": source.id,
                "filename": label,
                "cursor_after": self.env.context.get("reemploi_cursor_after"),
                **(values or {}),
            }
        )
        started = time.perf_counter()
        limit = self._background_rows()
        try:
            table = read()
            header, rows = table.header, iter(table.rows)
            first = list(itertools.islice(rows, limit + 1))
            run.write({"header": json.dumps(header, ensure_ascii=False)})
            if len(first) <= limit:
                run.row_count = len(first)
                if not run._check_mapping(header, started, first):
                    return run
                return run._process_rows(first, final=True, started=started)
            if not run._check_mapping(header, started, first):
                run.row_count = len(first) + sum(1 for _row in rows)
                return run
            # the rows are written as they are read: a large file is never
            # held in memory as rows
            rows_data, offsets, count = run._serialise_rows(
                itertools.chain(first, rows)
            )
        except tabular.TabularError as error:
            return run._fail(run._message(error), started)
        del first
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{label or run.id}.rows.jsonl",
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
    # Actions
    # ------------------------------------------------------------------
    def action_download_rejected(self):
        """The rejected rows as XLSX, each cell written as text."""
        self.ensure_one()
        header = json.loads(self.header or "[]")
        titles = [self.env._("Line"), self.env._("Kind"), self.env._("Reason"), *header]
        book = XlsxBook()
        sheet = book.sheet(self.env._("Rejected rows"), titles)
        for index, line in enumerate(self.line_ids.sorted("line"), start=1):
            sheet.write_number(index, 0, line.line)
            sheet.write_string(index, 1, line.kind)
            sheet.write_string(index, 2, line.reason or "")
            for column, value in enumerate(json.loads(line.raw or "[]"), start=3):
                sheet.write_string(index, column, str(value))
        return xlsx_download_action(
            self.env, f"rejected-{self.id}.xlsx", book.data(), record=self
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
        # processed at once, whatever their number, as the user waits
        replay = self.with_context(
            reemploi_background_rows=len(rows)
        )._import_table(
            self.source_id,
            lambda: tabular.rows_table(header, rows),
            self.filename,
            {"replay_of_id": self.id},
        )
        lines.write({"replayed": True})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": replay.id,
            "view_mode": "form",
        }

    def action_open_equipment(self):
        self.ensure_one()
        return self.env["reemploi.equipment"]._action_register(
            [("last_seen_run_id", "=", self.id)]
        )

    @api.model
    def _demo_import_file(self, source_id, path):
        with file_open(path, "rb") as demo_file:
            data = demo_file.read()
        return self._import_file(
            self.env["reemploi.import.source"].browse(source_id),
            data,
            path.rsplit("/", 1)[-1],
        )
