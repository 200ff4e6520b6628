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
  raw outputs of lshw, dmidecode and smartctl (``"data": {…}``, Workbench 14
  and workbench-script) are refused with a message saying so.

It returns an :class:`Audit`: the normalised values (device identity,
specifications, components) and a filtered copy of the file to keep as
evidence.

Privacy: a snapshot tells much more than hardware (users and the last one
logged in, installed software and its licence keys, environment variables,
processes, local users and groups, network addresses, host and domain names,
printers and their shares…). The filter keeps an allow-list of hardware
sections and fields (:data:`GLPI_SECTIONS`, :data:`WORKBENCH_KEYS`) and drops
everything else *before* the values are normalised and before the copy is
serialised: neither the register nor the attachment ever receives what was
dropped. Network adapters go too (their MAC and IP addresses say where and
by whom a machine was used, and no reuse decision needs them).

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
            # (lshw, dmidecode, smartctl), which Devicehub parses itself
            raise AuditError(
                Message(
                    _(
                        "This eReuse snapshot holds the raw outputs of lshw, "
                        "dmidecode and smartctl (workbench-script, Workbench 14 "
                        "and later), which are not read yet: run glpi-agent or "
                        "fusioninventory-agent on the device instead."
                    )
                )
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
    for memory in _list(content.get("memories")):
        if not isinstance(memory, dict):
            continue
        size = _int(memory.get("capacity"))
        if not size:
            continue  # an empty slot
        components.append(
            _component(
                "memory",
                manufacturer=_text(memory.get("manufacturer")),
                model=_text(memory.get("model") or memory.get("type")),
                serial=_clean_serial(memory.get("serialnumber")),
                size_mb=size,
                speed_mhz=_int(memory.get("speed")),
            )
        )
    for cpu in _list(content.get("cpus")):
        if not isinstance(cpu, dict):
            continue
        components.append(
            _component(
                "cpu",
                manufacturer=_text(cpu.get("manufacturer")),
                model=_text(cpu.get("name") or cpu.get("model")),
                serial=_clean_serial(cpu.get("serial")),
                cores=_int(cpu.get("core") or cpu.get("corecount")),
                speed_mhz=_int(cpu.get("speed")),
            )
        )
    for battery in _list(content.get("batteries")):
        if not isinstance(battery, dict):
            continue
        components.append(
            _component(
                "battery",
                manufacturer=_text(battery.get("manufacturer")),
                model=_text(battery.get("name")),
                serial=_clean_serial(battery.get("serial")),
                design_capacity_mwh=_int(battery.get("capacity")),
                current_capacity_mwh=_int(battery.get("real_capacity")),
            )
        )
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
