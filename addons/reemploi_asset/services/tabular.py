"""Read donor inventory exports (CSV or XLSX) into a table of text cells.

Donors upload what their tools give them: GLPI or OCS Inventory list exports,
Snipe-IT asset exports, hand-made spreadsheets. :func:`read_table` turns the
bytes into a :class:`Table` of text cells; the import engine then maps cells
to fields and rejects bad rows one by one. Rules:

1. The format is told by the content, never by the file name: a zip holding
   ``xl/workbook.xml`` is an XLSX workbook (first worksheet, cached formula
   values, nothing is ever evaluated); anything else must be delimited text.
   Old ``.xls``, ``.ods``, PDF, images, other zips, damaged workbooks, UTF-16
   or binary files raise :class:`TabularError`, whose message says what the
   file is and what to do. Nothing else is raised for a bad file.
2. Text is UTF-8 (with or without BOM) or else Windows-1252. The delimiter is
   the one among ``; , tab |`` that splits the first records most consistently
   (outside quotes, at least half of them alike), ``;`` for one column.
3. The header is the row among the first 30 non-empty ones that matches most
   ``expected_headers``; failing that, the first row with at least two thirds
   as many filled cells as the usual width of the rows below it (so title
   lines are skipped).
   Rows before it are ignored; empty rows are skipped; no other row is lost.
4. A row with non-empty cells beyond the header keeps its place with an
   ``error``; short rows are padded with empty cells.
5. Cells are text: stripped (NBSP included), control characters removed, kept
   literally otherwise (``=1+1`` stays ``=1+1``). A whole number of a workbook
   shown through a number format of digits and text (``00000``,
   ``"SN"000000``, ``000-000``) is the text Excel shows: ``00123``, not
   ``123``; a number in another format is read as it is stored.
"""

import csv
import datetime
import functools
import io
import itertools
import math
import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import openpyxl

from .messages import Message, _

DELIMITERS = (";", ",", "\t", "|")
DEFAULT_DELIMITER = ";"
HEADER_SEARCH_ROWS = 30
YEAR_MIN, YEAR_MAX = 1950, 2100
EXCEL_SERIAL_MAX = 2958465  # 9999-12-31

_SNIFF_CHARS = 65536
_SNIFF_RECORDS = 50
_WIDTH_WINDOW = 50
_BINARY_SAMPLE = 65536
_CONTROL_SHARE_MAX = 0.1

# C0 (but tab and newline), DEL and C1 control characters
_CONTROL_CHARS = dict.fromkeys(
    [*range(0, 9), *range(11, 32), *range(127, 160)],
)
# bytes a text file may hold; what is left after deleting them is binary noise
_TEXT_BYTES = bytes(b for b in range(256) if b >= 32 or b in b"\t\n\r\f\x1a")
# cp1252 over latin-1: 0x80-0x9f are letters and signs, except 5 undefined
# bytes that keep their latin-1 meaning (C1 controls, removed by clean_text)
_CP1252_TABLE = {
    byte: bytes([byte]).decode("cp1252")
    for byte in range(0x80, 0xA0)
    if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_FOLD = str.maketrans(
    {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o", "Ø": "o"}
)
_NON_WORD = re.compile(r"[\W_]+")

_DMY = re.compile(
    r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})"
    r"(?:[ T]+(\d{1,2})[:hH](\d{2})(?::(\d{2}))?)?",
    re.ASCII,
)
_YMD = re.compile(
    r"(\d{4})([/-])(\d{1,2})\2(\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|[+-]\d\d:?\d\d)?)?",
    re.ASCII,
)
_SERIAL = re.compile(r"\d{1,7}(?:[.,]\d+)?", re.ASCII)
_EXCEL_EPOCH = datetime.date(1899, 12, 30)

_NUMBER_SPACES = " \u00a0\u202f\u2009"
_SPACE_SPLIT = re.compile("[%s]" % _NUMBER_SPACES)
_EXPONENT = re.compile(r"[eE][+-]?\d+\Z", re.ASCII)


class TabularError(ValueError):
    """The whole file is rejected; the message says why and what to do."""


@dataclass(slots=True)
class Row:
    """A data row. ``line`` is where it starts in the file (CSV line, sheet
    row); ``values`` maps each header to its cell ("" when missing);
    ``raw`` holds all the row's cells, extra ones included, without trailing
    empty cells; ``error`` says why the row cannot be trusted, or is None."""

    line: int
    values: dict
    raw: list
    error: str | None = None


@dataclass(slots=True)
class Table:
    """Header names (unique), data rows, and how the file was read."""

    header: list
    rows: list
    kind: str
    encoding: str | None
    delimiter: str | None
    header_line: int


# ------------------------------------------------------------------ cells


def _format_value(value):
    """Text of a non-text cell value (openpyxl types, numbers)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return f"{value:.15g}"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


@functools.lru_cache(maxsize=256)
def _integer_format(number_format):
    """The parts of an Excel number format that shows whole numbers with
    digit placeholders and text only (``00000``, ``"SN"000000``,
    ``000-000``): ``(placeholder, None)`` for each of ``0 # ?`` and
    ``(None, text)`` for text; ``None`` for any other format (General,
    decimals, thousands, sections, dates, colours...), read as is."""
    parts, index = [], 0
    while index < len(number_format):
        char = number_format[index]
        if char == '"':
            end = number_format.find('"', index + 1)
            if end < 0:
                return None
            parts.append((None, number_format[index + 1 : end]))
            index = end + 1
            continue
        if char == "\\" and index + 1 < len(number_format):
            parts.append((None, number_format[index + 1]))
            index += 2
            continue
        if char in "0#?":
            parts.append((char, None))
        elif char in " -/()_:+":
            parts.append((None, char))
        else:  # ; . , % E @ [ and date or time codes
            return None
        index += 1
    if not any(placeholder == "0" for placeholder, _text in parts):
        return None
    return parts


def format_integer(number, number_format):
    """A whole ``number`` as Excel shows it through ``number_format``
    (``00000``: 123 -> "00123"), or None when the format is not one of
    digit placeholders and text (see :func:`_integer_format`)."""
    parts = _integer_format(number_format or "")
    if parts is None or number < 0:
        return None
    digits = list(str(int(number)))
    slots = [index for index, (placeholder, _text) in enumerate(parts) if placeholder]
    shown = [text for _placeholder, text in parts]
    # digits fill the placeholders from the right; the digits left over go
    # in the first one
    for position, index in enumerate(reversed(slots)):
        if position == len(slots) - 1 and len(digits) > 1:
            shown[index], digits = "".join(digits), []
        elif digits:
            shown[index] = digits.pop()
        else:
            shown[index] = {"0": "0", "#": "", "?": " "}[parts[index][0]]
    return "".join(shown)


def _xlsx_cell_text(cell):
    """Text of a workbook cell (an openpyxl read-only cell)."""
    value = cell.value
    if value.__class__ is str:
        return value.strip() if value.isprintable() else clean_text(value)
    if (
        value.__class__ in (int, float)
        and math.isfinite(value)
        and value == int(value)
        and cell.number_format not in (None, "General")
    ):
        text = format_integer(value, cell.number_format)
        if text is not None:
            return text
    return clean_text(value)


def clean_text(value):
    """Cell text: stripped, control characters (but tab/newline) removed."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = _format_value(value)
    if value.isprintable():
        return value.strip()
    return value.translate(_CONTROL_CHARS).strip()


def normalise_header(text):
    """Lower case, no accents, punctuation runs as "_": a mapping lookup key."""
    text = clean_text(text).translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    return _NON_WORD.sub("_", text.lower()).strip("_")


def _quote(text, limit=40):
    text = str(text)
    if len(text) > limit:
        text = text[:limit] + "…"
    return repr(text)


# ------------------------------------------------------------------ values


def _invalid_date(value):
    return ValueError(
        Message(
            _("%(value)s is not a valid date (expected dd/mm/yyyy)"),
            value=_quote(value),
        )
    )


def _checked_date(year, month, day, source):
    try:
        result = datetime.date(year, month, day)
    except ValueError:
        raise _invalid_date(source) from None
    if not YEAR_MIN <= result.year <= YEAR_MAX:
        raise ValueError(
            Message(
                _(
                    "%(value)s is not a plausible date "
                    "(the year must be between %(year_min)s and %(year_max)s)"
                ),
                value=_quote(source),
                year_min=YEAR_MIN,
                year_max=YEAR_MAX,
            )
        )
    return result


def _check_time(groups, source):
    hour, minute, second = (int(part or 0) for part in groups)
    if hour > 23 or minute > 59 or second > 59:
        raise _invalid_date(source)


def _serial_date(serial, source):
    """Excel 1900 date system, with its 29/02/1900 that never existed."""
    day = math.floor(serial)
    if not 1 <= day <= EXCEL_SERIAL_MAX or day == 60:
        raise ValueError(
            Message(
                _(
                    "%(value)s is not a valid date "
                    "(expected dd/mm/yyyy, or an Excel date number)"
                ),
                value=_quote(source),
            )
        )
    if day < 60:
        result = datetime.date(1899, 12, 31) + datetime.timedelta(days=day)
    else:
        result = _EXCEL_EPOCH + datetime.timedelta(days=day)
    return _checked_date(result.year, result.month, result.day, source)


def parse_date(value):
    """A date from a cell: dd/mm/yyyy (also - or .), yyyy-mm-dd, Excel serial.

    ``None`` or empty text gives ``None``; anything else that is not a
    plausible date (years 1950-2100) raises ``ValueError`` naming the value.
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return _checked_date(value.year, value.month, value.day, value.isoformat())
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _invalid_date(value)
    if not isinstance(value, str):
        if not math.isfinite(value):
            raise _invalid_date(value)
        return _serial_date(value, value)
    text = clean_text(value)
    if not text:
        return None
    match = _DMY.fullmatch(text)
    if match:
        day, _sep, month, year = match.group(1, 2, 3, 4)
        _check_time(match.group(5, 6, 7), text)
        year = int(year)
        if len(match.group(4)) == 2:
            year += 2000 if year < 70 else 1900
        return _checked_date(year, int(month), int(day), text)
    match = _YMD.fullmatch(text)
    if match:
        _check_time(match.group(5, 6, 7), text)
        return _checked_date(*map(int, match.group(1, 3, 4)), text)
    if _SERIAL.fullmatch(text):
        return _serial_date(float(text.replace(",", ".")), text)
    raise _invalid_date(text)


def _grouped(integer, separator):
    """Digits of an integer part written with thousands separators."""
    if separator is None:
        groups = [integer]
    elif separator == " ":
        groups = _SPACE_SPLIT.split(integer)
    else:
        groups = integer.split(separator)
    if not all(group.isascii() and group.isdigit() for group in groups[1:]):
        return None
    if len(groups) > 1 and (
        not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])
    ):
        return None
    if groups[0] and not (groups[0].isascii() and groups[0].isdigit()):
        return None
    return "".join(groups)


def _number_from_text(text):
    """Float of a French or English number text, or None when it is not one."""
    text = text.replace("\u2212", "-")  # typographic minus
    sign = ""
    if text[0] in "+-":
        sign, text = text[0], text[1:]
    exponent = _EXPONENT.search(text)
    if exponent:
        text, exponent = text[: exponent.start()], exponent.group()
    else:
        exponent = ""
    commas, dots = text.count(","), text.count(".")
    if commas and dots:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
    elif commas + dots == 1:
        decimal, thousands = ("," if commas else "."), None
    elif commas or dots:
        decimal, thousands = None, ("," if commas else ".")
    else:
        decimal = thousands = None
    if any(space in text for space in _NUMBER_SPACES):
        if thousands is not None:
            return None
        thousands = " "
    integer, fraction = text.rsplit(decimal, 1) if decimal else (text, "")
    if fraction and not (fraction.isascii() and fraction.isdigit()):
        return None
    digits = _grouped(integer, thousands)
    if digits is None or not (digits or fraction):
        return None
    return float(f"{sign}{digits or '0'}.{fraction or '0'}{exponent}")


def parse_decimal(value):
    """A number from a cell: "1 234,5", "1.234,5", "1,234.5", "12.5", "1e3".

    A single comma or dot is the decimal separator ("1,234" is 1.234).
    ``None`` or empty text gives ``None``; anything else raises ``ValueError``.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError(
            Message(_("%(value)s is not a valid number"), value=_quote(value))
        )
    if isinstance(value, str):
        text = clean_text(value)
        if not text:
            return None
        number = _number_from_text(text)
        if number is None:
            raise ValueError(
                Message(
                    _("%(value)s is not a valid number (expected e.g. 1234,56)"),
                    value=_quote(text),
                )
            )
    else:
        number = float(value)
    if not math.isfinite(number):
        raise ValueError(
            Message(_("%(value)s is not a finite number"), value=_quote(value))
        )
    return number


# ------------------------------------------------------------------ files


def _reject(filename, template, todo, **params):
    """The error rejecting a file. ``template`` is a sentence starting with
    "The file%(name)s" (``name`` is the quoted file name after a space, or
    nothing) and ending with ": %(todo)s"; ``todo`` says what to do."""
    name = f' "{filename}"' if filename else ""
    return TabularError(Message(template, name=name, todo=todo, **params))


_SAVE_AS = Message(
    _("save it as CSV UTF-8 or Excel workbook (.xlsx) and import it again.")
)
_SAVE_AS_UTF8 = Message(_("save it as CSV UTF-8 and import it again."))
_EXPORT_AGAIN = Message(_("export the inventory again and import the new file."))
_FIX_QUOTES = Message(_("fix the quotes and import it again."))
_MAGIC = (
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        _(
            "The file%(name)s is an old Excel 97-2003 workbook (.xls) or a "
            "password-protected workbook: %(todo)s"
        ),
    ),
    (b"%PDF-", _("The file%(name)s is a PDF document, not a table: %(todo)s")),
    (
        b"\x89PNG\r\n\x1a\n",
        _("The file%(name)s is a PNG image, not a table: %(todo)s"),
    ),
    (b"\xff\xd8\xff", _("The file%(name)s is a JPEG image, not a table: %(todo)s")),
    (b"GIF8", _("The file%(name)s is a GIF image, not a table: %(todo)s")),
    (b"\x1f\x8b", _("The file%(name)s is a gzip archive, not a table: %(todo)s")),
    (b"Rar!", _("The file%(name)s is a RAR archive, not a table: %(todo)s")),
    (
        b"7z\xbc\xaf\x27\x1c",
        _("The file%(name)s is a 7-Zip archive, not a table: %(todo)s"),
    ),
)


def _check_known_formats(data, filename):
    for magic, template in _MAGIC:
        if data.startswith(magic):
            raise _reject(filename, template, _SAVE_AS)
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table")):
        raise _reject(
            filename,
            _("The file%(name)s is a web page (HTML), not a spreadsheet: %(todo)s"),
            _SAVE_AS,
        )
    if head.startswith(b"<?xml"):
        raise _reject(
            filename,
            _("The file%(name)s is an XML file, not a spreadsheet: %(todo)s"),
            _SAVE_AS,
        )
    if data.startswith(b"ID;P") and b"\nC;" in data[:_BINARY_SAMPLE]:
        raise _reject(
            filename, _("The file%(name)s is a SYLK file (.slk): %(todo)s"), _SAVE_AS
        )


def _zip_kind(data, filename):
    """Return "xlsx" for an Excel workbook; reject any other zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = b""
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(80)
    except Exception:  # zipfile raises many types on a damaged archive
        template = _(
            "The file%(name)s is a damaged or incomplete zip archive: %(todo)s"
        )
        if b"xl/" in data[:_BINARY_SAMPLE]:
            template = _(
                "The file%(name)s is a damaged or incomplete Excel workbook: %(todo)s"
            )
        raise _reject(
            filename,
            template,
            Message(
                _(
                    "open it in Excel or LibreOffice, save it again and import "
                    "the new file (if it was sent by e-mail or downloaded, get it "
                    "again)."
                )
            ),
        ) from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        template = _("The file%(name)s is an Excel binary workbook (.xlsb): %(todo)s")
    elif b"opendocument.spreadsheet" in mimetype:
        template = _("The file%(name)s is an OpenDocument spreadsheet (.ods): %(todo)s")
    elif "word/document.xml" in names or b"opendocument.text" in mimetype:
        template = _("The file%(name)s is a text document, not a spreadsheet: %(todo)s")
    else:
        template = _("The file%(name)s is a zip archive, not a spreadsheet: %(todo)s")
    raise _reject(filename, template, _SAVE_AS)


def _encoded_in(filename, encoding):
    return _reject(
        filename,
        _("The file%(name)s is encoded in %(encoding)s: %(todo)s"),
        _SAVE_AS_UTF8,
        encoding=encoding,
    )


def _decode(data, filename):
    """(text, encoding) of a text file, or a TabularError."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise _encoded_in(filename, "UTF-32")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _encoded_in(filename, "UTF-16")
    if b"\x00" in data:
        sample = data[:4096]
        nuls = sample.count(0)
        if nuls >= len(sample) * 0.6 and any(
            sample[offset::4].count(0) <= len(sample) // 40 for offset in range(4)
        ):
            encoding = "UTF-32"
        elif (
            nuls >= len(sample) * 0.3
            and min(sample[0::2].count(0), sample[1::2].count(0)) <= nuls // 20
        ):
            encoding = "UTF-16"
        else:
            encoding = None
        if encoding:
            raise _encoded_in(filename, encoding)
        raise _reject(
            filename,
            _("The file%(name)s contains binary data (NUL bytes), not text: %(todo)s"),
            _SAVE_AS,
        )
    sample = data[:_BINARY_SAMPLE]
    if len(sample.translate(None, _TEXT_BYTES)) > len(sample) * _CONTROL_SHARE_MAX:
        raise _reject(
            filename,
            _("The file%(name)s contains binary data, not text: %(todo)s"),
            _SAVE_AS,
        )
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, data = "utf-8-sig", data[3:]
    else:
        encoding = "utf-8"
    try:
        return data.decode("utf-8"), encoding
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # 0x81, 0x8d, 0x8f, 0x90 or 0x9d: as in latin-1
        return data.decode("latin-1").translate(_CP1252_TABLE), "cp1252"


def _split_counts(sample, delimiter, cut):
    """[(delimiters outside quotes, physical lines)] of the sample's records."""
    counts = []
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
    last = 0
    for record in reader:
        lines, last = reader.line_num - last, reader.line_num
        if record:
            counts.append((len(record) - 1, lines))
            if len(counts) == _SNIFF_RECORDS:
                return counts
    if cut and counts:
        counts.pop()  # the last record may be cut in the middle
    return counts


def _sniff_delimiter(text):
    """The delimiter that splits the most lines of the first records alike.

    Lines, not records, are counted: a wrong delimiter may see a quoted cell
    with line breaks as several records.
    """
    sample = text[:_SNIFF_CHARS]
    cut = len(text) > len(sample)
    best, best_score = DEFAULT_DELIMITER, (0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = _split_counts(sample, delimiter, cut)
        except csv.Error:
            continue
        split = Counter(count for count, _lines in counts if count)
        if not split:
            continue
        usual = split.most_common(1)[0][0]
        alike = sum(lines for count, lines in counts if count == usual)
        # at least half of the lines split alike: a one-column file with a
        # comma in a few cells stays one column
        if 2 * alike >= sum(lines for _count, lines in counts):
            score = (alike, usual)
            if score > best_score:
                best, best_score = delimiter, score
    return best


def _lines(text):
    """The lines of ``text`` one at a time, ends kept: csv.reader reads them
    without a second copy of the whole text (io.StringIO would make one)."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start)
        end = size if end < 0 else end + 1
        yield text[start:end]
        start = end


def _clean_cells(record):
    """A record's cells cleaned and trimmed, without its trailing empty
    cells (an empty list: an empty record)."""
    cells = [
        cell.strip() if cell.isprintable() else clean_text(cell) for cell in record
    ]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _csv_records(text, delimiter, filename):
    """(line, cells) of the non-empty records, one at a time, cells cleaned
    and trimmed."""
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=False)
    last = start = 0
    try:
        for record in reader:
            start = last + 1
            last = reader.line_num
            cells = _clean_cells(record)
            if cells:
                yield start, cells
    except csv.Error:
        raise _reject(
            filename,
            _(
                "The file%(name)s has a cell longer than %(limit)s characters "
                'near line %(line)s, usually a quote (") that is never closed: '
                "%(todo)s"
            ),
            _FIX_QUOTES,
            limit=csv.field_size_limit(),
            line=reader.line_num,
        ) from None
    if last > start and _unclosed_quote(text, start, delimiter):
        raise _reject(
            filename,
            _(
                'The file%(name)s has a quote (") opened on line %(line)s that is '
                "never closed, so the rest of the file would be read as one "
                "cell: %(todo)s"
            ),
            _FIX_QUOTES,
            line=start,
        )


def _unclosed_quote(text, start, delimiter):
    tail = text.split("\n", start - 1)[-1]
    try:
        for _record in csv.reader(io.StringIO(tail), delimiter=delimiter, strict=True):
            pass
    except csv.Error as error:
        return "unexpected end of data" in str(error)
    return False


def _xlsx_records(data, filename):
    damaged = _reject(
        filename,
        _("The file%(name)s is a damaged Excel workbook: %(todo)s"),
        Message(
            _(
                "open it in Excel or LibreOffice, save it again as .xlsx and "
                "import the new file."
            )
        ),
    )
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True
        )
    except Exception:  # any parser failure on an uploaded file means damage
        raise damaged from None
    try:
        if not workbook.worksheets:
            raise _reject(
                filename, _("The file%(name)s has no worksheet: %(todo)s"), _SAVE_AS
            )
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the stored size may be wrong: read it all
        found = False
        # cells, not values: a number's format tells its leading zeros
        for line, row in enumerate(sheet.iter_rows(), start=1):
            cells = [_xlsx_cell_text(cell) for cell in row]
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                found = True
                yield line, cells
    except TabularError:
        raise
    except Exception:  # same as above, for sheets parsed while iterating
        raise damaged from None
    finally:
        workbook.close()
    if not found:
        raise _reject(
            filename,
            _('The file%(name)s has an empty first worksheet ("%(sheet)s"): %(todo)s'),
            Message(_("put the table on the first worksheet and import it again.")),
            sheet=sheet.title,
        )


def _wide_enough(filled, usual):
    """Whether a row with ``filled`` cells can head rows ``usual`` cells wide."""
    if usual <= 1:
        return filled >= 1
    return filled >= 2 and 3 * filled >= 2 * usual


def _find_header(records, expected_headers):
    """Index in ``records`` of the header row (see rule 3)."""
    candidates = records[:HEADER_SEARCH_ROWS]
    expected = {normalise_header(name) for name in expected_headers} - {""}
    if expected:
        best, best_score = None, 0
        for index, (_line, cells) in enumerate(candidates):
            score = sum(1 for cell in cells if normalise_header(cell) in expected)
            if score > best_score:
                best, best_score = index, score
        if best is not None:
            return best
    filled = [sum(1 for cell in cells if cell) for _line, cells in candidates]
    for index in range(len(candidates)):
        below = records[index + 1 : index + 1 + _WIDTH_WINDOW]
        if not below:
            if index == 0:
                return index  # a header-only file
            break
        usual = Counter(len(cells) for _line, cells in below).most_common(1)[0][0]
        if _wide_enough(filled[index], usual):
            return index
    # nothing as wide as the rows below it: the first row of several cells
    return next((index for index, count in enumerate(filled) if count >= 2), 0)


def _unique_header(cells):
    """Header names: empty cells named "column N", duplicates suffixed."""
    original = set(cells)
    header, used = [], set()
    for number, cell in enumerate(cells, start=1):
        name = base = cell or f"column {number}"
        suffix = 2
        while name in used or (name != base and name in original):
            name = f"{base} ({suffix})"
            suffix += 1
        used.add(name)
        header.append(name)
    return header


def _table(records, expected_headers, kind, encoding, delimiter, filename):
    """A :class:`Table` whose ``rows`` are read from ``records`` (an
    iterator) as they are consumed; the header is found in the first rows."""
    records = iter(records)
    head = list(itertools.islice(records, HEADER_SEARCH_ROWS + _WIDTH_WINDOW))
    if not head:
        raise _reject(
            filename,
            _("The file%(name)s contains no table (only empty lines): %(todo)s"),
            _EXPORT_AGAIN,
        )
    index = _find_header(head, expected_headers)
    header_line, header_cells = head[index]
    header = _unique_header(header_cells)
    rows = _rows(header, itertools.chain(head[index + 1 :], records))
    return Table(header, rows, kind, encoding, delimiter, header_line)


def _rows(header, records):
    width = len(header)
    padding = [""] * width
    for line, cells in records:
        error = None
        if len(cells) > width:
            error = Message(
                _("expected %(expected)s columns, found %(found)s"),
                expected=width,
                found=len(cells),
            )
            values = dict(zip(header, cells, strict=False))
        elif len(cells) == width:
            values = dict(zip(header, cells, strict=True))
        else:
            values = dict(zip(header, cells + padding[len(cells) :], strict=True))
        yield Row(line, values, cells, error)


def iter_table(data, filename="", expected_headers=()):
    """Like :func:`read_table`, but the :class:`Table`'s ``rows`` are an
    iterator that reads the file as it goes: a large file is never held in
    memory as rows. A problem found further in the file (an unclosed quote
    at its end...) raises :class:`TabularError` while iterating."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("read_table() expects the file content as bytes")
    data = bytes(data)
    if not data.strip():
        raise _reject(filename, _("The file%(name)s is empty: %(todo)s"), _EXPORT_AGAIN)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        _zip_kind(data, filename)
        records = _xlsx_records(data, filename)
        return _table(records, expected_headers, "xlsx", None, None, filename)
    _check_known_formats(data, filename)
    text, encoding = _decode(data, filename)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    delimiter = _sniff_delimiter(text)
    records = _csv_records(text, delimiter, filename)
    return _table(records, expected_headers, "csv", encoding, delimiter, filename)


def read_table(data, filename="", expected_headers=()):
    """Read CSV or XLSX ``data`` (bytes) into a :class:`Table`.

    ``filename`` only names the file in error messages; ``expected_headers``
    (column names the importer knows) helps to find the header row.
    Raises :class:`TabularError` when the file must be rejected as a whole.
    """
    table = iter_table(data, filename, expected_headers)
    table.rows = list(table.rows)
    return table


def table_of(header, records):
    """The :class:`Table` of ``records`` (dicts keyed by ``header``, whose
    names are unique, as a connector gives them), their cells cleaned as a
    file's are: the rows of a tool reach the import engine as they are,
    without going through a file. Empty records are left out; lines count
    from 2, as if the header were the first line."""

    def cells(record):
        return _clean_cells(
            ["" if record.get(name) is None else str(record[name]) for name in header]
        )

    numbered = ((line, cells(record)) for line, record in enumerate(records, start=2))
    rows = _rows(header, ((line, found) for line, found in numbered if found))
    return Table(list(header), rows, "rows", None, None, 1)


def rows_table(header, rows):
    """The :class:`Table` of :class:`Row` objects already read and checked
    elsewhere (the partner API's devices, the rejected rows of a run being
    replayed)."""
    return Table(list(header), list(rows), "rows", None, None, 1)
