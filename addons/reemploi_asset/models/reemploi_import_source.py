import json
import time

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..services import import_mapping, lifecycle, tabular
from ..services.connectors import base as connector_base
from ..services.connectors import glpi, glpi_hl, ocs, snipeit
from .actions import related_counts


class ReemploiImportSource(models.Model):
    """Where a donor's inventory comes from, and how to read it."""

    _name = "reemploi.import.source"
    _description = "Inventory import source"
    _inherit = ["mail.thread"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    kind = fields.Selection(
        [
            ("file", "File (CSV / XLSX)"),
            ("glpi", "GLPI"),
            ("ocs", "OCS Inventory"),
            ("snipeit", "Snipe-IT"),
        ],
        required=True,
        default="file",
    )
    preset = fields.Selection(
        [
            ("generic", "Generic"),
            ("glpi", "GLPI list export"),
            ("ocs", "OCS Inventory export"),
            ("snipeit", "Snipe-IT asset export"),
        ],
        string="File layout",
        required=True,
        default="generic",
    )
    owner_id = fields.Many2one(
        "res.partner",
        string="Donor",
        required=True,
        index=True,
        tracking=True,
        help="Organisation that owns the devices of this source.",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Operator",
        index=True,
        default=lambda self: self._default_company_id(),
        help="Reuse operator whose staff import this source's files (for "
        "instance a donor's spreadsheet handed over at a collection). Empty: "
        "the coordinators' source.",
    )
    full_inventory = fields.Boolean(
        help="Each import holds the whole park: devices missing from it are "
        "marked as not seen since that import (never deleted).",
    )
    mapping_ids = fields.One2many(
        "reemploi.import.mapping", "source_id", string="Mappings", copy=True
    )
    # connection (connectors)
    url = fields.Char(string="Server URL")
    app_token = fields.Char(groups="base.group_system", copy=False)
    user_token = fields.Char(
        string="User token / API key", groups="base.group_system", copy=False
    )
    glpi_api = fields.Selection(
        [
            ("v1", "Legacy REST API (apirest.php)"),
            ("v2", "High-level API v2 (OAuth2)"),
        ],
        string="GLPI API",
        default="v1",
        help="The high-level API needs GLPI 11 or later and an OAuth client; "
        "both APIs give the same devices.",
    )
    oauth_client_id = fields.Char(
        string="OAuth client ID", groups="base.group_system", copy=False
    )
    oauth_client_secret = fields.Char(
        string="OAuth client secret", groups="base.group_system", copy=False
    )
    oauth_username = fields.Char(
        string="API username",
        groups="base.group_system",
        copy=False,
        help="GLPI user the synchronisation logs in as (password grant). "
        "Empty: the client credentials grant, which GLPI 11 does not accept "
        "for its API yet.",
    )
    oauth_password = fields.Char(
        string="API password", groups="base.group_system", copy=False
    )
    ocs_protocol = fields.Selection(
        [("soap", "SOAP web service"), ("rest", "REST API")],
        string="OCS protocol",
        default="soap",
    )
    glpi_webhook_secret = fields.Char(
        string="GLPI webhook secret",
        groups="base.group_system",
        copy=False,
        help="The secret of the webhook created in GLPI (Setup › Webhooks, its "
        "Security tab): GLPI signs each call with it. Empty: webhooks refused.",
    )
    glpi_webhook_url = fields.Char(
        string="GLPI webhook URL",
        compute="_compute_glpi_webhook_url",
        help="The URL to give the GLPI webhook of computers; for monitors and "
        "phones, end it with Monitor or Phone instead of Computer.",
    )
    ocs_checksum = fields.Integer(
        string="OCS sections (CHECKSUM)",
        default=ocs.DEFAULT_CHECKSUM,
        help="Sum of the OCS inventory sections the synchronisation asks for "
        "(OCS's CHECKSUM): 1 hardware (name, memory, processor, system), 2 BIOS "
        "(serial, manufacturer, model, chassis type). 3, the default, is what "
        "the register reads; it must include the hardware (1). An OCS server "
        "asked for no section answers computers without them.",
    )
    ocs_tags = fields.Char(
        string="OCS TAGs",
        help="Only the computers of these OCS TAGs (the agents' --tag, the "
        "entity of a multi-entity OCS), separated by commas. Empty: every "
        "computer of the server.",
    )
    snipeit_status_id = fields.Integer(
        string="Snipe-IT status filter",
        help="Only pull the assets of this Snipe-IT status label id (0: all).",
    )
    timeout = fields.Integer(string="Timeout (s)", default=30)
    interval_minutes = fields.Integer(string="Every (minutes)", default=15)
    cron_id = fields.Many2one("ir.cron", readonly=True, copy=False, ondelete="set null")
    cursor = fields.Char(
        string="Last cursor",
        readonly=True,
        copy=False,
        help="Where the last successful synchronisation stopped (e.g. date_mod).",
    )
    run_ids = fields.One2many("reemploi.import.run", "source_id", string="Runs")
    last_run_id = fields.Many2one(
        "reemploi.import.run", compute="_compute_last_run", string="Last run"
    )
    equipment_count = fields.Integer(compute="_compute_equipment_count")

    _sql_constraints = [
        (
            "interval_positive",
            "CHECK(interval_minutes > 0)",
            "The synchronisation interval must be positive.",
        ),
    ]

    @api.model
    def _default_company_id(self):
        # an operator's sources belong to its company; the coordinators'
        # sources serve the whole territory
        user = self.env.user
        if user.has_group(
            "reemploi_asset.group_reemploi_operator_user"
        ) and not user.has_group("reemploi_asset.group_reemploi_coordinator"):
            return self.env.company
        return False

    @api.constrains("kind", "ocs_checksum")
    def _check_ocs_checksum(self):
        for source in self.filtered(lambda s: s.kind == "ocs"):
            checksum = source.ocs_checksum
            if checksum < 1 or not checksum & ocs.CHECKSUM_HARDWARE:
                raise ValidationError(
                    self.env._(
                        "%(name)s: the OCS sections (CHECKSUM) must include the "
                        "hardware (1), which holds each computer's number; use 3 "
                        "(hardware and BIOS) unless you know you need more.",
                        name=source.name,
                    )
                )

    @api.depends("kind")
    def _compute_glpi_webhook_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for source in self:
            source.glpi_webhook_url = (
                f"{base}/reemploi/glpi/webhook/{source.id}/Computer"
                if source.kind == "glpi" and source.id
                else False
            )

    def _glpi_webhook(self, itemtype, payload):
        """Apply one GLPI webhook call (``payload``: the decoded body) at
        once: the item's row imported as by a synchronisation (a run of one
        row), or, for a deletion in GLPI, a note on the device, which stays.
        Returns ``(run or None, message)``; raises ConnectorError for a
        payload that cannot be read."""
        self.ensure_one()
        event = str(payload.get("event") or "") if isinstance(payload, dict) else ""
        item = payload.get("item") if isinstance(payload, dict) else None
        page = glpi_hl.webhook_page(itemtype, item)
        if event in glpi_hl.WEBHOOK_REMOVE_EVENTS:
            ref = page.rows[0]["ID"]
            device = self.env["reemploi.equipment"].search(
                [("import_source_id", "=", self.id), ("source_ref", "=", ref)], limit=1
            )
            message = self.env._(
                "%(ref)s was deleted in GLPI (event %(event)s); the device stays in "
                "the register.",
                ref=ref,
                event=event,
            )
            if device:
                device._message_log(body=message)
            return None, message
        if event not in glpi_hl.WEBHOOK_UPSERT_EVENTS:
            raise connector_base.ConnectorError(
                self.env._(
                    "GLPI webhook: unknown event %(event)s; expected new, update, "
                    "restore, delete or purge.",
                    event=repr(event),
                ),
                retryable=False,
            )
        run = self.env["reemploi.import.run"]._import_table(
            self,
            lambda: tabular.table_of(page.header, page.rows),
            self.env._("GLPI webhook %(ref)s", ref=page.rows[0]["ID"]),
        )
        return run, run.message or ""

    def _ocs_tag_list(self):
        self.ensure_one()
        return [tag.strip() for tag in (self.ocs_tags or "").split(",") if tag.strip()]

    @api.model_create_multi
    def create(self, vals_list):
        sources = super().create(vals_list)
        sources._sync_cron()
        return sources

    def write(self, vals):
        result = super().write(vals)
        if {"kind", "active", "interval_minutes", "name"} & set(vals):
            self._sync_cron()
        return result

    def unlink(self):
        crons = self.cron_id
        result = super().unlink()
        crons.unlink()
        return result

    def _sync_cron(self):
        """One scheduled job per connected source, following its schedule."""
        # sudo: scheduled jobs are technical records only administrators
        # may write; they only call this source's synchronisation
        for source in self.sudo():
            wanted = source.kind != "file" and source.active
            if not wanted:
                source.cron_id.active = False
                continue
            values = {
                "name": self.env._("Reuse: synchronise %(name)s", name=source.name),
                "interval_number": source.interval_minutes,
                "interval_type": "minutes",
                "active": True,
            }
            if source.cron_id:
                source.cron_id.write(values)
            else:
                source.cron_id = self.env["ir.cron"].create(
                    {
                        **values,
                        "model_id": self.env["ir.model"]._get_id(self._name),
                        "state": "code",
                        "code": f"model.browse({source.id})._cron_sync()",
                    }
                )

    def _compute_last_run(self):
        for source in self:
            source.last_run_id = source.run_ids[:1]

    def _compute_equipment_count(self):
        counts = related_counts(self, "reemploi.equipment", "import_source_id")
        for source in self:
            source.equipment_count = counts.get(source, 0)

    @api.onchange("kind")
    def _onchange_kind(self):
        if self.kind != "file":
            self.preset = self.kind

    def _mapping(self, header):
        """The :class:`import_mapping.Mapping` of this source for a header."""
        self.ensure_one()
        columns, states, categories = {}, {}, {}
        for line in self.mapping_ids:
            if line.mapping_type == "column":
                columns[line.target_field] = line.source_value
            elif line.mapping_type == "state":
                states[line.source_value] = line.target_state
            else:
                categories[line.source_value] = line.category_id.code
        codes = self.env["reemploi.equipment.category"].search([]).mapped("code")
        return import_mapping.Mapping(
            header,
            # a connector's rows always have its tool's layout
            preset=self.preset if self.kind == "file" else self.kind,
            columns=columns,
            states=states,
            categories=categories,
            categories_known=codes,
        )

    # ------------------------------------------------------------------
    # Synchronisation
    # ------------------------------------------------------------------
    def _connector(self):
        """The network client of this source."""
        self.ensure_one()
        # sudo: the tokens are readable by administrators only; they are
        # handed to the client, never shown
        source = self.sudo()
        common = {
            "url": source.url,
            "timeout": float(source.timeout or 30),
            "cursor": source.cursor or None,
        }
        if source.kind == "glpi" and source.glpi_api == "v2":
            return glpi_hl.GlpiHlConnector(
                **common,
                client_id=source.oauth_client_id,
                client_secret=source.oauth_client_secret,
                username=source.oauth_username,
                password=source.oauth_password,
            )
        common.update(app_token=source.app_token, user_token=source.user_token)
        if source.kind == "glpi":
            return glpi.GlpiConnector(**common)
        if source.kind == "snipeit":
            options = (
                {"status_id": source.snipeit_status_id}
                if source.snipeit_status_id
                else {}
            )
            return snipeit.SnipeItConnector(**common, options=options)
        if source.kind == "ocs":
            options = {
                "checksum": source.ocs_checksum,
                "tags": source._ocs_tag_list(),
            }
            if source.ocs_protocol == "rest":
                return ocs.OcsRestConnector(**common, options=options)
            return ocs.OcsSoapConnector(**common, options=options)
        raise UserError(
            self.env._(
                "%(name)s is a file source: import a file instead.", name=self.name
            )
        )

    def _sync(self):
        """Pull what changed since the last cursor and import it.

        The whole pull happens before anything is written: a failure leaves
        the register untouched and the error on the run.
        """
        self.ensure_one()
        Run = self.env["reemploi.import.run"]
        if not self.url:
            return Run.create({"source_id": self.id})._fail(
                self.env._("%(name)s has no server URL.", name=self.name),
                time.perf_counter(),
            )
        started = time.perf_counter()
        try:
            page = self._connector().fetch()
        except connector_base.ConnectorError as error:
            run = Run.create({"source_id": self.id, "filename": self._sync_label()})
            message = self.env._(
                "%(name)s: %(error)s", name=self.name, error=run._message(error)
            )
            return run._fail(message, started)
        retried, lines = self._rejected_rows_to_retry(page)
        run = Run.with_context(reemploi_cursor_after=page.cursor)._import_table(
            self,
            lambda: tabular.table_of(page.header, page.rows + retried),
            self._sync_label(),
        )
        if run.state != "failed" and lines:
            # tried again: the new run keeps those still rejected
            lines.write({"replayed": True})
            run.retried_count = len(retried)
        return run

    def _rejected_rows_to_retry(self, page):
        """The rows that earlier synchronisations rejected (an unknown type
        or state...) and that ``page`` does not bring again, as rows of
        ``page``'s header; and the run lines they come from.

        The cursor moves past a rejected row like past any other: without
        this, a row rejected until its type is mapped would come back only
        when the device changes in the tool. Each is tried again by the
        next synchronisation, with the source's mappings of that day; a
        row the tool gives again is taken from the tool, as it is newer."""
        lines = self.env["reemploi.import.run.line"].search(
            [
                ("run_id.source_id", "=", self.id),
                ("kind", "=", "rejected"),
                ("replayed", "=", False),
            ],
            order="id desc",
        )
        if not lines:
            return [], lines
        id_column = self._mapping(page.header).columns.get("source_ref")
        taken = {row.get(id_column) for row in page.rows} if id_column else set()
        headers, rows = {}, []
        for line in lines:
            run = line.run_id
            if run.id not in headers:
                headers[run.id] = json.loads(run.header or "[]")
            values = dict(
                zip(headers[run.id], json.loads(line.raw or "[]"), strict=False)
            )
            ref = values.get(id_column) if id_column else None
            if ref and ref in taken:
                continue  # given again by the tool, or by a later run
            if ref:
                taken.add(ref)
            rows.append({name: values.get(name) or "" for name in page.header})
        rows.reverse()  # oldest first, as they were rejected
        return rows, lines

    def _sync_label(self):
        return self.env._(
            "Synchronisation %(kind)s",
            kind=dict(self._fields["kind"].selection)[self.kind],
        )

    def _cron_sync(self):
        # a scheduled job has no user's language: its runs and messages are
        # written in the source's (French by default)
        for source in self.filtered("active"):
            source.with_context(lang=source._job_lang())._sync()

    def _job_lang(self):
        """The language of what a background job writes for this source: its
        donor's, else its operator's, else French (when installed)."""
        self.ensure_one()
        installed = {code for code, _name in self.env["res.lang"].get_installed()}
        for lang in (self.owner_id.lang, self.company_id.partner_id.lang, "fr_FR"):
            if lang in installed:
                return lang
        return "en_US"

    def action_sync_now(self):
        """Queue a synchronisation: the pull runs in the scheduled job, not in
        the user's request."""
        for source in self:
            if source.kind == "file":
                raise UserError(
                    self.env._(
                        "%(name)s is a file source: import a file instead.",
                        name=source.name,
                    )
                )
            source.sudo()._sync_cron()
            source.sudo().cron_id._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "The synchronisation starts in a moment; its run will appear below."
                ),
            },
        }

    @api.model
    def _organisation_source(self, organisation, kind, values):
        """The source of ``kind`` that receives what ``organisation`` sends
        itself (portal uploads, partner API), created with ``values`` on its
        first use; sudoed: donors cannot read sources, and the caller looks
        up its own user's organisation only."""
        Source = self.sudo()
        source = Source.search(
            [("owner_id", "=", organisation.id), ("kind", "=", kind)],
            order="id",
            limit=1,
        )
        return source or Source.create(
            dict(values, kind=kind, owner_id=organisation.id)
        )

    def action_open_equipment(self):
        self.ensure_one()
        return self.env["reemploi.equipment"]._action_register(
            [("import_source_id", "=", self.id)]
        )

    def action_open_import_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "reemploi.import.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_source_id": self.id},
        }


class ReemploiImportMapping(models.Model):
    _name = "reemploi.import.mapping"
    _description = "Import mapping line"
    _order = "mapping_type, source_value"

    source_id = fields.Many2one(
        "reemploi.import.source", required=True, ondelete="cascade", index=True
    )
    mapping_type = fields.Selection(
        [
            ("column", "Column"),
            ("state", "State"),
            ("category", "Category (type / model)"),
        ],
        string="Mapping of",
        required=True,
        default="column",
    )
    source_value = fields.Char(
        string="In the source",
        required=True,
        help="Column name, state or type exactly as the source writes it.",
    )
    target_field = fields.Selection(
        [
            ("source_ref", "Identifier in the source"),
            ("serial", "Serial number"),
            ("asset_tag", "Asset tag"),
            ("manufacturer", "Manufacturer"),
            ("model", "Model"),
            ("category", "Category"),
            ("state", "State"),
            ("purchase_date", "Purchase date"),
            ("restricted_data", "Classified or restricted data"),
            ("cpu", "Processor"),
            ("ram_gb", "RAM (GB)"),
            ("storage_gb", "Storage (GB)"),
            ("screen_size", "Screen size (in)"),
            ("os_name", "Operating system"),
            ("site", "Site"),
        ],
        string="Field",
    )
    target_state = fields.Selection(
        [
            (state, label)
            for state, label in lifecycle.STATE_SELECTION
            if state in lifecycle.OWNER_STATES
        ],
        string="Our state",
    )
    category_id = fields.Many2one("reemploi.equipment.category", string="Our category")

    _sql_constraints = [
        (
            "mapping_unique",
            "unique(source_id, mapping_type, source_value)",
            "A value can be mapped only once per source.",
        ),
        (
            "mapping_target",
            "CHECK((mapping_type = 'column' AND target_field IS NOT NULL) OR "
            "(mapping_type = 'state' AND target_state IS NOT NULL) OR "
            "(mapping_type = 'category' AND category_id IS NOT NULL))",
            "Each mapping needs its target: a field, a state or a category.",
        ),
    ]
