"""Fast tests of the translatable messages of the services (no database)."""

import os
import pickle
import re

from babel.messages import extract

from odoo.tests import BaseCase, tagged

from ..services import import_mapping, tabular
from ..services.connectors import base, glpi
from ..services.messages import Message, _, translate

SERVICES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "services")
SERVICE_FILES = (
    "tabular.py",
    "import_mapping.py",
    "connectors/base.py",
    "connectors/glpi.py",
    "connectors/glpi_hl.py",
    "connectors/ocs.py",
    "connectors/snipeit.py",
)
FRENCH = {
    "The file%(name)s is empty: %(todo)s": "Le fichier%(name)s est vide : %(todo)s",
    "export the inventory again and import the new file.": (
        "exportez à nouveau l'inventaire et importez le nouveau fichier."
    ),
    "%(value)s is not a valid date (expected dd/mm/yyyy)": (
        "%(value)s n'est pas une date valide (attendu jj/mm/aaaa)"
    ),
    "%(column)s: %(message)s": "%(column)s : %(message)s",
}


def fake_gettext(template, **params):
    """env._ with a tiny French catalogue: unknown templates stay English."""
    translation = FRENCH.get(template, template)
    return translation % params if params else translation


def parse_decimal(text):
    return float(text.replace(",", "."))


@tagged("at_install", "reemploi_unit")
class TestMessage(BaseCase):
    def test_keeps_template_and_params(self):
        message = Message(
            _("expected %(expected)s columns, found %(found)s"), expected=7, found=9
        )
        self.assertIsInstance(message, str)
        self.assertEqual(message, "expected 7 columns, found 9")
        self.assertEqual(str(message), "expected 7 columns, found 9")
        self.assertIs(type(str(message)), str)
        self.assertEqual(
            message.template, "expected %(expected)s columns, found %(found)s"
        )
        self.assertEqual(message.params, {"expected": 7, "found": 9})

    def test_without_params_is_not_formatted(self):
        message = Message(_("100% sure"))
        self.assertEqual(message, "100% sure")
        self.assertEqual(message.params, {})

    def test_pickle_keeps_template(self):
        nested = Message(
            _("%(tool)s at %(url)s"),
            tool=Message(_("The inventory server")),
            url="http://x",
        )
        copy = pickle.loads(pickle.dumps(nested))
        self.assertEqual(copy, "The inventory server at http://x")
        self.assertEqual(copy.template, nested.template)
        self.assertIsInstance(copy.params["tool"], Message)

    def test_translate(self):
        self.assertEqual(translate("plain text", fake_gettext), "plain text")
        self.assertIs(type(translate("plain text", fake_gettext)), str)
        calls = []

        def gettext(template, **params):
            calls.append((template, params))
            return "FR"

        message = Message(_("%(value)s is not a finite number"), value="'nan'")
        self.assertEqual(translate(message, gettext), "FR")
        self.assertEqual(
            calls, [("%(value)s is not a finite number", {"value": "'nan'"})]
        )

    def test_translate_nested_params_first(self):
        message = Message(
            _("%(column)s: %(message)s"),
            column="Date d'achat",
            message=Message(
                _("%(value)s is not a valid date (expected dd/mm/yyyy)"), value="'hier'"
            ),
        )
        self.assertEqual(
            message, "Date d'achat: 'hier' is not a valid date (expected dd/mm/yyyy)"
        )
        self.assertEqual(
            translate(message, fake_gettext),
            "Date d'achat : 'hier' n'est pas une date valide (attendu jj/mm/aaaa)",
        )


@tagged("at_install", "reemploi_unit")
class TestServiceMessages(BaseCase):
    def test_tabular_error_carries_a_message(self):
        with self.assertRaises(tabular.TabularError) as caught:
            tabular.read_table(b"  ", "don.csv")
        message = caught.exception.args[0]
        self.assertIsInstance(message, Message)
        self.assertEqual(
            str(caught.exception),
            'The file "don.csv" is empty: export the inventory again and import the new file.',
        )
        self.assertEqual(message.template, "The file%(name)s is empty: %(todo)s")
        self.assertEqual(message.params["name"], ' "don.csv"')
        self.assertEqual(
            translate(message, fake_gettext),
            'Le fichier "don.csv" est vide : exportez à nouveau l\'inventaire et importez le nouveau fichier.',
        )

    def test_encoding_is_a_parameter(self):
        with self.assertRaises(tabular.TabularError) as caught:
            tabular.read_table("a;b\n1;2\n".encode("utf-16"))
        message = caught.exception.args[0]
        self.assertEqual(
            message.template, "The file%(name)s is encoded in %(encoding)s: %(todo)s"
        )
        self.assertEqual(message.params["encoding"], "UTF-16")
        self.assertEqual(message.params["name"], "")

    def test_value_and_row_errors(self):
        with self.assertRaises(ValueError) as caught:
            tabular.parse_date("hier")
        self.assertEqual(caught.exception.args[0].params, {"value": "'hier'"})
        table = tabular.read_table(b"a;b\n1;2;3\n")
        error = table.rows[0].error
        self.assertIsInstance(error, Message)
        self.assertEqual(error.params, {"expected": 2, "found": 3})

    def test_mapping_errors(self):
        mapping = import_mapping.Mapping(
            ["serial", "type", "date d'achat"], categories_known=["laptop"]
        )
        _vals, errors = mapping.map_row(
            {"serial": "A1", "type": "Clé 4G", "date d'achat": "hier"},
            tabular.parse_date,
            parse_decimal,
        )
        self.assertTrue(all(isinstance(error, Message) for error in errors))
        category = next(error for error in errors if "category" in error)
        self.assertEqual(category.params, {"column": "type", "value": "'Clé 4G'"})
        self.assertEqual(
            category,
            "type: unknown category 'Clé 4G'; map it to one of our categories in the "
            "source (Mappings tab, 'Category (type / model)')",
        )
        date = next(error for error in errors if error.params.get("message"))
        self.assertEqual(
            translate(date, fake_gettext),
            "date d'achat : 'hier' n'est pas une date valide (attendu jj/mm/aaaa)",
        )
        _vals, errors = mapping.map_row(
            {"type": "laptop"}, tabular.parse_date, parse_decimal
        )
        self.assertEqual(
            errors[0].template, "no serial number, asset tag or identifier"
        )

    def test_connector_errors(self):
        with self.assertRaises(base.ConnectorError) as caught:
            base.Connector("ftp://inventaire")
        message = caught.exception.args[0]
        self.assertEqual(
            message,
            "The inventory server: 'ftp://inventaire' is not an http(s) URL; fix the URL of the source.",
        )
        self.assertIsInstance(message.params["tool"], Message)
        with self.assertRaises(base.AuthError) as caught:
            glpi.GlpiConnector("https://glpi.example.org").fetch()
        self.assertIsInstance(caught.exception.args[0], Message)

    def test_templates_are_extracted(self):
        """Each template is a literal in _() that Odoo's extractor finds, with
        named placeholders only, none called "source" (env._'s parameter)."""
        for name in SERVICE_FILES:
            with open(os.path.join(SERVICES, name), "rb") as file:
                found = list(
                    extract.extract(
                        "python",
                        file,
                        keywords={"_": None},
                        options={"encoding": "UTF-8"},
                    )
                )
            self.assertTrue(found, name)
            for lineno, template, *_rest in found:
                where = f"{name}:{lineno}"
                self.assertIsInstance(template, str, where)
                self.assertFalse(re.findall(r"%(?!\(\w+\)s)", template), where)
                self.assertNotIn("%(source)s", template, where)
