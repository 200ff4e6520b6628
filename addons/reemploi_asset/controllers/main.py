import re

from werkzeug.exceptions import BadRequest

from odoo import http
from odoo.http import request

from ..services import lifecycle

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# what a label or a device's plate may carry: letters, digits and a few
# separators; anything else is not a reference of ours
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/:-]{1,63}$")


class ReemploiTraceability(http.Controller):
    @http.route(
        "/r/<string:token>", type="http", auth="public", methods=["GET"], website=True
    )
    def traceability_page(self, token, **kwargs):
        """Public traceability page of a device, reached from its QR label."""
        if not TOKEN_RE.match(token):
            raise request.not_found()
        # sudo: the visitor is anonymous; the token is unguessable (192 bits)
        # and the template receives only the public values prepared by
        # _public_traceability_values(), never the record itself.
        equipment = (
            request.env["reemploi.equipment"]
            .sudo()
            .search([("qr_token", "=", token)], limit=1)
        )
        if not equipment:
            raise request.not_found()
        values = equipment._public_traceability_values()
        return request.render("reemploi_asset.traceability_page", {"device": values})

    @http.route(
        "/tracabilite", type="http", auth="public", methods=["GET"], website=True
    )
    def traceability_lookup(self, reference=None, **kwargs):
        """Find a device from the code of its QR label or its serial number
        and send the visitor to its public page."""
        reference = (reference or "").strip()
        if not reference:
            return request.render("reemploi_asset.traceability_lookup_page", {})
        # a URL read from the label is accepted as well as its code alone
        reference = reference.rstrip("/").rsplit("/r/", 1)[-1]
        # a label's code may begin with "-" or "_" (URL-safe base64), which
        # no serial does: each is checked by its own pattern
        if not (TOKEN_RE.match(reference) or REFERENCE_RE.match(reference)):
            raise BadRequest()
        devices = self._lookup_devices(reference)
        if len(devices) == 1:
            return request.redirect(f"/r/{devices.qr_token}")
        return request.render(
            "reemploi_asset.traceability_lookup_page",
            {
                "reference": reference,
                # several devices of different makers may share a serial: the
                # visitor picks the one in hand by its make and model
                "devices": [
                    (device.qr_token, device._public_traceability_values())
                    for device in devices
                ],
            },
            status=200 if devices else 404,
        )

    def _lookup_devices(self, reference):
        """The devices whose QR code or serial number is ``reference``.

        A serial finds only devices that reached a reuse operator: the
        devices still in use at their owners stay out of public look-ups."""
        # sudo: the visitor is anonymous; only the public values and the
        # token of the devices found are given to the template
        Equipment = request.env["reemploi.equipment"].sudo()
        if TOKEN_RE.match(reference):
            device = Equipment.search([("qr_token", "=", reference)], limit=1)
            if device:
                return device
        return Equipment.search(
            [
                ("serial", "in", list({reference, reference.upper()})),
                ("state", "in", list(lifecycle.OPERATOR_STATES)),
                ("qr_token", "!=", False),
            ],
            limit=10,
            order="id desc",
        )
