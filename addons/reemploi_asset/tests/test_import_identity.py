"""Supply fidelity: the imports and the register tell devices by one rule,
and a run says what it did with every row and every column."""

import base64
import io

import xlsxwriter

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import ReemploiCase
from .test_import import GLPI_HEADER, glpi_csv

# how a GLPI export's serial numbers come back from a spreadsheet or a BIOS
MANGLED = [
    "1,23457E+11",
    "1.23457E+11",
    "123456789.0",
    "0000000",
    "N/A",
    "To be filled by O.E.M.",
    "Default string",
    "System Serial Number",
    "0123456789",
    "Not Specified",
    "None",
]

FIELDS = ("created_count", "updated_count", "unchanged_count", "merged_count")


def glpi_row(name, serial, tag="", maker="Dell", model="OptiPlex 7050", **cells):
    values = {
        "Nom": name,
        "Entité": "CHU",
        "Statut": "En service",
        "Fabricant": maker,
        "Type": "Ordinateur fixe",
        "Modèle": model,
        "Numéro de série": serial,
        "Numéro d'inventaire": tag,
        "Lieu": "Urgences",
        "Date d'achat": "01/06/2019",
        **cells,
    }
    return ";".join(values[column] for column in GLPI_HEADER.split(";"))


@tagged("post_install", "-at_install")
class TestImportIdentity(ReemploiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.source = cls.env["reemploi.import.source"].create(
            {"name": "GLPI CHU", "owner_id": cls.donor_a.id, "preset": "glpi"}
        )
        cls.Run = cls.env["reemploi.import.run"]
        cls.desktop = cls.env.ref("reemploi_asset.category_desktop")

    def _import(self, *rows, source=None, env=None):
        Run = (env or self.env)["reemploi.import.run"]
        return Run._import_file(source or self.source, glpi_csv(*rows), "parc.csv")

    def _devices(self, source=None):
        return self.Equipment.search(
            [("import_source_id", "=", (source or self.source).id)]
        )

    def assertCountsAddUp(self, run):
        counted = sum(run[field] for field in FIELDS) + run.rejected_count
        self.assertEqual(counted, run.row_count, run.read(list(FIELDS)))
        self.assertEqual(
            run.merged_count,
            len(run.line_ids.filtered(lambda line: line.kind == "merged")),
        )
        self.assertEqual(
            run.rejected_count,
            len(run.line_ids.filtered(lambda line: line.kind == "rejected")),
        )

    # ------------------------------------------------------------------
    # one identity rule
    # ------------------------------------------------------------------
    def test_two_machines_whose_serial_excel_rounded_stay_two(self):
        run = self._import(
            glpi_row("PC-101", "1,23457E+11", "CHU-101"),
            glpi_row("PC-102", "1,23457E+11", "CHU-102"),
        )
        self.assertEqual((run.created_count, run.merged_count), (2, 0))
        devices = self._devices()
        self.assertEqual(sorted(devices.mapped("asset_tag")), ["CHU-101", "CHU-102"])
        # the rounded number is no serial number: it is not kept as one
        self.assertEqual(devices.mapped("serial"), [False, False])
        warnings = run.line_ids.filtered(lambda line: line.kind == "warning")
        self.assertEqual(warnings.mapped("line"), [4, 5])
        self.assertIn("scientific notation", warnings[0].reason)
        self.assertIn("asset tag 'CHU-101'", warnings[0].reason)
        self.assertCountsAddUp(run)
        # the same file again: the same two devices
        again = self._import(
            glpi_row("PC-101", "1,23457E+11", "CHU-101"),
            glpi_row("PC-102", "1,23457E+11", "CHU-102"),
        )
        self.assertEqual((again.created_count, again.unchanged_count), (0, 2))
        self.assertEqual(self._devices(), devices)

    def test_each_mangled_serial_never_identifies(self):
        for index, serial in enumerate(MANGLED):
            with self.subTest(serial=serial):
                source = self.source.copy({"name": f"GLPI {index}"})
                run = self._import(
                    glpi_row("PC-1", serial, f"T{index}-1"),
                    glpi_row("PC-2", serial, f"T{index}-2"),
                    glpi_row("PC-3", serial),
                    source=source,
                )
                devices = self._devices(source)
                self.assertEqual(len(devices), 2)
                self.assertFalse(any(devices.mapped("serial_key")))
                self.assertEqual(run.rejected_count, 1)
                reason = run.line_ids.filtered(lambda line: line.line == 6).reason
                self.assertIn(f"{serial!r} is not a serial number", reason)
                self.assertIn("no asset tag nor identifier", reason)
                self.assertCountsAddUp(run)

    def test_mangled_serial_rejected_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        run = self._import(
            glpi_row("PC-1", "To be filled by O.E.M."),
            env=self.env(context=dict(self.env.context, lang="fr_FR")),
        )
        self.assertEqual(run.rejected_count, 1)
        self.assertIn(
            "'To be filled by O.E.M.' n'est pas un numéro de série",
            run.line_ids.reason,
        )
        self.assertIn("ni numéro d'inventaire ni identifiant", run.line_ids.reason)

    def test_same_serial_other_manufacturer_two_devices(self):
        rows = (
            glpi_row("PC-1", "5CG777", maker="Dell"),
            glpi_row("PC-2", "5CG777", maker="HP"),
        )
        run = self._import(*rows)
        self.assertEqual((run.created_count, run.merged_count), (2, 0))
        self.assertEqual(sorted(self._devices().mapped("manufacturer")), ["Dell", "HP"])
        again = self._import(*rows)
        self.assertEqual((again.created_count, again.unchanged_count), (0, 2))

    def test_same_serial_manufacturer_spelled_otherwise_one_device(self):
        run = self._import(
            glpi_row("PC-1", "5CG888", maker="HP", model="ProDesk 400"),
            glpi_row("PC-2", "5cg-888", maker="Hewlett-Packard", model="PRODESK 400"),
        )
        self.assertEqual((run.created_count, run.merged_count), (1, 1))
        merged = run.line_ids.filtered(lambda line: line.kind == "merged")
        self.assertEqual(merged.line, 5)
        self.assertIn("same device as line 4", merged.reason)
        # later values win
        self.assertEqual(self._devices().manufacturer, "Hewlett-Packard")
        self.assertCountsAddUp(run)
        # another source of the same donor tells it the same way
        other = self.env["reemploi.import.source"].create(
            {"name": "Tableur CHU", "owner_id": self.donor_a.id}
        )
        data = b"serial;manufacturer;model;type\n5CG888;HP Inc.;ProDesk 400;desktop\n"
        again = self.Run._import_file(other, data, "tableur.csv")
        self.assertEqual((again.created_count, again.updated_count), (0, 1))
        self.assertEqual(
            self.Equipment.search_count([("serial_key", "=", "5CG888")]), 1
        )

    def test_rows_that_disagree_are_never_merged(self):
        run = self._import(
            glpi_row("PC-1", "5CG999", model="Latitude 5490"),
            glpi_row("PC-2", "5CG999", model="Latitude 7490"),
            # a mangled serial number tells nothing: the asset tags decide
            glpi_row("PC-3", "N/A", "CHU-3", model="OptiPlex 3060"),
            glpi_row("PC-4", "N/A", "CHU-3", model="OptiPlex 7060"),
        )
        self.assertEqual(
            (run.created_count, run.merged_count, run.rejected_count), (2, 0, 2)
        )
        reasons = {
            line.line: line.reason for line in run.line_ids if line.kind == "rejected"
        }
        self.assertIn("same serial number and manufacturer as line 4", reasons[5])
        self.assertIn(
            "another model ('Latitude 7490' instead of 'Latitude 5490')", reasons[5]
        )
        self.assertIn("never merged", reasons[5])
        self.assertIn("same asset tag as line 6", reasons[7])
        device = self._devices().filtered(lambda d: d.serial == "5CG999")
        self.assertEqual(device.model, "Latitude 5490")
        self.assertCountsAddUp(run)

    def test_register_and_import_share_the_rule(self):
        """By hand (the device form) as by import: one device per serial
        number and manufacturer of an owner."""

        def register(serial, manufacturer):
            with Form(self.Equipment) as form:
                form.serial = serial
                form.category_id = self.desktop
                form.manufacturer = manufacturer
                form.owner_id = self.donor_a
            return form.record

        first = register("5CG-123", "HP Inc.")
        self.assertEqual((first.serial_key, first.manufacturer_key), ("5CG123", "hp"))
        with self.assertRaises(ValidationError) as caught:
            register("5cg123", "Hewlett-Packard")
        self.assertIn("already registered", str(caught.exception))
        # an unknown manufacturer may be any: the same device
        with self.assertRaises(ValidationError):
            register("5CG123", "")
        dell = register("5CG123", "Dell Inc.")
        # placeholders are no serial numbers: never a conflict
        placeholders = register("N/A", "Dell") | register("N/A", "Dell")
        self.assertEqual(placeholders.mapped("serial_key"), [False, False])
        # an import finds each by the same rule
        run = self._import(
            glpi_row(
                "PC-1", "5CG123", maker="Hewlett-Packard Development Company, L.P."
            ),
            glpi_row("PC-2", "5CG123", maker="DELL"),
        )
        self.assertEqual(
            (run.created_count, run.updated_count),
            (0, 2),
            run.line_ids.mapped("reason"),
        )
        self.assertEqual(first.model, "OptiPlex 7050")
        self.assertEqual(dell.model, "OptiPlex 7050")

    def test_device_registered_without_manufacturer_is_found(self):
        manual = self._device("5CG555", manufacturer=False)
        run = self._import(glpi_row("PC-1", "5CG555", "CHU-555", maker="Dell Inc."))
        self.assertEqual((run.created_count, run.updated_count), (0, 1))
        self.assertEqual(
            (manual.manufacturer, manual.asset_tag), ("Dell Inc.", "CHU-555")
        )

    def test_hospital_chassis_types_are_imported(self):
        source = self.env["reemploi.import.source"].create(
            {"name": "OCS CHU", "owner_id": self.donor_a.id, "preset": "ocs"}
        )
        chassis = {
            "Mini Tower": "desktop",
            "Tower": "desktop",
            "Low Profile Desktop": "desktop",
            "Space-saving": "desktop",
            "All In One": "desktop",
            "Sub Notebook": "laptop",
            "Other": "desktop",
            "Notebook": "laptop",
        }
        lines = ["ID;SSN;SMANUFACTURER;TYPE"]
        lines += [
            f"{number};OCS{number:05d};Dell Inc.;{name}"
            for number, name in enumerate(chassis, start=1)
        ]
        run = self.Run._import_file(source, "\n".join(lines).encode(), "ocs.csv")
        self.assertEqual((run.created_count, run.rejected_count), (8, 0))
        devices = self._devices(source)
        for number, code in enumerate(chassis.values(), start=1):
            device = devices.filtered(
                lambda d, number=number: d.source_ref == str(number)
            )
            self.assertEqual(device.category_id.code, code)

    # ------------------------------------------------------------------
    # a run says what it did
    # ------------------------------------------------------------------
    def test_counts_add_up_to_the_rows(self):
        rows = [
            glpi_row("PC-1", "5CG001"),
            glpi_row("PC-2", "5CG001", Lieu="Pharmacie"),  # merged
            glpi_row("PC-3", "5CG003", model="Latitude 5490"),
            glpi_row("PC-4", "5CG003", model="Latitude 7490"),  # disagrees
            glpi_row("PC-5", "N/A", "CHU-5"),  # told by its asset tag
            glpi_row("PC-6", "N/A"),  # nothing tells it
            glpi_row("PC-7", "5CG007", Type="Chariot de soins"),  # unknown type
            glpi_row("PC-8", "5CG008"),
        ]
        run = self._import(*rows)
        self.assertEqual(run.row_count, 8)
        self.assertEqual(
            [run[field] for field in (*FIELDS, "rejected_count")], [4, 0, 0, 1, 3]
        )
        self.assertCountsAddUp(run)
        rows[7] = glpi_row("PC-8", "5CG008", model="OptiPlex 7060")
        again = self._import(*rows)
        self.assertEqual(
            [again[field] for field in (*FIELDS, "rejected_count")], [0, 1, 3, 1, 3]
        )
        self.assertCountsAddUp(again)

    def test_columns_ignored_listed_and_mapped_in_one_click(self):
        coordinator = self.env(user=self.user_coordinator)
        source = coordinator["reemploi.import.source"].create(
            {"name": "Tableur CHU", "owner_id": self.donor_a.id}
        )
        data = (
            "Nom;N° d'inventaire;N° de série;Type;Mémoire vive (Go)\n"
            "Poste 1;CHU-1;SN-0001;laptop;8\n"
            "Poste 2;CHU-2;SN-0002;laptop;16\n"
        ).encode()
        run = coordinator["reemploi.import.run"]._import_file(source, data, "chu.csv")
        self.assertEqual(run.created_count, 2)
        columns = run.ignored_column_ids
        self.assertEqual(columns.mapped("name"), ["Nom", "Mémoire vive (Go)"])
        self.assertEqual(columns.mapped("sample"), ["Poste 1", "8"])
        memory = columns[1]
        self.assertFalse(memory.mapped_to)
        action = memory.action_map_to_field()
        self.assertEqual(action["target"], "new")
        Mapping = coordinator[action["res_model"]].with_context(action["context"])
        with Form(Mapping, view=action["views"][0][0]) as form:
            self.assertEqual(form.source_value, "Mémoire vive (Go)")
            self.assertEqual(form.mapping_type, "column")
            form.target_field = "ram_gb"
        self.assertEqual(form.record.source_id, source)
        self.assertEqual(memory.mapped_to, "RAM (GB)")
        # the column's mapping opens again from the same button
        self.assertEqual(memory.action_map_to_field()["res_id"], form.record.id)
        again = coordinator["reemploi.import.run"]._import_file(source, data, "chu.csv")
        self.assertEqual(again.updated_count, 2)
        self.assertEqual(again.ignored_column_ids.mapped("name"), ["Nom"])
        self.assertEqual(sorted(self._devices(source).mapped("ram_gb")), [8.0, 16.0])

    def test_zero_padded_numbers_of_a_workbook_kept(self):
        source = self.env["reemploi.import.source"].create(
            {"name": "Classeur CHU", "owner_id": self.donor_a.id}
        )
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet()
        padded = workbook.add_format({"num_format": "00000"})
        prefixed = workbook.add_format({"num_format": '"INV-"000000'})
        sheet.write_row(0, 0, ["serial", "asset_tag", "type", "ram"])
        sheet.write_number(1, 0, 123, padded)
        sheet.write_number(1, 1, 42, prefixed)
        sheet.write_string(1, 2, "laptop")
        sheet.write_number(1, 3, 8)
        sheet.write_number(2, 0, 98765, padded)
        sheet.write_number(2, 1, 7, prefixed)
        sheet.write_string(2, 2, "laptop")
        sheet.write_number(2, 3, 16.0)
        workbook.close()
        wizard = Form(
            self.env["reemploi.import.wizard"].with_context(
                default_filename="parc.xlsx"
            )
        )
        wizard.source_id = source
        wizard.file = base64.b64encode(buffer.getvalue())
        action = wizard.save().action_import()
        run = self.Run.browse(action["res_id"])
        self.assertEqual(run.created_count, 2, run.line_ids.mapped("reason"))
        devices = self._devices(source).sorted("serial")
        self.assertEqual(devices.mapped("serial"), ["00123", "98765"])
        self.assertEqual(devices.mapped("asset_tag"), ["INV-000042", "INV-000007"])
        self.assertEqual(devices.mapped("ram_gb"), [8.0, 16.0])
