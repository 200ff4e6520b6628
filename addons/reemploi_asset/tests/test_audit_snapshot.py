"""The audit snapshot reader and its privacy filter (services/audit_snapshot.py),
on real files: a fusioninventory-agent inventory produced on a Debian 12
machine, and the published samples of the GLPI inventory format and of
eReuse Workbench (see fixtures/audit/README.md)."""

import json

from lxml import etree

from odoo.tests import BaseCase
from odoo.tools import file_open

from ..services import audit_snapshot

FIXTURES = "reemploi_asset/tests/fixtures/audit/"
FUSION = "fusioninventory-debian12-vm.xml"
GLPI = "glpi-inventory-format-computer_1.json"
WORKBENCH = "workbench-11-example_wb11.json"
WORKBENCH_14 = "workbench-14-example_wb14_x1.json"
WORKBENCH_SCRIPT_VM = "workbench-script-debian12-vm.json"


def fixture(name):
    with file_open(FIXTURES + name, "rb") as handle:
        return handle.read()


def glpi_with_personal_data():
    """The GLPI sample with what a Windows inventory adds: a licence key,
    its owner, a logged user, environment variables."""
    document = json.loads(fixture(GLPI))
    content = document["content"]
    content["hardware"].update(
        {
            "winprodkey": "XJ7RT-8WQ2K-4V9PB-MM3CD-7H2YT",
            "winowner": "Jeanne Dupont-Lemaire",
            "lastloggeduser": "jdupontlemaire",
            "wincompany": "Mairie de Saint-Égrève",
        }
    )
    content["licenseinfos"] = [
        {"name": "Office 2016", "key": "NKGG6-WBPCC-HXWMY-6DQGJ-CPQVG"}
    ]
    content["envs"] = [{"key": "USERNAME", "val": "jdupontlemaire"}]
    content["local_users"] = [{"login": "jdupontlemaire", "name": "Jeanne Dupont"}]
    return json.dumps(document).encode()


PERSONAL = (
    "XJ7RT-8WQ2K-4V9PB-MM3CD-7H2YT",
    "NKGG6-WBPCC-HXWMY-6DQGJ-CPQVG",
    "Jeanne",
    "jdupontlemaire",
    "Saint-Égrève",
    "trasher",  # a user of the sample
    "glpixps",  # its host name
    "ssh-rsa",  # its host key
    "192.168.1.1",  # its gateway
)


class TestAuditSnapshot(BaseCase):
    def test_glpi_inventory(self):
        audit = audit_snapshot.parse(fixture(GLPI))
        values = audit.values
        self.assertEqual(audit.fmt, "glpi")
        self.assertEqual(
            (values["manufacturer"], values["model"], values["serial"]),
            ("Dell Inc.", "XPS 13 9350", "640HP72"),
        )
        self.assertEqual(values["category_code"], "laptop")
        self.assertEqual(values["ram_gb"], 8.0)
        self.assertEqual(values["storage_type"], "nvme")
        self.assertEqual(values["storage_gb"], 256.1)
        self.assertIn("i5-6200U", values["cpu"])
        kinds = sorted(c["kind"] for c in values["components"])
        self.assertEqual(kinds, ["battery", "cpu", "memory", "memory", "storage"])
        disk = next(c for c in values["components"] if c["kind"] == "storage")
        self.assertEqual(disk["serial"], "S29NNXAH146409")
        battery = next(c for c in values["components"] if c["kind"] == "battery")
        self.assertEqual(
            (battery["design_capacity_mwh"], battery["current_capacity_mwh"]),
            (57570, 50570),
        )

    def test_fusioninventory_xml_real(self):
        """The inventory fusioninventory-inventory wrote on a Debian 12
        virtual machine (no BIOS serial there: a virtual machine)."""
        audit = audit_snapshot.parse(fixture(FUSION))
        values = audit.values
        self.assertEqual(audit.fmt, "fusioninventory")
        self.assertEqual(values["cpu"], "AMD EPYC")
        self.assertEqual(values["os_name"], "Debian GNU/Linux 12 (bookworm)")
        self.assertGreater(values["ram_gb"], 1)
        storage = [c for c in values["components"] if c["kind"] == "storage"]
        self.assertEqual([c["serial"] for c in storage], ["overlayblk"])
        self.assertEqual(values["serial"], "")
        for section in ("softwares", "envs", "local_users", "local_groups", "networks"):
            self.assertIn(section, audit.dropped)

    def test_workbench_snapshot(self):
        audit = audit_snapshot.parse(fixture(WORKBENCH))
        values = audit.values
        self.assertEqual(audit.fmt, "workbench")
        self.assertEqual(values["serial"], "LUSEA0D010038879A01601")
        self.assertEqual(values["category_code"], "laptop")
        disk = next(c for c in values["components"] if c["kind"] == "storage")
        self.assertEqual(
            (disk["storage_type"], disk["smart_passed"], disk["power_on_hours"]),
            ("hdd", "passed", 4675),
        )
        self.assertEqual(disk["capacity_gb"], 160.0)
        battery = next(c for c in values["components"] if c["kind"] == "battery")
        # 662 of 2200 mAh
        self.assertAlmostEqual(
            battery["current_capacity_mwh"] / battery["design_capacity_mwh"],
            662 / 2200,
            places=3,
        )
        cpu = next(c for c in values["components"] if c["kind"] == "cpu")
        self.assertEqual(cpu["speed_mhz"], 1000)
        # the network adapters' MAC addresses are dropped
        self.assertNotIn(b"88:ae:1d:a6:f3:d0", audit.filtered)

    def test_workbench_raw_snapshot(self):
        """Workbench 14: identity and components read from the raw outputs
        of lshw, smartctl and dmidecode of a real laptop."""
        audit = audit_snapshot.parse(fixture(WORKBENCH_14))
        values = audit.values
        self.assertEqual(audit.fmt, "workbench")
        self.assertEqual(
            (values["manufacturer"], values["model"], values["serial"]),
            ("LENOVO", "ThinkPad X1 Carbon 5th", "PF0QMY5N"),
        )
        self.assertEqual(values["category_code"], "laptop")
        self.assertEqual(values["cpu"], "Intel(R) Core(TM) i7-7500U CPU @ 2.70GHz")
        self.assertEqual((values["ram_gb"], values["storage_type"]), (16.0, "nvme"))
        by_kind = {}
        for component in values["components"]:
            by_kind.setdefault(component["kind"], []).append(component)
        (disk,) = by_kind["storage"]
        # smartctl's report: health, hours, capacity; the serial as lshw
        # and the drive's label give it
        self.assertEqual(
            (
                disk["model"],
                disk["serial"],
                disk["capacity_gb"],
                disk["smart_passed"],
                disk["power_on_hours"],
            ),
            ("SAMSUNG MZVLW1T0HMLH-000L7", "S35ANX0J401001", 1024.2, "passed", 6013),
        )
        self.assertEqual([m["size_mb"] for m in by_kind["memory"]], [8192, 8192])
        self.assertEqual(by_kind["memory"][0]["speed_mhz"], 1867)
        self.assertEqual(by_kind["cpu"][0]["cores"], 2)
        self.assertEqual(by_kind["battery"][0]["design_capacity_mwh"], 57000)

    def test_workbench_raw_privacy(self):
        """What lshw, dmidecode and hwinfo tell of the machine's use is not
        kept: addresses, host name, partitions, USB peripherals, hwinfo."""
        raw = fixture(WORKBENCH_14)
        personal = (
            b"192.168.1.39",  # its address on the Wi-Fi
            b"00:28:f8:a6:d5:7e",  # a MAC address
            b"Razer",  # the previous user's keyboard and mouse
            b"789e6c5c-7e98-4971-be6e-5772b2427751",  # a file system's UUID
            b"Port Connector Information",  # dmidecode structures not kept
        )
        for text in personal:
            self.assertIn(text, raw.replace(b"\\", b""))
        audit = audit_snapshot.parse(raw)
        for text in personal:
            self.assertNotIn(text, audit.filtered)
        kept = json.loads(audit.filtered)
        self.assertEqual(sorted(kept["data"]), ["dmidecode", "lshw", "smart"])
        self.assertNotIn("id", kept["data"]["lshw"])  # the host name
        self.assertNotIn("wbid", kept)
        for name in ("data:hwinfo", "lshw:network", "lshw:volume", "lshw:usb"):
            self.assertIn(name, audit.dropped)

    def test_workbench_script_shape(self):
        """workbench-script (not legacy) sends smartctl's list as text, the
        dmidecode text and inxi's JSON, no lshw: identity and components come
        from dmidecode, inxi (host, addresses) is dropped."""
        document = json.loads(fixture(WORKBENCH_14))
        data = document["data"]
        document["software"], document["version"] = "workbench-script", "0.0.1"
        document["data"] = {
            "smartctl": json.dumps(data["smart"]),
            "dmidecode": data["dmidecode"],
            "inxi": json.dumps([{"Network": {"IF": "wlan0", "ip": "192.168.1.39"}}]),
        }
        audit = audit_snapshot.parse(json.dumps(document).encode())
        values = audit.values
        self.assertEqual(
            (values["model"], values["serial"], values["category_code"]),
            ("ThinkPad X1 Carbon 5th", "PF0QMY5N", "laptop"),
        )
        self.assertEqual(values["cpu"], "Intel(R) Core(TM) i7-7500U CPU @ 2.70GHz")
        self.assertEqual(values["ram_gb"], 16.0)
        kinds = sorted(c["kind"] for c in values["components"])
        self.assertEqual(kinds, ["battery", "cpu", "memory", "memory", "storage"])
        self.assertIn("data:inxi", audit.dropped)
        self.assertNotIn(b"192.168.1.39", audit.filtered)

    def test_workbench_raw_without_smart(self):
        """A drive smartctl cannot read is taken from lshw's disks, with
        the serial of its NVMe controller."""
        document = json.loads(fixture(WORKBENCH_14))
        del document["data"]["smart"]
        values = audit_snapshot.parse(json.dumps(document).encode()).values
        (disk,) = [c for c in values["components"] if c["kind"] == "storage"]
        self.assertEqual(
            (disk["serial"], disk["storage_type"], disk["capacity_gb"]),
            ("S35ANX0J401001", "nvme", 1024.2),
        )
        self.assertFalse(disk["smart_passed"])

    def test_workbench_script_real_outputs(self):
        """The real outputs of lshw, smartctl and dmidecode on a Debian 12
        virtual machine: no SMBIOS, a disk smartctl cannot read. What the
        tools did say is read; the host name and MAC address are dropped."""
        raw = fixture(WORKBENCH_SCRIPT_VM)
        self.assertIn(b"02:fc:00:00:00:01", raw)
        audit = audit_snapshot.parse(raw)
        values = audit.values
        self.assertEqual(values["cpu"], "AMD EPYC")
        self.assertEqual(values["ram_gb"], 24.0)
        self.assertEqual(values["serial"], "")  # a VM: nothing to tell it
        # smartctl: "Unable to detect device type"; lshw: no size
        self.assertFalse([c for c in values["components"] if c["kind"] == "storage"])
        self.assertNotIn(b"02:fc:00:00:00:01", audit.filtered)
        self.assertNotIn("id", json.loads(audit.filtered)["data"]["lshw"])

    def test_privacy_filter_glpi(self):
        audit = audit_snapshot.parse(glpi_with_personal_data())
        kept = audit.filtered.decode()
        normalised = json.dumps(audit.values, ensure_ascii=False)
        for text in PERSONAL:
            self.assertNotIn(text, kept)
            self.assertNotIn(text, normalised)
        content = json.loads(kept)["content"]
        self.assertNotIn("softwares", content)
        self.assertNotIn("users", content)
        # the hardware stays
        self.assertEqual(content["bios"]["ssn"], "640HP72")

    def test_privacy_filter_fusioninventory(self):
        """The sections of the real inventory that describe people and use,
        not hardware, are not in the kept copy."""
        raw = fixture(FUSION)
        for tag in (b"<SOFTWARES>", b"<ENVS>", b"<LOCAL_USERS>", b"<NETWORKS>"):
            self.assertIn(tag, raw)  # the file as the agent wrote it
        audit = audit_snapshot.parse(raw)
        root = etree.fromstring(audit.filtered)
        self.assertEqual(
            sorted({child.tag for child in root.find("CONTENT")}),
            [
                "BIOS",
                "CONTROLLERS",
                "CPUS",
                "HARDWARE",
                "OPERATINGSYSTEM",
                "STORAGES",
                "VERSIONCLIENT",
            ],
        )
        self.assertIsNone(root.find("DEVICEID"))
        for text in (b"LASTLOGGEDUSER", b"IPADDR", b"FQDN", b"HOSTID", b"HOME"):
            self.assertNotIn(text, audit.filtered)

    def test_refusals(self):
        cases = {
            b"": "empty",
            b"serial;model\n1;2\n": "neither JSON nor XML",
            b"{not json": "not valid JSON",
            b'{"hello": "world"}': "neither a glpi-agent",
            b"<html><body/></html>": "not a fusioninventory-agent",
            b"<REQUEST><CONTENT>": "not valid XML",
            b"[" * 5000 + b"]" * 5000: "nested too deeply",
            b'{"type": "Snapshot", "software": "workbench-script", "data": {}}': (
                "none of the outputs of lshw"
            ),
            b'{"type": "Snapshot", "device": {"serialNumber": "A\\u0000B"}}': (
                "not valid text"
            ),
            b'{"content": {"bios": {"ssn": "\\ud800"}}}': "not valid text",
        }
        for data, words in cases.items():
            with self.subTest(data=data[:20]):
                with self.assertRaises(audit_snapshot.AuditError) as caught:
                    audit_snapshot.parse(data)
                self.assertIn(words, caught.exception.args[0])

    def test_xml_entities_not_expanded(self):
        data = (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM '
            b'"file:///etc/passwd">]><REQUEST><CONTENT><BIOS><SSN>&x;</SSN>'
            b"</BIOS></CONTENT></REQUEST>"
        )
        audit = audit_snapshot.parse(data)
        self.assertNotIn(b"root:", audit.filtered)
        self.assertNotIn("root:", audit.values["serial"])
