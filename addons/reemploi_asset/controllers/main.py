import datetime
import re

from werkzeug.exceptions import BadRequest, NotFound

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.download import file_response
from ..services import lifecycle, merkle

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# what a label or a device's plate may carry: letters, digits and a few
# separators; anything else is not a reference of ours
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/:-]{1,63}$")
DAY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ROOTS_URL = "/tracabilite/racines"
ROOTS_PER_PAGE = 50
# entries of the Atom feed: its readers keep what they fetched
ROOTS_IN_ATOM = 60


class ReemploiForecastExport(http.Controller):
    @http.route("/reemploi/forecast.xlsx", type="http", auth="user")
    def forecast_xlsx(self, **kwargs):
        """The supply forecast by category and donor, among the devices the
        user may read (the backend's export)."""
        Equipment = request.env["reemploi.equipment"]
        if not Equipment.has_access("read"):
            raise NotFound()
        return file_response(
            request.env._("supply-forecast.xlsx"), Equipment._forecast_xlsx()
        )


class ReemploiTraceability(http.Controller):
    @http.route(
        "/r/<string:token>", type="http", auth="public", methods=["GET"], website=True
    )
    def traceability_page(self, token, **kwargs):
        """Public traceability page of a device, reached from its QR label."""
        equipment = self._device_by_token(token)
        values = equipment._public_traceability_values()
        return request.render(
            "reemploi_asset.traceability_page",
            {
                "device": values,
                "custody": equipment._public_custody_values(),
                "token": equipment.qr_token,
                "base_url": equipment.get_base_url(),
            },
        )

    @http.route(
        "/r/<string:token>/preuve.json",
        type="http",
        auth="public",
        methods=["GET"],
        cors="*",
    )
    def traceability_proof_json(self, token, **kwargs):
        """The device's proof against the latest published custody root
        (``reemploi.custody.root._proofs``), as JSON; 404 while no root
        holds the device."""
        equipment = self._device_by_token(token)
        proof = equipment._public_custody_values()["proof"]
        if not proof:
            raise NotFound(
                request.env._(
                    "This device is not in a published custody root yet: the "
                    "next daily root will hold it."
                )
            )
        return request.make_json_response(dict(proof, date=proof["date"].isoformat()))

    def _device_by_token(self, token):
        """The device of the QR code ``token`` (sudo), or a 404."""
        if not TOKEN_RE.match(token):
            raise request.not_found()
        # sudo: the visitor is anonymous; the token is unguessable (192 bits)
        # and the templates receive only the public values prepared by
        # _public_traceability_values() and _public_custody_values(), never
        # the record itself.
        equipment = (
            request.env["reemploi.equipment"]
            .sudo()
            .search([("qr_token", "=", token)], limit=1)
        )
        if not equipment:
            raise request.not_found()
        return equipment

    @http.route(
        "/tracabilite",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=True,
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

    # ------------------------------------------------------------------
    # Published custody roots
    # ------------------------------------------------------------------
    @http.route(
        [ROOTS_URL, f"{ROOTS_URL}/page/<int:page>"],
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=True,
    )
    def custody_roots(self, page=1, **kwargs):
        """The daily custody roots, newest first, a page at a time."""
        Root = request.env["reemploi.custody.root"]
        pager = portal_pager(
            url=ROOTS_URL, total=Root.search_count([]), page=page, step=ROOTS_PER_PAGE
        )
        roots = Root.search([], limit=ROOTS_PER_PAGE, offset=pager["offset"])
        return request.render(
            "reemploi_asset.custody_roots_page",
            {
                "roots": [root._public_values() for root in roots],
                "pager": pager if pager["page_count"] > 1 else None,
                "algorithm": merkle.ALGORITHM,
            },
        )

    @http.route(
        f"{ROOTS_URL}.json", type="http", auth="public", methods=["GET"], cors="*"
    )
    def custody_roots_json(self, date=None, **kwargs):
        """Every published custody root, newest first, or the root of one
        day (``?date=YYYY-MM-DD``: 400 when it is not a date, 404 when no
        root was published that day)."""
        domain = []
        if date is not None:
            domain = [("date", "=", self._parse_day(date))]
        roots = request.env["reemploi.custody.root"].search(domain)
        if date is not None and not roots:
            raise NotFound(
                request.env._("No custody root was published on %(date)s.", date=date)
            )
        return request.make_json_response(
            {
                "algorithm": merkle.ALGORITHM,
                "leaf": "sha256(utf8(qr_token + ':' + event_hash))",
                "node": "sha256(left + right) over the raw 32-byte digests; "
                "a last node without a pair is promoted unchanged",
                "proof": "[{side: left|right, hash}] from the leaf up",
                "roots": [root._public_values() for root in roots],
            }
        )

    @http.route(
        f"{ROOTS_URL}.atom",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def custody_roots_atom(self, **kwargs):
        """The latest custody roots as an Atom feed, for whoever archives
        them."""
        roots = request.env["reemploi.custody.root"].search([], limit=ROOTS_IN_ATOM)
        return request.render(
            "reemploi_asset.custody_roots_atom",
            {
                "roots": [root._public_values() for root in roots],
                "base_url": request.env["reemploi.custody.root"].get_base_url(),
                "roots_url": ROOTS_URL,
            },
            headers=[("Content-Type", "application/atom+xml; charset=utf-8")],
        )

    @staticmethod
    def _parse_day(text):
        """The date ``YYYY-MM-DD`` of ``text``, or a 400."""
        try:
            if not DAY_RE.fullmatch(text):
                raise ValueError(text)
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise BadRequest(
                request.env._("The date must be written YYYY-MM-DD.")
            ) from None
