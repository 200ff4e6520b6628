import datetime
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from odoo.exceptions import AccessError, UserError
from odoo.tests import BaseCase, Form, HttpCase, tagged

from ..services import erasure_reports, lifecycle
from .common import ReemploiCase

FIXTURES = Path(__file__).parent / "fixtures" / "erasure"


def fixture(name):
    return (FIXTURES / name).read_bytes()


@tagged("at_install", "reemploi_unit")
class TestErasureReports(BaseCase):
    """The reader of the tools' reports, on real and published-format files."""

    def test_real_nwipe_034_log(self):
        kind, (drive,) = erasure_reports.read_report(
            fixture("nwipe-0.34-loop-zero.log")
        )
        self.assertEqual(kind, "nwipe")
        # Debian's nwipe 0.34 calls itself 0.33 in its log: the evidence
        # keeps what the tool wrote
        self.assertEqual((drive.tool_name, drive.tool_version), ("nwipe", "0.33"))
        self.assertEqual(drive.device_name, "/dev/loop0")
        self.assertEqual(drive.serial, "")  # a loop device has no serial
        self.assertEqual(drive.model, "Loopback device")
        self.assertEqual(drive.technique, "Fill With Zeros (1R+B+VL)")
        self.assertEqual(drive.method, "clear")
        self.assertEqual(drive.passes, 1)
        self.assertAlmostEqual(drive.capacity_gb, 0.004, places=3)
        self.assertEqual(drive.start, datetime.datetime(2026, 12, 6, 14, 57, 56))
        self.assertEqual(drive.end, datetime.datetime(2026, 12, 6, 14, 57, 57))
        self.assertTrue(drive.success)
        self.assertEqual(drive.verification, "full")
        self.assertTrue(drive.verified)

    def test_nwipe_two_drives_and_a_serial(self):
        _kind, drives = erasure_reports.read_report(
            fixture("nwipe-0.34-two-loops-dodshort.log")
        )
        self.assertEqual([d.device_name for d in drives], ["/dev/loop0", "/dev/loop1"])
        self.assertEqual([d.passes for d in drives], [3, 3])
        self.assertTrue(all(d.verified for d in drives))
        self.assertNotEqual(drives[0].key(), drives[1].key())
        _kind, (sda,) = erasure_reports.read_report(
            fixture("nwipe-0.34-sda-derived.log")
        )
        self.assertEqual(sda.serial, "WD-WX31A8712345")
        self.assertEqual(sda.model, "WDC WD5000LPCX-24C6HT0")

    def test_nwipe_failed_drive_is_not_verified(self):
        _kind, (drive,) = erasure_reports.read_report(
            fixture("nwipe-0.34-loop-readonly-failed.log")
        )
        self.assertFalse(drive.success)
        self.assertFalse(drive.verified)
        self.assertEqual(drive.message, "FAILED")

    def test_blancco(self):
        kind, (ssd, hdd) = erasure_reports.read_report(
            fixture("blancco-drive-eraser-two-drives.xml")
        )
        self.assertEqual(kind, "blancco")
        self.assertEqual(
            (ssd.tool_name, ssd.tool_version), ("Blancco Drive Eraser", "7.16.0")
        )
        self.assertEqual((ssd.serial, ssd.manufacturer), ("S3TANX0K123456", "Samsung"))
        self.assertEqual((ssd.method, ssd.medium_type, ssd.passes), ("purge", "ssd", 2))
        self.assertEqual(ssd.end.utcoffset(), datetime.timedelta(hours=1))
        self.assertTrue(ssd.verified)
        self.assertEqual((hdd.method, hdd.verification), ("clear", "sample"))
        self.assertFalse(hdd.verified)

    def test_csv_french_and_english(self):
        kind, drives = erasure_reports.read_report(fixture("effacements-fr.csv"))
        self.assertEqual(kind, "csv")
        self.assertEqual([d.method for d in drives], ["clear", "purge", "clear"])
        self.assertEqual([d.verified for d in drives], [True, True, False])
        self.assertEqual(drives[0].end, datetime.datetime(2026, 1, 14, 10, 2))
        _kind, (drive,) = erasure_reports.read_report(fixture("erasures-en.csv"))
        self.assertEqual((drive.serial, drive.method), ("EN-DRIVE-0001", "purge"))

    def test_nist_category(self):
        for technique, category in (
            ("PRNG Stream", "clear"),
            ("DoD Short", "clear"),
            ("Zero fill", "clear"),
            ("ATA Secure Erase", "purge"),
            ("NVMe Format, crypto erase", "purge"),
            ("NIST 800-88 Clear", "clear"),
        ):
            self.assertEqual(erasure_reports.nist_category(technique), category)

    def test_unreadable_files(self):
        for data in (b"", b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n....", b"hello", b"<a/>"):
            with self.assertRaises(erasure_reports.ErasureReportError):
                erasure_reports.read_report(data, "x")


@tagged("post_install", "-at_install")
class TestErasureImport(ReemploiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.tz = "UTC"
        cls.user_operator_x.tz = "UTC"
        cls.device = cls._received("5CG8231XYZ", asset_tag="INV-0042")
        cls.Component = cls.env["reemploi.equipment.component"]

    @classmethod
    def _storage(cls, device, serial, storage_type="ssd"):
        # as an audit of the device fills it
        return cls.Component.create(
            {
                "equipment_id": device.id,
                "kind": "storage",
                "serial": serial,
                "storage_type": storage_type,
            }
        )

    def _import(self, *files, user=None, lang=None):
        """Import ``files`` (fixture names or (name, bytes)) through the
        wizard's form, as ``user``; the wizard after the import."""
        env = self.env(user=user or self.user_operator_x)
        if lang:
            env = env(context=dict(env.context, lang=lang))
        attachments = env["ir.attachment"]
        for item in files:
            name, data = item if isinstance(item, tuple) else (item, fixture(item))
            attachments |= env["ir.attachment"].create(
                {"name": name, "raw": data, "res_model": "reemploi.erasure.import"}
            )
        form = Form(env["reemploi.erasure.import"])
        for attachment in attachments:
            form.attachment_ids.add(attachment)
        wizard = form.save()
        wizard.action_import()
        return wizard

    def _pending_x(self):
        return (
            self.env["reemploi.erasure.pending"]
            .with_user(self.user_operator_x)
            .search([])
        )

    def _erasures(self, device=None):
        return self.env["reemploi.erasure"].search(
            [("equipment_id", "=", (device or self.device).id)]
        )

    def test_nwipe_log_matched_by_drive_serial(self):
        self._storage(self.device, "WD-WX31A8712345", "hdd")
        wizard = self._import("nwipe-0.34-sda-derived.log")
        self.assertIn("Verified erasures recorded: 1;", wizard.summary)
        erasure = self._erasures()
        self.assertEqual(len(erasure), 1)
        self.assertTrue(erasure.verified)
        self.assertEqual(erasure.medium_serial, "WD-WX31A8712345")
        self.assertEqual(erasure.medium_type, "hdd")  # from the audit
        self.assertEqual((erasure.tool_name, erasure.tool_version), ("nwipe", "0.33"))
        self.assertEqual(erasure.technique, "Fill With Zeros (1R+B+VL)")
        self.assertEqual((erasure.method, erasure.passes), ("clear", 1))
        self.assertEqual(erasure.verification_method, "full")
        self.assertEqual(erasure.user_id, self.user_operator_x)
        self.assertEqual(erasure.date_end, datetime.datetime(2026, 12, 6, 14, 57, 57))
        self.assertEqual(erasure.place, self.company_x.name)
        self.assertEqual(
            erasure.report_attachment_id.raw, fixture("nwipe-0.34-sda-derived.log")
        )
        # every medium verified: the device moved on as "Erasure done" does
        self.assertEqual(self.device.state, lifecycle.ERASED)
        self.assertIn(
            "erasure", self.device.custody_event_ids.mapped("event_type")
        )

    def test_blancco_success_verified_failure_not(self):
        self._storage(self.device, "S3TANX0K123456")
        other = self._received("5CG0000ABC")
        self._storage(other, "WDEBLK7M", "hdd")
        wizard = self._import("blancco-drive-eraser-two-drives.xml")
        self.assertIn("Verified erasures recorded: 1; not verified: 1;", wizard.summary)
        ssd = self._erasures()
        self.assertTrue(ssd.verified)
        self.assertEqual((ssd.method, ssd.medium_manufacturer), ("purge", "Samsung"))
        # 11:02:37+01:00
        self.assertEqual(ssd.date_end, datetime.datetime(2026, 1, 14, 10, 2, 37))
        failed = self._erasures(other)
        self.assertEqual(failed.result, "failure")
        self.assertFalse(failed.verified)
        self.assertIn("failed", failed.note)
        self.assertEqual(other.state, lifecycle.RECEIVED)
        with self.assertRaises(UserError):
            other.action_mark_erased()

    def test_csv_matched_by_component_or_by_erasure_medium(self):
        self._storage(self.device, "CSV-DRIVE-0001")
        second = self._received("5CG0000DEF")
        # no audit for this one: a medium named by its (unfinished) erasure
        self._erase(second, medium_serial="csv-drive-0002", date_end=False)
        third = self._received("5CG0000GHI")
        self._storage(third, "CSV-DRIVE-0003")
        self._import("effacements-fr.csv")
        self.assertTrue(self._erasures().verified)
        imported = self._erasures(second).filtered("import_key")
        self.assertTrue(imported.verified)
        self.assertEqual(imported.method, "purge")
        self.assertFalse(self._erasures(third).verified)
        # one copy of the report for all its drives, not one per drive
        reports = (
            self._erasures() | imported | self._erasures(third)
        ).report_attachment_id
        self.assertEqual(len(reports), 1)
        self.assertEqual(reports.raw, fixture("effacements-fr.csv"))

    def test_unmatched_waits_then_resolved_by_scan(self):
        wizard = self._import("erasures-en.csv")
        self.assertIn("waiting for their device: 1;", wizard.summary)
        Pending = self.env["reemploi.erasure.pending"].with_user(self.user_operator_x)
        pending = Pending.search([])
        self.assertEqual(pending.medium_serial, "EN-DRIVE-0001")
        self.assertEqual(
            pending.reason, "no device has a drive with this serial number"
        )
        self.assertTrue(pending.attachment_id)
        with Form(pending) as form:
            form.reference = "nothing-like-this"
            self.assertFalse(form.equipment_id)
            # the asset tag as typed, or the serial, or the QR label's URL
            form.reference = f"https://example.org/r/{self.device.qr_token}"
            self.assertEqual(form.equipment_id, self.device)
        pending.action_resolve()
        self.assertFalse(pending.exists())
        erasure = self._erasures()
        self.assertTrue(erasure.verified)
        self.assertEqual(erasure.medium_serial, "EN-DRIVE-0001")
        self.assertEqual(erasure.user_id, self.user_operator_x)
        self.assertEqual(erasure.report_attachment_id.raw, fixture("erasures-en.csv"))
        self.assertEqual(self.device.state, lifecycle.ERASED)

    def test_resolution_refuses_unknown_device(self):
        self._import("erasures-en.csv")
        pending = self._pending_x()
        with Form(pending) as form:
            form.reference = "INV-9999"
        with self.assertRaises(UserError):
            pending.action_resolve()

    def test_reimport_changes_nothing(self):
        self._storage(self.device, "WD-WX31A8712345")
        self._import("nwipe-0.34-sda-derived.log", "erasures-en.csv")
        erasures = self.env["reemploi.erasure"].search([])
        pending = self.env["reemploi.erasure.pending"].search([])
        again = self._import("nwipe-0.34-sda-derived.log", "erasures-en.csv")
        self.assertIn("already imported: 2;", again.summary)
        self.assertIn(
            "WD-WX31A8712345 (nwipe-0.34-sda-derived.log): already imported",
            again.summary,
        )
        self.assertEqual(self.env["reemploi.erasure"].search([]), erasures)
        self.assertEqual(self.env["reemploi.erasure.pending"].search([]), pending)

    def test_reimport_says_deja_importe_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self._storage(self.device, "WD-WX31A8712345")
        self._import("nwipe-0.34-sda-derived.log")
        again = self._import("nwipe-0.34-sda-derived.log", lang="fr_FR")
        self.assertIn("déjà importé", again.summary)

    def test_failed_unmatched_drive_resolves_unverified(self):
        self._import("nwipe-0.34-loop-readonly-failed.log")
        pending = self._pending_x()
        self.assertEqual(pending.result, "failure")
        self.assertEqual(pending.reason, "the tool read no serial number")
        with Form(pending) as form:
            form.reference = "INV-0042"
        with self.assertRaises(UserError):
            # the tool read no serial: it is typed from the drive's label
            pending.action_resolve()
        with Form(pending) as form:
            form.medium_serial = "LABEL-1234"
        pending.action_resolve()
        erasure = self._erasures()
        self.assertEqual((erasure.result, erasure.verified), ("failure", False))
        self.assertEqual(self.device.state, lifecycle.RECEIVED)

    def test_operator_never_sees_another_companys_queue(self):
        self._import("erasures-en.csv", user=self.user_operator_y)
        theirs = self.env["reemploi.erasure.pending"].search([])
        self.assertEqual(theirs.company_id, self.company_y)
        Pending = self.env["reemploi.erasure.pending"].with_user(self.user_operator_x)
        self.assertFalse(Pending.search([]))
        with self.assertRaises(AccessError):
            Pending.browse(theirs.id).read(["medium_serial"])
        with self.assertRaises(AccessError):
            Pending.browse(theirs.id).action_resolve()
        # nor a device of another company, by scanning it
        device_y = self._received("5CG-Y-0001", company=self.company_y)
        mine = self._import("erasures-en.csv", user=self.user_operator_x)
        self.assertIn("waiting for their device: 1;", mine.summary)
        pending_x = Pending.search([])
        with Form(pending_x) as form:
            form.reference = device_y.serial
            self.assertFalse(form.equipment_id)

    def test_other_companys_drive_serial_does_not_match(self):
        device_y = self._received("5CG-Y-0002", company=self.company_y)
        self._storage(device_y, "EN-DRIVE-0001")
        wizard = self._import("erasures-en.csv")
        self.assertIn("waiting for their device: 1;", wizard.summary)
        self.assertFalse(self._erasures(device_y))

    def test_bad_files_refused_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        wizard = self._import(
            ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00"),
            ("certificat.pdf", b"%PDF-1.4\n%%EOF"),
            ("vide.log", b""),
            lang="fr_FR",
        )
        self.assertIn("fichiers refusés : 3.", wizard.summary)
        self.assertIn("n'est pas un rapport d'effacement", wizard.summary)
        self.assertIn("certificats PDF", wizard.summary)
        imported = self.env["reemploi.erasure"].search([("import_key", "!=", False)])
        self.assertFalse(imported)
        self.assertFalse(self.env["reemploi.erasure.pending"].search([]))

    def test_no_file_is_a_user_error(self):
        form = Form(self.env["reemploi.erasure.import"].with_user(self.user_operator_x))
        wizard = form.save()
        with self.assertRaises(UserError):
            wizard.action_import()

    def test_live_nwipe_on_a_loop_device(self):
        """Runs Debian's nwipe on a loop device and imports its log. The loop
        device has no serial: the drive waits in the queue and is resolved
        by scanning the device, its serial typed from the "label"."""
        nwipe = shutil.which("nwipe") or shutil.which("nwipe", path="/usr/sbin:/sbin")
        losetup = shutil.which("losetup") or shutil.which(
            "losetup", path="/usr/sbin:/sbin"
        )
        if not (nwipe and losetup and os.geteuid() == 0):
            self.skipTest(
                "nwipe, losetup and root are needed (apt-get install nwipe; .ci/run "
                "installs it)"
            )
        with tempfile.TemporaryDirectory() as tmp:
            image = Path(tmp) / "disk.img"
            image.write_bytes(b"\xa5" * (2 * 1024 * 1024))
            log = Path(tmp) / "nwipe.log"
            loop = subprocess.run(
                [losetup, "-f", "--show", str(image)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            try:
                subprocess.run(
                    [
                        nwipe,
                        "--autonuke",
                        "--nogui",
                        "--method=zero",
                        "--verify=last",
                        "--nowait",
                        f"--logfile={log}",
                        loop,
                    ],
                    check=True,
                    capture_output=True,
                    timeout=120,
                )
            finally:
                subprocess.run([losetup, "-d", loop], check=False)
            self.assertEqual(image.read_bytes(), bytes(2 * 1024 * 1024))
            data = log.read_bytes()
        wizard = self._import(("nwipe.log", data))
        self.assertIn("waiting for their device: 1;", wizard.summary)
        pending = self._pending_x()
        self.assertEqual(pending.device_name, loop)
        with Form(pending) as form:
            form.reference = "5CG8231XYZ"
            form.medium_serial = "LOOP-LABEL-0001"
        pending.action_resolve()
        erasure = self._erasures()
        self.assertTrue(erasure.verified)
        self.assertEqual(erasure.tool_name, "nwipe")
        self.assertEqual(erasure.verification_method, "full")
        self.assertEqual(self.device.state, lifecycle.ERASED)


@tagged("post_install", "-at_install")
class TestErasureHttp(HttpCase, ReemploiCase):
    """The bench station posts the erasure tool's report after the wipe,
    with the key it posts audits with (curl --data-binary @nwipe.log)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device = cls._received("5CG8231XYZ")
        cls.env["reemploi.equipment.component"].create(
            {
                "equipment_id": cls.device.id,
                "kind": "storage",
                "serial": "WD-WX31A8712345",
                "storage_type": "hdd",
            }
        )
        cls.user_operator_x.lang = "fr_FR"
        cls.key_x = cls._api_key(cls.user_operator_x, "reemploi_audit", "bench station")
        cls.key_donor = cls._api_key(cls.user_donor_a, name="donor")

    def _post(self, data, key=None, name="nwipe.log"):
        headers = {"Content-Type": "text/plain", "X-Filename": name}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return self.url_open("/reemploi/erasure", data=data, headers=headers)

    def test_station_posts_the_log(self):
        response = self._post(fixture("nwipe-0.34-sda-derived.log"), self.key_x)
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(
            {k: body[k] for k in ("verified", "unverified", "pending", "skipped")},
            {"verified": 1, "unverified": 0, "pending": 0, "skipped": 0},
        )
        self.assertIn("effacement vérifié enregistré", body["lines"][0])
        erasure = self.env["reemploi.erasure"].search(
            [("equipment_id", "=", self.device.id)]
        )
        self.assertTrue(erasure.verified)
        self.assertEqual(erasure.user_id, self.user_operator_x)
        self.assertEqual(erasure.report_attachment_id.name, "nwipe.log")
        # the same report again changes nothing
        again = self._post(fixture("nwipe-0.34-sda-derived.log"), self.key_x)
        self.assertEqual(again.status_code, 200)
        self.assertEqual((again.json()["verified"], again.json()["skipped"]), (0, 1))
        self.assertEqual(
            len(self.env["reemploi.erasure"].search([("equipment_id", "=", self.device.id)])),
            1,
        )

    def test_refusals(self):
        log = fixture("nwipe-0.34-sda-derived.log")
        self.assertEqual(self._post(log).status_code, 401)
        self.assertEqual(self._post(log, "not-a-key").status_code, 401)
        self.assertEqual(self._post(log, self.key_donor).status_code, 403)
        bad = self._post(b"\x00\x01 nothing of an erasure tool", self.key_x)
        self.assertEqual(bad.status_code, 400, bad.text)
        self.assertTrue(bad.json()["error"])
        self.assertEqual(self.url_open("/reemploi/erasure").status_code, 405)
        self.assertFalse(
            self.env["reemploi.erasure"].search([("equipment_id", "=", self.device.id)])
        )
