"""Erasure reports of the sanitisation tools, read into drive results.

No ORM here: :func:`read_report` takes the bytes of a file and gives the
:class:`DriveResult` of each storage medium the report covers; the models
match them to devices (``wizards/reemploi_erasure_import.py``).

Formats, detected by their content (never by the file name):

- ``nwipe``: the log nwipe writes with ``--logfile`` (Debian's nwipe 0.34,
  which calls itself "nwipe 0.33" in its log, and ShredOS, which runs nwipe
  and writes the same log). nwipe 0.34 writes no PDF certificate (PDF
  certificates came with nwipe 0.35): a PDF is refused with a message
  asking for the log;
- ``blancco``: the XML report of Blancco Drive Eraser
  (``root/report/blancco_data/blancco_erasure_report``, one
  ``entries name="erasure"`` per drive);
- ``csv``: a table (CSV or XLSX, ``;`` or ``,``, French or English headers)
  with a row per drive: serial, model, capacity, method, result, start,
  end, tool, version, and optionally verification, passes, manufacturer.

NIST SP 800-88 category: an overwrite is a *clear*; a firmware command
(ATA/NVMe secure erase, sanitize, block erase, crypto erase) is a *purge*.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass

from lxml import etree

from . import tabular
from .messages import Message, _

CLEAR = "clear"
PURGE = "purge"

# verification methods, as reemploi.erasure names them
FULL = "full"
SAMPLE = "sample"
TOOL = "tool"


class ErasureReportError(ValueError):
    """The file cannot be read as an erasure report; the message (a
    :class:`~.messages.Message`) says why and what to do."""


@dataclass(slots=True)
class DriveResult:
    """What a report says of one storage medium.

    Times are ``datetime`` objects: aware when the report gives its offset
    (Blancco), naive (local time of the machine that erased) otherwise.
    ``verification`` is ``full``, ``sample``, ``tool`` or ``""`` (none);
    ``verification_passed`` is ``None`` when there was no verification."""

    serial: str
    tool_name: str
    tool_version: str
    technique: str
    method: str = CLEAR
    success: bool = False
    model: str = ""
    manufacturer: str = ""
    capacity_gb: float = 0.0
    medium_type: str = ""
    device_name: str = ""
    passes: int = 0
    verification: str = ""
    verification_passed: bool | None = None
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    message: str = ""

    @property
    def verified(self):
        """Success, a verification that passed, and an end."""
        return bool(
            self.success and self.verification and self.verification_passed and self.end
        )

    def key(self):
        """What identifies this result across imports: tool, version, drive
        (its serial, or the name the tool gave it when it read no serial)
        and end time. Importing the same report twice finds the same keys."""
        end = self.end.isoformat() if self.end else ""
        drive = self.serial or f"device:{self.device_name}"
        text = "|".join((self.tool_name, self.tool_version, drive, end))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def nist_category(technique):
    """``purge`` for a firmware sanitisation (secure erase, sanitize, block
    or crypto erase, or a standard named "purge"), ``clear`` for an
    overwrite."""
    text = (technique or "").casefold()
    if "clear" in text:
        return CLEAR
    if any(word in text for word in _PURGE_WORDS):
        return PURGE
    return CLEAR


_PURGE_WORDS = (
    "purge",
    "secure erase",
    "secure-erase",
    "security erase",
    "sanitize",
    "sanitise",
    "block erase",
    "crypto",
    "cryptographic",
    "format nvm",
    "nvme format",
)


def read_report(data, filename=""):
    """The format of ``data`` (bytes) and its drive results, as
    ``(format, [DriveResult, ...])``; raises :class:`ErasureReportError`."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("read_report() expects the file content as bytes")
    data = bytes(data)
    name = f' "{filename}"' if filename else ""
    if not data.strip():
        raise ErasureReportError(
            Message(_("The file%(name)s is empty: export the report again."), name=name)
        )
    kind = detect(data)
    if kind == "pdf":
        raise ErasureReportError(
            Message(
                _(
                    "The file%(name)s is a PDF document: PDF certificates are not "
                    "read. Import the tool's log or XML report instead (for nwipe, "
                    "the file given to --logfile)."
                ),
                name=name,
            )
        )
    if kind is None:
        raise ErasureReportError(
            Message(
                _(
                    "The file%(name)s is not an erasure report that can be read: "
                    "import an nwipe log, a Blancco XML report or a CSV table of "
                    "drives (serial, model, capacity, method, result, start, end, "
                    "tool, version)."
                ),
                name=name,
            )
        )
    results = _READERS[kind](data, name)
    if not results:
        raise ErasureReportError(
            Message(
                _("The file%(name)s reports no erased drive: export the report again."),
                name=name,
            )
        )
    return kind, results


def detect(data):
    """``nwipe``, ``blancco``, ``csv``, ``pdf`` or ``None``."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"<") and b"blancco" in data[:1_000_000].lower():
        return "blancco"
    if _NWIPE_LINE.search(data[:65536].decode("utf-8", "replace")) and (
        b"nwipe" in data.lower()
    ):
        return "nwipe"
    if head.startswith(b"<"):
        return None
    try:
        table = tabular.read_table(data, expected_headers=_ALL_HEADERS)
    except tabular.TabularError:
        return None
    columns = _columns(table.header)
    if "serial" in columns and "result" in columns:
        return "csv"
    return None


# ------------------------------------------------------------------ nwipe

_NWIPE_LINE = re.compile(
    r"^\[(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)\]\s+(\w+):\s?(.*)$", re.MULTILINE
)
_NWIPE_FOUND = re.compile(
    r"^Found (?P<dev>\S+), (?P<bus>[^,]*), (?P<model>.*?), +(?P<size>[\d.]+ ?[KMGTP]?B)"
    r", S/N=(?P<serial>[^,]*)"
)
_NWIPE_BYTES = re.compile(r"^(?P<dev>\S+), sect/blk/dev \d+/\d+/(?P<bytes>\d+)")
_NWIPE_OPTION = re.compile(r"^\s+(\w+)\s+=\s+(.*)$")
_NWIPE_INVOKE = re.compile(r"^Invoking method '(?P<method>[^']+)' on (?P<dev>\S+)")
_NWIPE_PASS = re.compile(r"^Finished pass \d+/\d+, round \d+/\d+, on (?P<dev>\S+)")
_NWIPE_ERRORS = re.compile(r"^!?\s+(\S+) \|\s+(\d+) \|\s+(\d+) \|\s+(\d+)\s*$")
_NWIPE_STATUS = re.compile(
    r"^!?\s+(\S+) \|\s*(?P<status>[^|]+?)\s*\|[^|]*\|\s*[\d:]+\s*\|\s*(?P<drive>.*)$"
)
_NWIPE_TOTAL = re.compile(r"Total Throughput .*, (?P<code>\d+R(?:\+\w+)*)\s*$")
_NWIPE_BUS_TYPES = {"NVME": "nvme", "USB": "flash", "MMC": "emmc"}


def _nwipe_time(text):
    return datetime.datetime.strptime(text, "%Y/%m/%d %H:%M:%S")


def _read_nwipe(data, name):
    text = data.decode("utf-8", "replace").replace("\r\n", "\n")
    lines = text.split("\n")
    version = ""
    options = {}
    drives = {}  # device path -> dict, in the order nwipe found them
    errors = {}  # short name -> (pass, verify, sync) errors
    statuses = {}  # short name -> status
    code = ""
    stamped = []  # (time, message)
    for raw in lines:
        match = _NWIPE_LINE.match(raw)
        total = _NWIPE_TOTAL.search(raw)
        if total:
            # "[time] Total Throughput 0 B/s, Fill With Zeros, 1R+B+VL"
            code = total.group("code")
            continue
        if not match:
            errors_row = _NWIPE_ERRORS.match(raw)
            if errors_row:
                errors[errors_row.group(1)] = tuple(map(int, errors_row.group(2, 3, 4)))
                continue
            status_row = _NWIPE_STATUS.match(raw)
            if status_row and status_row.group(1) != "Device":
                statuses[status_row.group(1)] = status_row.group("status").strip("-* ")
            continue
        when, _level, message = match.groups()
        when = _nwipe_time(when)
        stamped.append((when, message))
        if message.startswith("nwipe ") and not version:
            version = message.split()[1]
        option = _NWIPE_OPTION.match(message)
        if option:
            options.setdefault(option.group(1), option.group(2).strip())
        found = _NWIPE_FOUND.match(message)
        if found:
            drives.setdefault(found.group("dev"), {}).update(
                bus=found.group("bus").strip(),
                model=found.group("model").strip(),
                serial=found.group("serial").strip(),
            )
            continue
        size = _NWIPE_BYTES.match(message)
        if size:
            drives.setdefault(size.group("dev"), {})["bytes"] = int(size.group("bytes"))
            continue
        invoked = _NWIPE_INVOKE.match(message)
        if invoked:
            drive = drives.setdefault(invoked.group("dev"), {})
            drive.update(method=invoked.group("method"), start=when)
            continue
        finished = _NWIPE_PASS.match(message)
        if finished:
            drive = drives.setdefault(finished.group("dev"), {})
            drive["passes"] = drive.get("passes", 0) + 1
    if not version:
        banner = options.get("banner", "")
        version = banner.split()[-1] if banner else ""
    verify = options.get("verify", "").split(" ", 1)[0]
    results = []
    for device, drive in drives.items():
        if "method" not in drive:
            continue  # found, but not wiped (excluded or not selected)
        short = device.rsplit("/", 1)[-1]
        mention = re.compile(re.escape(device) + r"(?![\w/])")
        times = [when for when, message in stamped if mention.search(message)]
        pass_errors, verify_errors, sync_errors = errors.get(short, (0, 0, 0))
        status = statuses.get(short, "")
        verified_empty = any(
            message.startswith("[SUCCESS] Verified") and mention.search(message)
            for _when, message in stamped
        )
        success = status == "Erased" and not (pass_errors or sync_errors)
        result = DriveResult(
            serial=drive.get("serial", ""),
            tool_name="nwipe",
            tool_version=version,
            technique=f"{drive['method']} ({code})" if code else drive["method"],
            method=nist_category(drive["method"]),
            success=success and not verify_errors,
            model=drive.get("model", ""),
            capacity_gb=round(drive.get("bytes", 0) / 1e9, 3),
            medium_type=_NWIPE_BUS_TYPES.get(drive.get("bus", "").upper(), ""),
            device_name=device,
            passes=drive.get("passes", 0),
            start=drive.get("start"),
            end=max(times) if times else None,
        )
        if verify in ("1", "2"):
            # nwipe reads the whole device back after the last (1) or every
            # (2) pass
            result.verification = FULL
            result.verification_passed = bool(
                status and not verify_errors and verified_empty
            )
        if not status:
            result.success = False
            result.message = "interrupted"
        elif not result.success:
            result.message = status
        results.append(result)
    return results


# ------------------------------------------------------------------ Blancco


def _entries(element, name):
    return element.findall(f"entries[@name='{name}']")


def _entry(element, name):
    found = element.find(f"entry[@name='{name}']")
    return (found.text or "").strip() if found is not None else ""


def _iso_time(text, name):
    """A time written ISO 8601 (offset ``Z``, ``+01:00`` or ``+0100``
    allowed); ``None`` when empty."""
    text = (text or "").strip()
    if not text:
        return None
    value = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text.replace("Z", "+00:00"))
    try:
        return datetime.datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        raise ErasureReportError(
            Message(
                _(
                    "The file%(name)s gives %(value)s as a time: export the "
                    "report again."
                ),
                name=name,
                value=repr(text),
            )
        ) from None


def _int(text):
    try:
        return int(float(text))
    except (TypeError, ValueError):
        return 0


_BLANCCO_TYPES = {"hdd": "hdd", "ssd": "ssd", "nvme": "nvme", "emmc": "emmc"}


def _read_blancco(data, name):
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, recover=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise ErasureReportError(
            Message(
                _(
                    "The file%(name)s is not valid XML (%(error)s): export the "
                    "Blancco report again."
                ),
                name=name,
                error=str(error),
            )
        ) from None
    results = []
    for report in root.iter("blancco_data"):
        author = report.find("description/document_log/log_entry/author")
        tool = version = ""
        if author is not None:
            tool = (author.findtext("product_name") or "").strip()
            version = (author.findtext("product_version") or "").strip()
        tool = tool or "Blancco"
        erasures = report.findall(
            "blancco_erasure_report/entries[@name='erasures']/entries[@name='erasure']"
        )
        for erasure in erasures:
            target = (_entries(erasure, "target") or [erasure])[0]
            standard = _entry(erasure, "erasure_standard_name")
            state = _entry(erasure, "state")
            verification = _entry(erasure, "verification").casefold()
            firmware = _int(_entry(erasure, "firmware_rounds"))
            result = DriveResult(
                serial=_entry(target, "serial"),
                tool_name=tool,
                tool_version=version,
                technique=standard,
                method=PURGE if firmware else nist_category(standard),
                success=state.casefold() == "successful",
                model=_entry(target, "model"),
                manufacturer=_entry(target, "vendor"),
                capacity_gb=round(_int(_entry(target, "capacity")) / 1e9, 3),
                medium_type=_BLANCCO_TYPES.get(_entry(target, "type").casefold(), ""),
                passes=_int(_entry(erasure, "total_erasure_rounds"))
                or _int(_entry(erasure, "overwriting_rounds")),
                start=_iso_time(_entry(erasure, "start_time"), name),
                end=_iso_time(_entry(erasure, "end_time"), name),
            )
            if verification in ("0", "0%", "none", "no"):
                pass  # the standard was run without its verification
            elif verification:
                # "100%" (or "full") is a full read-back, a smaller share a
                # sample
                result.verification = (
                    FULL if verification in ("100", "100%", "full") else SAMPLE
                )
                result.verification_passed = result.success
            elif result.success:
                # no verification entry: Blancco reports "Successful" only
                # once the standard's own verification step passed
                result.verification = TOOL
                result.verification_passed = True
            if not result.success:
                result.message = state or "unknown state"
            results.append(result)
    return results


# ------------------------------------------------------------------ CSV

_HEADERS = {
    "serial": (
        "serial",
        "drive_serial",
        "disk_serial",
        "serial_number",
        "numero_de_serie",
        "n_de_serie",
        "no_de_serie",
        "n_serie",
        "serie",
        "numero_de_serie_du_disque",
    ),
    "model": ("model", "drive_model", "modele", "modele_du_disque"),
    "manufacturer": ("manufacturer", "vendor", "fabricant", "marque"),
    "capacity": ("capacity", "capacity_gb", "capacite", "capacite_go", "taille"),
    "method": ("method", "technique", "methode", "standard", "norme"),
    "result": ("result", "status", "resultat", "statut", "etat"),
    "start": ("start", "start_time", "debut", "date_de_debut", "date_debut"),
    "end": ("end", "end_time", "fin", "date_de_fin", "date_fin"),
    "tool": ("tool", "software", "outil", "logiciel"),
    "version": ("version", "tool_version", "version_de_l_outil"),
    "verification": ("verification", "verified", "verifie", "controle"),
    "passes": ("passes", "passes_count", "passages", "nombre_de_passes"),
}
_ALL_HEADERS = tuple(alias for aliases in _HEADERS.values() for alias in aliases)
_SUCCESS = {
    "success",
    "successful",
    "ok",
    "passed",
    "pass",
    "erased",
    "reussi",
    "reussie",
    "succes",
    "efface",
    "effacee",
    "oui",
    "yes",
    "true",
    "1",
}
_FAILURE_VERIFICATION = {
    "fail",
    "failed",
    "echec",
    "echoue",
    "echouee",
    "non",
    "no",
    "ko",
}
_NO_VERIFICATION = {"", "none", "aucune", "sans", "n_a"}
_DMY_TIME = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2})[:h](\d\d)(?::(\d\d))?)?$"
)


def _columns(header):
    """Our field -> the file's column name, for the columns we know."""
    by_key = {tabular.normalise_header(column): column for column in header}
    columns = {}
    for field, aliases in _HEADERS.items():
        for alias in aliases:
            if alias in by_key:
                columns[field] = by_key[alias]
                break
    return columns


def _fold(text):
    return tabular.normalise_header(text)


def _csv_time(text, name, line):
    text = tabular.clean_text(text)
    if not text:
        return None
    match = _DMY_TIME.match(text)
    try:
        if match:
            day, month, year, hour, minute, second = match.groups()
            return datetime.datetime(
                int(year),
                int(month),
                int(day),
                int(hour or 0),
                int(minute or 0),
                int(second or 0),
            )
        return _iso_time(text, name)
    except (ValueError, ErasureReportError):
        raise ErasureReportError(
            Message(
                _(
                    "Line %(line)s of the file%(name)s gives %(value)s as a time "
                    "(expected e.g. 31/01/2026 14:05 or 2026-01-31T14:05:00): "
                    "correct it and import the file again."
                ),
                line=line,
                name=name,
                value=repr(text),
            )
        ) from None


def _read_csv(data, name):
    try:
        table = tabular.read_table(data, expected_headers=_ALL_HEADERS)
    except tabular.TabularError as error:
        raise ErasureReportError(error.args[0]) from None
    columns = _columns(table.header)
    results = []
    for row in table.rows:
        values = {
            field: tabular.clean_text(row.values.get(column, ""))
            for field, column in columns.items()
        }
        if not any(values.values()):
            continue
        if row.error:
            raise ErasureReportError(
                Message(
                    _("Line %(line)s of the file%(name)s: %(error)s"),
                    line=row.line,
                    name=name,
                    error=row.error,
                )
            )
        capacity = re.sub(r"\s*(go|gb|g)$", "", values.get("capacity", ""), flags=re.I)
        try:
            capacity_gb = tabular.parse_decimal(capacity) or 0.0
        except ValueError:
            raise ErasureReportError(
                Message(
                    _(
                        "Line %(line)s of the file%(name)s gives %(value)s as a "
                        "capacity (expected gigabytes, e.g. 512): correct it and "
                        "import the file again."
                    ),
                    line=row.line,
                    name=name,
                    value=repr(values.get("capacity", "")),
                )
            ) from None
        technique = values.get("method", "")
        result = DriveResult(
            serial=values.get("serial", ""),
            tool_name=values.get("tool", ""),
            tool_version=values.get("version", ""),
            technique=technique,
            method=nist_category(technique),
            success=_fold(values.get("result", "")) in _SUCCESS,
            model=values.get("model", ""),
            manufacturer=values.get("manufacturer", ""),
            capacity_gb=capacity_gb,
            passes=_int(values.get("passes", "")),
            start=_csv_time(values.get("start", ""), name, row.line),
            end=_csv_time(values.get("end", ""), name, row.line),
        )
        verification = _fold(values.get("verification", ""))
        if verification not in _NO_VERIFICATION:
            result.verification = TOOL
            result.verification_passed = verification not in _FAILURE_VERIFICATION
        if not result.success:
            result.message = values.get("result", "") or "no result"
        results.append(result)
    return results


_READERS = {"nwipe": _read_nwipe, "blancco": _read_blancco, "csv": _read_csv}
