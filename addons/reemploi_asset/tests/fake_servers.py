"""Local fake GLPI, Snipe-IT and OCS Inventory servers for the connector tests.

Each fake is a real HTTP server (``ThreadingHTTPServer`` on 127.0.0.1, a free
port, a daemon thread) answering like the tool does, from fixtures generated
in code (``count`` items, so that paging is exercised), with the shapes, status
codes, headers and error bodies of the tools' own code (see the docstrings of
``services/connectors``). They check credentials, record every request and
can inject faults::

    with FakeGlpi(count=250) as glpi:
        glpi.inject("error", path="/Computer", page=1, times=1)
        page = GlpiConnector(glpi.url, glpi.app_token, glpi.user_token).fetch()
        glpi.hits("/Computer")

Faults (``inject(kind, path="", page=None, times=None, ...)``, on requests
whose path contains ``path`` and whose page number is ``page``, at most
``times`` times): ``error`` (HTTP 500), ``throttle`` (HTTP 429 with
``Retry-After``), ``disconnect`` (headers and half the body, then the
connection is closed), ``malformed`` (the body cut in half), ``slow`` (the
answer comes after ``delay`` seconds), ``app_error`` (the tool's own error
answer, e.g. Snipe-IT's HTTP 200 ``{"status": "error"}``).

Nothing depends on the clock: dates are fixed, ``touch()`` changes them.
"""

import base64
import datetime
import html
import json
import re
import socket
import threading
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from lxml import etree

BASE_DATE = datetime.datetime(2024, 1, 10, 8, 0, 0)


def _date(minutes):
    return (BASE_DATE + datetime.timedelta(minutes=minutes)).strftime(
        "%Y-%m-%d %H:%M:%S"
    )


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: Message
    body: bytes

    def param(self, name, default=None):
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict = field(default_factory=dict)


def json_response(status, data, headers=None):
    return Response(
        status,
        json.dumps(data, ensure_ascii=False).encode("utf-8"),
        {"Content-Type": "application/json; charset=UTF-8", **(headers or {})},
    )


def html_response(status, title, headers=None):
    body = f"<!DOCTYPE html><html><head><title>{title}</title></head>"
    body += f"<body><h1>{title}</h1></body></html>"
    return Response(
        status,
        body.encode(),
        {"Content-Type": "text/html; charset=iso-8859-1", **(headers or {})},
    )


@dataclass
class Fault:
    kind: str
    path: str
    page: int | None
    times: int | None
    delay: float
    retry_after: str


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once

    def do_GET(self):
        self.server.fake.dispatch(self, "GET")

    def do_POST(self):
        self.server.fake.dispatch(self, "POST")

    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # the client left (timeout, injected fault): nothing to report


class FakeServer:
    """Base class: start/stop, request log, fault injection."""

    prefix = ""

    def __init__(self, count=250):
        self.count = count
        self.requests = []
        self._faults = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = None
        self._thread = None

    # ----------------------------------------------------------- lifecycle

    @property
    def url(self):
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}{self.prefix}"

    def start(self):
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ------------------------------------------------------ test interface

    def inject(self, kind, path="", page=None, times=None, delay=1.0, retry_after="0"):
        assert kind in (
            "error",
            "throttle",
            "disconnect",
            "malformed",
            "slow",
            "app_error",
        ), kind
        with self._lock:
            self._faults.append(Fault(kind, path, page, times, delay, retry_after))

    def hits(self, path=""):
        """Number of requests whose path contains ``path``."""
        with self._lock:
            return sum(1 for request in self.requests if path in request.path)

    # ------------------------------------------------------------ plumbing

    def handle(self, request):
        raise NotImplementedError

    def page_of(self, request):
        """Page number of a paged request (None when it is not paged)."""
        return None

    @staticmethod
    def offset_page(request, offset, limit, default_limit):
        """Page number of a request paged by ``offset`` and ``limit``
        parameters (None when they are not numbers)."""
        try:
            first = int(request.param(offset, "0"))
            size = int(request.param(limit, str(default_limit)))
        except ValueError:
            return None
        return first // max(1, size)

    def app_error(self, request):
        return json_response(500, {"error": "application error"})

    def server_error(self, request):
        return html_response(500, "500 Internal Server Error")

    def _take_fault(self, request):
        for fault in self._faults:
            if fault.path not in request.path or fault.times == 0:
                continue
            if fault.page is not None and self.page_of(request) != fault.page:
                continue
            if fault.times is not None:
                fault.times -= 1
            return fault
        return None

    def dispatch(self, handler, method):
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        request = Request(
            method,
            unquote(split.path),
            parse_qs(split.query, keep_blank_values=True),
            handler.headers,
            handler.rfile.read(length) if length else b"",
        )
        with self._lock:
            self.requests.append(request)
            fault = self._take_fault(request)
        kind = fault.kind if fault else None
        if kind == "slow":
            self._stopping.wait(fault.delay)
        if kind == "error":
            response = self.server_error(request)
        elif kind == "throttle":
            response = json_response(
                429,
                {"message": "Too Many Attempts."},
                {"Retry-After": fault.retry_after},
            )
        elif kind == "app_error":
            response = self.app_error(request)
        else:
            response = self.handle(request)
        body = response.body
        if kind == "malformed":
            body = body[: max(1, len(body) // 2)]
        try:
            handler.send_response(response.status)
            for name, value in response.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if kind == "disconnect":
                handler.wfile.write(body[: len(body) // 2])
                handler.wfile.flush()
                handler.close_connection = True
                handler.connection.shutdown(socket.SHUT_RDWR)
                return
            handler.wfile.write(body)
        except OSError:
            handler.close_connection = True  # the client is gone


# =====================================================================
# GLPI
# =====================================================================

GLPI_DROPDOWNS = {
    "states_id": {1: "En service", 2: "En stock", 3: "Don"},
    "manufacturers_id": {1: "Dell Inc.", 2: "HP", 3: "LENOVO", 4: "Samsung"},
    "locations_id": {1: "Siège > Bureau 2", 2: "Entrepôt"},
    # 3: a type of the park's own, no item has it unless a test gives it
    "computertypes_id": {1: "Portable", 2: "Unité centrale", 3: "Chariot de soins"},
    "computermodels_id": {1: "Latitude 5490", 2: "EliteDesk 800 G4", 3: "T480"},
    "monitortypes_id": {1: "Écran plat"},
    "monitormodels_id": {1: "P2419H", 2: "E2216H"},
    "phonetypes_id": {1: "Smartphone"},
    "phonemodels_id": {1: "Galaxy A52"},
    "entities_id": {0: "Entité racine"},
}
GLPI_ITEMTYPES = {
    "Computer": ("computermodels_id", "computertypes_id", "glpi_computers"),
    "Monitor": ("monitormodels_id", "monitortypes_id", "glpi_monitors"),
    "Phone": ("phonemodels_id", "phonetypes_id", "glpi_phones"),
}


def glpi_item(itemtype, number):
    """One asset as stored in GLPI (dropdowns as ids)."""
    model_field, type_field, _table = GLPI_ITEMTYPES[itemtype]
    prefix = {"Computer": "PC", "Monitor": "ECR", "Phone": "TEL"}[itemtype]
    item = {
        "id": number,
        "entities_id": 0,
        "name": f"{prefix}-{number:04d}",
        "serial": f"{prefix}SN{number:06d}",
        "otherserial": f"INV-{prefix}-{number:05d}",
        "contact": None,
        "contact_num": None,
        "users_id_tech": 0,
        "groups_id_tech": 0,
        "comment": "",
        "date_mod": _date((number * 89) % 997),
        "date_creation": _date(-10000),
        "locations_id": number % 3,
        model_field: 1 + number % 2,
        type_field: number % 3 if itemtype == "Computer" else number % 2,
        "manufacturers_id": 1 + number % 3,
        "states_id": 1 + number % 3,
        "is_template": 0,
        "template_name": None,
        "is_deleted": 0,
        "is_dynamic": 0,
        "users_id": 0,
        "groups_id": 0,
        "ticket_tco": "0.0000",
        "is_recursive": 0,
    }
    if itemtype == "Computer":
        item.update(
            {
                "operatingsystems_id": 0,
                "autoupdatesystems_id": 0,
                "networks_id": 0,
                "uuid": f"4C4C4544-0000-{number:04d}",
                "last_inventory_update": None,
            }
        )
    return item


class FakeGlpi(FakeServer):
    """GLPI's legacy REST API under ``/glpi/apirest.php``.

    ``rights``: item types the API user may read (others: 401
    ERROR_RIGHT_MISSING); ``app_token`` None means no app token required.
    """

    prefix = "/glpi/apirest.php"

    def __init__(
        self,
        count=250,
        monitors=30,
        phones=12,
        app_token="glpi-app-token-6b1f",
        user_token="glpi-user-token-93ac",
        rights=("Computer", "Monitor", "Phone", "Infocom"),
    ):
        super().__init__(count)
        self.app_token = app_token
        self.user_token = user_token
        self.rights = set(rights)
        self.sessions = set()
        self.killed = []
        self._session_count = 0
        self.items = {
            "Computer": [glpi_item("Computer", n) for n in range(1, count + 1)],
            "Monitor": [glpi_item("Monitor", n) for n in range(1, monitors + 1)],
            "Phone": [glpi_item("Phone", n) for n in range(1, phones + 1)],
        }
        # a template and a trashed computer: not devices to sync
        template = glpi_item("Computer", count + 1)
        template.update(is_template=1, name=None, template_name="Modèle portable")
        trashed = glpi_item("Computer", count + 2)
        trashed["is_deleted"] = 1
        self.items["Computer"] += [template, trashed]
        self.items["Computer"][6]["name"] = "Poste R&D <labo>"
        self.infocoms = []
        for itemtype, items in self.items.items():
            for item in items:
                if item["id"] % 4 == 0:
                    bought = datetime.date(2019, 1, 1) + datetime.timedelta(
                        days=item["id"] * 3
                    )
                    self.infocoms.append(self._infocom(itemtype, item["id"], bought))
        self.infocoms.append(
            self._infocom("SoftwareLicense", 1, datetime.date(2020, 1, 1))
        )

    def _infocom(self, itemtype, items_id, bought):
        return {
            "id": len(self.infocoms) + 1,
            "items_id": items_id,
            "itemtype": itemtype,
            "entities_id": 0,
            "is_recursive": 0,
            "buy_date": bought.isoformat(),
            "use_date": None,
            "warranty_duration": 36,
            "order_number": None,
            "immo_number": None,
            "value": "850.0000",
            "warranty_value": "0.0000",
            "date_mod": _date(0),
            "date_creation": _date(-10000),
        }

    def item(self, itemtype, number):
        return next(i for i in self.items[itemtype] if i["id"] == number)

    def touch(self, itemtype, numbers, date_mod):
        for number in numbers:
            self.item(itemtype, number)["date_mod"] = date_mod

    # -------------------------------------------------------------- server

    def page_of(self, request):
        bounds = (request.param("range") or "0-49").split("-")
        try:
            start, end = int(bounds[0]), int(bounds[1])
        except (ValueError, IndexError):
            return None
        return start // max(1, end - start + 1)

    def server_error(self, request):
        return json_response(
            500, ["ERROR_SQL", "Unexpected SQL Error : MySQL server has gone away"]
        )

    def _error(self, status, code, message):
        return json_response(status, [code, message])

    def handle(self, request):
        if not request.path.startswith(self.prefix + "/"):
            return html_response(404, "404 Not Found")
        resource = request.path[len(self.prefix) + 1 :].strip("/")
        app_token = request.headers.get("App-Token") or request.param("app_token")
        if self.app_token and app_token != self.app_token:
            if app_token:
                return self._error(
                    400,
                    "ERROR_WRONG_APP_TOKEN_PARAMETER",
                    "parameter app_token seems wrong",
                )
            return self._error(
                400, "ERROR_APP_TOKEN_PARAMETERS_MISSING", "missing parameter app_token"
            )
        if resource == "initSession":
            return self._init_session(request)
        token = request.headers.get("Session-Token") or request.param("session_token")
        if not token:
            return self._error(
                400,
                "ERROR_SESSION_TOKEN_MISSING",
                "parameter session_token is missing or empty",
            )
        if token not in self.sessions:
            return self._error(
                401, "ERROR_SESSION_TOKEN_INVALID", "session_token seems invalid"
            )
        if resource == "killSession":
            self.sessions.discard(token)
            self.killed.append(token)
            return json_response(200, True)
        sanitized = request.headers.get("X-GLPI-Sanitized-Content", "true") != "false"
        parts = resource.split("/")
        if parts[0] == "search" and len(parts) == 2 and parts[1] in self.items:
            return self._search(request, parts[1])
        if resource == "getMultipleItems":
            return self._get_multiple(request, sanitized)
        if resource in self.items or resource == "Infocom":
            return self._get_items(request, resource, sanitized)
        return self._error(
            400,
            "ERROR_RESOURCE_NOT_FOUND_NOR_COMMONDBTM",
            "resource not found or not an instance of CommonDBTM",
        )

    def _init_session(self, request):
        authorization = request.headers.get("Authorization") or ""
        if not authorization.startswith("user_token "):
            return self._error(
                400,
                "ERROR_LOGIN_PARAMETERS_MISSING",
                "parameter(s) login, password or user_token are missing",
            )
        if authorization[len("user_token ") :] != self.user_token:
            return self._error(
                401, "ERROR_GLPI_LOGIN_USER_TOKEN", "parameter user_token seems invalid"
            )
        self._session_count += 1
        token = f"{self._session_count:04d}e5f2a9c0d1b7"
        self.sessions.add(token)
        return json_response(200, {"session_token": token})

    def _right_error(self):
        return self._error(
            401,
            "ERROR_RIGHT_MISSING",
            "You don't have permission to perform this action.",
        )

    def _range(self, request):
        bounds = (request.param("range") or "0-14").split("-")
        if len(bounds) != 2 or not all(bound.isdigit() for bound in bounds):
            return None
        return int(bounds[0]), int(bounds[1])

    def _expand(self, itemtype, item, sanitized, expand, hateoas):
        out = {}
        for key, value in item.items():
            if expand and key in GLPI_DROPDOWNS:
                value = GLPI_DROPDOWNS[key].get(value, "&nbsp;")
            if sanitized and isinstance(value, str):
                value = html.escape(value, quote=False)
            out[key] = value
        if hateoas:
            out["links"] = [
                {"rel": "Entity", "href": f"{self.url}/Entity/0"},
                {"rel": "State", "href": f"{self.url}/State/{item.get('states_id')}"},
            ]
        return out

    def _page_bounds(self, request, total):
        """GLPI's ``range`` parameter within ``total``: ``((start, end), None)``
        or ``(None, error response)``, as GLPI answers a bad range."""
        bounds = self._range(request)
        if bounds is None:
            return None, self._error(
                400, "ERROR", "range must be in format : [start-end] with integers"
            )
        start, end = bounds
        if start > total:
            return None, self._error(
                400,
                "ERROR_RANGE_EXCEED_TOTAL",
                f"Provided range exceed total count of data: {total}",
            )
        return (start, min(end, total - 1)), None

    def _ranged(self, itemtype, rows, request, build):
        total = len(rows)
        bounds, error = self._page_bounds(request, total)
        if error:
            return error
        start, end = bounds
        status = 206 if end - start + 1 < total else 200
        headers = {"Accept-Range": f"{itemtype} 1000"}
        if total:
            headers["Content-Range"] = f"{start}-{end}/{total}"
        return json_response(status, build(rows[start : end + 1], total), headers)

    def _get_items(self, request, itemtype, sanitized):
        if itemtype not in self.rights:
            return self._right_error()
        rows = self.infocoms if itemtype == "Infocom" else self.items[itemtype]
        deleted = request.param("is_deleted", "false") in ("1", "true")
        if itemtype != "Infocom":
            rows = [row for row in rows if bool(row["is_deleted"]) == deleted]
        sort = request.param("sort", "id")
        if sort not in rows[0]:
            table = GLPI_ITEMTYPES.get(itemtype, ("", "", "glpi_infocoms"))[2]
            return self._error(400, "ERROR", f"sort param is not a field of {table}")
        descending = (request.param("order") or "ASC").upper() == "DESC"
        rows = sorted(rows, key=lambda row: row[sort] or "", reverse=descending)
        expand = request.param("expand_dropdowns") in ("1", "true")
        hateoas = request.param("get_hateoas", "true") not in ("0", "false")
        return self._ranged(
            itemtype,
            rows,
            request,
            lambda page, _total: [
                self._expand(itemtype, row, sanitized, expand, hateoas) for row in page
            ],
        )

    def _search(self, request, itemtype):
        if itemtype not in self.rights:
            return self._right_error()
        rows = [
            row
            for row in self.items[itemtype]
            if not row["is_deleted"] and not row["is_template"]
        ]
        shown = {1, 2, 80}  # always displayed: name, id, entity
        index = 0
        while request.param(f"criteria[{index}][field]") is not None:
            field_id = request.param(f"criteria[{index}][field]")
            searchtype = request.param(f"criteria[{index}][searchtype]")
            value = request.param(f"criteria[{index}][value]")
            if field_id != "19" or searchtype not in ("morethan", "lessthan"):
                return self._error(400, "ERROR", "Bad field ID in search criteria")
            if searchtype == "morethan":
                rows = [row for row in rows if row["date_mod"] > value]
            else:
                rows = [row for row in rows if row["date_mod"] < value]
            shown.add(19)
            index += 1
        index = 0
        while request.param(f"forcedisplay[{index}]") is not None:
            number = int(request.param(f"forcedisplay[{index}]"))
            if number not in (1, 2, 19, 80):
                return self._error(400, "ERROR", "unknown search option")
            shown.add(number)
            index += 1
        sort = request.param("sort", "1")
        key = {"1": "name", "2": "id", "19": "date_mod"}.get(sort)
        if key is None:
            return self._error(400, "ERROR", "Bad sort field")
        descending = (request.param("order") or "ASC").upper() == "DESC"
        rows = sorted(rows, key=lambda row: row[key] or "", reverse=descending)
        total = len(rows)
        bounds, error = self._page_bounds(request, total)
        if error:
            return error
        start, end = bounds
        page = rows[start : end + 1]
        values = {1: "name", 2: "id", 19: "date_mod"}
        data = {
            "totalcount": total,
            "count": len(page),
            "sort": [int(sort)],
            "order": ["DESC" if descending else "ASC"],
        }
        if page:  # GLPI leaves "data" out when nothing matched
            data["data"] = [
                {
                    str(number): row[values[number]]
                    if number in values
                    else "Entité racine"
                    for number in sorted(shown)
                }
                for row in page
            ]
        data["content-range"] = f"{start}-{end}/{total}"
        headers = {"Accept-Range": f"{itemtype} 1000"}
        if total:
            headers["Content-Range"] = data["content-range"]
        return json_response(200 if len(page) >= total else 206, data, headers)

    def _get_multiple(self, request, sanitized):
        found, index = [], 0
        expand = request.param("expand_dropdowns") in ("1", "true")
        hateoas = request.param("get_hateoas", "true") not in ("0", "false")
        while request.param(f"items[{index}][itemtype]") is not None:
            itemtype = request.param(f"items[{index}][itemtype]")
            number = request.param(f"items[{index}][items_id]")
            if itemtype not in self.items:
                return self._error(
                    400,
                    "ERROR_RESOURCE_NOT_FOUND_NOR_COMMONDBTM",
                    "resource not found or not an instance of CommonDBTM",
                )
            if itemtype not in self.rights:
                return self._right_error()
            try:
                item = self.item(itemtype, int(number))
            except (StopIteration, ValueError):
                return self._error(404, "ERROR_ITEM_NOT_FOUND", "Item not found")
            found.append(self._expand(itemtype, item, sanitized, expand, hateoas))
            index += 1
        if not index:
            return self._error(
                400, "ERROR_BAD_ARRAY", "input parameter must be an array of objects"
            )
        return json_response(200, found)


class FakeGlpiHl(FakeServer):
    """GLPI 11's high-level API (v2, OAuth2) under ``/glpi/api.php``: the
    token endpoint of league/oauth2-server as GLPI configures it, Bearer
    checks, ``/v2/Assets/{itemtype}`` with ``start``/``limit``/``sort``,
    ``Content-Range`` and an RSQL ``filter`` on ``date_mod``, ``id`` and
    ``is_deleted`` (see ``services/connectors/glpi_hl.py``). The assets are
    those of :class:`FakeGlpi`, as GLPI's schemas nest them.

    ``token_uses``: calls a token is good for before GLPI answers that it
    has expired (None: until ``expires_in`` seconds, which a test does not
    reach); ``expires_in``: the lifetime the token endpoint announces;
    ``client_credentials``: whether a token of that grant may read the API
    (GLPI 11 says such grants are not supported yet: answered as
    unauthenticated); ``rights``: item types the API user may read;
    ``enabled``: the high-level API is enabled in GLPI's setup.
    """

    prefix = "/glpi/api.php"
    offset = "+01:00"  # the server's time zone (Europe/Paris in winter)

    def __init__(
        self,
        count=250,
        monitors=30,
        phones=12,
        client_id="9f0c2b7e4d5a61f3",
        client_secret="glpi-oauth-secret-51e8",
        username="api-reemploi",
        password="Mot de passe 2024!",
        token_uses=None,
        expires_in=3600,
        client_credentials=False,
        rights=("Computer", "Monitor", "Phone"),
        enabled=True,
    ):
        super().__init__(count)
        self.client_id = client_id
        self.client_secret = client_secret
        self.username = username
        self.password = password
        self.token_uses = token_uses
        self.expires_in = expires_in
        self.client_credentials = client_credentials
        self.rights = set(rights)
        self.enabled = enabled
        self.tokens = {}  # access token -> {"user": …, "uses": n}
        self.grants = []  # grant_type of each token issued
        legacy = FakeGlpi(count, monitors, phones)  # the same park
        self.items = legacy.items
        self.item = legacy.item
        self.touch = legacy.touch

    def page_of(self, request):
        if "/Assets/" not in request.path:
            return None
        return self.offset_page(request, "start", "limit", 100)

    def server_error(self, request):
        return json_response(
            500,
            {
                "status": "ERROR",
                "title": "An internal error occurred while trying to fetch the data.",
                "detail": None,
            },
        )

    @staticmethod
    def _error(status, code, title, detail=None):
        return json_response(status, {"status": code, "title": title, "detail": detail})

    @staticmethod
    def _oauth_error(status, error, description, hint=None):
        body = {"error": error, "error_description": description}
        if hint:
            body["hint"] = hint
        return json_response(status, body)

    def handle(self, request):
        if not request.path.startswith(self.prefix + "/"):
            return html_response(404, "404 Not Found")
        route = request.path[len(self.prefix) :]
        version = re.match(r"^/v(\d+(?:\.\d+)*)/", route)
        if version:  # api.php: the version prefix picks the routes
            if not version[1].startswith("2"):
                return Response(404)
            route = route[version.end() - 1 :]
        if route == "/token" and request.method == "POST":
            return self._token(request)
        parts = route.strip("/").split("/")
        if request.method == "GET" and len(parts) == 2 and parts[0] == "Assets":
            if parts[1] not in self.items:
                return Response(404)
            return self._assets(request, parts[1])
        return Response(404)  # the router matched no route: empty 404

    # ------------------------------------------------------------- OAuth2

    def _token(self, request):
        kind = request.headers.get("Content-Type", "")
        if "json" in kind:
            form = json.loads(request.body or b"{}")
        else:
            form = {
                key: values[0]
                for key, values in parse_qs(request.body.decode()).items()
            }
        grant = form.get("grant_type")
        if grant not in ("password", "client_credentials", "refresh_token"):
            return self._oauth_error(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the "
                "authorization server.",
                "Check that all required parameters have been provided",
            )
        if (form.get("client_id"), form.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return self._oauth_error(
                401, "invalid_client", "Client authentication failed"
            )
        if "api" not in (form.get("scope") or "").split():
            return self._oauth_error(
                400,
                "invalid_scope",
                "The requested scope is invalid, unknown, or malformed",
                "Specify a scope in the request or set a default scope",
            )
        user = None
        if grant == "password":
            for name in ("username", "password"):
                if not form.get(name):
                    return self._oauth_error(
                        400,
                        "invalid_request",
                        "The request is missing a required parameter, includes an "
                        "invalid parameter value, includes a parameter more than "
                        "once, or is otherwise malformed.",
                        f"Check the `{name}` parameter",
                    )
            if (form["username"], form["password"]) != (self.username, self.password):
                return self._oauth_error(
                    400, "invalid_grant", "The user credentials were incorrect."
                )
            user = form["username"]
        with self._lock:
            self.grants.append(grant)
            token = f"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.{len(self.grants):04d}.sig"
            self.tokens[token] = {"user": user, "uses": 0}
        body = {
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "access_token": token,
        }
        if grant == "password":
            body["refresh_token"] = f"def50200{len(self.grants):04d}"
        return json_response(200, body)

    def _authenticate(self, request):
        """None when the Bearer token may call the API, else the answer."""
        authorization = request.headers.get("Authorization") or ""
        if not authorization.startswith("Bearer "):
            return json_response(
                401,
                {
                    "title": "You are not authenticated",
                    "detail": "The Authorization header is missing or invalid",
                    "status": "ERROR_UNAUTHENTICATED",
                },
            )
        with self._lock:
            token = self.tokens.get(authorization[len("Bearer ") :])
            if token is not None:
                token["uses"] += 1
        if token is None or (
            self.token_uses is not None and token["uses"] > self.token_uses
        ):
            return self._error(
                400,
                "ERROR_INVALID_PARAMETER",
                "Invalid OAuth token",
                "Access token could not be verified"
                if token is None
                else "Access token has expired",
            )
        if token["user"] is None and not self.client_credentials:
            return json_response(
                401,
                {
                    "title": "You are not authenticated",
                    "detail": "The Authorization header is missing or invalid",
                    "status": "ERROR_UNAUTHENTICATED",
                },
            )
        if not self.enabled:
            return self._error(
                403,
                "ERROR_RIGHT_MISSING",
                "You don't have permission to perform this action.",
                "The High-Level API is disabled",
            )
        return None

    # ------------------------------------------------------------- assets

    def _asset(self, itemtype, item):
        """``item`` as the high-level API shows it."""
        model_field, type_field, _table = GLPI_ITEMTYPES[itemtype]

        def dropdown(field):
            number = item.get(field) or 0
            name = GLPI_DROPDOWNS[field].get(number)
            if not number or name is None:
                return None
            return {"id": number, "name": name.split(" > ")[-1]}

        date_mod = item["date_mod"].replace(" ", "T") + self.offset
        return {
            "id": item["id"],
            "name": item["name"],
            "comment": item["comment"],
            "date_creation": item["date_creation"].replace(" ", "T") + self.offset,
            "date_mod": date_mod,
            "status": dropdown("states_id"),
            "location": dropdown("locations_id"),
            "entity": {
                "id": 0,
                "name": "Entité racine",
                "completename": "Entité racine",
            },
            "is_recursive": False,
            "type": dropdown(type_field),
            "manufacturer": dropdown("manufacturers_id"),
            "model": dropdown(model_field),
            "user": None,
            "user_tech": None,
            "group": [],
            "group_tech": [],
            "contact": item["contact"],
            "contact_num": item["contact_num"],
            "serial": item["serial"],
            "otherserial": item["otherserial"],
            "uuid": item.get("uuid"),
            "is_deleted": bool(item["is_deleted"]),
        }

    def _filter(self, rows, text):
        """Rows matching an RSQL ``filter`` of ``;``-separated comparisons,
        or an error answer, as GLPI refuses unknown properties."""
        invalid = {}
        for part in text.split(";"):
            match = re.match(r"^([\w.]+)(==|!=|=[a-z]*=)(.*)$", part)
            if not match:
                return None, self._error(
                    400, "ERROR_INVALID_PARAMETER", "Invalid RSQL query"
                )
            prop, operator, value = match.groups()
            if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            compare = {
                "==": lambda a, b: a == b,
                "!=": lambda a, b: a != b,
                "=ge=": lambda a, b: a >= b,
                "=gt=": lambda a, b: a > b,
                "=le=": lambda a, b: a <= b,
                "=lt=": lambda a, b: a < b,
            }.get(operator)
            if prop not in ("id", "date_mod", "is_deleted"):
                invalid[prop] = "Unknown property"
                continue
            if compare is None:
                invalid[prop] = "Unknown operator"
                continue
            if prop == "is_deleted":
                value = int(value.lower() in ("1", "true", "on", "yes"))
            elif prop == "id":
                value = int(value) if value.isdigit() else -1
            rows = [row for row in rows if compare(row[prop], value)]
        if invalid:
            return None, self._error(
                400,
                "ERROR_INVALID_PARAMETER",
                "RSQL query has invalid filters",
                invalid,
            )
        return rows, None

    def _assets(self, request, itemtype):
        refused = self._authenticate(request)
        if refused:
            return refused
        if itemtype not in self.rights:
            return self._error(
                403,
                "ERROR_RIGHT_MISSING",
                "You don't have permission to perform this action.",
            )
        # templates are not assets of the high-level API's lists
        rows = [row for row in self.items[itemtype] if not row["is_template"]]
        if request.param("filter"):
            rows, error = self._filter(rows, request.param("filter"))
            if error:
                return error
        sort = request.param("sort") or "id"
        prop, _sep, direction = sort.partition(":")
        if prop not in ("id", "name", "date_mod"):
            return self._error(400, "ERROR", f"Invalid property for sorting: {prop}")
        rows = sorted(
            rows, key=lambda row: row[prop] or "", reverse=direction.lower() == "desc"
        )
        start = int(request.param("start", "0"))
        limit = int(request.param("limit", "100"))
        total = len(rows)
        page = rows[start : start + limit]
        # ResourceAccessor::searchBySchema, its off-by-one included
        end = max(0, start + limit - 1)
        if end > total:
            end = total - 1
        return json_response(
            206 if start + limit < total else 200,
            [self._asset(itemtype, row) for row in page],
            {"Content-Range": f"{start}-{end}/{total}"},
        )


# =====================================================================
# Snipe-IT
# =====================================================================

SNIPE_MODELS = [
    ({"id": 1, "name": "Latitude 5490"}, "Laptops", "Dell"),
    ({"id": 2, "name": "EliteDesk 800 G4"}, "Desktops", "HP"),
    ({"id": 3, "name": "iPhone 12"}, "Mobile Phones", "Apple"),
]
SNIPE_STATUSES = [
    {"id": 1, "name": "Ready to Deploy", "status_type": "deployable"},
    {"id": 2, "name": "Deployed", "status_type": "deployable"},
    {"id": 3, "name": "Pending", "status_type": "pending"},
]
SNIPE_LOCATIONS = [{"id": 1, "name": "Lyon"}, {"id": 2, "name": "Saint-Étienne"}]


def _e(value):
    """Laravel's e(): htmlspecialchars with ENT_QUOTES."""
    if value is None:
        return None
    return html.escape(str(value), quote=True).replace("&#x27;", "&#039;")


def _snipe_datetime(value):
    if not value:
        return None
    stamp = datetime.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    return {"datetime": value, "formatted": stamp.strftime("%d/%m/%Y %H:%M")}


def _snipe_date(value):
    if not value:
        return None
    stamp = datetime.datetime.strptime(value, "%Y-%m-%d")
    return {"date": value, "formatted": stamp.strftime("%d/%m/%Y")}


class FakeSnipeIt(FakeServer):
    """Snipe-IT's API v1 (``/api/v1/hardware``)."""

    def __init__(self, count=250, token="snipe-personal-access-token", max_results=500):
        super().__init__(count)
        self.token = token
        self.max_results = max_results
        self.assets = []
        for number in range(1, count + 1):
            model, category, manufacturer = SNIPE_MODELS[number % 3]
            self.assets.append(
                {
                    "id": number,
                    "name": f"Laptop {number:03d}" if number % 3 != 2 else "",
                    "asset_tag": f"A{number:05d}",
                    "serial": f"SNIPE{number:06d}",
                    "model": model,
                    "model_number": f"MN-{model['id']}",
                    "status": SNIPE_STATUSES[number % 3],
                    "category": {"id": number % 3 + 1, "name": category},
                    "manufacturer": {"id": number % 3 + 1, "name": manufacturer},
                    "location": SNIPE_LOCATIONS[number % 2] if number % 5 else None,
                    "rtd_location": SNIPE_LOCATIONS[0],
                    "purchase_date": (
                        datetime.date(2020, 1, 1) + datetime.timedelta(days=number)
                    ).isoformat()
                    if number % 4
                    else None,
                    "purchase_cost": f"{1000 + number * 3.5:.2f}",
                    "created_at": _date(-5000),
                    "updated_at": _date((number * 61) % 983),
                }
            )
        self.assets[9]["name"] = "Mac O'Brien & Co"

    def touch(self, numbers, updated_at):
        for number in numbers:
            self.assets[number - 1]["updated_at"] = updated_at

    def page_of(self, request):
        return self.offset_page(request, "offset", "limit", self.max_results)

    def app_error(self, request):
        return json_response(
            200,
            {"status": "error", "messages": "Server Error", "payload": None},
        )

    def handle(self, request):
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            if "json" in (request.headers.get("Accept") or ""):
                return json_response(401, {"error": "Unauthorized or unauthenticated."})
            return Response(302, b"", {"Location": f"{self.url}/login"})
        if request.path == "/api/v1/hardware":
            return self._index(request)
        if request.path.startswith("/api/v1/hardware/byserial/"):
            serial = request.path[len("/api/v1/hardware/byserial/") :]
            found = [asset for asset in self.assets if asset["serial"] == serial]
            if not found:
                return json_response(
                    200,
                    {
                        "status": "error",
                        "messages": "Asset does not exist.",
                        "payload": None,
                    },
                )
            return json_response(
                200,
                {"total": len(found), "rows": [self._transform(a) for a in found]},
            )
        return json_response(
            404,
            {"status": "error", "messages": "404 endpoint not found", "payload": None},
        )

    def _index(self, request):
        assets = self.assets
        if request.param("status_id"):
            assets = [
                asset
                for asset in assets
                if str(asset["status"]["id"]) == request.param("status_id")
            ]
        allowed = ("id", "name", "asset_tag", "serial", "created_at", "updated_at")
        sort = request.param("sort")
        column = sort if sort in allowed else "created_at"
        descending = request.param("order") != "asc"
        assets = sorted(
            assets,
            key=lambda asset: (asset[column] or "", asset["id"]),
            reverse=descending,
        )
        try:
            limit = abs(int(request.param("limit", "0")))
        except ValueError:
            limit = 0
        limit = limit if 0 < limit <= self.max_results else self.max_results
        total = len(assets)
        try:
            offset = int(request.param("offset", "0"))
        except ValueError:
            offset = 0
        offset = min(max(offset, 0), total)
        rows = [self._transform(asset) for asset in assets[offset : offset + limit]]
        return json_response(200, {"total": total, "rows": rows})

    def _transform(self, asset):
        """AssetsTransformer::transformAsset."""
        status = asset["status"]

        def named(value):
            return {"id": value["id"], "name": _e(value["name"])} if value else None

        return {
            "id": asset["id"],
            "name": _e(asset["name"]),
            "asset_tag": _e(asset["asset_tag"]),
            "serial": _e(asset["serial"]),
            "model": named(asset["model"]),
            "byod": False,
            "requestable": False,
            "model_number": _e(asset["model_number"]),
            "eol": None,
            "asset_eol_date": None,
            "status_label": {
                "id": status["id"],
                "name": _e(status["name"]),
                "status_type": status["status_type"],
                "status_meta": status["status_type"],
            },
            "category": named(asset["category"]),
            "manufacturer": named(asset["manufacturer"]),
            "supplier": None,
            "notes": None,
            "order_number": None,
            "company": None,
            "location": named(asset["location"]),
            "rtd_location": named(asset["rtd_location"]),
            "image": None,
            "qr": None,
            "alt_barcode": None,
            "assigned_to": None,
            "warranty_months": None,
            "warranty_expires": None,
            "created_at": _snipe_datetime(asset["created_at"]),
            "updated_at": _snipe_datetime(asset["updated_at"]),
            "last_audit_date": None,
            "next_audit_date": None,
            "deleted_at": None,
            "purchase_date": _snipe_date(asset["purchase_date"]),
            "age": "",
            "last_checkout": None,
            "last_checkin": None,
            "expected_checkin": None,
            "purchase_cost": asset["purchase_cost"],
            "checkin_counter": 0,
            "checkout_counter": 0,
            "requests_counter": 0,
            "user_can_checkout": True,
            "book_value": asset["purchase_cost"],
            "custom_fields": [],
            "available_actions": {
                "checkout": True,
                "checkin": True,
                "clone": True,
                "restore": False,
                "update": True,
                "audit": True,
                "delete": True,
            },
        }


# =====================================================================
# OCS Inventory
# =====================================================================

OCS_CHASSIS = ["Notebook", "Desktop", "Laptop", ""]
OCS_SYSTEMS = ["Microsoft Windows 10 Professionnel", "Ubuntu 22.04.4 LTS"]
OCS_MACHINES = [("Dell Inc.", "Latitude 7490"), ("HP", "EliteBook 840 G5")]
# hardware.CHECKSUM and section masks (Apache/Ocsinventory/Map.pm)
OCS_MASKS = {"HARDWARE": 1, "BIOS": 2, "MEMORIES": 4}
OCS_ALL_SECTIONS = 4194303


def ocs_computers(count):
    """Computers as OCS stores them: hardware row, bios and accountinfo
    rows, memories. Two group entries share the hardware table."""
    computers = []
    for number in range(1, count + 1):
        manufacturer, model = OCS_MACHINES[number % 2]
        hardware = {
            "ID": number,
            "DEVICEID": f"PC-{number:04d}-2024-01-02-09-15-27",
            "NAME": f"PC-{number:04d}",
            "WORKGROUP": "REEMPLOI",
            "USERDOMAIN": "REEMPLOI",
            "OSNAME": OCS_SYSTEMS[number % 2],
            "OSVERSION": "10.0.19045" if number % 2 == 0 else "6.5.0-35-generic",
            "OSCOMMENTS": "",
            "PROCESSORT": "Intel(R) Core(TM) i5-8350U CPU @ 1.70GHz",
            "PROCESSORS": 1700,
            "PROCESSORN": 4,
            "MEMORY": 8192 if number % 3 else 16384,
            "SWAP": 2048,
            "IPADDR": f"10.0.{number // 250}.{number % 250}",
            "DNS": "10.0.0.1",
            "DEFAULTGATEWAY": "10.0.0.254",
            "ETIME": None,
            "LASTDATE": _date((number * 53) % 991),
            "LASTCOME": _date((number * 53) % 991 + 5),
            "QUALITY": "0.0000",
            "FIDELITY": 12,
            "USERID": f"user{number}",
            "TYPE": 0,
            "DESCRIPTION": "x86_64/00-00-00 00:00:00",
            "WINCOMPANY": None,
            "WINOWNER": None,
            "WINPRODID": None,
            "WINPRODKEY": None,
            "USERAGENT": "OCS-NG_WINDOWS_AGENT_v2.10.1.0",
            "CHECKSUM": 262143,
            "SSTATE": 0,
            "IPSRC": f"10.0.0.{number % 250}",
            "UUID": f"4C4C4544-{number:04d}",
            "ARCH": "x86_64",
            "CATEGORY_ID": None,
            "ARCHIVE": None,
        }
        bios = {
            "HARDWARE_ID": number,
            "SMANUFACTURER": manufacturer,
            "SMODEL": model,
            "SSN": f"OCSSN{number:06d}",
            "TYPE": OCS_CHASSIS[number % 4],
            "BMANUFACTURER": manufacturer,
            "BVERSION": "1.21.0",
            "BDATE": "07/10/2022",
            "ASSETTAG": "",
            "MMANUFACTURER": manufacturer,
            "MMODEL": "0KP0FT",
            "MSN": f"/{number:07d}/",
        }
        computers.append(
            {
                "hardware": hardware,
                "bios": [bios],
                "accountinfo": [{"HARDWARE_ID": number, "TAG": f"SITE-{number % 3}"}],
                "memories": [
                    {
                        "HARDWARE_ID": number,
                        "CAPACITY": "8192",
                        "TYPE": "DDR4",
                        "SPEED": "2400",
                        "NUMSLOTS": 1,
                    }
                ],
            }
        )
    computers[2]["hardware"]["NAME"] = "Poste-Réception"
    for number, deviceid in (
        (count + 1, "_SYSTEMGROUP_"),
        (count + 2, "_DOWNLOADGROUP_"),
    ):
        group = json.loads(json.dumps(computers[0]))
        group["hardware"].update(ID=number, DEVICEID=deviceid, NAME=f"Groupe {number}")
        for section in ("bios", "accountinfo", "memories"):
            group[section] = []
        computers.insert(number // 3, group)
    return computers


class _FakeOcs(FakeServer):
    """Shared by the REST and SOAP fakes: computers, HTTP basic auth, time
    zone of the database (``FROM_UNIXTIME``)."""

    realm = "OCS Inventory"

    def __init__(self, count=250, login=None, password=None, zone=None):
        super().__init__(count)
        self.login = login
        self.password = password
        # the database's time zone (FROM_UNIXTIME), UTC+2 unless told
        self.zone = zone or datetime.timezone(datetime.timedelta(hours=2))
        self.computers = ocs_computers(count)

    def computer(self, number):
        return next(c for c in self.computers if c["hardware"]["ID"] == number)

    def touch(self, numbers, lastdate):
        for number in numbers:
            self.computer(number)["hardware"]["LASTDATE"] = lastdate

    def _authorised(self, request):
        if not self.login:
            return True
        expected = base64.b64encode(f"{self.login}:{self.password}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    def _unauthorised(self):
        return html_response(
            401,
            "401 Unauthorized",
            {"WWW-Authenticate": f'Basic realm="{self.realm}"'},
        )


class FakeOcsRest(_FakeOcs):
    """The OCS REST API (Mojolicious app under ``/ocsapi``)."""

    def page_of(self, request):
        if not request.path.endswith("/computers"):
            return None
        return self.offset_page(request, "start", "limit", 1)

    def handle(self, request):
        if not self._authorised(request):
            return self._unauthorised()
        path = request.path
        if path == "/ocsapi/v1/computers":
            start = request.param("start", "0")
            limit = request.param("limit", "0")
            start = int(start) if start.isdigit() else 0
            limit = int(limit) if limit.isdigit() else 0
            if not limit:  # error_return(001) then a die on the string
                return html_response(500, "500 Internal Server Error")
            page = self.computers[start : start + limit]
            return json_response(200, self._json(page))
        if path.startswith("/ocsapi/v1/computers/lastupdate"):
            stamp = path.rsplit("/", 1)[-1]
            stamp = int(stamp) if stamp.isdigit() else 0
            since = datetime.datetime.fromtimestamp(stamp, self.zone)
            since = since.strftime("%Y-%m-%d %H:%M:%S")
            return json_response(
                200,
                [
                    {"ID": c["hardware"]["ID"]}
                    for c in self.computers
                    if c["hardware"]["LASTDATE"] > since
                ],
            )
        if path.startswith("/ocsapi/v1/computer/"):
            number = path.rsplit("/", 1)[-1]
            found = [c for c in self.computers if str(c["hardware"]["ID"]) == number]
            data = self._json(found, software=True)
            return json_response(200, data)
        return html_response(404, "Page not found")

    def _json(self, computers, software=False):
        """to_json of {ID: {hardware, sections...}}: null when empty."""
        if not computers:
            return None
        out = {}
        for computer in computers:
            sections = dict(computer)
            sections.update(cpus=[], networks=[], storages=[], videos=[])
            if software:
                sections["software"] = [
                    {"ID": 1, "NAME": "Mozilla Firefox", "VERSION": "126.0"}
                ]
            out[str(computer["hardware"]["ID"])] = sections
        return out


SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


class _PerlDie(Exception):
    """A die() in the Perl code: SOAP::Lite turns it into a fault."""


class FakeOcsSoap(_FakeOcs):
    """The OCS SOAP web service (``/ocsinterface``, SOAP::Lite), with
    ``OCS_OPT_WEB_SERVICE_RESULTS_LIMIT`` = ``results_limit``. ``bios``
    False answers like OCS 2.10 and later (no BIOS section)."""

    realm = "OCS Inventory SOAP Area"

    def __init__(
        self,
        count=250,
        login="soap",
        password="s0ap-secret",
        results_limit=100,
        bios=True,
    ):
        super().__init__(count, login, password)
        self.results_limit = results_limit
        self.bios = bios
        self.parsed = []  # the <REQUEST> documents received

    def page_of(self, request):
        try:
            envelope = etree.fromstring(request.body)
            argument = envelope.find(f"{{{SOAP_ENV}}}Body")[0][0].text
            offset = etree.fromstring(argument).findtext("OFFSET")
        except Exception:  # noqa: BLE001 - not a page request
            return None
        return int(offset) if offset and offset.isdigit() else None

    def server_error(self, request):
        return html_response(500, "500 Internal Server Error")

    def app_error(self, request):
        return self._fault(
            "Server",
            "DBD::mysql::st execute failed: Table 'ocsweb.hardware' is crashed",
        )

    def _fault(self, code, message):
        envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
        body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
        fault = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
        etree.SubElement(fault, "faultcode").text = f"soap:{code}"
        etree.SubElement(fault, "faultstring").text = message
        return Response(
            500,
            etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"),
            {
                "Content-Type": "text/xml; charset=utf-8",
                "SOAPServer": "SOAP::Lite/Perl/1.27",
            },
        )

    def handle(self, request):
        if request.path != "/ocsinterface" or request.method != "POST":
            return html_response(404, "404 Not Found")
        if not self._authorised(request):
            return self._unauthorised()
        try:
            envelope = etree.fromstring(
                request.body, etree.XMLParser(resolve_entities=False, no_network=True)
            )
            call = envelope.find(f"{{{SOAP_ENV}}}Body")[0]
        except (etree.XMLSyntaxError, TypeError, IndexError):
            return self._fault(
                "Client", "Application failed during request deserialization"
            )
        uri, method = etree.QName(call).namespace or "", etree.QName(call).localname
        action = (request.headers.get("SOAPAction") or "").strip('"')
        if action and action not in (f"{uri}#{method}", f"{uri}/{method}"):
            return self._fault(
                "Client",
                f"SOAPAction shall match 'uri#method' if present (got '{action}', "
                f"expected '{uri}#{method}')",
            )
        path = urlsplit(uri).path.strip("/").replace("/", "::")
        if path != "Apache::Ocsinventory::Interface":
            return self._fault(
                "Client", f"Denied access to method ({method}) in class ({path})"
            )
        if method != "get_computers_V1":
            return self._fault(
                "Client",
                f"Failed to locate method ({method}) in class "
                "(Apache::Ocsinventory::Interface)",
            )
        arguments = [child.text or "" for child in call]
        try:
            values = self._get_computers(arguments[0] if arguments else "")
        except _PerlDie as error:
            return self._fault("Server", str(error))
        return self._answer(uri, values)

    def _answer(self, uri, values):
        """SOAP::Lite's envelope for a list of returned strings."""
        nsmap = {
            "soap": SOAP_ENV,
            "xsi": XSI,
            "xsd": "http://www.w3.org/2001/XMLSchema",
            "soapenc": "http://schemas.xmlsoap.org/soap/encoding/",
        }
        envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=nsmap)
        envelope.set(
            f"{{{SOAP_ENV}}}encodingStyle", "http://schemas.xmlsoap.org/soap/encoding/"
        )
        body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
        response = etree.SubElement(
            body, f"{{{uri}}}get_computers_V1Response", nsmap={"namesp1": uri}
        )
        for number, value in enumerate(values):
            part = etree.SubElement(response, f"s-gensym{3 + 2 * number}")
            data = value.encode("utf-8")
            if any(byte > 0x7F for byte in data):
                part.set(f"{{{XSI}}}type", "xsd:base64Binary")
                part.text = base64.b64encode(data).decode()
            else:
                part.set(f"{{{XSI}}}type", "xsd:string")
                part.text = value
        return Response(
            200,
            etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"),
            {
                "Content-Type": "text/xml; charset=utf-8",
                "SOAPServer": "SOAP::Lite/Perl/1.27",
            },
        )

    def _get_computers(self, text):
        """Apache::Ocsinventory::Interface::Inventory::get_computers."""
        try:
            request = etree.fromstring(text)
        except etree.XMLSyntaxError:
            return ["You've malformed XML please check your SOAP Request"]
        self.parsed.append(request)
        offset = request.findtext("OFFSET")
        if offset is not None and not offset.isdigit():
            return ["<RESULT>\n  <ERROR>BAD_OFFSET</ERROR>\n</RESULT>\n"]
        begin = int(offset or 0) * self.results_limit
        if (request.findtext("ENGINE") or "").lower() != "first":
            raise _PerlDie("Not a CODE reference at Internals.pm line 51.")
        checksum = request.findtext("CHECKSUM")
        computers = [
            c for c in self.computers if not c["hardware"]["DEVICEID"].startswith("_")
        ]
        ids = {int(e.text) for e in request.findall("ID") if (e.text or "").isdigit()}
        if ids:
            computers = [c for c in computers if c["hardware"]["ID"] in ids]
        if checksum:
            computers = [
                c for c in computers if int(checksum) & c["hardware"]["CHECKSUM"]
            ]
        sort_by = request.findtext("SORT_BY") or "ID"
        sort_by = sort_by if sort_by in ("LASTCOME", "LASTDATE") else "ID"
        descending = request.findtext("SORT_DIR") == "DESC"
        computers = sorted(
            computers, key=lambda c: c["hardware"][sort_by], reverse=descending
        )[begin : begin + self.results_limit]
        asking = (request.findtext("ASKING_FOR") or "INVENTORY").upper()
        wanted = int(request.findtext("WANTED") or 0)
        sections = OCS_ALL_SECTIONS if checksum is None else int(checksum)
        build = self._meta if asking == "META" else self._inventory
        return [
            "<COMPUTERS>\n",
            *(build(c, sections, wanted) for c in computers),
            "</COMPUTERS>\n",
        ]

    @staticmethod
    def _xml(root, children):
        element = etree.Element(root)
        for name, value in children:
            etree.SubElement(element, name).text = "" if value is None else str(value)
        return element

    def _meta(self, computer, sections, wanted):
        hardware = computer["hardware"]
        element = self._xml(
            "COMPUTER",
            [
                ("CHECKSUM", hardware["CHECKSUM"]),
                ("DATABASEID", hardware["ID"]),
                ("DEVICEID", hardware["DEVICEID"]),
                ("LASTCOME", hardware["LASTCOME"]),
                ("LASTDATE", hardware["LASTDATE"]),
                ("NAME", hardware["NAME"]),
                ("TAG", computer["accountinfo"][0]["TAG"]),
            ],
        )
        return etree.tostring(element, encoding="unicode", pretty_print=True)

    def _inventory(self, computer, sections, wanted):
        element = etree.Element("COMPUTER")
        if wanted & 1:
            accountinfo = etree.SubElement(element, "ACCOUNTINFO")
            for key, value in computer["accountinfo"][0].items():
                if key != "HARDWARE_ID":
                    entry = etree.SubElement(accountinfo, "ENTRY", Name=key)
                    entry.text = str(value)
        masks = dict(OCS_MASKS)
        if not self.bios:  # Map.pm since OCS 2.10: bios mask 0
            masks["BIOS"] = 0
        for name, mask in sorted(masks.items()):
            if not sections & mask:
                continue
            rows = (
                [computer["hardware"]] if name == "HARDWARE" else computer[name.lower()]
            )
            for row in rows:
                element.append(
                    self._xml(
                        name, [(k, v) for k, v in row.items() if k != "HARDWARE_ID"]
                    )
                )
        return etree.tostring(element, encoding="unicode", pretty_print=True)
