"""Fast tests of the column/state/category mapping (no database)."""

import datetime

from odoo.tests import BaseCase, tagged

from ..services import import_mapping as im

CODES = ["laptop", "desktop", "monitor", "smartphone"]


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
            {"N° machine": "X", "Genre": "clé 4g", "Etat": "REFORME DSI"},
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
                {"serial": "S", "category": text}, parse_date, parse_decimal
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
            {"SSN": "Z", "TYPE": "Desktop", "MEMORY": "8192"}, parse_date, parse_decimal
        )
        self.assertEqual(errors, [])
        self.assertEqual(vals["ram_gb"], 8.0)

    def test_negative_numbers_refused(self):
        mapping = im.Mapping(["serial", "type", "ram"], categories_known=CODES)
        _vals, errors = mapping.map_row(
            {"serial": "Z", "type": "laptop", "ram": "-8"}, parse_date, parse_decimal
        )
        self.assertIn("cannot be negative", errors[0])

    def test_identity_and_fingerprint(self):
        self.assertEqual(
            im.identity_key({"source_ref": "7", "serial": "a"}), ("ref", "7")
        )
        self.assertEqual(im.identity_key({"serial": "5cg-1 2"}), ("serial", "5CG12"))
        self.assertEqual(
            im.fingerprint({"a": 1, "b": datetime.date(2020, 1, 2)}),
            im.fingerprint({"b": datetime.date(2020, 1, 2), "a": 1}),
        )
        self.assertNotEqual(im.fingerprint({"a": 1}), im.fingerprint({"a": 2}))
