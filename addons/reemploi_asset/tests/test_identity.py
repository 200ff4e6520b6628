"""Fast tests of the identity rule of devices (no database)."""

from odoo.tests import BaseCase, tagged

from ..services import identity

# what spreadsheets and BIOSes leave in a serial number column
MANGLED = [
    "1,23457E+11",  # Excel, French
    "1.23457E+11",  # Excel, English
    "1E+11",
    "123456789.0",  # a trailing .0
    "123456789,0",
    "1.0.2",  # a version
    "0",
    "0000000",  # all zeros
    "00000000000000000000",
    "1111111",
    "0101",
    "XXXXXXXXXXX",
    "N/A",
    "n/a",
    "NA",
    "To be filled by O.E.M.",
    "To Be Filled By O.E.M",
    "Default string",
    "System Serial Number",
    "Chassis Serial Number",
    "0123456789",
    "123456789",
    "Not Specified",
    "Not Applicable",
    "None",
    "NULL",
    "Unknown",
    "INVALID",
    "OEM",
    "SN-12345",
    "-",
    "?",
    "X",
    "Non renseigné",
    "Inconnu",
]


@tagged("at_install", "reemploi_unit")
class TestIdentity(BaseCase):
    def test_mangled_serials_never_identify(self):
        for serial in MANGLED:
            with self.subTest(serial=serial):
                self.assertIsNone(identity.serial_key(serial))
                self.assertIsNone(identity.device_key(serial, "Dell"))
                problem = identity.serial_problem(serial)
                self.assertIn(repr(serial), problem)
                self.assertIn("is not a serial number", problem)

    def test_real_serials_identify(self):
        for serial, key in [
            ("5CG0012345", "5CG0012345"),
            ("5cg-001 2345", "5CG0012345"),
            ("PF2ZK102", "PF2ZK102"),
            ("4E12345", "4E12345"),  # a Dell service tag, not 4 x 10^12345
            ("00123", "00123"),
            ("C02XK0AAJGH5", "C02XK0AAJGH5"),
        ]:
            with self.subTest(serial=serial):
                self.assertEqual(identity.serial_key(serial), key)
                self.assertIsNone(identity.serial_problem(serial))
        self.assertIsNone(identity.serial_key(""))
        self.assertIsNone(identity.serial_key(None))
        self.assertIsNone(identity.serial_problem(""))

    def test_why_a_serial_is_mangled(self):
        self.assertIn("scientific notation", identity.serial_problem("1,23457E+11"))
        self.assertIn("decimal part", identity.serial_problem("123456789.0"))
        self.assertIn("repeated", identity.serial_problem("0000000"))
        self.assertIn("placeholder left by the BIOS", identity.serial_problem("N/A"))

    def test_manufacturer_spellings(self):
        for spellings, key in [
            (
                [
                    "Hewlett-Packard",
                    "HEWLETT PACKARD",
                    "HP Inc.",
                    "HP",
                    "hp",
                    "Hewlett-Packard Development Company, L.P.",
                    "HPE",
                    "Hewlett Packard Enterprise",
                ],
                "hp",
            ),
            (["LENOVO", "Lenovo", "Lenovo (Beijing) Limited"], "lenovo"),
            (["Dell Inc.", "Dell", "DELL", "Dell Computer Corporation"], "dell"),
            (["ASUSTeK COMPUTER INC.", "ASUS"], "asus"),
            (["Micro-Star International Co., Ltd.", "MSI"], "msi"),
            (["FUJITSU", "Fujitsu Technology Solutions", "FUJITSU SIEMENS"], "fujitsu"),
            (["Samsung Electronics Co., Ltd.", "SAMSUNG"], "samsung"),
            (["Apple Inc.", "Apple Computer, Inc."], "apple"),
            (["Microsoft Corporation"], "microsoft"),
            (
                [
                    "",
                    None,
                    "System manufacturer",
                    "To Be Filled By O.E.M.",
                    "Default string",
                ],
                "",
            ),
        ]:
            for spelling in spellings:
                with self.subTest(manufacturer=spelling):
                    self.assertEqual(identity.manufacturer_key(spelling), key)
        self.assertNotEqual(
            identity.manufacturer_key("Dell"), identity.manufacturer_key("HP")
        )

    def test_unknown_manufacturer_matches_any(self):
        self.assertTrue(identity.same_maker("dell", "dell"))
        self.assertTrue(identity.same_maker("", "dell"))
        self.assertTrue(identity.same_maker("hp", ""))
        self.assertFalse(identity.same_maker("hp", "dell"))
        # the same manufacturer first, else the only one that may be it
        candidates = [("hp", 2), ("dell", 1)]
        self.assertEqual(identity.pick("dell", candidates), 1)
        self.assertIsNone(identity.pick("lenovo", candidates))
        self.assertIsNone(identity.pick("", candidates))  # which one?
        self.assertEqual(identity.pick("", [("hp", 2)]), 2)
        self.assertEqual(identity.pick("dell", [("", 3)]), 3)
        self.assertEqual(identity.pick("dell", [("", 3), ("dell", 4)]), 4)

    def test_row_key(self):
        self.assertEqual(
            identity.row_key("Computer/7", "5CG1", "INV-1", "HP"), ("ref", "Computer/7")
        )
        self.assertEqual(
            identity.row_key("", "5cg-1", "INV-1", "HP Inc."),
            ("serial", ("5CG1", "hp")),
        )
        self.assertEqual(
            identity.row_key("", "5CG1", "", "Hewlett-Packard"),
            identity.row_key("", "5CG1", "", "HP"),
        )
        self.assertNotEqual(
            identity.row_key("", "5CG1", "", "Dell"),
            identity.row_key("", "5CG1", "", "HP"),
        )
        # a mangled serial number falls back to the asset tag, or to nothing
        self.assertEqual(
            identity.row_key("", "1,23457E+11", "INV-1", "HP"), ("tag", "INV-1")
        )
        self.assertIsNone(identity.row_key("", "1,23457E+11", "", "HP"))
        self.assertIsNone(identity.row_key())

    def test_rows_that_disagree_are_not_the_same_device(self):
        first = {"serial": "5CG1", "manufacturer": "HP", "model": "EliteBook 840"}
        self.assertIsNone(
            identity.disagreement(
                first,
                {
                    "serial": "5cg-1",
                    "manufacturer": "HP Inc.",
                    "model": "ELITEBOOK 840",
                },
            )
        )
        self.assertIsNone(identity.disagreement(first, {"serial": "5CG1"}))
        self.assertEqual(
            identity.disagreement(first, {"model": "EliteBook 850"}),
            ("model", "EliteBook 840", "EliteBook 850"),
        )
        self.assertEqual(
            identity.disagreement(first, {"manufacturer": "Dell"})[0], "manufacturer"
        )
        self.assertEqual(identity.disagreement(first, {"serial": "5CG2"})[0], "serial")
        # a mangled serial number disagrees with nothing
        self.assertIsNone(identity.disagreement(first, {"serial": "N/A"}))
