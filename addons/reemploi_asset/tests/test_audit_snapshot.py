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
                "raw outputs of lshw"
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
