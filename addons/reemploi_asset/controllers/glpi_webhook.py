"""GLPI 11's webhooks, pushed to us: a device changed in GLPI is in the
register at once, without waiting for the next synchronisation.

``POST /reemploi/glpi/webhook/<source id>/<Computer|Monitor|Phone>``, one
GLPI webhook per item type, with GLPI's default payload and the source's
secret (see ``services/connectors/glpi_hl.py`` for the protocol). ``GET``
with ``crc_token`` answers GLPI's challenge-response check. Answers in
JSON: 200 with the run's counts, 202 for a deletion (noted on the device),
400 for a payload that cannot be read, 401 for a missing or wrong
signature, 404 for no such GLPI source, 405, 413. Never a server error.
"""

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..services import http_input
from ..services.connectors import glpi_hl
from ..services.connectors.base import ConnectorError
from . import json_endpoint

MAX_BYTES = 1024 * 1024


class ReemploiGlpiWebhook(http.Controller):
    @http.route(
        "/reemploi/glpi/webhook/<int:source_id>/<string:itemtype>",
        type="http",
        auth="none",
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def glpi_webhook(self, source_id, itemtype, **kwargs):
        return json_endpoint.guarded(
            lambda: self._glpi_webhook(source_id, itemtype),
            "GLPI webhook",
            lambda: request.env._(
                "The GLPI webhook could not be applied; the error has been logged."
            ),
        )

    _answer = staticmethod(json_endpoint.answer)

    def _glpi_webhook(self, source_id, itemtype):
        httprequest = request.httprequest
        # no user calls: GLPI, authenticated by the source's secret below;
        # what it writes is signed by the system (OdooBot)
        source = (
            request.env(user=SUPERUSER_ID)["reemploi.import.source"]
            .sudo()
            .search([("id", "=", source_id), ("kind", "=", "glpi")], limit=1)
        )
        if not source:
            return self._answer(404, request.env._("No GLPI source at this address."))
        source = source.with_context(lang=source._job_lang())
        env = source.env
        secret = source.glpi_webhook_secret
        if httprequest.method == "GET":
            token = httprequest.args.get("crc_token")
            if not (token and secret):
                return self._answer(
                    400, env._("GLPI's check needs crc_token and the source's secret.")
                )
            return request.make_response(
                glpi_hl.webhook_challenge(token, secret),
                headers=[("Content-Type", "text/plain")],
            )
        if httprequest.method != "POST":
            return self._answer(
                405,
                env._("GLPI webhooks are sent with POST."),
                headers={"Allow": "POST"},
            )
        length = httprequest.content_length
        if length is not None and length > MAX_BYTES:
            return self._answer(413, env._("The webhook is larger than 1 MB."))
        body = httprequest.get_data(cache=False)
        if len(body) > MAX_BYTES:
            return self._answer(413, env._("The webhook is larger than 1 MB."))
        if not glpi_hl.webhook_signature_valid(
            body,
            httprequest.headers.get("X-GLPI-timestamp"),
            httprequest.headers.get("X-GLPI-signature"),
            secret,
        ):
            return self._answer(
                401,
                env._(
                    "Missing or wrong X-GLPI-signature: give the source the secret "
                    "of the GLPI webhook."
                ),
            )
        try:
            payload = http_input.parse_json(body)
            run, message = source._glpi_webhook(itemtype, payload)
        except http_input.InputRefused:
            return self._answer(400, env._("The webhook's body is not valid JSON."))
        except ConnectorError as error:
            return self._answer(400, env["reemploi.import.run"]._message(error))
        if run is None:
            return self._answer(202, message)
        return self._answer(
            200 if run.state == "done" else 400,
            message if run.state != "done" else None,
            run=run.id,
            state=run.state,
            created=run.created_count,
            updated=run.updated_count,
            unchanged=run.unchanged_count,
            rejected=run.rejected_count,
        )
