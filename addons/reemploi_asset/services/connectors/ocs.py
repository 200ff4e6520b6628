"""OCS Inventory NG connectors: the REST API and the SOAP web service.

Both give the computers' rows with the column names of an OCS export (the
"ocs" preset): ``ID TAG NAME SSN SMANUFACTURER SMODEL TYPE OSNAME MEMORY
PROCESSORT LASTDATE``; ``MEMORY`` is in MB, ``TYPE`` is the BIOS chassis
type ("Desktop" when unknown). The cursor is the greatest ``LASTDATE`` (date
of the last inventory, in the server's local time).

OCS has no API tokens: both services sit behind Apache, the SOAP one with
HTTP basic authentication (``AuthType Basic`` on ``/ocsinterface``), the
REST one restricted to local addresses by default and often given basic
authentication too. The source's ``app_token`` is the HTTP login and its
``user_token`` the password.

REST (``Api/Ocsinventory/Restapi/Loader.pm`` and ``ApiCommon.pm``):

* ``GET /ocsapi/v1/computers?start=&limit=`` answers ``{"<ID>":
  {"hardware": {...}, "bios": [{...}], "accountinfo": [{"TAG": ...}], ...},
  ...}``, ``null`` past the end (``LIMIT/OFFSET`` on the hardware table).
* ``GET /ocsapi/v1/computers/lastupdate/<unix time>`` (OCS 2.9 and later;
  2.8 answers 404 and the paged list is read instead) lists ``[{"ID": n}]``
  of the computers with ``LASTDATE > FROM_UNIXTIME(t)``, then ``GET
  /ocsapi/v1/computer/<id>`` gives each one. ``FROM_UNIXTIME`` uses the
  database's time zone, which the client does not know: the time asked is
  the cursor read as UTC minus 14 hours (the largest offset), unless
  ``options={"timezone": "Europe/Paris"}`` names it; rows older than the
  cursor are then dropped. When more computers changed than
  ``page_size``, the paged list is read instead of one call per computer.

SOAP (``Apache/Ocsinventory/Interface.pm``, ``Interface/Inventory.pm``,
``Interface/Internals.pm``, the former ``binutils/soap-client.pl``): see
:class:`OcsSoapConnector` and ``data/ocs/ocsinterface.wsdl``.
"""

import base64
import calendar
import datetime
import os
from contextlib import ExitStack
from urllib.parse import urlsplit

from lxml import etree
from requests.auth import HTTPBasicAuth

from ..messages import Message, _
from .base import AuthError, Connector, ConnectorError, Page, clean, excerpt

HEADER = [
    "ID",
    "TAG",
    "NAME",
    "SSN",
    "SMANUFACTURER",
    "SMODEL",
    "TYPE",
    "OSNAME",
    "MEMORY",
    "PROCESSORT",
    "LASTDATE",
]
DEFAULT_TYPE = "Desktop"
# largest UTC offset of a time zone (Kiribati): FROM_UNIXTIME(cursor - 14 h)
# is never later than the cursor in the server's time zone
MAX_UTC_OFFSET = datetime.timedelta(hours=14)

WSDL_PATH = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    "data",
    "ocs",
    "ocsinterface.wsdl",
)
SOAP_NS = "http://localhost/Apache/Ocsinventory/Interface"
SOAP_BINDING = f"{{{SOAP_NS}}}OcsInterfaceBinding"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
# ids asked at once in an <ID> list (the server's default page size)
SOAP_ID_BATCH = 100
# WANTED bits: 1 = ACCOUNTINFO (the TAG), 2 = software dictionary
SOAP_WANTED_ACCOUNTINFO = 1
# CHECKSUM bits (Apache/Ocsinventory/Map.pm): the sections read here
CHECKSUM_HARDWARE = 1
CHECKSUM_BIOS = 2
DEFAULT_CHECKSUM = CHECKSUM_HARDWARE | CHECKSUM_BIOS


def safe_parser():
    """lxml parser that neither expands entities nor fetches anything."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )


class _OcsConnector(Connector):
    tool = "OCS Inventory"
    header = HEADER

    def __init__(self, url, *args, **kwargs):
        super().__init__(url, *args, **kwargs)
        if self.app_token and self.user_token:
            self.auth = HTTPBasicAuth(self.app_token, self.user_token)
        else:
            self.auth = None

    def _http_error(self, response, what):
        if response.status_code in (401, 403):
            return AuthError(
                Message(
                    _(
                        "%(where)s refused %(what)s (HTTP %(status)s). Check the "
                        "HTTP login (app token) and password (user token) of the "
                        "source, that the server's Apache configuration lets Odoo's "
                        "address in and, for SOAP, that OCS_OPT_WEB_SERVICE_ENABLED "
                        "is on."
                    ),
                    where=self._where(),
                    what=what,
                    status=response.status_code,
                ),
                endpoint=what,
            )
        return super()._http_error(response, what)

    def _computer_row(self, hardware, bios, tag):
        return self._row(
            {
                "ID": hardware.get("ID"),
                "TAG": tag,
                "NAME": hardware.get("NAME"),
                "SSN": bios.get("SSN"),
                "SMANUFACTURER": bios.get("SMANUFACTURER"),
                "SMODEL": bios.get("SMODEL"),
                "TYPE": clean(bios.get("TYPE")) or DEFAULT_TYPE,
                "OSNAME": hardware.get("OSNAME"),
                "MEMORY": hardware.get("MEMORY"),
                "PROCESSORT": hardware.get("PROCESSORT"),
                "LASTDATE": hardware.get("LASTDATE"),
            }
        )

    def _tags(self):
        return {str(tag) for tag in self.options.get("tags") or ()}

    def _page_of(self, rows):
        kept, seen, tags = [], set(), self._tags()
        for row in rows:
            if tags and row["TAG"] not in tags:
                continue  # another entity's computer (REST has no TAG filter)
            if row["ID"] not in seen and self._changed(row["LASTDATE"]):
                seen.add(row["ID"])
                kept.append(row)
        kept.sort(key=lambda row: int(row["ID"]) if row["ID"].isdigit() else 0)
        cursor = self._newer_cursor(row["LASTDATE"] for row in kept)
        return Page(header=list(self.header), rows=kept, cursor=cursor)


class OcsRestConnector(_OcsConnector):
    """Computers through the OCS REST API. ``url`` is the server root
    (``https://ocs.example.org``; a trailing ``/ocsapi`` is accepted)."""

    def __init__(self, url, *args, **kwargs):
        super().__init__(url, *args, **kwargs)
        for suffix in ("/ocsapi/v1", "/ocsapi"):
            if self.url.endswith(suffix):
                self.url = self.url[: -len(suffix)]
        self.api = f"{self.url}/ocsapi/v1"

    def fetch(self):
        ids = None if self.cursor is None else self._changed_ids()
        if ids is None:
            # first sync, or a server without computers/lastupdate: the whole
            # list, of which _page_of keeps what changed since the cursor
            computers = self._list_all()
        else:
            if len(ids) > self.page_size:
                computers = [c for c in self._list_all() if _rest_id(c) in ids]
            else:
                computers = []
                for computer_id in sorted(ids):
                    computers.extend(self._computer(computer_id))
        # groups share the hardware table (DEVICEID _SYSTEMGROUP_, ...)
        return self._page_of(
            [
                self._rest_row(computer)
                for computer in computers
                if not clean(computer["hardware"].get("DEVICEID")).startswith("_")
            ]
        )

    def _get(self, path, params=None):
        url = f"{self.api}/{path}"
        what = self._endpoint(url)
        response = self._request(
            "GET",
            url,
            what,
            params=params,
            auth=self.auth,
            headers={"Accept": "application/json"},
        )
        return self._json(response, what), what

    def _computers(self, data, what):
        """The computers of a ``{"<ID>": {sections}}`` answer."""
        if data is None:
            return []
        if not isinstance(data, dict) or not all(
            isinstance(sections, dict) and isinstance(sections.get("hardware"), dict)
            for sections in data.values()
        ):
            raise self._unexpected(
                what, Message(_("expected {id: {hardware: {...}, ...}}"))
            )
        return list(data.values())

    def _list_all(self):
        computers, start = [], 0
        while True:
            data, what = self._get(
                "computers", {"start": start, "limit": self.page_size}
            )
            page = self._computers(data, what)
            computers.extend(page)
            if len(page) < self.page_size:
                return computers
            start += self.page_size

    def _changed_ids(self):
        cursor = datetime.datetime.strptime(self.cursor, "%Y-%m-%d %H:%M:%S")
        zone = self.options.get("timezone")
        if zone:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                local = cursor.replace(tzinfo=ZoneInfo(zone))
            except (ZoneInfoNotFoundError, ValueError):
                raise ConnectorError(
                    Message(
                        _(
                            "OCS Inventory: unknown time zone %(zone)s; use a name "
                            "such as 'Europe/Paris'."
                        ),
                        zone=repr(zone),
                    )
                ) from None
            # LASTDATE > FROM_UNIXTIME(t) must keep LASTDATE == cursor
            timestamp = int(local.timestamp()) - 1
        else:
            timestamp = calendar.timegm((cursor - MAX_UTC_OFFSET).timetuple())
        try:
            data, what = self._get(f"computers/lastupdate/{max(timestamp, 1)}")
        except ConnectorError as error:
            if error.code == 404:  # OCS before 2.9 has no such route
                return None
            raise
        if not isinstance(data, list) or not all(
            isinstance(item, dict) and str(item.get("ID", "")).isdigit()
            for item in data
        ):
            raise self._unexpected(what, Message(_("expected [{ID: n}, ...]")))
        return {int(item["ID"]) for item in data}

    def _computer(self, computer_id):
        data, what = self._get(f"computer/{computer_id}")
        return self._computers(data, what)

    def _rest_row(self, sections):
        hardware = sections["hardware"]
        return self._computer_row(
            hardware,
            _first(sections.get("bios")),
            _first(sections.get("accountinfo")).get("TAG"),
        )


class OcsSoapConnector(_OcsConnector):
    """Computers through the SOAP web service ``/ocsinterface``.

    The request is built by zeep from the shipped WSDL; the answer is read
    from the raw envelope, because SOAP::Lite returns get_computers_V1's
    list of strings as several ``s-gensym`` elements (``xsd:string``, or
    ``xsd:base64Binary`` for text with non-ASCII characters) that together
    form ``<COMPUTERS><COMPUTER>…</COMPUTER>…</COMPUTERS>``.

    Request (``<REQUEST>``): ``ENGINE`` FIRST (the only one), ``ASKING_FOR``
    INVENTORY or META, ``OFFSET`` (page number; a page holds
    ``OCS_OPT_WEB_SERVICE_RESULTS_LIMIT`` computers, 100 by default),
    ``CHECKSUM`` (sent only when ``options["checksum"]`` is set: it both
    keeps the computers whose changed sections match the bitmask and chooses
    the sections returned; a server asked for none sends ACCOUNTINFO only;
    the hardware bit is set on every computer, so 1 or 3 keeps them all),
    ``TAG`` (repeatable, ``options["tags"]``), ``WANTED`` (1: ACCOUNTINFO
    with the TAG), ``ID``
    (repeatable), ``SORT_BY`` (ID, LASTDATE, LASTCOME; OCS 2.3.1 and later)
    and ``SORT_DIR``. Errors come back as ``<RESULT><ERROR>BAD_OFFSET
    </ERROR></RESULT>`` or as SOAP faults.

    Full sync: INVENTORY pages until an empty one. Incremental sync: META
    pages sorted by LASTDATE, newest first (DATABASEID and LASTDATE only),
    until one reaches the cursor, then INVENTORY for those ids.

    Since OCS 2.10 (Map.pm: the bios section has mask 0), INVENTORY answers
    no longer hold the BIOS section: SSN, SMANUFACTURER, SMODEL and TYPE stay
    empty ("Desktop") with such servers; use the REST connector to get them.
    """

    def __init__(self, url, *args, **kwargs):
        super().__init__(url, *args, **kwargs)
        if not self.url.endswith("/ocsinterface"):
            self.url += "/ocsinterface"
        self._service = None

    def fetch(self):
        with ExitStack() as stack:
            if self.auth is not None:
                previous = self.session.auth
                self.session.auth = self.auth
                stack.callback(setattr, self.session, "auth", previous)
            if self.cursor is None:
                computers = self._pages(lambda offset: self._request_xml(offset))
            else:
                ids = sorted(set(self._changed_ids()), key=int)
                computers = []
                for index in range(0, len(ids), SOAP_ID_BATCH):
                    batch = ids[index : index + SOAP_ID_BATCH]
                    computers.extend(
                        self._pages(
                            lambda offset, batch=batch: self._request_xml(
                                offset, ids=batch
                            ),
                            wanted=set(map(str, batch)),
                        )
                    )
        return self._page_of([self._soap_row(computer) for computer in computers])

    # ---------------------------------------------------------------- SOAP

    def _soap_service(self):
        if self._service is None:
            try:
                from zeep import Client
                from zeep.transports import Transport
            except ImportError:
                raise ConnectorError(
                    Message(
                        _(
                            "OCS Inventory (SOAP): the Python library zeep is not "
                            "installed on the Odoo server; install it or use the "
                            "REST connector."
                        )
                    )
                ) from None

            transport = Transport(
                session=self.session,
                timeout=self.timeout,
                operation_timeout=self.timeout,
            )
            client = Client(WSDL_PATH, transport=transport)
            self._client = client
            self._service = client.create_service(SOAP_BINDING, self.url)
        return self._service

    def _request_xml(self, offset, asking_for="INVENTORY", ids=(), sort=None):
        request = etree.Element("REQUEST")
        etree.SubElement(request, "ENGINE").text = "FIRST"
        etree.SubElement(request, "ASKING_FOR").text = asking_for
        if self.options.get("checksum") is not None:
            etree.SubElement(request, "CHECKSUM").text = str(
                int(self.options["checksum"])
            )
        etree.SubElement(request, "OFFSET").text = str(offset)
        etree.SubElement(request, "WANTED").text = str(SOAP_WANTED_ACCOUNTINFO)
        for tag in sorted(self._tags()):
            etree.SubElement(request, "TAG").text = tag
        for computer_id in ids:
            etree.SubElement(request, "ID").text = str(computer_id)
        if sort:
            etree.SubElement(request, "SORT_BY").text = sort[0]
            etree.SubElement(request, "SORT_DIR").text = sort[1]
        # the server decodes entities unless the argument starts with "<"
        return etree.tostring(request, encoding="unicode")

    def _get_computers(self, request_xml):
        """The <COMPUTER> elements of one get_computers_V1 call."""
        service = self._soap_service()
        what = f"POST {urlsplit(self.url).path} get_computers_V1"

        def send():
            with self._client.settings(raw_response=True):
                response = service.get_computers_V1(request_xml)
            if response.status_code == 500:
                fault = _soap_fault(response.content)
                if fault:  # the service died on our request: not transient
                    raise ConnectorError(
                        Message(
                            _(
                                "%(where)s answered %(what)s with a SOAP fault "
                                "(%(fault)s); check that the server is OCS Inventory "
                                "2.x with its web service enabled."
                            ),
                            where=self._where(),
                            what=what,
                            fault=fault,
                        ),
                        retryable=False,
                        endpoint=what,
                    )
            return response

        response = self._call(what, send)
        try:
            envelope = etree.fromstring(response.content, parser=safe_parser())
        except etree.XMLSyntaxError as error:
            raise ConnectorError(
                Message(
                    _(
                        "%(where)s answered %(what)s with something that is not a "
                        "SOAP envelope (%(error)s: %(answer)s); check the URL of the "
                        "source."
                    ),
                    where=self._where(),
                    what=what,
                    error=str(error),
                    answer=repr(excerpt(response.text)),
                ),
                retryable=False,
                endpoint=what,
            ) from None
        body = envelope.find(f"{{{SOAP_ENV}}}Body")
        result = body[0] if body is not None and len(body) else None
        if result is None or result.tag == f"{{{SOAP_ENV}}}Fault":
            raise self._unexpected(
                what, Message(_("no get_computers_V1Response in the body"))
            )
        document = "".join(_part_text(part) for part in result).strip()
        if not document.startswith("<COMPUTERS"):
            raise ConnectorError(
                Message(
                    _(
                        "%(where)s refused the request of %(what)s: %(answer)s. Check "
                        "the source's OCS sections (CHECKSUM) and TAGs."
                    ),
                    where=self._where(),
                    what=what,
                    answer=excerpt(document) or Message(_("empty answer")),
                ),
                retryable=False,
                endpoint=what,
            )
        try:
            computers = etree.fromstring(document.encode("utf-8"), safe_parser())
        except etree.XMLSyntaxError as error:
            raise self._unexpected(
                what, Message(_("<COMPUTERS> is not XML: %(error)s"), error=str(error))
            ) from None
        return computers.findall("COMPUTER")

    def _pages(self, build, wanted=None):
        """Computers of every OFFSET page, until an empty page (or, with
        ``wanted``, until all those ids arrived)."""
        computers, seen, offset = [], set(), 0
        while True:
            page = self._get_computers(build(offset))
            ids = {_soap_id(computer) for computer in page}
            if not page or ids <= seen:  # empty, or OFFSET not honoured
                return computers
            seen |= ids
            computers.extend(page)
            if wanted is not None and wanted <= seen:
                return computers
            offset += 1

    def _changed_ids(self):
        """Ids of the computers inventoried since the cursor, from META
        pages sorted on LASTDATE, newest first."""
        ids, seen, offset, previous, sorted_desc = [], set(), 0, None, True
        while True:
            request = self._request_xml(offset, "META", sort=("LASTDATE", "DESC"))
            page = self._get_computers(request)
            page_ids = {clean(computer.findtext("DATABASEID")) for computer in page}
            if not page or page_ids <= seen:
                return ids
            seen |= page_ids
            reached = False
            for computer in page:
                date = clean(computer.findtext("LASTDATE"))
                if previous is not None and date > previous:
                    sorted_desc = False  # SORT_BY ignored (OCS < 2.3.1)
                previous = date
                computer_id = clean(computer.findtext("DATABASEID"))
                if not computer_id.isdigit():
                    raise self._unexpected(
                        "get_computers_V1 (META)",
                        Message(_("a computer without DATABASEID")),
                    )
                if self._changed(date):
                    ids.append(computer_id)
                else:
                    reached = True
            if reached and sorted_desc:
                return ids
            offset += 1

    def _soap_row(self, computer):
        hardware = computer.find("HARDWARE")
        if hardware is None or not clean(hardware.findtext("ID")):
            raise ConnectorError(
                Message(
                    _(
                        "%(where)s sent a computer without HARDWARE/ID: set the "
                        "source's OCS sections (CHECKSUM) to 3 (hardware and BIOS)."
                    ),
                    where=self._where(),
                ),
                retryable=False,
            )
        tag = ""
        for entry in computer.iterfind("ACCOUNTINFO/ENTRY"):
            if entry.get("Name") == "TAG":
                tag = entry.text
        return self._computer_row(
            _section(hardware), _section(computer.find("BIOS")), tag
        )


def _first(value):
    """First record of a section ([] or [{...}] in REST answers)."""
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, dict) else {}


def _rest_id(sections):
    value = clean(sections["hardware"].get("ID"))
    return int(value) if value.isdigit() else None


def _section(element):
    """``{child tag: text}`` of an XML section (empty for None)."""
    if element is None:
        return {}
    return {child.tag: child.text for child in element if isinstance(child.tag, str)}


def _soap_id(computer):
    return clean(computer.findtext("HARDWARE/ID") or computer.findtext("DATABASEID"))


def _part_text(part):
    """Text of one returned value; SOAP::Lite base64-encodes non-ASCII."""
    text = part.text or ""
    if part.get(XSI_TYPE, "").endswith(("base64Binary", "base64")):
        raw = base64.b64decode(text)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("cp1252", errors="replace")
    return text


def _soap_fault(content):
    """``faultcode: faultstring`` of a SOAP fault body, or None."""
    try:
        envelope = etree.fromstring(content, parser=safe_parser())
    except etree.XMLSyntaxError:
        return None
    fault = envelope.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    if fault is None:
        return None
    return excerpt(
        f"{clean(fault.findtext('faultcode'))}: {clean(fault.findtext('faultstring'))}"
    )
