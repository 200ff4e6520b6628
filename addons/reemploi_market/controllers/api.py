"""Partner API: JSON over HTTP for the actors' own IT systems.

Every call carries an Odoo API key (``Authorization: Bearer <key>``) and
runs as the key's user: access rights and record rules decide what it sees
and changes, exactly as in the backend or on the portal. The routes use
``auth="none"`` and authenticate the key themselves, so that a browser
session never authenticates an API call and every error, 401 included, is
the same JSON document: ``{"error": {"code": ..., "message": ...}}``.
"""

import datetime
import functools
import logging
import re

import psycopg2
import werkzeug.exceptions

from odoo import Command, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.reemploi_asset.controllers.main import TOKEN_RE
from odoo.addons.reemploi_asset.services import http_input, identity, messages, tabular

from ..services import device_batch, openapi

_logger = logging.getLogger(__name__)

BASE = openapi.BASE_PATH
# keys of this scope only open the partner API; global keys (no scope, the
# ones users create in their preferences) open it too
API_SCOPE = "reemploi_api"
KEY_INDEX_SIZE = 8  # res.users.apikeys' INDEX_SIZE: the key's public prefix
BEARER_RE = re.compile(r"Bearer\s+(\S+)", re.IGNORECASE)
MAX_BODY = 1024 * 1024
MAX_BATCH = 1000
PAGE_SIZE = 100
MAX_PAGE_SIZE = 500

# POST /lots: field -> accepted JSON types
LOT_FIELDS = {
    "partner_id": (int,),
    "date_from": (str,),
    "date_to": (str,),
    "pickup_address": (str,),
    "floor": (int,),
    "has_lift": (bool,),
    "has_loading_dock": (bool,),
    "access_notes": (str,),
    "contact_name": (str,),
    "contact_phone": (str,),
    "contact_email": (str,),
    "devices": (list,),
    "quantities": (list,),
    "declare": (bool,),
}
LOT_PLAIN_FIELDS = (
    "pickup_address",
    "floor",
    "has_lift",
    "has_loading_dock",
    "access_notes",
    "contact_name",
    "contact_phone",
    "contact_email",
)


class ApiError(werkzeug.exceptions.HTTPException):
    """An error answer of the API. Raised, not returned: the framework then
    rolls the transaction back before sending it."""

    def __init__(self, status, code, message, details=None, headers=None):
        error = {"code": code, "message": message}
        if details:
            error["details"] = details
        response = request.make_json_response(
            {"error": error}, headers=headers, status=status
        )
        super().__init__(description=message, response=response)
        self.code = status


def _api(methods, authenticated=True):
    """Decorate an API route: method check, API key, rate limit, and every
    error as JSON with its HTTP status."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(self, *args, **kwargs):
            try:
                if request.httprequest.method not in methods:
                    raise ApiError(
                        405,
                        "method_not_allowed",
                        request.env._(
                            "This path accepts %(methods)s.",
                            methods=", ".join(methods),
                        ),
                        headers={"Allow": ", ".join(methods)},
                    )
                if authenticated:
                    self._authenticate()
                response = func(self, *args, **kwargs)
                request.env.flush_all()  # constraint errors are raised here
                return response
            except ApiError:
                raise
            except psycopg2.errors.IntegrityError:
                raise ApiError(
                    409,
                    "conflict",
                    request.env._("The request conflicts with existing data."),
                ) from None
            except psycopg2.DataError:
                # a value the checks let through but the column refuses
                # (a date or a number out of its range)
                raise ApiError(
                    400,
                    "invalid_input",
                    request.env._("A value of the request is out of range."),
                ) from None
            except psycopg2.OperationalError:
                raise  # concurrent update: the framework tries again
            except AccessError as error:
                raise ApiError(403, "forbidden", str(error.args[0])) from None
            except MissingError:
                raise _not_found() from None
            except ValidationError as error:
                raise ApiError(400, "validation_error", str(error.args[0])) from None
            except UserError as error:
                raise ApiError(422, "unprocessable", str(error.args[0])) from None
            except werkzeug.exceptions.HTTPException as error:
                raise ApiError(
                    error.code or 500, "http_error", error.description or ""
                ) from None
            except Exception:
                _logger.exception("Partner API: unexpected error")
                raise ApiError(
                    500,
                    "internal_error",
                    request.env._("An unexpected error occurred; it has been logged."),
                ) from None

        return wrapper

    return decorate


def input_error(refused):
    """The API's answer to input that ``http_input`` refused."""
    if refused.reason == "integer_range" and not refused.where.startswith("body"):
        return _not_found()
    return ApiError(
        400,
        "invalid_input",
        request.env["ir.http"]._reemploi_input_message(refused),
        details={"reason": refused.reason, "at": refused.where},
    )


def _not_found():
    return ApiError(
        404, "not_found", request.env._("No such record, or you may not see it.")
    )


def _too_large(limit):
    return ApiError(
        413,
        "body_too_large",
        request.env._(
            "The body is larger than %(limit)s bytes: send smaller batches.",
            limit=limit,
        ),
    )


def _route(paths):
    """The routing of an API path: methods are checked by ``_api`` (JSON
    405), no session cookie, no CSRF token (no cookie authenticates)."""
    return http.route(
        paths,
        type="http",
        auth="none",
        csrf=False,
        save_session=False,
        # auth="none" routes are read-only by default; the API writes
        readonly=False,
    )


def _iso(value):
    """A date or UTC datetime in ISO 8601 (``Z`` for UTC), or None."""
    if not value:
        return None
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    return value.isoformat()


def _ref(record):
    return {"id": record.id, "name": record.name} if record else None


class ReemploiApi(http.Controller):
    # ------------------------------------------------------------------
    # Plumbing
    # ------------------------------------------------------------------
    def _authenticate(self):
        header = request.httprequest.headers.get("Authorization", "")
        match = BEARER_RE.fullmatch(header.strip())
        challenge = {"WWW-Authenticate": 'Bearer realm="reemploi"'}
        if not match:
            raise ApiError(
                401,
                "unauthorized",
                request.env._(
                    "Send an API key in the header 'Authorization: Bearer <key>'."
                ),
                headers=challenge,
            )
        key = match.group(1)
        uid = request.env["res.users.apikeys"]._check_credentials(
            scope=API_SCOPE, key=key
        )
        if not uid:
            raise ApiError(
                401,
                "invalid_api_key",
                request.env._("This API key is unknown, revoked or expired."),
                headers=challenge,
            )
        request.update_env(user=uid)
        user = request.env.user
        request.update_context(
            **{
                name: value
                for name, value in (("lang", user.lang), ("tz", user.tz))
                if value
            }
        )
        # the bucket of the key: its user and its public prefix
        decision = request.env["reemploi.api.rate"]._take(
            f"{uid}:{key[:KEY_INDEX_SIZE]}"
        )
        if not decision.allowed:
            raise ApiError(
                429,
                "rate_limited",
                request.env._(
                    "Too many requests with this API key: try again in "
                    "%(seconds)s seconds.",
                    seconds=decision.retry_after,
                ),
                headers={"Retry-After": str(decision.retry_after)},
            )
        request.future_response.headers["X-RateLimit-Remaining"] = str(
            int(decision.tokens)
        )

    def _json_body(self):
        """The request's JSON object; 413 when too large, 400 when not JSON."""
        # sudo: reads one numeric setting of the API, nothing else
        ICP = request.env["ir.config_parameter"].sudo()
        limit = int(ICP.get_param("reemploi_market.api_max_body_bytes", MAX_BODY))
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > limit:
            raise _too_large(limit)
        data = httprequest.get_data(cache=False)
        if len(data) > limit:
            raise _too_large(limit)
        try:
            body = http_input.parse_json(data)
        except http_input.InputRefused as refused:
            if refused.reason != "json":
                raise input_error(refused) from None
            body = None
        if not isinstance(body, dict):
            raise ApiError(
                400,
                "invalid_json",
                request.env._("The body must be a JSON object (UTF-8)."),
            )
        return body

    def _paging(self, kwargs):
        try:
            limit = int(kwargs.get("limit") or PAGE_SIZE)
            offset = int(kwargs.get("offset") or 0)
        except ValueError:
            limit = offset = -1
        if not 1 <= limit <= MAX_PAGE_SIZE or offset < 0:
            raise ApiError(
                400,
                "invalid_parameter",
                request.env._(
                    "limit is a number from 1 to %(max)s and offset a number from 0.",
                    max=MAX_PAGE_SIZE,
                ),
            )
        return limit, offset

    def _states(self, model, text):
        states = [state.strip() for state in (text or "").split(",") if state.strip()]
        known = dict(request.env[model]._fields["state"].selection)
        unknown = [state for state in states if state not in known]
        if unknown:
            raise ApiError(
                400,
                "invalid_parameter",
                request.env._(
                    "Unknown state %(states)s; known states: %(known)s.",
                    states=", ".join(unknown),
                    known=", ".join(known),
                ),
            )
        return states

    def _page(self, records, domain, limit, offset, serialise):
        """Search ``records`` (as the key's user: rules apply) and answer a
        page of them."""
        records.check_access("read")
        found = records.search(domain, limit=limit, offset=offset, order="id")
        # sudo: each record was just found by the user's own search; only
        # the fields of the serialiser are read
        return request.make_json_response(
            {
                "items": [serialise(record) for record in found.sudo()],
                "count": records.search_count(domain),
                "limit": limit,
                "offset": offset,
            }
        )

    # ------------------------------------------------------------------
    # Description and unknown paths
    # ------------------------------------------------------------------
    @_route(f"{BASE}/openapi.json")
    @_api(["GET"], authenticated=False)
    def openapi_json(self, **kwargs):
        server = request.httprequest.host_url.rstrip("/")
        return request.make_json_response(openapi.spec(server))

    @_route([BASE, f"{BASE}/<path:path>"])
    @_api(["GET", "POST", "PUT", "PATCH", "DELETE"], authenticated=False)
    def unknown(self, path=None, **kwargs):
        raise ApiError(
            404,
            "unknown_path",
            request.env._(
                "No such path in the API: see %(base)s/openapi.json.", base=BASE
            ),
        )

    # ------------------------------------------------------------------
    # Devices
    # ------------------------------------------------------------------
    def _device_json(self, device):
        return {
            "id": device.id,
            "qr_token": device.qr_token,
            "traceability_url": device.traceability_url,
            "serial": device.serial or None,
            "asset_tag": device.asset_tag or None,
            "source_ref": device.source_ref or None,
            "manufacturer": device.manufacturer or None,
            "model": device.model or None,
            "category": device.category_id.code,
            "state": device.state,
            "state_date": _iso(device.state_date),
            "grade": device.grade_id.code or None,
            "erasure_verified": device.erasure_verified,
            "purchase_date": _iso(device.purchase_date),
            "expected_end_date": _iso(device.expected_end_date),
            "co2e_avoided_kg": device.co2e_avoided_kg,
            "owner": _ref(device.owner_id.commercial_partner_id),
            "operator": _ref(device.company_id),
            "lot_id": device.reemploi_lot_id.id or None,
            "updated_at": _iso(device.write_date),
        }

    def _device_domain(self, kwargs):
        domain = []
        states = self._states("reemploi.equipment", kwargs.get("state"))
        if states:
            domain.append(("state", "in", states))
        if kwargs.get("category"):
            domain.append(("category_id.code", "=", kwargs["category"]))
        if kwargs.get("serial"):
            # a serial number that cannot tell a device ("N/A") has no key:
            # only the same text finds it
            key = identity.serial_key(kwargs["serial"])
            if key:
                domain.append(("serial_key", "=", key))
            else:
                domain.append(("serial", "=", kwargs["serial"]))
        for name in ("asset_tag", "source_ref"):
            if kwargs.get(name):
                domain.append((name, "=", kwargs[name]))
        if kwargs.get("updated_since"):
            try:
                since = datetime.datetime.fromisoformat(kwargs["updated_since"])
                if since.tzinfo:
                    since = since.astimezone(datetime.UTC).replace(tzinfo=None)
            except (ValueError, OverflowError):
                raise ApiError(
                    400,
                    "invalid_parameter",
                    request.env._(
                        "updated_since is a date and time such as 2025-01-31T08:00:00Z."
                    ),
                ) from None
            domain.append(("write_date", ">=", since))
        return domain

    @_route(f"{BASE}/devices")
    @_api(["GET", "POST"])
    def devices(self, **kwargs):
        if request.httprequest.method == "POST":
            return self._upsert_devices()
        limit, offset = self._paging(kwargs)
        return self._page(
            request.env["reemploi.equipment"],
            self._device_domain(kwargs),
            limit,
            offset,
            self._device_json,
        )

    @_route(f"{BASE}/devices/<string:ref>")
    @_api(["GET"])
    def device(self, ref, **kwargs):
        record_id = http_input.parse_id(ref)
        if record_id is not None:
            domain = [("id", "=", record_id)]
        elif TOKEN_RE.match(ref):
            domain = [("qr_token", "=", ref)]
        else:
            raise _not_found()
        Equipment = request.env["reemploi.equipment"]
        Equipment.check_access("read")
        device = Equipment.search(domain, limit=1)
        if not device:
            raise _not_found()
        # sudo: the user's own search found the device
        return request.make_json_response(self._device_json(device.sudo()))

    def _organisation(self, owner_id):
        """The donor organisation the caller registers devices or lots for:
        a donor's own; the one a coordinator names."""
        user = request.env.user
        if user.has_group("reemploi_asset.group_reemploi_donor"):
            organisation = user.commercial_partner_id
            if owner_id not in (None, organisation.id):
                raise AccessError(
                    request.env._(
                        "Your API key acts for %(organisation)s only.",
                        organisation=organisation.name,
                    )
                )
            return organisation
        if not user.has_group("reemploi_asset.group_reemploi_coordinator"):
            raise AccessError(
                request.env._(
                    "Only donors and territory coordinators register devices "
                    "and declare lots."
                )
            )
        if not isinstance(owner_id, int) or isinstance(owner_id, bool):
            raise ApiError(
                400,
                "validation_error",
                request.env._("Give the donor organisation's id."),
            )
        organisation = request.env["res.partner"].browse(owner_id).exists()
        if not organisation or not organisation.is_company:
            raise _not_found()
        return organisation

    def _upsert_devices(self):
        body = self._json_body()
        devices = body.get("devices")
        if not isinstance(devices, list) or not devices:
            raise ApiError(
                400,
                "validation_error",
                request.env._("Send the devices as a non-empty list in 'devices'."),
            )
        # sudo: reads one numeric setting of the API, nothing else
        ICP = request.env["ir.config_parameter"].sudo()
        max_batch = int(ICP.get_param("reemploi_market.api_max_batch", MAX_BATCH))
        if len(devices) > max_batch:
            raise ApiError(
                413,
                "batch_too_large",
                request.env._(
                    "Send at most %(max)s devices per request.", max=max_batch
                ),
            )
        organisation = self._organisation(body.get("owner_id"))
        rows, errors = device_batch.to_rows(devices)
        if errors:
            raise ApiError(
                400,
                "validation_error",
                request.env._("Some devices are malformed: nothing was imported."),
                details=[
                    dict(
                        error,
                        message=messages.translate(error["message"], request.env._),
                    )
                    for error in errors
                ],
            )
        source = request.env["reemploi.import.source"]._api_source(organisation)
        # sudo: donors cannot create runs; this run registers the devices of
        # the caller's own organisation (or of the one a coordinator named),
        # through the engine of the imports, which sets owner and source
        # processed at once, whatever the batch's size: the answer gives the
        # result of each device
        run = (
            request.env["reemploi.import.run"]
            .sudo()
            .with_context(reemploi_background_rows=len(rows))
            ._import_table(
                source, lambda: tabular.rows_table(device_batch.HEADER, rows), "API"
            )
        )
        if run.state == "failed":
            raise ApiError(400, "import_failed", run.message or "")
        lines = run.line_ids.sorted("line")
        return request.make_json_response(
            {
                "run_id": run.id,
                "created": run.created_count,
                "updated": run.updated_count,
                "unchanged": run.unchanged_count,
                "merged": run.merged_count,
                "rejected": [
                    {"index": line.line - 1, "message": line.reason}
                    for line in lines
                    if line.kind == "rejected"
                ],
                "warnings": [
                    {"index": line.line - 1, "message": line.reason}
                    for line in lines
                    if line.kind in ("warning", "merged")
                ],
            }
        )

    # ------------------------------------------------------------------
    # Lots
    # ------------------------------------------------------------------
    def _lot_json(self, lot):
        return {
            "id": lot.id,
            "name": lot.name,
            "state": lot.state,
            "donor": _ref(lot.partner_id.commercial_partner_id),
            "operator": _ref(lot.company_id),
            "date_from": _iso(lot.date_from),
            "date_to": _iso(lot.date_to),
            "date_declared": _iso(lot.date_declared),
            "device_count": lot.device_count,
            "weight_kg": lot.weight_kg,
            "co2e_kg": lot.co2e_kg,
            "lines": [
                {
                    "device_id": line.equipment_id.id or None,
                    "category": line.category_id.code,
                    "quantity": line.quantity,
                }
                for line in lot.line_ids
            ],
            "updated_at": _iso(lot.write_date),
        }

    @_route(f"{BASE}/lots")
    @_api(["GET", "POST"])
    def lots(self, **kwargs):
        if request.httprequest.method == "POST":
            return self._declare_lot()
        limit, offset = self._paging(kwargs)
        states = self._states("reemploi.lot", kwargs.get("state"))
        return self._page(
            request.env["reemploi.lot"],
            [("state", "in", states)] if states else [],
            limit,
            offset,
            self._lot_json,
        )

    @_route(f"{BASE}/lots/<int:lot_id>")
    @_api(["GET"])
    def lot(self, lot_id, **kwargs):
        Lot = request.env["reemploi.lot"]
        Lot.check_access("read")
        lot = Lot.search([("id", "=", lot_id)])
        if not lot:
            raise _not_found()
        # sudo: the user's own search found the lot
        return request.make_json_response(self._lot_json(lot.sudo()))

    def _lot_values(self, body):
        """Values of a new lot from the request, or 400 naming each problem."""
        problems = []
        for name, value in body.items():
            types = LOT_FIELDS.get(name)
            if types is None:
                problems.append({"field": name, "message": request.env._("unknown")})
            elif not isinstance(value, types) or (
                isinstance(value, bool) and bool not in types
            ):
                problems.append({"field": name, "message": request.env._("wrong type")})
        values = {name: body[name] for name in LOT_PLAIN_FIELDS if name in body}
        for name in ("date_from", "date_to"):
            try:
                values[name] = datetime.date.fromisoformat(body.get(name) or "")
            except (TypeError, ValueError):
                problems.append(
                    {
                        "field": name,
                        "message": request.env._("a date written YYYY-MM-DD"),
                    }
                )
        lines, line_problems = self._lot_lines(body)
        problems += line_problems
        if problems:
            raise ApiError(
                400,
                "validation_error",
                request.env._("The lot is not valid: nothing was created."),
                details=problems,
            )
        values["line_ids"] = lines
        return values

    def _lot_lines(self, body):
        """Lines of a new lot: the caller's own devices (ids or traceability
        tokens, searched as the caller) and quantities per category."""
        problems, lines = [], []
        refs = body.get("devices")
        refs = refs if isinstance(refs, list) else []
        if any(isinstance(ref, bool) or not isinstance(ref, int | str) for ref in refs):
            problems.append(
                {
                    "field": "devices",
                    "message": request.env._("ids or traceability tokens"),
                }
            )
            refs = []
        ids = [ref for ref in refs if isinstance(ref, int)]
        tokens = [ref for ref in refs if isinstance(ref, str)]
        found = request.env["reemploi.equipment"].search(
            ["|", ("id", "in", ids), ("qr_token", "in", tokens)]
        )
        known = set(found.ids) | set(found.mapped("qr_token"))
        missing = [ref for ref in refs if ref not in known]
        if missing:
            problems.append(
                {
                    "field": "devices",
                    "message": request.env._(
                        "no such device, or not yours: %(refs)s",
                        refs=", ".join(map(str, missing)),
                    ),
                }
            )
        lines += [Command.create({"equipment_id": device.id}) for device in found]
        quantities = body.get("quantities")
        quantities = quantities if isinstance(quantities, list) else []
        codes = {item.get("category") for item in quantities if isinstance(item, dict)}
        categories = {
            category.code: category
            for category in request.env["reemploi.equipment.category"].search(
                [("code", "in", [code for code in codes if isinstance(code, str)])]
            )
        }
        for index, item in enumerate(quantities):
            quantity = item.get("quantity") if isinstance(item, dict) else None
            category = categories.get(item.get("category")) if quantity else None
            if not category or not isinstance(quantity, int) or quantity < 1:
                problems.append(
                    {
                        "field": f"quantities[{index}]",
                        "message": request.env._(
                            "a known category code and a quantity of 1 or more"
                        ),
                    }
                )
                continue
            lines.append(
                Command.create({"category_id": category.id, "quantity": quantity})
            )
        return lines, problems

    def _declare_lot(self):
        body = self._json_body()
        organisation = self._organisation(body.get("partner_id"))
        values = self._lot_values(body)
        if not request.env.user.share:
            values["partner_id"] = organisation.id
        lot = request.env["reemploi.lot"].create(values)
        if body.get("declare", True):
            lot.action_declare()
        # sudo: the user has just created the lot
        return request.make_json_response(self._lot_json(lot.sudo()), status=201)
