"""Audit snapshots applied to the register: the upload wizard (as an
operator would use it, through its form), the bench stations' HTTP
endpoint, and the agent run live on this machine."""

import json
import re
import shutil
import subprocess
import tempfile

from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, tagged

from ..services import audit_snapshot
from .common import TECHNICIAN, ReemploiCase
from .test_audit_snapshot import (
    FUSION,
    GLPI,
    PERSONAL,
    WORKBENCH,
    WORKBENCH_14,
    fixture,
    glpi_with_personal_data,
)


class AuditCase(ReemploiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        # the least-privileged role that processes devices, at X's bench
        cls.technician = cls._operator(
            "bench_x", cls.company_x, TECHNICIAN, lang="fr_FR"
        )

    def _wizard(self, files, user=None):
        """Import ``files`` ({name: bytes}) through the wizard's form, as
        ``user`` (operator X by default); return the wizard."""
        user = user or self.technician
        # the web client sends the user's language
        env = self.env(user=user, context=dict(self.env.context, lang=user.lang))
        attachments = env["ir.attachment"].create(
            [
                {"name": name, "raw": data, "res_model": "reemploi.audit.import.wizard"}
                for name, data in files.items()
            ]
        )
        form = Form(env["reemploi.audit.import.wizard"])
        for attachment in attachments:
            form.attachment_ids.add(attachment)
        wizard = form.save()
        wizard.action_import()
        return wizard

    def _find(self, serial):
        return self.Equipment.search([("serial", "=", serial)])


@tagged("post_install", "-at_install")
class TestAuditImport(AuditCase):
    def test_wizard_registers_unknown_devices(self):
        wizard = self._wizard(
            {
                GLPI: fixture(GLPI),
                WORKBENCH: fixture(WORKBENCH),
                FUSION: fixture(FUSION),
            }
        )
        self.assertEqual(
            (wizard.created_count, wizard.updated_count, wizard.refused_count),
            (2, 0, 1),
        )
        self.assertIn("2 créés, 0 mis à jour, 0 inchangés, 1 refusés", wizard.result)
        # the virtual machine's BIOS gives no serial number
        self.assertIn(f"{FUSION} : refusé", wizard.result)
        self.assertIn("numéro de série", wizard.result)
        dell = self._find("640HP72")
        self.assertEqual(
            dell, wizard.equipment_ids.filtered(lambda d: d.serial == "640HP72")
        )
        self.assertEqual(dell.state, "received")
        self.assertEqual(dell.company_id, self.company_x)
        self.assertFalse(dell.owner_id, "the donor of an undeclared device is unknown")
        self.assertEqual(dell.category_id, self.laptop)
        self.assertEqual((dell.manufacturer, dell.model), ("Dell Inc.", "XPS 13 9350"))
        self.assertEqual((dell.ram_gb, dell.storage_type), (8.0, "nvme"))
        self.assertEqual(
            dell.custody_event_ids.sorted("sequence").mapped("to_state"),
            ["in_use", "declared", "received"],
        )
        self.assertEqual(
            sorted(dell.component_ids.mapped("kind")),
            ["battery", "cpu", "memory", "memory", "storage"],
        )
        cpu = dell.component_ids.filtered(lambda c: c.kind == "cpu")
        self.assertFalse(cpu.serial, "'To Be Filled By O.E.M.' is no serial")
        battery = dell.component_ids.filtered(lambda c: c.kind == "battery")
        self.assertEqual(battery.battery_health, 87.8)
        acer = self._find("LUSEA0D010038879A01601")
        disk = acer.component_ids.filtered(lambda c: c.kind == "storage")
        self.assertEqual((disk.smart_passed, disk.power_on_hours), ("passed", 4675))
        # the uploads are not kept, each device keeps its filtered copy
        self.assertFalse(wizard.attachment_ids)

    def test_a_technician_without_email_address_imports(self):
        # message_post() refuses an author without an e-mail address: the
        # demo's operators had none, and every audit was refused
        self.technician.partner_id.email = False
        wizard = self._wizard({GLPI: fixture(GLPI)})
        self.assertEqual((wizard.created_count, wizard.refused_count), (1, 0))

    def test_same_audit_twice_changes_nothing(self):
        self._wizard({GLPI: fixture(GLPI)})
        dell = self._find("640HP72")
        components = dell.component_ids
        messages = dell.message_ids
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "reemploi.equipment"), ("res_id", "=", dell.id)]
        )
        wizard = self._wizard({GLPI: fixture(GLPI)})
        self.assertEqual(
            (wizard.created_count, wizard.updated_count, wizard.unchanged_count),
            (0, 0, 1),
        )
        self.assertEqual(dell.component_ids, components)
        self.assertEqual(dell.message_ids, messages)
        self.assertEqual(len(attachments), 1)
        self.assertEqual(
            self.env["ir.attachment"].search_count(
                [("res_model", "=", "reemploi.equipment"), ("res_id", "=", dell.id)]
            ),
            1,
        )

    def test_received_device_keeps_intake_values(self):
        """A device received from its donor: the audit writes its
        specifications and replaces its components; its donor, identity
        and model as intake recorded them stay."""
        device = self._received("640HP72", ram_gb=4.0)
        old = self.env["reemploi.equipment.component"].create(
            {"equipment_id": device.id, "kind": "memory", "size_mb": 4096}
        )
        wizard = self._wizard({GLPI: fixture(GLPI)})
        self.assertEqual((wizard.created_count, wizard.updated_count), (0, 1))
        self.assertEqual(wizard.equipment_ids, device)
        self.assertEqual(device.owner_id, self.donor_a)
        self.assertEqual((device.manufacturer, device.model), ("Dell", "Latitude 5490"))
        self.assertEqual(device.ram_gb, 8.0)
        self.assertFalse(old.exists())
        self.assertEqual(len(device.component_ids), 5)
        self.assertEqual(device.medium_count, 1)

    def test_device_not_received_is_refused(self):
        device = self._device("640HP72", company=self.company_x)
        device.action_declare()
        wizard = self._wizard({GLPI: fixture(GLPI)})
        self.assertEqual(wizard.refused_count, 1)
        self.assertIn("déclaré", wizard.result)
        self.assertFalse(device.component_ids)

    def test_other_operator_device_is_not_touched(self):
        """Operator Y's device of the same serial number is not updated by
        operator X's audit: X registers its own."""
        theirs = self._received("640HP72", company=self.company_y)
        self._wizard({GLPI: fixture(GLPI)})
        self.assertFalse(theirs.component_ids)
        mine = self.Equipment.search(
            [("serial", "=", "640HP72"), ("company_id", "=", self.company_x.id)]
        )
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine.state, "received")

    def test_privacy_nothing_personal_is_stored(self):
        self._wizard({"windows.json": glpi_with_personal_data()})
        dell = self._find("640HP72")
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "reemploi.equipment"), ("res_id", "=", dell.id)]
        )
        self.assertEqual(attachment.name, "windows.filtered.json")
        kept = attachment.raw.decode()
        stored = json.dumps(
            [
                dell.read()[0],
                dell.component_ids.read(),
                dell.message_ids.mapped("body"),
            ],
            default=str,
            ensure_ascii=False,
        )
        for text in PERSONAL:
            self.assertNotIn(text, kept)
            self.assertNotIn(text, stored)
        # and no upload is left behind holding the original
        self.assertFalse(
            self.env["ir.attachment"].search(
                [("res_model", "=", "reemploi.audit.import.wizard")]
            )
        )

    def test_bad_file_is_a_clear_refusal(self):
        wizard = self._wizard({"photo.png": b"\x89PNG\r\n\x1a\n", GLPI: fixture(GLPI)})
        self.assertEqual((wizard.created_count, wizard.refused_count), (1, 1))
        self.assertIn("photo.png : refusé", wizard.result)
        self.assertIn("ni du JSON ni du XML", wizard.result)

    def test_donor_cannot_import(self):
        with self.assertRaises(AccessError):
            self.env["reemploi.audit.import.wizard"].with_user(
                self.user_donor_a
            ).create({})

    def test_live_agent(self):
        """fusioninventory-inventory run on this machine (installed by
        .ci/run), its output imported: its hardware read, its users and
        environment left out."""
        agent = shutil.which("fusioninventory-inventory")
        self.assertTrue(
            agent,
            "fusioninventory-inventory is not installed: "
            "apt-get install fusioninventory-agent (.ci/run does)",
        )
        with tempfile.TemporaryDirectory() as directory:
            output = subprocess.run(
                [agent, "--no-category=software,process"],
                capture_output=True,
                check=True,
                timeout=600,
                cwd=directory,
            ).stdout
        self.assertIn(b"<REQUEST>", output)
        wizard = self._wizard({"live.xml": output})
        self.assertEqual(wizard.created_count + wizard.refused_count, 1, wizard.result)
        if wizard.created_count:
            device = wizard.equipment_ids
            self.assertTrue(device.cpu)
            self.assertNotIn(b"<ENVS>", self._kept(device))
        else:
            # a virtual machine, as CI runners are: no BIOS serial number, or
            # a chassis type that tells no category
            self.assertRegex(
                wizard.result,
                "aucun numéro de série utilisable|ne dit pas de quel type",
            )

    def test_workbench_raw_snapshot_registers_components(self):
        """A Workbench 14 snapshot (raw lshw, smartctl, dmidecode) registers
        the laptop with its drive's SMART health and hours, its memory and
        its battery, in the operator's company."""
        wizard = self._wizard({WORKBENCH_14: fixture(WORKBENCH_14)})
        self.assertEqual(wizard.created_count, 1, wizard.result)
        device = self._find("PF0QMY5N")
        self.assertEqual(device.company_id, self.company_x)
        self.assertEqual(device.category_id, self.laptop)
        self.assertEqual(
            (device.manufacturer, device.model, device.ram_gb, device.storage_type),
            ("LENOVO", "ThinkPad X1 Carbon 5th", 16.0, "nvme"),
        )
        disk = device.component_ids.filtered(lambda c: c.kind == "storage")
        self.assertEqual(
            (disk.serial, disk.smart_passed, disk.power_on_hours),
            ("S35ANX0J401001", "passed", 6013),
        )
        self.assertEqual(
            sorted(device.component_ids.mapped("kind")),
            ["battery", "cpu", "memory", "memory", "storage"],
        )
        self.assertNotIn(b"192.168.1.39", self._kept(device))

    def test_live_workbench_tools(self):
        """lshw, smartctl and dmidecode run on this machine (installed by
        .ci/run), put together as workbench-script does, and imported: the
        machine's processor read, its network addresses left out."""
        tools = {name: shutil.which(name) for name in ("lshw", "smartctl", "dmidecode")}
        missing = [name for name, path in tools.items() if not path]
        self.assertFalse(
            missing,
            "not installed: %s: apt-get install lshw smartmontools dmidecode "
            "(.ci/run does)" % ", ".join(missing),
        )

        def run(*command):
            return subprocess.run(
                command, capture_output=True, check=False, timeout=600, text=True
            ).stdout

        lshw = run(tools["lshw"], "-json", "-quiet")
        disks = run("lsblk", "-dno", "NAME", "-e7,11").split()
        snapshot = {
            "type": "Snapshot",
            "software": "workbench-script",
            "version": "0.0.1",
            "data": {
                "lshw": lshw,
                "smartctl": "[%s]"
                % ",".join(
                    run(tools["smartctl"], "-x", "--json=c", "/dev/" + disk)
                    for disk in disks
                ),
                "dmidecode": run(tools["dmidecode"]),
            },
        }
        self.assertIn('"class"', lshw)
        data = json.dumps(snapshot).encode()
        audit = audit_snapshot.parse(data)
        # what lshw says of every machine: its processor and memory
        self.assertTrue(audit.values["cpu"])
        self.assertGreater(audit.values["ram_gb"], 0)
        addresses = re.findall(r'"serial" : "((?:[0-9a-f]{2}:){5}[0-9a-f]{2})"', lshw)
        for address in addresses:  # the network adapters' MAC addresses
            self.assertNotIn(address.encode(), audit.filtered)
        wizard = self._wizard({"live.json": data})
        self.assertEqual(wizard.created_count + wizard.refused_count, 1, wizard.result)
        if wizard.created_count:
            device = wizard.equipment_ids
            self.assertTrue(device.cpu)
            self.assertNotIn(b'"network"', self._kept(device))
        else:
            # a virtual machine, as CI runners are: no serial number, or a
            # chassis type that tells no category
            self.assertRegex(
                wizard.result,
                "aucun numéro de série utilisable|ne dit pas de quel type",
            )

    def _kept(self, device):
        return (
            self.env["ir.attachment"]
            .search(
                [("res_model", "=", "reemploi.equipment"), ("res_id", "=", device.id)]
            )
            .raw
        )


@tagged("post_install", "-at_install")
class TestAuditHttp(AuditCase, HttpCase):
    """The bench stations' endpoint, called as a station would (curl)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key_x = cls._api_key(cls.technician, "reemploi_audit", "bench station")
        cls.user_donor_a.lang = "fr_FR"
        cls.key_donor = cls._api_key(cls.user_donor_a, name="donor")

    def _post(self, data, key=None, content_type="application/json"):
        headers = {"Content-Type": content_type}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return self.url_open("/reemploi/audit", data=data, headers=headers)

    def test_station_posts_snapshots(self):
        response = self._post(fixture(GLPI), self.key_x)
        self.assertEqual(response.status_code, 201, response.text)
        body = response.json()
        device = self.Equipment.browse(body["id"])
        self.assertEqual(body["status"], "created")
        self.assertEqual(body["reference"], device.display_name)
        self.assertEqual(
            (device.serial, device.company_id), ("640HP72", self.company_x)
        )
        self.assertEqual(len(device.component_ids), 5)
        again = self._post(fixture(GLPI), self.key_x)
        self.assertEqual(again.status_code, 200)
        self.assertEqual(again.json(), dict(body, status="unchanged"))
        xml = self._post(fixture(FUSION), self.key_x, "application/xml")
        self.assertEqual(xml.status_code, 400)
        self.assertIn("numéro de série", xml.json()["error"])

    def test_workbench_script_posts_its_snapshot(self):
        """workbench-script configured with this endpoint as its url and an
        API key as its token posts its snapshot as JSON with that bearer
        (send_snapshot_to_devicehub): the device is registered; an empty
        snapshot gets a 400 that says what to install."""
        document = json.loads(fixture(WORKBENCH_14))
        data = document["data"]
        snapshot = {
            "timestamp": "2026-12-06 21:00:00",
            "type": "Snapshot",
            "uuid": document["uuid"],
            "software": "workbench-script",
            "version": "0.0.1",
            "operator_id": "",
            "data": {
                "smartctl": json.dumps(data["smart"]),
                "dmidecode": data["dmidecode"],
                "inxi": "",
            },
            "erase": [],
        }
        response = self._post(json.dumps(snapshot).encode(), self.key_x)
        self.assertEqual(response.status_code, 201, response.text)
        device = self.Equipment.browse(response.json()["id"])
        self.assertEqual((device.serial, device.ram_gb), ("PF0QMY5N", 16.0))
        snapshot["data"] = {"inxi": ""}
        empty = self._post(json.dumps(snapshot).encode(), self.key_x)
        self.assertEqual(empty.status_code, 400)
        self.assertIn("smartmontools", empty.json()["error"])

    def test_refusals(self):
        self.assertEqual(self._post(fixture(GLPI)).status_code, 401)
        self.assertEqual(self._post(fixture(GLPI), "not-a-key").status_code, 401)
        bad = self._post(b"\x00\x01garbage", self.key_x)
        self.assertEqual(bad.status_code, 400)
        self.assertIn("ni du JSON ni du XML", bad.json()["error"])
        nul = self._post(b'{"content": {"bios": {"ssn": "A\\u0000B"}}}', self.key_x)
        self.assertEqual(nul.status_code, 400)
        self.assertIn("texte valide", nul.json()["error"])
        form = self._post(
            b"a=b", self.key_x, content_type="application/x-www-form-urlencoded"
        )
        self.assertEqual(form.status_code, 400)
        self.assertIn("Content-Type", form.json()["error"])
        large = self._post(b" " * (20 * 1024 * 1024 + 1), self.key_x)
        self.assertEqual(large.status_code, 413)
        self.assertEqual(self.url_open("/reemploi/audit").status_code, 405)
        self.assertFalse(self.Equipment.search([("serial", "=", "640HP72")]))

    def test_donor_key_is_forbidden(self):
        response = self._post(fixture(GLPI), self.key_donor)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.Equipment.search([("serial", "=", "640HP72")]))


@tagged("post_install", "-at_install")
class TestAuditGrading(AuditCase):
    """The grading form of an audited device starts from what the audit
    measured: battery capacities and the SMART health of its media."""

    def _grading_form(self, device):
        action = device.with_user(self.technician).action_new_grading()
        return Form(
            self.env[action["res_model"]]
            .with_user(self.technician)
            .with_context(**action["context"])
        )

    def test_battery_and_smart_prefilled(self):
        self._wizard({WORKBENCH: fixture(WORKBENCH)})
        device = self._find("LUSEA0D010038879A01601")
        form = self._grading_form(device)
        self.assertEqual(form.check_storage, "ok")
        self.assertAlmostEqual(form.battery_design_capacity, 27.749)
        self.assertAlmostEqual(form.battery_full_capacity, 8.35)
        self.assertEqual(form.battery_health, 30.1)
        form.check_power = "ok"
        form.check_boot = "ok"
        grading = form.save()
        self.assertEqual(grading.grade_id, self.grade_d, grading.grade_reasons)

    def test_failed_smart_fails_the_storage_check(self):
        snapshot = json.loads(fixture(WORKBENCH))
        disk = snapshot["components"][0]
        test = next(a for a in disk["actions"] if a["type"] == "TestDataStorage")
        test["assessment"] = False
        self._wizard({"failing-disk.json": json.dumps(snapshot).encode()})
        device = self._find("LUSEA0D010038879A01601")
        self.assertEqual(
            device.component_ids.filtered("capacity_gb").smart_passed, "failed"
        )
        form = self._grading_form(device)
        self.assertEqual(form.check_storage, "ko")
        # what the operator enters stays his
        form.check_storage = "ok"
        form.battery_design_capacity = 50
        form.battery_full_capacity = 45
        grading = form.save()
        self.assertEqual(grading.check_storage, "ok")
        self.assertEqual(grading.battery_health, 90.0)
