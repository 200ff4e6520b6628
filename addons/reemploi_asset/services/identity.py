"""The identity of a device: one rule for the register and every import.

Plain Python. For its owner, a device is told by its serial number and its
manufacturer, both normalised (:func:`device_key`):

* the serial number keeps its letters and digits, in upper case
  (:func:`serial_key`); a serial number that a spreadsheet or a BIOS mangled
  (scientific notation, a decimal part, a placeholder such as "To be filled
  by O.E.M.", the same character repeated...) has no key: it never tells a
  device, whatever its manufacturer (:func:`serial_problem` says why);
* the manufacturer loses its legal form and spelling ("Dell Inc." is
  "dell"; "Hewlett-Packard", "HP Inc." and "HP" are "hp"): see
  :func:`manufacturer_key`. A placeholder ("System manufacturer") or no
  manufacturer at all gives "", which matches any manufacturer
  (:func:`same_maker`): a device registered without its manufacturer is the
  one an inventory later gives with it.

The register (``reemploi.equipment``: its stored ``serial_key`` and
``manufacturer_key``, its uniqueness check) and the import engine
(``reemploi.import.run``: its look-up of known devices and the rows it
merges) both use these functions. Rows of one file are merged only when
their serial numbers, manufacturers and models agree (:func:`disagreement`).

Sources of the placeholders: GLPI's default blacklist of serial numbers
(``src/Blacklist.php``, ``getDefaults()``) and the strings BIOS vendors leave
in SMBIOS tables, plus the French words donors type in spreadsheets.
"""

import functools
import re
import unicodedata
from urllib.parse import urlsplit

from .messages import Message, _

# letters and digits of a serial number, upper case, accents removed; the
# values GLPI blacklists by default, and the usual BIOS and spreadsheet ones
PLACEHOLDER_SERIALS = frozenset(
    {
        # GLPI, Blacklist::getDefaults()
        "NA",
        "NULLSTRING",
        "INVALID",
        "SYS1234567890",
        "SYS9876543210",
        "SN12345",
        "SN1234567890",
        "0123456789",
        "12345",
        "123456",
        "1234567",
        "12345678",
        "123456789",
        "1234567890",
        "123456789000",
        "12345678901234567",
        "EVAL",
        "IATPASS",
        "NONE",
        "TOBEFILLEDBYOEM",
        "TULIPCOMPUTERS",
        "SERIALNUMBERXXXXXX",
        "SN123456FVGV3I0B8O5N6N7K",
        "UNKNOW",
        "SYSTEMSERIALNUMBER",
        "MB1234567890",
        "EMPTY",
        "NOTSPECIFIED",
        "OEMSERIAL",
        "SYSTEMSERIALNUMB",
        # BIOS and tools
        "DEFAULTSTRING",
        "DEFAULT",
        "TOBEFILLED",
        "OEM",
        "UNKNOWN",
        "NULL",
        "NIL",
        "NOTAVAILABLE",
        "NOTAPPLICABLE",
        "NOTSET",
        "NOTDEFINED",
        "CHASSISSERIALNUMBER",
        "BASEBOARDSERIALNUMBER",
        "SERIALNUMBER",
        "SERIAL",
        "SN",
        "NOSERIAL",
        "NOSERIALNUMBER",
        "TBD",
        "TBA",
        # French spreadsheets
        "INCONNU",
        "NONRENSEIGNE",
        "ARENSEIGNER",
        "NONCOMMUNIQUE",
        "NC",
        "ND",
        "NONDISPONIBLE",
        "NONDEFINI",
        "NEANT",
        "AUCUN",
        "SANS",
        "SANSNUMERO",
        "VIDE",
    }
)

# a spreadsheet's number: 1,23457E+11, 1.23457E+11 (the exponent's sign is
# what tells it from a serial number such as 4E12345), 123456789.0, 12,5;
# and GLPI's "digit.digit" rule (versions such as 1.0.2 are no serial numbers)
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]\d+", re.ASCII)
_DECIMAL = re.compile(r"\d+(?:[.,]\d+)+", re.ASCII)

# words that tell a company's legal form or trade, not which company it is
_LEGAL_WORDS = frozenset(
    {
        "ab",
        "ag",
        "as",
        "bv",
        "co",
        "company",
        "computer",
        "computers",
        "corp",
        "corporation",
        "development",
        "electronics",
        "gmbh",
        "inc",
        "incorporated",
        "international",
        "kk",
        "limited",
        "llc",
        "lp",
        "ltd",
        "nv",
        "oy",
        "plc",
        "pty",
        "sa",
        "sarl",
        "sas",
        "solutions",
        "spa",
        "srl",
        "systems",
        "technologies",
        "technology",
        "the",
    }
)
# what is left of a manufacturer's name -> its key
MANUFACTURER_ALIASES = {
    "hewlettpackard": "hp",
    "hewlettpackardenterprise": "hp",
    "hpenterprise": "hp",
    "hpe": "hp",
    "hpinc": "hp",
    "asustek": "asus",
    "microstar": "msi",
    "businessmachines": "ibm",
    "fujitsusiemens": "fujitsu",
    "lenovobeijing": "lenovo",
    "samsungelectronics": "samsung",
    "dellemc": "dell",
}
# a manufacturer that says nothing (BIOS placeholders): no manufacturer
PLACEHOLDER_MANUFACTURERS = frozenset(
    {
        "systemmanufacturer",
        "tobefilledbyoem",
        "tobefilled",
        "defaultstring",
        "default",
        "oem",
        "unknown",
        "unknow",
        "na",
        "nc",
        "nd",
        "none",
        "null",
        "empty",
        "notspecified",
        "notapplicable",
        "notavailable",
        "inconnu",
        "nonrenseigne",
        "manufacturer",
        "systemmanufacturername",
    }
)


def _fold(text):
    """Text without accents, ligatures spelled out."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    return "".join(char for char in text if not unicodedata.combining(char))


def serial_key(serial):
    """The serial number as compared: its letters and digits, upper case;
    ``None`` when it is empty or mangled (see :func:`serial_problem`).

    The register stores it (``reemploi.equipment.serial_key``), imports and
    scans look devices up by it."""
    key = "".join(filter(str.isalnum, str(serial or ""))).upper()
    if not key or serial_problem(serial) is not None:
        return None
    return key


@functools.lru_cache(maxsize=8192)
def serial_problem(serial):
    """Why ``serial`` (a non-empty text) cannot tell a device, as a
    :class:`~.messages.Message`; ``None`` when it can (or it is empty).
    Cached: an inventory repeats the same few placeholders."""
    text = str(serial or "").strip()
    if not text:
        return None
    if _SCIENTIFIC.fullmatch(text):
        why = _(
            "a number in scientific notation: a spreadsheet rounded it and its "
            "digits are lost"
        )
    elif _DECIMAL.fullmatch(text):
        why = _(
            "a number with a decimal part or a version number, as a spreadsheet "
            "writes a serial number it turned into a number"
        )
    else:
        key = "".join(filter(str.isalnum, _fold(text))).upper()
        if not key:
            why = _("it has no letter or digit")
        elif len(key) < 2:
            why = _("one character cannot tell a device")
        elif len(set(key)) == 1 or set(key) <= {"0", "1"}:
            why = _("the same character repeated, a placeholder")
        elif key in PLACEHOLDER_SERIALS:
            why = _("a placeholder left by the BIOS or the inventory tool")
        else:
            return None
    return Message(
        _("%(serial)s is not a serial number (%(why)s)"),
        serial=repr(text),
        why=Message(why),
    )


@functools.lru_cache(maxsize=4096)
def manufacturer_key(manufacturer):
    """The manufacturer as compared: lower case, without accents, legal
    form nor punctuation, known aliases merged ("Hewlett-Packard",
    "HP Inc." -> "hp"); "" when unknown or a placeholder."""
    text = _fold(manufacturer).lower()
    text = re.sub(r"\([^)]*\)", " ", text)  # "Lenovo (Beijing) Limited"
    text = text.replace(".", "")  # "L.P.", "O.E.M."
    words = [
        word
        for word in re.split(r"[^a-z0-9]+", text)
        if word and word not in _LEGAL_WORDS
    ]
    key = "".join(words)
    if not key:
        # "Computer Corporation" alone: keep what was written
        key = "".join(re.split(r"[^a-z0-9]+", text))
    if key in PLACEHOLDER_MANUFACTURERS:
        return ""
    return MANUFACTURER_ALIASES.get(key, key)


def model_key(model):
    """The model as compared: letters and digits, lower case, no accents."""
    return "".join(filter(str.isalnum, _fold(model))).lower()


def device_key(serial, manufacturer):
    """``(serial key, manufacturer key)`` of a device, ``None`` when its
    serial number cannot tell it."""
    key = serial_key(serial)
    return (key, manufacturer_key(manufacturer)) if key else None


def same_maker(first, second):
    """Whether two manufacturer keys may be the same company: equal, or one
    of them unknown."""
    return not first or not second or first == second


def pick(maker, candidates):
    """Of ``candidates`` (``[(manufacturer key, value)]``, all of the same
    serial number and owner, the preferred first), the one a device of
    manufacturer key ``maker`` is: the same manufacturer, else the only one
    whose manufacturer (or ``maker``) is unknown; ``None`` when there is
    none or it is ambiguous (the register then refuses a second device)."""
    for candidate_maker, value in candidates:
        if candidate_maker == maker:
            return value
    matching = [
        value
        for candidate_maker, value in candidates
        if same_maker(maker, candidate_maker)
    ]
    return matching[0] if len(matching) == 1 else None


def row_key(source_ref=None, serial=None, asset_tag=None, manufacturer=None):
    """The key that identifies a row's device inside one import: the
    source's identifier, else its serial number and manufacturer, else its
    asset tag; ``None`` when it has none of them (a mangled serial number
    does not count)."""
    source_ref = (source_ref or "").strip()
    if source_ref:
        return ("ref", source_ref)
    key = device_key(serial, manufacturer)
    if key:
        return ("serial", key)
    asset_tag = (asset_tag or "").strip()
    if asset_tag:
        return ("tag", asset_tag)
    return None


# identity fields compared before two rows are merged: field -> its key
_COMPARED = (
    ("serial", serial_key),
    ("manufacturer", manufacturer_key),
    ("model", model_key),
)


def disagreement(first, second):
    """``(field, value in first, value in second)`` for the first identity
    field (serial number, manufacturer, model) on which two rows' values
    (dicts of field values) disagree; ``None`` when they may describe the
    same device. An empty or mangled value disagrees with nothing."""
    for field, key in _COMPARED:
        first_key, second_key = key(first.get(field)), key(second.get(field))
        if first_key and second_key and first_key != second_key:
            return field, first.get(field), second.get(field)
    return None


# the code of a QR label (URL-safe base64 of a random token)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def parse_scan(code):
    """What a scan designates: ``("token", qr token)`` for the URL of a QR
    label (or a bare token in it), ``("code", text)`` for anything else (a
    serial number or an asset tag), ``(None, "")`` for blank input.

    The check-in of a lot and the erasure reports waiting for their device
    read a phone camera or a USB scanner through it."""
    text = (code or "").strip()
    if not text:
        return None, ""
    path = urlsplit(text).path if "://" in text else text
    if "/r/" in path:
        token = path.rsplit("/r/", 1)[1].strip("/")
        if TOKEN_RE.match(token):
            return "token", token
    return "code", text
