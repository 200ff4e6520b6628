"""Audit snapshots and erasure reports posted by the bench stations.

``POST /reemploi/audit`` with the snapshot file as the body (glpi-agent
JSON, fusioninventory-agent XML or eReuse Workbench JSON, told by its
content) and an Odoo API key of an operator's user in
``Authorization: Bearer <key>``. The device lands in that user's company
(see ``reemploi.equipment._audit_import``). Answers, in JSON: 201 (created)
or 200 (updated, unchanged) with the device's id and reference, 400 with
the reason of a refusal, 401 without a valid key, 403 for a user who may
not update devices, 405, 413 for a body larger than
:data:`~..services.audit_snapshot.MAX_BYTES`. Never a server error.

``POST /reemploi/erasure`` with an erasure tool's report as the body (nwipe
log, Blancco XML report, CSV of drives; ``X-Filename`` names it), same key:
the import wizard's work (``reemploi.erasure.import``), answered with its
counts (verified, unverified, pending, skipped) and a line per drive, 400
when the file is refused.
"""

import re

from odoo import Command, http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

from ..services import audit_snapshot
from . import json_endpoint

# the scope of the API keys a station may use; a key created in the user's
# preferences (no scope) is valid for every scope
API_SCOPE = "reemploi_audit"
BEARER_RE = re.compile(r"Bearer\s+(\S+)", re.IGNORECASE)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ReemploiAudit(http.Controller):
    @http.route(
        "/reemploi/audit",
        type="http",
        auth="none",
        csrf=False,
        save_session=False,
        # auth="none" routes are read-only by default; this one writes
        readonly=False,
    )
    def audit(self, **kwargs):
        return json_endpoint.guarded(
            self._audit,
            "Audit upload",
            lambda: request.env._(
                "The audit could not be imported; the error has been logged."
            ),
        )

    _answer = staticmethod(json_endpoint.answer)

    def _station(self, what):
        """The bench station's call checked: ``(user, body, None)``, or
        ``(None, None, answer)`` with the refusal (405, 401, 413, 400).
        ``what`` names the file in the messages ("the audit snapshot")."""
        httprequest = request.httprequest
        if httprequest.method != "POST":
            return None, None, self._answer(
                405,
                request.env._("Send %(what)s with POST.", what=what),
                headers={"Allow": "POST"},
            )
        header = httprequest.headers.get("Authorization", "")
        match = BEARER_RE.fullmatch(header.strip())
        uid = (
            request.env["res.users.apikeys"]._check_credentials(
                scope=API_SCOPE, key=match.group(1)
            )
            if match
            else None
        )
        if not uid:
            return None, None, self._answer(
                401,
                request.env._(
                    "Send a valid API key of an operator's user in the header "
                    "'Authorization: Bearer <key>'."
                ),
                headers={"WWW-Authenticate": 'Bearer realm="reemploi"'},
            )
        request.update_env(user=uid)
        user = request.env.user
        if user.lang:
            request.update_context(lang=user.lang)
        limit = audit_snapshot.MAX_BYTES
        too_large = request.env._(
            "The file is larger than %(limit)s MB.", limit=limit // (1024 * 1024)
        )
        if (httprequest.content_length or 0) > limit:
            return None, None, self._answer(413, too_large)
        if httprequest.mimetype in FORM_TYPES:
            return None, None, self._answer(
                400,
                request.env._(
                    "Send the file itself as the body, with its Content-Type "
                    "(for example 'application/json', 'application/xml' or "
                    "'text/plain'): curl --data-binary @file."
                ),
            )
        data = httprequest.get_data(cache=False)
        if len(data) > limit:
            return None, None, self._answer(413, too_large)
        return user, data, None

    def _audit(self):
        user, data, refusal = self._station(request.env._("the audit snapshot"))
        if refusal:
            return refusal
        Equipment = request.env["reemploi.equipment"].with_company(user.company_id)
        try:
            with request.env.cr.savepoint():
                status, device = Equipment._audit_import(data)
        except AccessError as error:
            return self._answer(403, error.args[0])
        except UserError as error:
            return self._answer(400, error.args[0])
        return self._answer(
            201 if status == "created" else 200,
            status=status,
            id=device.id,
            reference=device.display_name,
            serial=device.serial,
        )

    @http.route(
        "/reemploi/erasure",
        type="http",
        auth="none",
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def erasure(self, **kwargs):
        return json_endpoint.guarded(
            self._erasure,
            "Erasure report upload",
            lambda: request.env._(
                "The erasure report could not be imported; the error has been "
                "logged."
            ),
        )

    def _erasure(self):
        """The erasure tool's report (nwipe log, Blancco XML, CSV), as the
        import wizard reads it: 200 with the counts and a line per drive,
        400 when the file is refused."""
        user, data, refusal = self._station(request.env._("the erasure report"))
        if refusal:
            return refusal
        name = (request.httprequest.headers.get("X-Filename") or "").strip()
        name = name[:200] or request.env._("Erasure report")
        env = request.env(context=dict(request.env.context, allowed_company_ids=[user.company_id.id]))
        try:
            with request.env.cr.savepoint():
                attachment = env["ir.attachment"].create(
                    {"name": name, "raw": data, "res_model": "reemploi.erasure.import"}
                )
                wizard = env["reemploi.erasure.import"].create(
                    {"attachment_ids": [Command.set(attachment.ids)]}
                )
                wizard.action_import()
        except AccessError as error:
            return self._answer(403, error.args[0])
        counts = {
            "verified": wizard.verified_count,
            "unverified": wizard.unverified_count,
            "pending": wizard.pending_count,
            "skipped": wizard.skipped_count,
        }
        if wizard.rejected_count and not any(counts.values()):
            return self._answer(400, wizard.summary.split("\n\n", 1)[-1].strip())
        return self._answer(200, wizard.summary.split("\n", 1)[0], **counts, lines=wizard.summary.split("\n")[2:])
