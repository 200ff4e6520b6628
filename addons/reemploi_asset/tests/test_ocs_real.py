"""Synchronisation against a real OCS Inventory NG 2.8.1 (Debian's packages),
fed with agent inventories as the agent sends them.

``tests/run.py`` starts the server once per run (``tests/ocs_server.py``) and
gives its address in ``REEMPLOI_OCS_URL``; without it these tests fail (they
never skip). Each test posts computers under its own TAG, so that the TAG
filter also keeps the tests apart on the shared server. The server answers
web-service pages of ``REEMPLOI_OCS_RESULTS_LIMIT`` (10) computers."""

import os
import secrets

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from . import ocs_agent
from .common import ReemploiCase


@tagged("post_install", "-at_install")
class TestRealOcs(ReemploiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ocs_url = os.environ.get("REEMPLOI_OCS_URL")
        cls.ocs_login = os.environ.get("REEMPLOI_OCS_LOGIN")
        cls.ocs_password = os.environ.get("REEMPLOI_OCS_PASSWORD")
        cls.page = int(os.environ.get("REEMPLOI_OCS_RESULTS_LIMIT") or 10)
        cls.desktop = cls.env.ref("reemploi_asset.category_desktop")

    def setUp(self):
        super().setUp()
        if not self.ocs_url:
            self.fail(
                "no real OCS Inventory server: run the tests with tests/run.sh, "
                "which starts one (tests/ocs_server.py says what it needs)"
            )
        self.tag = f"T{secrets.token_hex(4).upper()}"

    # ------------------------------------------------------------ helpers
    def _post(self, number, tag=None, deviceid=None, **values):
        """Computer ``number`` of this test reports to the server."""
        tag = tag or self.tag
        values = {
            "serial": f"{tag}-SN{number:04d}",
            "manufacturer": "Dell Inc.",
            "model": "Latitude 5490",
            "chassis": "Notebook",
            **values,
        }
        name = values.pop("name", f"{tag}-PC{number:04d}")
        deviceid = deviceid or f"{name}-2026-12-01-08-00-00"
        return ocs_agent.post(
            self.ocs_url, ocs_agent.computer(deviceid, name, tag, **values)
        )

    def _source(self, protocol="soap", **values):
        """An OCS source as an administrator creates it in the form."""
        with Form(self.env["reemploi.import.source"]) as form:
            form.name = f"OCS {protocol} {self.tag}"
            form.kind = "ocs"
            form.owner_id = self.donor_a
            form.ocs_protocol = protocol
            form.url = self.ocs_url
            form.app_token = self.ocs_login
            form.user_token = self.ocs_password
            form.ocs_tags = self.tag
            form.timeout = 30
            for name, value in values.items():
                setattr(form, name, value)
        return form.record

    def _devices(self, source):
        return self.Equipment.search([("import_source_id", "=", source.id)])

    def _sync(self, source):
        run = source._sync()
        self.assertEqual(run.state, "done", run.message)
        return run

    # ------------------------------------------------------------ tests
    def _every_computer_of_the_tag(self, protocol):
        count = 2 * self.page + 5  # three web-service pages
        for number in range(count):
            self._post(number)
        self._post(0, tag=f"{self.tag}X")  # another entity of the same server
        source = self._source(protocol)
        self.assertEqual(source.ocs_checksum, 3)  # the default reads them
        run = self._sync(source)
        self.assertEqual(run.created_count, count, run.message)
        devices = self._devices(source)
        self.assertEqual(
            sorted(devices.mapped("serial")),
            [f"{self.tag}-SN{n:04d}" for n in range(count)],
        )
        device = devices.filtered(lambda d: d.serial == f"{self.tag}-SN0003")
        self.assertEqual(device.owner_id, self.donor_a)
        self.assertEqual(device.category_id, self.laptop)
        self.assertEqual(device.model, "Latitude 5490")
        self.assertTrue(device.source_ref.isdigit())

    def test_soap_brings_every_computer_of_the_tag(self):
        self._every_computer_of_the_tag("soap")

    def test_rest_brings_every_computer_of_the_tag(self):
        self._every_computer_of_the_tag("rest")

    def _incremental(self, protocol):
        for number in range(4):
            self._post(number, memory_mb=8192)
        source = self._source(protocol)
        first = self._sync(source)
        self.assertEqual(first.created_count, 4)
        self.assertTrue(source.cursor)
        again = self._sync(source)
        self.assertEqual(
            (again.created_count, again.updated_count, again.rejected_count),
            (0, 0, 0),
        )
        self._post(2, memory_mb=16384)
        self._post(9)  # a new computer
        changed = self._sync(source)
        self.assertEqual(
            (changed.created_count, changed.updated_count), (1, 1), changed.message
        )
        device = self._devices(source).filtered(
            lambda d: d.serial == f"{self.tag}-SN0002"
        )
        self.assertEqual(device.ram_gb, 16.0)

    def test_soap_incremental_sync_brings_the_changed_computers(self):
        self._incremental("soap")

    def test_rest_incremental_sync_brings_the_changed_computers(self):
        self._incremental("rest")

    def test_reinstalled_agent_is_the_same_device(self):
        self._post(1, deviceid="PC-A-2026-01-05-09-00-00")
        source = self._source("rest")
        self._sync(source)
        device = self._devices(source)
        self.assertEqual(len(device), 1)
        first_ref = device.source_ref
        # the agent reinstalled: new DEVICEID, same machine (the server merges
        # the duplicate into a new computer id)
        self._post(1, deviceid="PC-A-2026-11-30-14-00-00", memory_mb=4096)
        run = self._sync(source)
        self.assertEqual(run.created_count, 0, run.message)
        self.assertEqual(run.rejected_count, 0, run.line_ids.mapped("reason"))
        self.assertEqual(self._devices(source), device)
        self.assertNotEqual(device.source_ref, first_ref)
        self.assertEqual(device.ram_gb, 4.0)
        # a full resync from scratch too
        source.sudo().cursor = False
        full = self._sync(source)
        self.assertEqual((full.created_count, full.rejected_count), (0, 0))
        self.assertEqual(self.Equipment.search_count([("serial", "=", device.serial)]), 1)

    def test_hospital_chassis_types_come_in(self):
        chassis = [
            "Mini Tower",
            "Tower",
            "Low Profile Desktop",
            "Space-saving",
            "All In One",
            "Sub Notebook",
            "Notebook",
        ]
        for number, kind in enumerate(chassis):
            self._post(number, chassis=kind, manufacturer="HP", model="EliteDesk")
        run = self._sync(self._source("soap"))
        self.assertEqual(run.created_count, len(chassis), run.message)
        by_type = {
            line.serial: line.category_id
            for line in self.Equipment.search([("serial", "like", f"{self.tag}-SN%")])
        }
        self.assertEqual(by_type[f"{self.tag}-SN0000"], self.desktop)
        self.assertEqual(by_type[f"{self.tag}-SN0005"], self.laptop)

    def test_a_machine_without_serial_is_known_by_its_ocs_id(self):
        # a virtual machine's BIOS gives no serial: the OCS computer id
        # identifies it, and a later full sync finds it again
        self._post(1, serial="", manufacturer="QEMU", model="Standard PC")
        self._post(2)
        source = self._source("rest")
        run = self._sync(source)
        self.assertEqual((run.created_count, run.rejected_count), (2, 0), run.message)
        machine = self._devices(source).filtered(lambda d: not d.serial)
        self.assertTrue(machine.source_ref.isdigit())
        source.sudo().cursor = False
        again = self._sync(source)
        self.assertEqual((again.created_count, again.rejected_count), (0, 0))
        self.assertEqual(len(self._devices(source)), 2)

    def test_wrong_password_is_refused_and_nothing_changes(self):
        self._post(1)
        source = self._source("soap", user_token="guess")
        run = source._sync()
        self.assertEqual(run.state, "failed")
        self.assertIn("401", run.message)
        self.assertFalse(self._devices(source))
        self.assertFalse(source.cursor)

    def test_checksum_must_include_the_hardware(self):
        with self.assertRaises(ValidationError) as caught:
            self._source("soap", ocs_checksum=2)
        self.assertIn("(1)", str(caught.exception))
        # without the BIOS section (2) computers come without their serial
        self._post(1)
        source = self._source("soap", ocs_checksum=1)
        self.assertEqual(self._sync(source).created_count, 1)
        self.assertFalse(self._devices(source).serial)
