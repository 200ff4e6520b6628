"""Fast tests of the column/state/category mapping (no database)."""

import datetime

from odoo.tests import BaseCase, tagged

from ..services import import_mapping as im

CODES = [
    "laptop",
    "desktop",
    "monitor",
    "smartphone",
    "tablet",
    "printer",
    "network",
    "server",
]

# SMBIOS System Enclosure or Chassis Types 01h-24h (DMTF DSP0134 7.4.1),
# with the category each is read as
SMBIOS_CHASSIS = {
    "Other": "desktop",
    "Unknown": "desktop",
    "Desktop": "desktop",
    "Low Profile Desktop": "desktop",
    "Pizza Box": "desktop",
    "Mini Tower": "desktop",
    "Tower": "desktop",
    "Portable": "laptop",
    "Laptop": "laptop",
    "Notebook": "laptop",
    "Hand Held": "tablet",
    "Docking Station": "laptop",
    "All in One": "desktop",
    "Sub Notebook": "laptop",
    "Space-saving": "desktop",
    "Lunch Box": "desktop",
    "Main Server Chassis": "server",
    "Expansion Chassis": "server",
    "SubChassis": "server",
    "Bus Expansion Chassis": "server",
    "Peripheral Chassis": "server",
    "RAID Chassis": "server",
    "Rack Mount Chassis": "server",
    "Sealed-case PC": "desktop",
    "Multi-system chassis": "server",
    "Compact PCI": "server",
    "Advanced TCA": "server",
    "Blade": "server",
    "Blade Enclosure": "server",
    "Tablet": "tablet",
    "Convertible": "laptop",
    "Detachable": "tablet",
    "IoT Gateway": "network",
    "Embedded PC": "desktop",
    "Mini PC": "desktop",
    "Stick PC": "desktop",
}
# the same types as dmidecode (Linux agents) and Windows
# (Win32_SystemEnclosure) spell them
CHASSIS_SPELLINGS = {
    "All In One": "desktop",
    "Sub Chassis": "server",
    "Multi-system": "server",
    "CompactPCI": "server",
    "AdvancedTCA": "server",
    "Blade Enclosing": "server",
    "Space-Saving": "desktop",
    "Main System Chassis": "server",
    "Storage Chassis": "server",
    "Sealed-Case PC": "desktop",
}


def parse_date(text):
    day, month, year = text.split("/")
    return datetime.date(int(year), int(month), int(day))


def parse_decimal(text):
    return float(text.replace(",", "."))


@tagged("at_install", "reemploi_unit")
class TestImportMapping(BaseCase):
    def test_normalise(self):
        self.assertEqual(im.normalise("Numéro de série"), "numero_de_serie")
        self.assertEqual(im.normalise(" Date d'achat "), "date_d_achat")
        self.assertEqual(im.normalise(None), "")

    def test_glpi_preset(self):
        header = [
            "Nom",
            "Statut",
            "Fabricant",
            "Type",
            "Modèle",
            "Numéro de série",
            "Numéro d'inventaire",
            "Lieu",
            "Date d'achat",
        ]
        mapping = im.Mapping(header, preset="glpi", categories_known=CODES)
        self.assertEqual(mapping.columns["serial"], "Numéro de série")
        self.assertEqual(mapping.columns["purchase_date"], "Date d'achat")
        vals, errors = mapping.map_row(
            {
                "Statut": "Rebut",
                "Fabricant": "Dell",
                "Type": "Ordinateur portable",
                "Numéro de série": "5CG1",
                "Date d'achat": "03/02/2019",
            },
            parse_date,
            parse_decimal,
        )
        self.assertEqual(errors, [])
        self.assertEqual(vals["state"], "to_decommission")
        self.assertEqual(vals["category"], "laptop")
        self.assertEqual(vals["purchase_date"], datetime.date(2019, 2, 3))

    def test_glpi_source_reads_a_retyped_french_export(self):
        # a city's export re-typed in a spreadsheet, sent to its GLPI source
        header = ["N° inventaire", "Type", "Marque", "Modèle", "N° de série", "Site"]
        mapping = im.Mapping(header, preset="glpi", categories_known=CODES)
        self.assertEqual(mapping.columns["serial"], "N° de série")
        self.assertEqual(mapping.columns["asset_tag"], "N° inventaire")
        self.assertEqual(mapping.columns["manufacturer"], "Marque")
        self.assertEqual(mapping.columns["site"], "Site")
        # the tool's own names win over the usual ones
        mapping = im.Mapping(
            ["Numéro de série", "N° de série"], preset="glpi", categories_known=CODES
        )
        self.assertEqual(mapping.columns["serial"], "Numéro de série")

    def test_ocs_memory_is_read_only_from_its_own_column(self):
        # OCS gives MB in "memory": a generic "RAM" column is not taken for it
        mapping = im.Mapping(["SSN", "RAM"], preset="ocs", categories_known=CODES)
        self.assertNotIn("ram_gb", mapping.columns)

    def test_ocs_tag_is_the_site_not_an_inventory_number(self):
        # OCS's TAG is the agents' site or entity; a generic file's "tag" is
        # still an inventory number
        header = ["ID", "TAG", "NAME", "SSN", "SMANUFACTURER", "TYPE"]
        mapping = im.Mapping(header, preset="ocs", categories_known=CODES)
        self.assertEqual(mapping.columns["site"], "TAG")
        self.assertNotIn("asset_tag", mapping.columns)
        generic = im.Mapping(["serial", "tag"], categories_known=CODES)
        self.assertEqual(generic.columns["asset_tag"], "tag")

    def test_errors_name_column_and_value(self):
        mapping = im.Mapping(["serial", "type", "statut"], categories_known=CODES)
        vals, errors = mapping.map_row(
            {"serial": "A1", "type": "Clé 4G", "statut": "Perdu"},
            parse_date,
            parse_decimal,
        )
        self.assertIn("type: unknown category 'Clé 4G'", errors[0])
        self.assertIn("statut: unknown state 'Perdu'", errors[1])

    def test_source_overrides(self):
        mapping = im.Mapping(
            ["N° machine", "Genre", "Etat"],
            columns={"serial": "N° machine", "category": "Genre", "state": "Etat"},
            states={"Réformé DSI": "to_decommission"},
            categories={"Clé 4G": "smartphone"},
            categories_known=CODES,
        )
        vals, errors = mapping.map_row(
            {"N° machine": "XK-1", "Genre": "clé 4g", "Etat": "REFORME DSI"},
            parse_date,
            parse_decimal,
        )
        self.assertEqual(errors, [])
        self.assertEqual(
            (vals["category"], vals["state"]), ("smartphone", "to_decommission")
        )

    def test_plural_and_usual_types(self):
        mapping = im.Mapping(["serial", "category"], categories_known=CODES)
        for text, code in [
            ("Laptops", "laptop"),
            ("Desktops", "desktop"),
            ("Mobile Phones", "smartphone"),
            ("Écran plat", "monitor"),
            ("Monitors", "monitor"),
        ]:
            vals, errors = mapping.map_row(
                {"serial": "S1", "category": text}, parse_date, parse_decimal
            )
            self.assertEqual((vals.get("category"), errors), (code, []), text)

    def test_override_of_missing_column_refused(self):
        with self.assertRaises(ValueError):
            im.Mapping(["serial"], columns={"model": "Modèle"})

    def test_identity_required(self):
        mapping = im.Mapping(["type", "model"], categories_known=CODES)
        self.assertTrue(mapping.missing_identity())
        mapping = im.Mapping(["serial", "type"], categories_known=CODES)
        vals, errors = mapping.map_row(
            {"serial": "", "type": "laptop"}, parse_date, parse_decimal
        )
        self.assertEqual(errors, ["no serial number, asset tag or identifier"])

    def test_ocs_memory_in_megabytes(self):
        mapping = im.Mapping(
            ["SSN", "TYPE", "MEMORY"], preset="ocs", categories_known=CODES
        )
        vals, errors = mapping.map_row(
            {"SSN": "Z9", "TYPE": "Desktop", "MEMORY": "8192"},
            parse_date,
            parse_decimal,
        )
        self.assertEqual(errors, [])
        self.assertEqual(vals["ram_gb"], 8.0)

    def test_restricted_data_yes_or_no(self):
        mapping = im.Mapping(
            ["serial", "type", "Données restreintes"], categories_known=CODES
        )
        answers = {}
        for cell in ("oui", "Non", "X", "1", "yes", "0", ""):
            vals, errors = mapping.map_row(
                {"serial": "R1", "type": "laptop", "Données restreintes": cell},
                parse_date,
                parse_decimal,
            )
            self.assertEqual(errors, [], cell)
            answers[cell] = vals.get("restricted_data")
        self.assertEqual(
            answers,
            {
                "oui": True,
                "Non": False,
                "X": True,
                "1": True,
                "yes": True,
                "0": False,
                "": None,
            },
        )
        _vals, errors = mapping.map_row(
            {"serial": "R1", "type": "laptop", "Données restreintes": "peut-être"},
            parse_date,
            parse_decimal,
        )
        self.assertIn(
            "Données restreintes: 'peut-être' is neither yes nor no", errors[0]
        )

    def test_negative_numbers_refused(self):
        mapping = im.Mapping(["serial", "type", "ram"], categories_known=CODES)
        _vals, errors = mapping.map_row(
            {"serial": "Z9", "type": "laptop", "ram": "-8"}, parse_date, parse_decimal
        )
        self.assertIn("cannot be negative", errors[0])

    def test_identity_and_fingerprint(self):
        self.assertEqual(
            im.identity_key({"source_ref": "7", "serial": "a"}), ("ref", "7")
        )
        # the serial number and the manufacturer, as the register compares them
        self.assertEqual(
            im.identity_key({"serial": "5cg-1 2", "manufacturer": "Dell Inc."}),
            ("serial", ("5CG12", "dell")),
        )
        self.assertEqual(
            im.fingerprint({"a": 1, "b": datetime.date(2020, 1, 2)}),
            im.fingerprint({"b": datetime.date(2020, 1, 2), "a": 1}),
        )
        self.assertNotEqual(im.fingerprint({"a": 1}), im.fingerprint({"a": 2}))

    def _category_of(self, mapping, column, text):
        vals, errors = mapping.map_row(
            {"SSN": "OCS-1", column: text}, parse_date, parse_decimal
        )
        self.assertEqual(errors, [], text)
        return vals["category"]

    def test_every_smbios_chassis_type_has_a_category(self):
        mapping = im.Mapping(["SSN", "TYPE"], preset="ocs", categories_known=CODES)
        self.assertEqual(len(SMBIOS_CHASSIS), 0x24)
        for chassis, code in {**SMBIOS_CHASSIS, **CHASSIS_SPELLINGS}.items():
            with self.subTest(chassis=chassis):
                self.assertEqual(self._category_of(mapping, "TYPE", chassis), code)
                self.assertEqual(
                    self._category_of(mapping, "TYPE", chassis.upper()), code
                )

    def test_hospital_chassis_types_out_of_the_box(self):
        """The seven types of a hospital's park once rejected by default."""
        mapping = im.Mapping(["SSN", "TYPE"], preset="ocs", categories_known=CODES)
        for chassis in (
            "Mini Tower",
            "Tower",
            "Low Profile Desktop",
            "Space-saving",
            "All In One",
            "Sub Notebook",
            "Other",
        ):
            with self.subTest(chassis=chassis):
                self.assertIn(
                    self._category_of(mapping, "TYPE", chassis), ("desktop", "laptop")
                )

    def test_default_types_of_glpi_and_snipeit(self):
        glpi = im.Mapping(
            ["Numéro de série", "Type"], preset="glpi", categories_known=CODES
        )
        for text, code in [
            # the types the GLPI connector gives items without one
            ("Ordinateur", "desktop"),
            ("Moniteur", "monitor"),
            ("Téléphone", "smartphone"),
            ("Ordinateur portable", "laptop"),
            ("Unité centrale", "desktop"),
            ("Station de travail", "desktop"),
            ("Client léger", "desktop"),
            ("Serveur", "server"),
        ]:
            with self.subTest(glpi=text):
                vals, errors = glpi.map_row(
                    {"Numéro de série": "GL-1", "Type": text}, parse_date, parse_decimal
                )
                self.assertEqual((vals.get("category"), errors), (code, []))
        snipeit = im.Mapping(
            ["Serial", "Category"], preset="snipeit", categories_known=CODES
        )
        # Snipe-IT's asset categories (database/factories/CategoryFactory.php)
        for text, code in [
            ("Laptops", "laptop"),
            ("Desktops", "desktop"),
            ("Tablets", "tablet"),
            ("Mobile Phones", "smartphone"),
            ("Displays", "monitor"),
            ("VOIP Phones", "network"),
            ("Conference Phones", "network"),
        ]:
            with self.subTest(snipeit=text):
                vals, errors = snipeit.map_row(
                    {"Serial": "SN-1", "Category": text}, parse_date, parse_decimal
                )
                self.assertEqual((vals.get("category"), errors), (code, []))

    def test_unknown_type_still_rejected(self):
        mapping = im.Mapping(["SSN", "TYPE"], preset="ocs", categories_known=CODES)
        _vals, errors = mapping.map_row(
            {"SSN": "OCS-1", "TYPE": "Chariot de soins"}, parse_date, parse_decimal
        )
        self.assertIn("TYPE: unknown category 'Chariot de soins'", errors[0])

    def test_mangled_serial_falls_back_or_is_rejected(self):
        mapping = im.Mapping(["serial", "asset_tag", "type"], categories_known=CODES)
        notices = []
        vals, errors = mapping.map_row(
            {"serial": "1,23457E+11", "asset_tag": "INV-7", "type": "laptop"},
            parse_date,
            parse_decimal,
            notices,
        )
        self.assertEqual(errors, [])
        self.assertNotIn("serial", vals)
        self.assertEqual(im.identity_key(vals), ("tag", "INV-7"))
        self.assertIn("scientific notation", notices[0])
        self.assertIn("asset tag 'INV-7'", notices[0])
        vals, errors = mapping.map_row(
            {"serial": "To be filled by O.E.M.", "type": "laptop"},
            parse_date,
            parse_decimal,
        )
        self.assertIn("'To be filled by O.E.M.' is not a serial number", errors[0])
        self.assertIn("no asset tag nor identifier", errors[0])
        # the key read from the cells is the key of the mapped values
        for cells in (
            {"serial": "1,23457E+11", "asset_tag": "INV-7", "type": "laptop"},
            {"serial": "5cg-1", "asset_tag": "INV-7", "type": "laptop"},
        ):
            vals, _errors = mapping.map_row(cells, parse_date, parse_decimal)
            self.assertEqual(mapping.quick_identity(cells), im.identity_key(vals))

    def test_ignored_columns(self):
        header = [
            "Nom",
            "Entité",
            "N° d'inventaire",
            "Numéro de série",
            "Type",
            "date_mod",
        ]
        mapping = im.Mapping(header, preset="glpi", categories_known=CODES)
        self.assertEqual(mapping.columns["asset_tag"], "N° d'inventaire")
        # the connector's modification date is not data
        self.assertEqual(mapping.ignored_columns(header), ["Nom", "Entité"])
        mapping = im.Mapping(
            header, preset="glpi", columns={"site": "Entité"}, categories_known=CODES
        )
        self.assertEqual(mapping.ignored_columns(header), ["Nom"])
