"""The daily open-data export: aggregates that follow their Table Schema,
with nothing personal in them."""

import json

from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools import file_open

from ..models.reemploi_opendata import CSV_NAME, JSON_NAME, SCHEMA_PATH
from ..services import opendata
from .common import MarketCase


class TestOpendataValidator(TransactionCase):
    """The validator the export's test relies on finds what is wrong."""

    def setUp(self):
        super().setUp()
        with file_open(SCHEMA_PATH, "rb") as schema:
            self.schema = json.load(schema)

    def _csv(self, **row):
        values = {
            "mois": "2026-03",
            "commune": "Grenoble",
            "code_postal": "38000",
            "categorie": "laptop",
            "categorie_libelle": "Ordinateur portable",
            "etat": "sold",
            "issue": "reemploi",
            "nombre_appareils": 3,
            "poids_kg": 6.6,
            "co2e_evite_kg": 470.0,
        }
        values.update(row)
        return opendata.to_csv(self.schema, [values])

    def test_valid_row(self):
        self.assertEqual(opendata.validate_csv(self.schema, self._csv()), [])

    def test_invalid_rows(self):
        for row, why in (
            ({"mois": "2026-13"}, "year-month"),
            ({"mois": ""}, "required"),
            ({"nombre_appareils": "2.5"}, "not an integer"),
            ({"nombre_appareils": 0}, "below 1"),
            ({"etat": "stolen"}, "not allowed"),
            ({"code_postal": "380"}, "does not match"),
            ({"poids_kg": "lourd"}, "poids_kg"),
        ):
            errors = opendata.validate_csv(self.schema, self._csv(**row))
            self.assertTrue(errors, row)
            self.assertIn(why, errors[0])
        self.assertIn("header", opendata.validate_csv(self.schema, "a,b\r\n1,2\r\n")[0])


@tagged("post_install", "-at_install")
class TestOpendataExport(MarketCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Opendata = cls.env["reemploi.opendata"]
        cls.schema = cls.Opendata._schema()
        cls.contact = cls.env["res.partner"].create(
            {"name": "Jeanne Particulière", "email": "jeanne@example.org", "parent_id": cls.donor_a.id}
        )
        # a commune of its own: the database may hold demo devices
        cls.site = cls.site_a.copy({"city": "Vif-sur-Test", "zip": "38450"})
        for serial in ("OD-SERIAL-1", "OD-SERIAL-2"):
            cls._received(serial, owner=cls.donor_a, site_id=cls.site.id)
        cls._device("OD-SERIAL-3", owner=cls.donor_a, category=cls.monitor).action_declare()
        cls._device("OD-SERIAL-4", owner=cls.contact)  # in use: not a flow yet

    def _files(self):
        csv_text = self.Opendata._attachment(CSV_NAME).raw.decode()
        json_data = json.loads(self.Opendata._attachment(JSON_NAME).raw)
        return csv_text, json_data

    def test_export_follows_its_schema(self):
        self.Opendata._export()
        csv_text, data = self._files()
        self.assertEqual(opendata.validate_csv(self.schema, csv_text), [])
        laptops = [
            r for r in data["rows"]
            if r["categorie"] == "laptop" and r["etat"] == "received" and r["commune"] == "Vif-sur-Test"
        ]
        self.assertEqual(len(laptops), 1)
        self.assertEqual(laptops[0]["nombre_appareils"], 2)
        self.assertEqual(laptops[0]["code_postal"], "38450")
        self.assertEqual(laptops[0]["issue"], "en_cours")
        self.assertAlmostEqual(laptops[0]["poids_kg"], round(2 * self.laptop.weight_kg, 1))
        self.assertEqual(set(data["rows"][0]), set(opendata.field_names(self.schema)))
        self.assertIn("actors", data)

    def test_nothing_personal(self):
        self.Opendata._export()
        csv_text, data = self._files()
        text = csv_text + json.dumps(data, ensure_ascii=False)
        for secret in ("OD-SERIAL", "Jeanne", "jeanne@example.org", "Donateur A", "Contact donor", "@"):
            self.assertNotIn(secret, text)

    def test_cron_regenerates(self):
        cron = self.env.ref("reemploi_market.opendata_cron")
        cron.method_direct_trigger()
        before = self._files()[1]["totals"]["nombre_appareils"]
        self._received("OD-SERIAL-5", owner=self.donor_b)
        cron.method_direct_trigger()
        csv_text, data = self._files()
        self.assertEqual(data["totals"]["nombre_appareils"], before + 1)
        self.assertEqual(len(self.env["ir.attachment"].search([("name", "=", CSV_NAME), ("res_model", "=", "reemploi.opendata")])), 1)


@tagged("post_install", "-at_install")
class TestOpendataWebsite(MarketCase, HttpCase):
    def test_public_urls(self):
        self._received("OD-WEB-1", owner=self.donor_a)
        schema = self.url_open("/opendata/schema.json")
        self.assertEqual(schema.status_code, 200)
        self.assertEqual(schema.json(), self.env["reemploi.opendata"]._schema())
        csv_response = self.url_open("/opendata/reemploi-territoire.csv")
        self.assertEqual(csv_response.status_code, 200)
        self.assertTrue(csv_response.headers["Content-Type"].startswith("text/csv"))
        self.assertEqual(opendata.validate_csv(schema.json(), csv_response.content.decode()), [])
        self.assertNotIn("OD-WEB", csv_response.text)  # the serial is not published
        json_response = self.url_open("/opendata/reemploi-territoire.json")
        self.assertEqual(json_response.status_code, 200)
        self.assertGreaterEqual(json_response.json()["totals"]["nombre_appareils"], 1)
        page = self.url_open("/opendata")
        self.assertEqual(page.status_code, 200)
        self.assertIn("nombre_appareils", page.text)
