"""Audit snapshots of a device, read from the tools that boot sticks run.

Plain Python, no ORM. :func:`parse` reads one snapshot file, whatever its
format (told by its content, not its name):

* a glpi-agent inventory in JSON (the GLPI inventory format,
  https://github.com/glpi-project/inventory_format, ``inventory.schema.json``:
  ``{"action": "inventory", "content": {"bios": …, "storages": […]}}``);
* a fusioninventory-agent (or glpi-agent ``--xml``) inventory in XML
  (``REQUEST/CONTENT/BIOS``, ``STORAGES``, ``MEMORIES``…), the format of
  which the JSON one is the conversion: the XML is read into the same
  dictionary, keys in lower case, and both go through the same code;
* an eReuse Workbench snapshot in JSON, in the normalised format of
  Workbench 11 that eReuse's Devicehub reads (``{"type": "Snapshot",
  "device": …, "components": […]}``). The later snapshots that carry the
  raw outputs of lshw, dmidecode and smartctl (``"data": {"lshw": …,
  "dmidecode": "…", "smart": […]}``, Workbench 14 and workbench-script; the
  list of ``smartctl -x --json`` reports is also read under ``smartctl``, as
  workbench-script writes it, or ``disks``) are read from those outputs:
  identity, chassis, processors, memory banks and batteries from lshw
  (dmidecode where lshw says nothing), storage media from smartctl (lshw's
  disks where smartctl could not read one).

It returns an :class:`Audit`: the normalised values (device identity,
specifications, components) and a filtered copy of the file to keep as
evidence.

Privacy: a snapshot tells much more than hardware (users and the last one
logged in, installed software and its licence keys, environment variables,
processes, local users and groups, network addresses, host and domain names,
printers and their shares…). The filter keeps an allow-list of hardware
sections and fields (:data:`GLPI_SECTIONS`, :data:`WORKBENCH_KEYS`,
:data:`LSHW_FIELDS`, :data:`SMARTCTL_KEYS`, :data:`DMI_TYPES`) and drops
everything else *before* the values are normalised and before the copy is
serialised: neither the register nor the attachment ever receives what was
dropped. Network adapters go too (their MAC and IP addresses say where and
by whom a machine was used, and no reuse decision needs them), and so do, in
lshw's tree, the host name (its root's ``id``), partitions and file systems
(labels, UUIDs, mount points) and whatever hangs on USB (the boot stick, the
previous user's keyboard and mouse).

Units: capacities of storage media in GB (10^9 bytes, as the tools and the
labels count them), memory in MB and RAM in GB (binary), battery capacities
in mWh; Workbench gives batteries in mAh, converted with its measured voltage.
"""

import json
import math
import re

from lxml import etree

from .messages import Message, _

MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64
# what a PostgreSQL integer column holds
INT_MIN, INT_MAX = -(2**31), 2**31 - 1

# SMBIOS chassis types (DMTF DSP0134, 7.4.1) and Workbench device types ->
# category codes of reemploi.equipment.category
CHASSIS_CATEGORIES = {
    "desktop": "desktop",
    "low profile desktop": "desktop",
    "pizza box": "desktop",
    "mini tower": "desktop",
    "tower": "desktop",
    "all in one": "desktop",
    "space-saving": "desktop",
    "lunch box": "desktop",
    "mini pc": "desktop",
    "stick pc": "desktop",
    "sealed-case pc": "desktop",
    "computer": "desktop",
    "microtower": "desktop",
    "portable": "laptop",
    "laptop": "laptop",
    "notebook": "laptop",
    "hand held": "laptop",
    "sub notebook": "laptop",
    "netbook": "laptop",
    "convertible": "laptop",
    "detachable": "laptop",
    "tablet": "tablet",
    "main server chassis": "server",
    "rack mount chassis": "server",
    "multi-system chassis": "server",
    "blade": "server",
    "blade enclosure": "server",
    "server": "server",
    "smartphone": "smartphone",
    "cellphone": "smartphone",
    "monitor": "monitor",
    "computermonitor": "monitor",
}

# glpi-agent / fusioninventory: the sections kept (all others are dropped)
# and, for those that mix hardware with personal data, the fields kept
GLPI_SECTIONS = {
    "bios": None,
    "hardware": {
        "chassis_type",
        "memory",
        "uuid",
        "vmsystem",
        "processorn",
        "processors",
        "processort",
        "osname",
        "osversion",
        "archname",
    },
    "operatingsystem": {
        "name",
        "full_name",
        "version",
        "arch",
        "kernel_name",
        "kernel_version",
        "service_pack",
    },
    "cpus": None,
    "memories": None,
    "storages": None,
    "batteries": None,
    "monitors": None,
    "videos": None,
    "controllers": None,
    "sounds": None,
    "powersupplies": None,
    "versionclient": None,
}
GLPI_TOP = {"action", "content", "itemtype", "query"}
# Workbench: top-level keys kept, component types dropped
WORKBENCH_KEYS = {
    "type",
    "software",
    "version",
    "uuid",
    "endTime",
    "elapsed",
    "closed",
    "device",
    "components",
}
WORKBENCH_DROPPED_COMPONENTS = {"NetworkAdapter"}
WORKBENCH_STORAGE = {
    "HardDrive": "hdd",
    "SolidStateDrive": "ssd",
}

# Raw outputs (Workbench 14, workbench-script): the tools read, the lshw
# node fields and configuration entries kept, the lshw classes dropped with
# their children, the smartctl keys kept, the dmidecode structure types kept
# (DMTF DSP0134: 0 BIOS, 1 system, 2 baseboard, 3 chassis, 4 processor,
# 17 memory device, 22 portable battery)
RAW_TOOLS = {"lshw", "dmidecode", "smart", "smartctl", "disks"}
RAW_TOP = WORKBENCH_KEYS | {"timestamp", "data"}
LSHW_FIELDS = {
    "class",
    "id",
    "description",
    "product",
    "vendor",
    "version",
    "serial",
    "size",
    "capacity",
    "units",
    "width",
    "clock",
    "businfo",
    "logicalname",
    "disabled",
    "configuration",
    "children",
}
LSHW_CONFIGURATION = {
    "chassis",
    "family",
    "sku",
    "uuid",
    "cores",
    "enabledcores",
    "threads",
    "voltage",
    "logicalsectorsize",
    "sectorsize",
}
LSHW_DROPPED_CLASSES = {"network", "volume", "input"}
SMARTCTL_KEYS = {
    "json_format_version",
    "device",
    "model_family",
    "model_name",
    "serial_number",
    "firmware_version",
    "user_capacity",
    "nvme_total_capacity",
    "logical_block_size",
    "rotation_rate",
    "form_factor",
    "interface_speed",
    "smart_status",
    "power_on_time",
    "power_cycle_count",
    "nvme_smart_health_information_log",
    "ata_smart_attributes",
}
DMI_TYPES = {0, 1, 2, 3, 4, 17, 22}
# what firmware writes where a value was never filled in
JUNK_VALUES = {
    "",
    "none",
    "n/a",
    "unknown",
    "not specified",
    "not available",
    "not applicable",
    "to be filled by o.e.m.",
    "system manufacturer",
    "system product name",
    "system serial number",
    "system version",
    "default string",
    "0",
    "00000000",
    "0123456789",
}


class AuditError(ValueError):
    """A file that is no audit snapshot we can read; ``args[0]`` is a
    :class:`~.messages.Message`."""


class Audit:
    """One audit, read and filtered.

    ``values``: the normalised dictionary (see :func:`parse`);
    ``filtered``: the file's filtered copy (bytes), ``extension``: its
    extension (``json`` or ``xml``); ``fmt``: ``glpi``, ``fusioninventory``
    or ``workbench``; ``dropped``: names of the sections the filter dropped.
    """

    def __init__(self, fmt, values, filtered, extension, dropped):
        self.fmt = fmt
        self.values = values
        self.filtered = filtered
        self.extension = extension
        self.dropped = dropped


# ----------------------------------------------------------------------
# Small readers
# ----------------------------------------------------------------------
def _text(value):
    if value is None or isinstance(value, (dict, list)):
        return ""
    return " ".join(str(value).split())


def _number(value):
    """The first number in ``value`` ("1867 MHz", "160042.0 MB", 4096),
    or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    match = re.search(r"-?\d+(?:[.,]\d+)?", str(value))
    return float(match.group().replace(",", ".")) if match else None


def _int(value):
    """The value as an integer a database column holds, else 0."""
    number = _number(value)
    if number is None or not math.isfinite(number):
        return 0
    number = int(round(number))
    return number if INT_MIN <= number <= INT_MAX else 0


def _list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _clean_serial(value):
    text = _text(value).strip("/ ")
    return text


def category_code(chassis):
    """The category code of a chassis type or Workbench device type, or ""."""
    return CHASSIS_CATEGORIES.get(_text(chassis).lower(), "")


# ----------------------------------------------------------------------
# Reading the file
# ----------------------------------------------------------------------
def _check(value, depth=0):
    """Refuse a document nested too deeply, or holding text that no
    database field takes (a NUL character, a lone surrogate)."""
    if depth > MAX_DEPTH:
        raise AuditError(Message(_("The file is nested too deeply to be an audit.")))
    if isinstance(value, dict):
        for key, item in value.items():
            _check(key, depth + 1)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            valid = False
        else:
            valid = "\x00" not in value
        if not valid:
            raise AuditError(
                Message(
                    _(
                        "The file holds characters that are not valid text (a NUL "
                        "character or a broken Unicode escape)."
                    )
                )
            )


def _xml_to_dict(element):
    """An element of a fusioninventory XML inventory as the GLPI JSON format
    writes it: tags in lower case, repeated children as lists."""
    children = list(element)
    if not children:
        return element.text or ""
    result = {}
    for child in children:
        if not isinstance(child.tag, str):  # comments, processing instructions
            continue
        key = child.tag.lower()
        value = _xml_to_dict(child)
        if key in result:
            if not isinstance(result[key], list):
                result[key] = [result[key]]
            result[key].append(value)
        else:
            result[key] = value
    return result


def _read_xml(data):
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise AuditError(
            Message(
                _("The file is not valid XML (%(error)s)."),
                error=str(error.msg or error),
            )
        ) from None
    if root.tag != "REQUEST" or root.find("CONTENT") is None:
        raise AuditError(
            Message(
                _(
                    "This XML file is not a fusioninventory-agent inventory "
                    "(REQUEST/CONTENT expected, found %(tag)s)."
                ),
                tag=str(root.tag)[:60],
            )
        )
    return root


def parse(data):
    """Read ``data`` (the bytes of one snapshot file) and return an
    :class:`Audit`; raise :class:`AuditError` when it is none of the formats.

    ``Audit.values``::

        {"manufacturer", "model", "serial", "chassis", "category_code",
         "cpu", "ram_gb", "storage_gb", "storage_type", "os_name",
         "software", "components": [{"kind": "storage" | "memory" | "cpu" |
         "battery", "manufacturer", "model", "serial", "storage_type",
         "capacity_gb", "smart_passed", "power_on_hours", "size_mb",
         "speed_mhz", "cores", "design_capacity_mwh",
         "current_capacity_mwh"}, …]}
    """
    if not data:
        raise AuditError(Message(_("The file is empty.")))
    if len(data) > MAX_BYTES:
        raise AuditError(
            Message(
                _("The file is larger than %(limit)s MB: this is no audit snapshot."),
                limit=MAX_BYTES // (1024 * 1024),
            )
        )
    if isinstance(data, str):
        data = data.encode("utf-8")
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"<":
        root = _read_xml(data)
        dropped = _filter_xml(root)
        document = {"content": _xml_to_dict(root.find("CONTENT"))}
        filtered = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
        return Audit(
            "fusioninventory", _normalise_glpi(document), filtered, "xml", dropped
        )
    if start in (b"{", b"["):
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except RecursionError:
            raise AuditError(
                Message(_("The file is nested too deeply to be an audit."))
            ) from None
        except (ValueError, UnicodeDecodeError) as error:
            raise AuditError(
                Message(_("The file is not valid JSON (%(error)s)."), error=str(error))
            ) from None
        _check(document)
        if isinstance(document, dict) and isinstance(document.get("content"), dict):
            document, dropped = _filter_glpi(document)
            return Audit(
                "glpi", _normalise_glpi(document), _dump(document), "json", dropped
            )
        if (
            isinstance(document, dict)
            and document.get("type") == "Snapshot"
            and isinstance(document.get("device"), dict)
        ):
            document, dropped = _filter_workbench(document)
            return Audit(
                "workbench",
                _normalise_workbench(document),
                _dump(document),
                "json",
                dropped,
            )
        if isinstance(document, dict) and isinstance(document.get("data"), dict):
            # workbench-script and Workbench 14: the tools' raw outputs
            if not RAW_TOOLS & set(document["data"]):
                raise AuditError(
                    Message(
                        _(
                            "This eReuse snapshot holds none of the outputs of "
                            "lshw, dmidecode or smartctl that describe the "
                            "device: run workbench-script with lshw, dmidecode "
                            "and smartmontools installed."
                        )
                    )
                )
            document, dropped = _filter_raw(document)
            return Audit(
                "workbench", _normalise_raw(document), _dump(document), "json", dropped
            )
        raise AuditError(
            Message(
                _(
                    "This JSON file is neither a glpi-agent inventory (a "
                    '"content" object) nor an eReuse Workbench snapshot '
                    '("type": "Snapshot" with a "device").'
                )
            )
        )
    raise AuditError(
        Message(
            _(
                "The file is neither JSON nor XML: send the inventory of "
                "glpi-agent (JSON), fusioninventory-agent (XML) or eReuse "
                "Workbench (JSON)."
            )
        )
    )


def _dump(document):
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True).encode()


# ----------------------------------------------------------------------
# The privacy filter
# ----------------------------------------------------------------------
def _keep_fields(section, allowed):
    if allowed is None:
        return section
    if isinstance(section, list):
        return [_keep_fields(item, allowed) for item in section]
    if not isinstance(section, dict):
        return section
    return {key: value for key, value in section.items() if key in allowed}


def _filter_glpi(document):
    """The GLPI JSON inventory without what is not hardware; the names of
    the sections dropped."""
    content = document["content"]
    dropped = sorted(key for key in content if key not in GLPI_SECTIONS)
    dropped += sorted(key for key in document if key not in GLPI_TOP)
    kept = {
        key: _keep_fields(value, GLPI_SECTIONS[key])
        for key, value in content.items()
        if key in GLPI_SECTIONS
    }
    top = {key: value for key, value in document.items() if key in GLPI_TOP}
    top["content"] = kept
    return top, dropped


def _filter_xml(root):
    """Drop, in place, what the allow-list does not keep from a
    fusioninventory XML inventory; return the names of what was dropped."""
    dropped = set()
    for child in list(root):
        if child.tag not in ("CONTENT", "QUERY"):
            dropped.add(str(child.tag).lower())
            root.remove(child)
    content = root.find("CONTENT")
    for section in list(content):
        name = str(section.tag).lower()
        if name not in GLPI_SECTIONS:
            dropped.add(name)
            content.remove(section)
            continue
        allowed = GLPI_SECTIONS[name]
        if allowed is None:
            continue
        for field in list(section):
            if str(field.tag).lower() not in allowed:
                section.remove(field)
    return sorted(dropped)


def _filter_workbench(document):
    dropped = sorted(key for key in document if key not in WORKBENCH_KEYS)
    kept = {key: value for key, value in document.items() if key in WORKBENCH_KEYS}
    components = []
    for component in _list(kept.get("components")):
        if not isinstance(component, dict):
            continue
        if component.get("type") in WORKBENCH_DROPPED_COMPONENTS:
            if component["type"] not in dropped:
                dropped.append(component["type"])
            continue
        components.append(component)
    kept["components"] = components
    return kept, dropped


def _raw_json(value, default):
    """A tool's output as the snapshot carries it: parsed already, or as the
    JSON text the tool printed (workbench-script keeps smartctl's list as
    text); ``default`` when it is neither."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return default
        _check(value)
    return value if isinstance(value, type(default)) else default


def _filter_lshw(node, dropped):
    """A node of lshw's tree with the fields :data:`LSHW_FIELDS` keeps and
    its children, without network, partition, input and USB nodes."""
    kept = {}
    for key, value in node.items():
        if key not in LSHW_FIELDS:
            continue
        if key == "configuration" and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k in LSHW_CONFIGURATION}
        elif key == "children":
            children = []
            for child in _list(value):
                if not isinstance(child, dict):
                    continue
                kind = _text(child.get("class"))
                if kind in LSHW_DROPPED_CLASSES:
                    dropped.add("lshw:" + kind)
                    continue
                if _text(child.get("businfo")).startswith("usb@"):
                    dropped.add("lshw:usb")
                    continue
                children.append(_filter_lshw(child, dropped))
            value = children
        kept[key] = value
    return kept


def _filter_dmidecode(text):
    """dmidecode's text with only the structures of :data:`DMI_TYPES`."""
    blocks = re.split(r"\n\s*\n", text)
    kept = []
    for block in blocks:
        match = re.match(r"Handle 0x[0-9A-Fa-f]+, DMI type (\d+),", block.strip())
        if match and int(match.group(1)) in DMI_TYPES:
            kept.append(block.strip())
    return "\n\n".join(kept) + ("\n" if kept else "")


def _filter_raw(document):
    """A Workbench 14 / workbench-script snapshot with only the hardware
    its tools reported; the names of what was dropped."""
    dropped = {key for key in document if key not in RAW_TOP}
    kept = {key: value for key, value in document.items() if key in RAW_TOP}
    data = document["data"]
    dropped |= {"data:" + key for key in data if key not in RAW_TOOLS}
    raw = {}
    lshw = _raw_json(data.get("lshw"), {})
    if isinstance(data.get("lshw"), (list, str)) and not lshw:
        # lshw 02.19 prints its tree inside a list
        listed = _raw_json(data.get("lshw"), [])
        lshw = listed[0] if listed and isinstance(listed[0], dict) else {}
    if lshw:
        root = _filter_lshw(lshw, dropped)
        root.pop("id", None)  # the host name
        raw["lshw"] = root
    smart = []
    for key in ("smart", "smartctl", "disks"):
        for report in _raw_json(data.get(key), []):
            if isinstance(report, dict):
                smart.append(
                    {k: v for k, v in report.items() if k in SMARTCTL_KEYS}
                )
    if smart:
        raw["smart"] = smart
    if isinstance(data.get("dmidecode"), str):
        raw["dmidecode"] = _filter_dmidecode(data["dmidecode"])
    kept["data"] = raw
    return kept, sorted(dropped)

# ----------------------------------------------------------------------
# Normalisation
# ----------------------------------------------------------------------
def _component(kind, **values):
    component = {
        "kind": kind,
        "manufacturer": "",
        "model": "",
        "serial": "",
        "storage_type": False,
        "capacity_gb": 0.0,
        "smart_passed": False,
        "power_on_hours": 0,
        "size_mb": 0,
        "speed_mhz": 0,
        "cores": 0,
        "design_capacity_mwh": 0,
        "current_capacity_mwh": 0,
    }
    component.update(values)
    return component


def _storage_type(name, model, interface, description):
    text = " ".join([model, interface, description]).lower()
    name = name.lower()
    if name.startswith("nvme") or "nvme" in text:
        return "nvme"
    if name.startswith("mmcblk") or "emmc" in text or "mmc" in interface.lower():
        return "emmc"
    if "ssd" in text or "solid state" in text:
        return "ssd"
    if re.search(r"\b(?:s?ata|ide|scsi|sas|hdd|hard dis[ck])\b", text):
        return "hdd"
    return "other"


def _summary(values, components):
    """Specifications of the device from its components."""
    memory = sum(c["size_mb"] for c in components if c["kind"] == "memory")
    if memory:
        values["ram_gb"] = round(memory / 1024.0, 1)
    storage = [c for c in components if c["kind"] == "storage"]
    values["storage_gb"] = round(sum(c["capacity_gb"] for c in storage), 1)
    if storage:
        main = max(storage, key=lambda c: c["capacity_gb"])
        values["storage_type"] = (
            main["storage_type"] if main["storage_type"] != "other" else False
        )
    cpus = [c for c in components if c["kind"] == "cpu"]
    if cpus and not values.get("cpu"):
        values["cpu"] = cpus[0]["model"]
    values["components"] = components
    return values


def _agent_reader(required=None, **spec):
    """The reader of one kind of an agent's components: it gives each key
    of ``spec`` = (reader, source key, fallback source key...) its reader's
    value of the first non-empty source; None for what is not a component,
    or has no number under ``required`` (an empty memory slot)."""

    def read(section):
        if not isinstance(section, dict):
            return None
        if required and not _int(section.get(required)):
            return None
        values = {}
        for key, (reader, *sources) in spec.items():
            value = None
            for source in sources:
                value = section.get(source)
                if value:
                    break
            values[key] = reader(value)
        return values

    return read


# section of an agent's inventory (glpi-agent, fusioninventory) -> (component
# kind, its reader), in the order the components are listed
_AGENT_COMPONENTS = {
    "memories": (
        "memory",
        _agent_reader(
            "capacity",
            manufacturer=(_text, "manufacturer"),
            model=(_text, "model", "type"),
            serial=(_clean_serial, "serialnumber"),
            size_mb=(_int, "capacity"),
            speed_mhz=(_int, "speed"),
        ),
    ),
    "cpus": (
        "cpu",
        _agent_reader(
            manufacturer=(_text, "manufacturer"),
            model=(_text, "name", "model"),
            serial=(_clean_serial, "serial"),
            cores=(_int, "core", "corecount"),
            speed_mhz=(_int, "speed"),
        ),
    ),
    "batteries": (
        "battery",
        _agent_reader(
            manufacturer=(_text, "manufacturer"),
            model=(_text, "name"),
            serial=(_clean_serial, "serial"),
            design_capacity_mwh=(_int, "capacity"),
            current_capacity_mwh=(_int, "real_capacity"),
        ),
    ),
}


def _normalise_glpi(document):
    content = document["content"]
    bios = content.get("bios") or {}
    bios = bios[0] if isinstance(bios, list) else bios
    hardware = content.get("hardware") or {}
    hardware = hardware[0] if isinstance(hardware, list) else hardware
    system = content.get("operatingsystem") or {}
    system = system[0] if isinstance(system, list) else system
    if not isinstance(bios, dict):
        bios = {}
    if not isinstance(hardware, dict):
        hardware = {}
    if not isinstance(system, dict):
        system = {}
    chassis = _text(hardware.get("chassis_type"))
    values = {
        "manufacturer": _text(bios.get("smanufacturer") or bios.get("mmanufacturer")),
        "model": _text(bios.get("smodel") or bios.get("mmodel")),
        "serial": _clean_serial(bios.get("ssn") or bios.get("msn")),
        "chassis": chassis,
        "category_code": category_code(chassis),
        "cpu": "",
        "ram_gb": round(_int(hardware.get("memory")) / 1024.0, 1),
        "storage_gb": 0.0,
        "storage_type": False,
        "os_name": _text(system.get("full_name") or hardware.get("osname")),
        "software": _text(content.get("versionclient")),
    }
    components = []
    for storage in _list(content.get("storages")):
        if not isinstance(storage, dict):
            continue
        interface = _text(storage.get("interface"))
        kind = _text(storage.get("type")).lower()
        size_mb = _number(storage.get("disksize")) or 0.0
        if interface.upper() == "USB" or kind in ("cdrom", "rom", "dvd") or not size_mb:
            # the boot stick itself, optical drives, empty card readers
            continue
        name = _text(storage.get("name"))
        model = _text(storage.get("model"))
        components.append(
            _component(
                "storage",
                manufacturer=_text(storage.get("manufacturer")),
                model=model,
                serial=_clean_serial(
                    storage.get("serial") or storage.get("serialnumber")
                ),
                storage_type=_storage_type(
                    name, model, interface, _text(storage.get("description"))
                ),
                capacity_gb=round(size_mb / 1000.0, 1),
            )
        )
    for section, (kind, read) in _AGENT_COMPONENTS.items():
        found = [read(item) for item in _list(content.get(section))]
        components.extend(_component(kind, **item) for item in found if item)
    return _summary(values, components)


def _action(component, action_type):
    for action in _list(component.get("actions")):
        if isinstance(action, dict) and action.get("type") == action_type:
            return action
    return {}


def _normalise_workbench(document):
    device = document["device"]
    chassis = _text(device.get("chassis") or device.get("type"))
    values = {
        "manufacturer": _text(device.get("manufacturer")),
        "model": _text(device.get("model")),
        "serial": _clean_serial(device.get("serialNumber")),
        "chassis": chassis,
        "category_code": category_code(device.get("chassis"))
        or category_code(device.get("type")),
        "cpu": "",
        "ram_gb": 0.0,
        "storage_gb": 0.0,
        "storage_type": False,
        "os_name": "",
        "software": " ".join(
            filter(
                None, [_text(document.get("software")), _text(document.get("version"))]
            )
        ),
    }
    components = []
    for component in document["components"]:
        kind = component.get("type")
        common = {
            "manufacturer": _text(component.get("manufacturer")),
            "model": _text(component.get("model")),
            "serial": _clean_serial(component.get("serialNumber")),
        }
        if kind in WORKBENCH_STORAGE or kind == "DataStorage":
            test = _action(component, "TestDataStorage")
            assessment = test.get("assessment")
            interface = _text(component.get("interface"))
            storage_type = WORKBENCH_STORAGE.get(kind, "other")
            if "nvme" in (interface + " " + common["model"]).lower():
                storage_type = "nvme"
            components.append(
                _component(
                    "storage",
                    storage_type=storage_type,
                    capacity_gb=round(
                        (_number(component.get("size")) or 0) / 1000.0, 1
                    ),
                    smart_passed=(
                        ("passed" if assessment else "failed")
                        if isinstance(assessment, bool)
                        else False
                    ),
                    power_on_hours=_int(test.get("lifetime")),
                    **common,
                )
            )
        elif kind == "RamModule":
            components.append(
                _component(
                    "memory",
                    size_mb=_int(component.get("size")),
                    speed_mhz=_int(component.get("speed")),
                    **common,
                )
            )
        elif kind == "Processor":
            speed = _number(component.get("speed")) or 0.0
            if "ghz" in _text(component.get("speed")).lower() or (0 < speed < 100):
                speed *= 1000
            components.append(
                _component(
                    "cpu",
                    cores=_int(component.get("cores")),
                    speed_mhz=int(speed),
                    **common,
                )
            )
        elif kind == "Battery":
            # mAh, and the voltage measured: mWh = mAh x V
            measure = _action(component, "MeasureBattery")
            volts = (_number(measure.get("voltage")) or 0.0) / 1000.0 or 1.0
            design = _number(component.get("size")) or 0.0
            current = _number(measure.get("size")) or 0.0
            components.append(
                _component(
                    "battery",
                    design_capacity_mwh=int(round(design * volts)),
                    current_capacity_mwh=int(round(current * volts)),
                    **common,
                )
            )
    return _summary(values, components)


def _useful(value):
    """``value`` as text, or "" when firmware left it unfilled."""
    text = _text(value)
    return "" if text.lower() in JUNK_VALUES else text


def _dmi_structures(text):
    """``[(type, {field: value})]`` of dmidecode's text (first-level fields
    only)."""
    structures = []
    for block in re.split(r"\n\s*\n", text or ""):
        match = re.search(r"DMI type (\d+),", block)
        if not match:
            continue
        fields = {}
        for line in block.splitlines():
            field = re.match(r"^\t([^\t:][^:]*):\s*(.*)$", line)
            if field:
                fields[field.group(1).strip()] = field.group(2).strip()
        structures.append((int(match.group(1)), fields))
    return structures


def _lshw_nodes(node, parent=None):
    """Every node of lshw's tree, depth first, as ``(node, parent)``."""
    yield node, parent or {}
    for child in _list(node.get("children")):
        if isinstance(child, dict):
            yield from _lshw_nodes(child, node)


def _lshw_identity(node):
    """Manufacturer, model and serial of an lshw node, firmware fillers
    left out."""
    return {
        "manufacturer": _useful(node.get("vendor")),
        "model": _useful(node.get("product")),
        "serial": _clean_serial(_useful(node.get("serial"))),
    }


def _hz_to_mhz(value):
    number = _number(value) or 0.0
    return int(round(number / 1e6)) if number > 1e5 else int(number)


def _smart_storage(report):
    """A storage component from one ``smartctl -x --json`` report, or None
    when smartctl could not read the drive."""
    model = _text(report.get("model_name"))
    serial = _clean_serial(report.get("serial_number"))
    if not (model or serial):
        return None
    device = report.get("device") if isinstance(report.get("device"), dict) else {}
    capacity = report.get("user_capacity")
    capacity = capacity.get("bytes") if isinstance(capacity, dict) else None
    capacity = _number(capacity) or _number(report.get("nvme_total_capacity")) or 0
    status = report.get("smart_status")
    passed = status.get("passed") if isinstance(status, dict) else None
    hours = report.get("power_on_time")
    hours = hours.get("hours") if isinstance(hours, dict) else None
    if hours is None:
        log = report.get("nvme_smart_health_information_log")
        hours = log.get("power_on_hours") if isinstance(log, dict) else None
    rotation = report.get("rotation_rate")
    if "nvme" in (_text(device.get("type")) + _text(device.get("protocol"))).lower():
        storage_type = "nvme"
    elif isinstance(rotation, int) and not isinstance(rotation, bool):
        storage_type = "hdd" if rotation > 0 else "ssd"
    else:
        storage_type = _storage_type(
            _text(device.get("name")).rsplit("/", 1)[-1],
            model,
            _text(device.get("protocol")),
            _text(report.get("model_family")),
        )
    return _component(
        "storage",
        manufacturer=_text(report.get("model_family")).split(" ")[0]
        if report.get("model_family")
        else "",
        model=model,
        serial=serial,
        storage_type=storage_type,
        capacity_gb=round(capacity / 1e9, 1),
        smart_passed=(
            ("passed" if passed else "failed") if isinstance(passed, bool) else False
        ),
        power_on_hours=_int(hours),
        # kept to match lshw's disks; dropped by _normalise_raw
        logicalname=_text(device.get("name")),
    )


def _dmi_cpu(fields):
    """A processor of dmidecode's type 4, or None."""
    if not _useful(fields.get("Version")):
        return None
    return {
        "manufacturer": _useful(fields.get("Manufacturer")),
        "model": _useful(fields.get("Version")),
        "cores": _int(fields.get("Core Count")),
        "speed_mhz": _int(fields.get("Max Speed") or fields.get("Current Speed")),
    }


def _dmi_memory(fields):
    """A memory module of dmidecode's type 17 (an empty bank: None)."""
    size = _number(fields.get("Size"))
    if not size:
        return None
    unit = _text(fields.get("Size")).upper()
    return {
        "manufacturer": _useful(fields.get("Manufacturer")),
        "model": _useful(fields.get("Part Number")),
        "serial": _clean_serial(_useful(fields.get("Serial Number"))),
        "size_mb": _int(size * 1024 if "GB" in unit else size),
        "speed_mhz": _int(fields.get("Speed")),
    }


def _dmi_battery(fields):
    """A battery of dmidecode's type 22, or None."""
    if not _number(fields.get("Design Capacity")):
        return None
    return {
        "manufacturer": _useful(fields.get("Manufacturer")),
        "model": _useful(fields.get("Name")),
        "serial": _clean_serial(
            _useful(fields.get("Serial Number"))
            or _useful(fields.get("SBDS Serial Number"))
        ),
        "design_capacity_mwh": _int(fields.get("Design Capacity")),
    }


# component kind -> (dmidecode structure type, its reader)
_DMI_COMPONENTS = {
    "cpu": (4, _dmi_cpu),
    "memory": (17, _dmi_memory),
    "battery": (22, _dmi_battery),
}


def _normalise_raw(document):
    """Identity and components from lshw, dmidecode and smartctl."""
    data = document["data"]
    root = data.get("lshw") or {}
    dmi = _dmi_structures(data.get("dmidecode"))

    def dmi_first(kind, field):
        for structure_type, fields in dmi:
            if structure_type == kind and _useful(fields.get(field)):
                return _useful(fields.get(field))
        return ""

    configuration = root.get("configuration") or {}
    if not isinstance(configuration, dict):
        configuration = {}
    manufacturer = _useful(root.get("vendor")) or dmi_first(1, "Manufacturer")
    product = _useful(root.get("product")) or dmi_first(1, "Product Name")
    # lshw writes "MODEL (SKU)"; Lenovo names the model in the version
    product = re.sub(r"\s*\(.*\)$", "", product)
    version = _useful(root.get("version")) or dmi_first(1, "Version")
    if manufacturer.lower() == "lenovo" and version:
        product = version
    chassis = (
        _useful(configuration.get("chassis"))
        or dmi_first(3, "Type")
        or _useful(root.get("description"))
    )
    values = {
        "manufacturer": manufacturer,
        "model": product,
        "serial": _clean_serial(
            _useful(root.get("serial")) or dmi_first(1, "Serial Number")
        ),
        "chassis": chassis,
        "category_code": category_code(chassis),
        "cpu": "",
        "ram_gb": 0.0,
        "storage_gb": 0.0,
        "storage_type": False,
        "os_name": "",
        "software": " ".join(
            filter(
                None, [_text(document.get("software")), _text(document.get("version"))]
            )
        ),
    }
    tree = list(_lshw_nodes(root)) if root else []
    nodes = [node for node, _parent in tree]
    for node in nodes:
        # the system memory, for a machine whose banks lshw does not list
        if node.get("class") == "memory" and node.get("id") == "memory":
            values["ram_gb"] = round((_number(node.get("size")) or 0) / 2**30, 1)
            break
    components = []
    for node in nodes:
        kind = node.get("class")
        if kind == "processor" and not node.get("disabled"):
            config = node.get("configuration") or {}
            components.append(
                _component(
                    "cpu",
                    **_lshw_identity(node),
                    cores=_int(config.get("cores") if isinstance(config, dict) else 0),
                    speed_mhz=_hz_to_mhz(node.get("capacity") or node.get("size")),
                )
            )
        elif (
            kind == "memory"
            and _text(node.get("id")).startswith("bank")
            and _number(node.get("size"))
        ):
            components.append(
                _component(
                    "memory",
                    **_lshw_identity(node),
                    size_mb=_int((_number(node.get("size")) or 0) / 1024 / 1024),
                    speed_mhz=_hz_to_mhz(node.get("clock")),
                )
            )
        elif kind == "power" and _text(node.get("units")).lower() == "mwh":
            components.append(
                _component(
                    "battery",
                    **_lshw_identity(node),
                    design_capacity_mwh=_int(node.get("capacity")),
                )
            )
    # what lshw did not tell, from dmidecode's structures
    for kind, (structure_type, read) in _DMI_COMPONENTS.items():
        if any(c["kind"] == kind for c in components):
            continue
        found = [
            read(fields) for found_type, fields in dmi if found_type == structure_type
        ]
        components.extend(_component(kind, **item) for item in found if item)
    # storage: smartctl's reports, then lshw's disks that none of them tells
    storage = [
        component
        for component in map(_smart_storage, _list(data.get("smart")))
        if component
    ]
    known_serials = {c["serial"] for c in storage if c["serial"]}
    known_names = [c["logicalname"] for c in storage if c["logicalname"]]
    for node, parent in tree:
        if node.get("class") != "disk" or not _number(node.get("size")):
            continue
        names = [_text(name) for name in _list(node.get("logicalname"))]
        # an NVMe namespace has its serial on its controller
        serial = _clean_serial(
            _useful(node.get("serial"))
            or (parent.get("class") == "storage" and _useful(parent.get("serial")))
            or ""
        )
        if serial and any(
            serial.startswith(known) or known.startswith(serial)
            for known in known_serials
        ):
            continue
        if any(name.startswith(known) for name in names for known in known_names):
            continue
        model = _useful(node.get("product")) or (
            parent.get("class") == "storage" and _useful(parent.get("product")) or ""
        )
        storage.append(
            _component(
                "storage",
                manufacturer=_useful(node.get("vendor")),
                model=model,
                serial=serial,
                storage_type=_storage_type(
                    names[0].rsplit("/", 1)[-1] if names else "",
                    model,
                    _text(node.get("businfo")).split("@")[0],
                    _text(node.get("description")),
                ),
                capacity_gb=round((_number(node.get("size")) or 0) / 1e9, 1),
            )
        )
    for component in storage:
        component.pop("logicalname", None)
    components[:0] = storage
    return _summary(values, components)
