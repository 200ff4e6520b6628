import base64
import contextlib
import datetime
import io
import json

import openpyxl
import xlsxwriter

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from ..models.bulk import models_magic
from .common import ReemploiCase

GLPI_HEADER = (
    "Nom;Entité;Statut;Fabricant;Type;Modèle;Numéro de série;"
    "Numéro d'inventaire;Lieu;Date d'achat"
)


def glpi_csv(*rows, title=True, encoding="cp1252"):
    lines = ["Export GLPI du 12/03/2025", ""] if title else []
    lines.append(GLPI_HEADER)
    lines.extend(rows)
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


ROW_1 = "PC-001;Ville;En service;Dell;Ordinateur portable;Latitude 5490;5CG001;VG-001;Mairie;03/02/2019"
ROW_2 = "PC-002;Ville;Rebut;HP;Ordinateur portable;EliteBook 840;5CG002;VG-002;Mairie;15/09/2018"
ROW_3 = (
    "EC-003;Ville;En stock;Iiyama;Moniteur;XU2492;IIY003;VG-003;École Jaurès;01/06/2019"
)


@tagged("post_install", "-at_install")
class TestImportFile(ReemploiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.source = cls.env["reemploi.import.source"].create(
            {"name": "GLPI Ville", "owner_id": cls.donor_a.id, "preset": "glpi"}
        )
        cls.Run = cls.env["reemploi.import.run"]

    def _import(self, data, filename="export.csv", source=None):
        return self.Run._import_file(source or self.source, data, filename)

    def _devices(self):
        return self.Equipment.search([("import_source_id", "=", self.source.id)])

    def test_a_device_gone_to_an_operator_keeps_its_intake_values(self):
        """From "declared" on, the register keeps what intake recorded: a
        later inventory's different specs are noted on the device, not
        written over."""
        header = "serial;type;manufacturer;model;ram"
        self._import(f"{header}\nKEEP-1;laptop;Dell;Latitude 5490;8\n".encode())
        device = self._devices()
        self.assertEqual(device.ram_gb, 8)
        device.with_company(self.company_x).action_declare()
        device.with_company(self.company_x).action_receive(self.company_x)
        run = self._import(f"{header}\nKEEP-1;laptop;Dell;Latitude 5490;16\n".encode())
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.rejected_count, 0, run.line_ids.mapped("reason"))
        self.assertEqual(device.ram_gb, 8)
        note = device.message_ids.filtered(lambda message: "16" in (message.body or ""))
        self.assertEqual(len(note), 1, device.message_ids.mapped("body"))
        self.assertIn("8", note.body)
        # the same file again: nothing more
        self._import(f"{header}\nKEEP-1;laptop;Dell;Latitude 5490;16\n".encode())
        self.assertEqual(
            len(device.message_ids.filtered(lambda m: "16" in (m.body or ""))), 1
        )

    def test_the_donor_file_says_which_devices_hold_restricted_data(self):
        """Décret 2023-266 leaves them out of the reuse rate: the donor's
        inventory says which ones, with a yes/no column."""
        source = self.env["reemploi.import.source"].create(
            {"name": "Inventaire Ville", "owner_id": self.donor_a.id}
        )
        data = (
            "numéro de série;type;données restreintes\n"
            "SEC-1;laptop;oui\n"
            "SEC-2;laptop;non\n"
            "SEC-3;laptop;\n"
            "SEC-4;laptop;peut-être\n"
        ).encode()
        run = self._import(data, source=source)
        self.assertEqual(run.state, "done", run.message)
        devices = self.Equipment.search([("import_source_id", "=", source.id)])
        self.assertEqual(
            {device.serial: device.restricted_data for device in devices},
            {"SEC-1": True, "SEC-2": False, "SEC-3": False},
        )
        self.assertIn("neither yes nor no", run.line_ids.reason)

    def test_glpi_export_creates_devices(self):
        run = self._import(glpi_csv(ROW_1, ROW_2, ROW_3))
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(
            (run.row_count, run.created_count, run.rejected_count), (3, 3, 0)
        )
        device = self._devices().filtered(lambda d: d.serial == "5CG001")
        self.assertEqual(device.category_id, self.laptop)
        self.assertEqual((device.manufacturer, device.model), ("Dell", "Latitude 5490"))
        self.assertEqual(str(device.purchase_date), "2019-02-03")
        self.assertEqual(device.asset_tag, "VG-001")
        self.assertEqual(device.site_id.name, "Mairie")
        self.assertEqual(device.site_id.parent_id, self.donor_a)
        self.assertEqual(device.owner_id, self.donor_a)
        self.assertEqual(device.last_seen_run_id, run)
        self.assertEqual(
            self.Equipment.search(run.action_open_equipment()["domain"]),
            self._devices(),
        )
        self.assertEqual(device.custody_event_ids.event_type, "registered")
        screen = self._devices().filtered(lambda d: d.serial == "IIY003")
        self.assertEqual(screen.category_id, self.monitor)
        self.assertEqual(screen.site_id.name, "École Jaurès")

    def test_scrap_state_retires_device_with_custody_event(self):
        run = self._import(glpi_csv(ROW_1, ROW_2))
        retired = self._devices().filtered(lambda d: d.serial == "5CG002")
        self.assertEqual(retired.state, "to_decommission")
        event = retired.custody_event_ids.sorted("sequence")[-1]
        self.assertEqual(event.document_ref, f"reemploi.import.run,{run.id}")
        kept = self._devices().filtered(lambda d: d.serial == "5CG001")
        self.assertEqual(kept.state, "in_use")

    def test_same_file_twice_changes_nothing(self):
        data = glpi_csv(ROW_1, ROW_2, ROW_3)
        self._import(data)
        devices = self._devices()
        events = devices.custody_event_ids
        run = self._import(data)
        self.assertEqual(
            (run.created_count, run.updated_count, run.unchanged_count), (0, 0, 3)
        )
        self.assertEqual(self._devices(), devices)
        self.assertEqual(devices.custody_event_ids, events)

    def test_imported_device_is_the_device_create_gives(self):
        """The set-based insert of an import stores what create() stores."""
        self.env["reemploi.renewal.policy"].create(
            {"owner_id": self.donor_a.id, "category_id": self.laptop.id, "years": 3}
        )
        run = self._import(glpi_csv(ROW_1))
        imported = self._devices()
        created = self.Equipment.create(
            {
                "serial": "5CG001-BIS",
                "asset_tag": "VG-001",
                "manufacturer": "Dell",
                "model": "Latitude 5490",
                "category_id": self.laptop.id,
                "purchase_date": "2019-02-03",
                "owner_id": self.donor_a.id,
                "site_id": imported.site_id.id,
                "source_ref": "ignored",
            }
        )
        skipped = {"id", "serial", "serial_key", "qr_token", "source_ref"}
        skipped |= {"state_date"}
        skipped |= {"import_source_id", "import_hash", "import_raw_hash"}
        names = [
            name
            for name, field in self.Equipment._fields.items()
            if field.store
            and field.column_type
            and name not in skipped
            and name not in models_magic()
        ]
        self.env.invalidate_all()
        self.assertEqual(
            imported.read(names)[0] | {"id": 0}, created.read(names)[0] | {"id": 0}
        )
        self.assertEqual(str(imported.expected_end_date), "2022-02-03")
        self.assertTrue(imported.qr_token)
        self.assertNotEqual(imported.qr_token, created.qr_token)
        self.assertEqual(imported.serial_key, "5CG001")
        self.assertEqual(imported.last_seen_run_id, run)
        # the same sealed 'registered' event, and the chain verifies
        event, reference = imported.custody_event_ids, created.custody_event_ids
        fields_ = ["event_type", "sequence", "to_state", "partner_id", "user_id"]
        self.assertEqual(
            event.read(fields_ + ["note"])[0] | {"id": 0},
            reference.read(fields_ + ["note"])[0] | {"id": 0},
        )
        self.assertEqual(
            self.env["reemploi.custody.event"]._verify_chains(imported | created), {}
        )

    def test_row_unchanged_after_mapping_change_is_recognised_again(self):
        self._import(glpi_csv(ROW_1, ROW_3))
        first = {device.id: device.import_raw_hash for device in self._devices()}
        # a new state mapping changes how rows could map, not these rows
        self.source.mapping_ids = [
            Command.create(
                {
                    "mapping_type": "state",
                    "source_value": "Prêté",
                    "target_state": "in_use",
                }
            )
        ]
        run = self._import(glpi_csv(ROW_1, ROW_3))
        self.assertEqual((run.updated_count, run.unchanged_count), (0, 2))
        for device in self._devices():
            self.assertTrue(device.import_raw_hash)
            self.assertNotEqual(device.import_raw_hash, first[device.id])
        run = self._import(glpi_csv(ROW_1, ROW_3))
        self.assertEqual((run.updated_count, run.unchanged_count), (0, 2))

    def test_changed_row_is_updated(self):
        self._import(glpi_csv(ROW_1, ROW_3))
        run = self._import(
            glpi_csv(ROW_1.replace("Latitude 5490", "Latitude 5491"), ROW_3)
        )
        self.assertEqual((run.updated_count, run.unchanged_count), (1, 1))
        device = self._devices().filtered(lambda d: d.serial == "5CG001")
        self.assertEqual(device.model, "Latitude 5491")

    def test_matches_device_registered_by_hand(self):
        manual = self._device("5CG001", manufacturer="Dell")
        run = self._import(glpi_csv(ROW_1))
        self.assertEqual((run.created_count, run.updated_count), (0, 1))
        self.assertEqual(manual.asset_tag, "VG-001")

    def test_bad_rows_rejected_with_reasons_nothing_lost(self):
        rows = [
            ROW_1,
            "PC-010;Ville;En service;Dell;Ordinateur portable;Latitude;;;Mairie;01/01/2019",
            "PC-011;Ville;En service;Dell;Clé 4G;Huawei;HW011;VG-011;Mairie;01/01/2019",
            "PC-012;Ville;En service;Dell;Ordinateur portable;Lat;5CG012;VG-012;Mairie;31/02/2019",
            "PC-013;Ville;Perdu;Dell;Ordinateur portable;Lat;5CG013;VG-013;Mairie;01/01/2019",
            "PC-014;Ville;En service;Dell;Ordinateur portable;Lat;5CG014;VG-014;Mairie;01/01/2019;x;y",
            ROW_3,
        ]
        run = self._import(glpi_csv(*rows))
        self.assertEqual(run.state, "done")
        self.assertEqual(
            (run.row_count, run.created_count, run.rejected_count), (7, 2, 5)
        )
        reasons = {line.line: line.reason for line in run.line_ids}
        # the file has two title lines before the header (line 3)
        self.assertIn("no serial number", reasons[5])
        self.assertIn("unknown category 'Clé 4G'", reasons[6])
        self.assertIn("31/02/2019", reasons[7])
        self.assertIn("unknown state 'Perdu'", reasons[8])
        self.assertIn("columns", reasons[9])
        raw = json.loads(run.line_ids.filtered(lambda line: line.line == 6).raw)
        self.assertEqual(raw[4], "Clé 4G")

    def test_duplicate_serials_merged_and_counted(self):
        duplicate = ROW_1.replace("Mairie", "Mairie annexe")
        run = self._import(glpi_csv(ROW_1, duplicate))
        self.assertEqual((run.created_count, run.merged_count), (1, 1))
        self.assertEqual(run.line_ids.kind, "merged")
        self.assertIn("merged", run.line_ids.reason)
        self.assertEqual(self._devices().site_id.name, "Mairie annexe")

    def test_duplicate_serials_of_another_model_not_merged(self):
        """Two rows of one serial number and manufacturer but two models are
        two machines a file mixed up: never merged into one."""
        duplicate = ROW_1.replace("Latitude 5490", "Latitude 5490 (2)")
        run = self._import(glpi_csv(ROW_1, duplicate))
        self.assertEqual((run.created_count, run.merged_count), (1, 0))
        self.assertEqual((run.rejected_count, run.line_ids.kind), (1, "rejected"))
        self.assertIn("another model", run.line_ids.reason)
        self.assertEqual(self._devices().model, "Latitude 5490")

    def test_conflicting_row_isolated_others_kept(self):
        source = self.env["reemploi.import.source"].create(
            {"name": "Tableur", "owner_id": self.donor_a.id}
        )
        data = b"id;serial;type\n1;AB-1;laptop\n2;ab1;laptop\n3;AB-3;laptop\n"
        run = self._import(data, source=source)
        self.assertEqual((run.created_count, run.rejected_count), (2, 1))
        self.assertIn("already registered", run.line_ids.reason)
        self.assertEqual(run.line_ids.line, 3)

    def test_replay_after_fixing_mapping(self):
        row = (
            "PC-011;Ville;En service;Huawei;Clé 4G;E3372;HW011;VG-011;Mairie;01/01/2019"
        )
        run = self._import(glpi_csv(ROW_1, row))
        self.assertEqual(run.rejected_count, 1)
        self.source.mapping_ids = [
            Command.create(
                {
                    "mapping_type": "category",
                    "source_value": "Clé 4G",
                    "category_id": self.env.ref("reemploi_asset.category_network").id,
                }
            )
        ]
        action = run.action_replay_rejected()
        replay = self.Run.browse(action["res_id"])
        self.assertEqual((replay.created_count, replay.rejected_count), (1, 0))
        self.assertEqual(replay.replay_of_id, run)
        self.assertTrue(run.line_ids.replayed)
        with self.assertRaises(UserError):
            replay.action_replay_rejected()

    def test_full_inventory_marks_not_seen_never_deletes(self):
        self.source.full_inventory = True
        self._import(glpi_csv(ROW_1, ROW_3))
        run = self._import(glpi_csv(ROW_1))
        self.assertEqual(run.not_seen_count, 1)
        missing = self._devices().filtered(lambda d: d.serial == "IIY003")
        self.assertTrue(missing.not_seen_since)
        self.assertTrue(missing.active)
        self._import(glpi_csv(ROW_1, ROW_3))
        self.assertFalse(missing.not_seen_since)

    def test_rejected_file_as_a_whole(self):
        png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
        run = self._import(png, "photo.csv")
        self.assertEqual(run.state, "failed")
        self.assertTrue(run.message)
        self.assertFalse(self._devices())

    def test_file_without_identity_column(self):
        run = self._import("Type;Modèle\nPortable;T480\n".encode())
        self.assertEqual(run.state, "failed")
        self.assertIn("Type, Modèle", run.message)

    def test_xlsx_snipeit_export(self):
        source = self.env["reemploi.import.source"].create(
            {"name": "Snipe-IT CHU", "owner_id": self.donor_b.id, "preset": "snipeit"}
        )
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet()
        date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
        header = [
            "Asset Tag",
            "Name",
            "Serial",
            "Model",
            "Category",
            "Manufacturer",
            "Status",
            "Location",
            "Purchase Date",
            "Purchase Cost",
        ]
        sheet.write_row(0, 0, header)
        sheet.write_row(
            1,
            0,
            [
                "CHU-1",
                "Poste 1",
                "SN-1",
                "T480",
                "Laptop",
                "Lenovo",
                "Deployed",
                "Urgences",
            ],
        )
        sheet.write_datetime(1, 8, datetime.datetime(2019, 4, 2), date_format)
        sheet.write_number(1, 9, 812.5)
        sheet.write_row(
            2,
            0,
            [
                "CHU-2",
                "Poste 2",
                "SN-2",
                "P2419H",
                "Monitor",
                "Dell",
                "Pending",
                "Urgences",
            ],
        )
        workbook.close()
        run = self._import(buffer.getvalue(), "assets.xlsx", source=source)
        self.assertEqual((run.state, run.created_count), ("done", 2), run.message)
        devices = self.Equipment.search([("import_source_id", "=", source.id)])
        laptop = devices.filtered(lambda d: d.serial == "SN-1")
        self.assertEqual(str(laptop.purchase_date), "2019-04-02")
        self.assertEqual(laptop.owner_id, self.donor_b)
        self.assertEqual(
            devices.filtered(lambda d: d.serial == "SN-2").state, "to_decommission"
        )

    def test_formulas_never_exported_as_formulas(self):
        rows = 'serial;type\n=HYPERLINK("http://x");Clé\n@SUM(A1);laptop\n'
        run = self._import(
            rows.encode(),
            source=self.env["reemploi.import.source"].create(
                {"name": "Tableur", "owner_id": self.donor_a.id}
            ),
        )
        self.assertEqual((run.created_count, run.rejected_count), (1, 1))
        self.assertTrue(self.Equipment.search([("serial", "=", "@SUM(A1)")]))
        action = run.action_download_rejected()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        workbook = openpyxl.load_workbook(
            io.BytesIO(base64.b64decode(attachment.datas))
        )
        cell = workbook.active.cell(row=2, column=4)
        self.assertEqual(cell.value, '=HYPERLINK("http://x")')
        self.assertEqual(cell.data_type, "s")

    def test_wizard_as_coordinator(self):
        coordinator_env = self.env(user=self.user_coordinator)
        wizard_model = coordinator_env["reemploi.import.wizard"].with_context(
            default_filename="glpi.csv"
        )
        with Form(wizard_model) as form:
            form.source_id = self.source.with_user(self.user_coordinator)
            form.file = base64.b64encode(glpi_csv(ROW_1))
        wizard = form.save()
        self.assertEqual(wizard.filename, "glpi.csv")
        action = wizard.action_import()
        run = coordinator_env["reemploi.import.run"].browse(action["res_id"])
        self.assertEqual(run.created_count, 1)

    def test_operator_imports_for_its_company_only(self):
        """An operator keeps sources for its company (a donor's spreadsheet
        handed over at a collection) and imports through the wizard; the
        other operators do not see them, the coordinator does."""
        operator_env = self.env(user=self.user_operator_x)
        source = operator_env["reemploi.import.source"].create(
            {"name": "Tableur remis", "owner_id": self.donor_a.id}
        )
        self.assertEqual(source.company_id, self.company_x)
        wizard_model = operator_env["reemploi.import.wizard"].with_context(
            default_filename="remis.csv"
        )
        with Form(wizard_model) as form:
            form.source_id = source
            form.file = base64.b64encode(glpi_csv(ROW_1, ROW_3))
        action = form.save().action_import()
        run = operator_env["reemploi.import.run"].browse(action["res_id"])
        self.assertEqual((run.state, run.created_count), ("done", 2), run.message)
        self.assertEqual(run.company_id, self.company_x)
        other_env = self.env(user=self.user_operator_y)
        self.assertFalse(other_env["reemploi.import.source"].search([]) & source)
        self.assertFalse(other_env["reemploi.import.run"].search([]) & run)
        with self.assertRaises(AccessError):
            other_env["reemploi.import.source"].browse(source.id).name  # noqa: B018
        coordinator_env = self.env(user=self.user_coordinator)
        self.assertIn(source, coordinator_env["reemploi.import.source"].search([]))
        # the coordinators' own sources stay out of the operators' reach
        self.assertFalse(self.source.company_id)
        self.assertFalse(
            operator_env["reemploi.import.source"].search([]) & self.source
        )


@tagged("post_install", "-at_install")
class TestImportBackground(ReemploiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.source = cls.env["reemploi.import.source"].create(
            {"name": "Gros parc", "owner_id": cls.donor_a.id, "full_inventory": True}
        )
        lines = ["serial;type;model"]
        lines += [f"BG-{index:05d};laptop;T480" for index in range(5000)]
        lines.append("BG-BAD;Clé 4G;E3372")
        cls.data = ("\n".join(lines) + "\n").encode()
        cls.Run = cls.env["reemploi.import.run"]

    def _devices(self):
        return self.Equipment.search([("import_source_id", "=", self.source.id)])

    def test_large_file_queued_then_processed_by_chunks(self):
        run = self.Run._import_file(self.source, self.data, "parc.csv")
        self.assertEqual((run.state, run.row_count, run.rows_done), ("queued", 5001, 0))
        self.assertFalse(self._devices())
        cron_runs = 0
        while run.state == "queued":
            self.Run._cron_process_queued()
            cron_runs += 1
            self.assertLessEqual(cron_runs, 3)
            if run.state == "queued":
                self.assertEqual(len(self._devices()), run.rows_done)
                self.assertLess(run.progress, 100)
        self.assertEqual(cron_runs, 3)
        self.assertEqual((run.created_count, run.rejected_count), (5000, 1))
        self.assertEqual(run.line_ids.line, 5002)
        self.assertEqual(len(self._devices()), 5000)

    def test_background_run_speaks_the_uploaders_language(self):
        """The scheduled job has no language of its own: a file queued by a
        French user gets its reasons in French."""
        self.user_coordinator.lang = "fr_FR"
        run = self.Run.with_user(self.user_coordinator)._import_file(
            self.source, self.data, "parc.csv"
        )
        cron = self.Run.with_context(lang=None)
        while run.state == "queued":
            cron._cron_process_queued()
        reason = run.line_ids.filtered(lambda line: line.line == 5002).reason
        self.assertIn("inconnue", reason)
        self.assertNotIn("unknown", reason)

    def test_job_language_of_a_source(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.donor_a.lang = "en_US"
        self.assertEqual(self.source._job_lang(), "en_US")
        self.donor_a.lang = False
        self.assertEqual(self.source._job_lang(), "fr_FR")

    def test_crash_mid_chunk_resumes_without_duplicates(self):
        run = self.Run._import_file(self.source, self.data, "parc.csv")
        self.Run._cron_process_queued()
        self.assertEqual(run.rows_done, 2000)
        # the worker dies before its transaction commits: nothing of it stays
        with contextlib.suppress(RuntimeError), self.env.cr.savepoint():
            run._process_next_chunk()
            self.assertEqual(run.rows_done, 4000)
            raise RuntimeError("worker killed")
        self.env.invalidate_all()
        self.assertEqual(run.rows_done, 2000)
        self.assertEqual(len(self._devices()), 2000)
        while run.state == "queued":
            self.Run._cron_process_queued()
        self.assertEqual(len(self._devices()), 5000)
        self.assertEqual(len(set(self._devices().mapped("serial"))), 5000)
        self.assertEqual(run.created_count, 5000)

    def test_duplicate_in_two_chunks_warned(self):
        """The same device in two chunks of a background import: merged (the
        later row updates it) and a warning on the later line."""
        lines = self.data.decode().splitlines()
        # the same device, its model written in lower case
        lines.insert(4501, "BG-00007;laptop;t480")
        run = self.Run._import_file(self.source, "\n".join(lines).encode(), "p.csv")
        while run.state == "queued":
            self.Run._cron_process_queued()
        merged = run.line_ids.filtered(lambda line: line.kind == "merged")
        self.assertEqual(merged.line, 4502)
        self.assertIn("earlier line", merged.reason)
        device = self._devices().filtered(lambda d: d.serial == "BG-00007")
        self.assertEqual(device.model, "t480")
        self.assertEqual(len(self._devices()), 5000)
        self.assertEqual(run.not_seen_count, 0)
        # each row counted once
        self.assertEqual(
            (run.created_count, run.merged_count, run.rejected_count), (5000, 1, 1)
        )
        self.assertEqual(
            run.created_count
            + run.updated_count
            + run.unchanged_count
            + run.merged_count
            + run.rejected_count,
            run.row_count,
        )

    def test_other_model_in_two_chunks_not_merged(self):
        lines = self.data.decode().splitlines()
        lines.insert(4501, "BG-00007;laptop;X1 Carbon")
        run = self.Run._import_file(self.source, "\n".join(lines).encode(), "p.csv")
        while run.state == "queued":
            self.Run._cron_process_queued()
        rejected = run.line_ids.filtered(lambda line: line.line == 4502)
        self.assertEqual(rejected.kind, "rejected")
        self.assertIn("another model ('X1 Carbon' instead of 'T480')", rejected.reason)
        device = self._devices().filtered(lambda d: d.serial == "BG-00007")
        self.assertEqual(device.model, "T480")
        self.assertEqual((run.created_count, run.rejected_count), (5000, 2))

    def test_small_file_runs_at_once(self):
        run = self.Run.with_context(reemploi_background_rows=10000)._import_file(
            self.source, self.data, "parc.csv"
        )
        self.assertEqual((run.state, run.created_count), ("done", 5000))
