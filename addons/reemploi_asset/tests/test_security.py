"""Access matrix: model x role x create/read/write/unlink.

Each cell says what a role may do on a record of donor A held by operator X;
every other cell must raise AccessError.
"""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AccessMatrixMixin, ReemploiCase

STANDARD = {
    "anonymous": "",
    "donor_a": "r",
    "donor_b": "r",
    "operator_x": "r",
    "operator_y": "r",
    "coordinator": "crwu",
}
OPERATED = {
    "anonymous": "",
    "donor_a": "r",
    "donor_b": "",
    "operator_x": "crwu",
    "operator_y": "",
    "coordinator": "r",
}
EXPECTED = {
    "reemploi.equipment.category": STANDARD,
    "reemploi.grade": STANDARD,
    "reemploi.defect": STANDARD,
    "reemploi.equipment": OPERATED,
    "reemploi.grading": OPERATED,
    "reemploi.erasure": OPERATED,
    # append-only: nobody writes or deletes (the code refuses it too)
    "reemploi.custody.event": {**OPERATED, "operator_x": "cr"},
}


@tagged("post_install", "-at_install")
class TestAccessMatrix(AccessMatrixMixin, ReemploiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device = cls._received("SER-ACL")
        cls.erasure = cls._erase(cls.device)
        cls.grading = cls._grading(cls.device)
        cls.records = {
            "reemploi.equipment.category": cls.laptop,
            "reemploi.grade": cls.grade_a,
            "reemploi.defect": cls.env.ref("reemploi_asset.defect_scratch_minor"),
            "reemploi.equipment": cls.device,
            "reemploi.grading": cls.grading,
            "reemploi.erasure": cls.erasure,
            "reemploi.custody.event": cls.device.custody_event_ids[:1],
        }

    def _create_values(self, model, index):
        tag = f"ACL-{index}"
        return {
            "reemploi.equipment.category": {"name": tag, "code": tag},
            "reemploi.grade": {"name": tag, "code": tag},
            "reemploi.defect": {"name": tag, "code": tag},
            "reemploi.equipment": {
                "serial": tag,
                "category_id": self.laptop.id,
                "owner_id": self.donor_a.id,
                "company_id": self.company_x.id,
            },
            "reemploi.grading": {
                "equipment_id": self.device.id,
                "company_id": self.company_x.id,
                "check_power": "ok",
            },
            "reemploi.erasure": {
                "equipment_id": self.device.id,
                "company_id": self.company_x.id,
                "medium_serial": tag,
                "technique": "overwrite",
                "tool_name": "nwipe",
                "tool_version": "1",
            },
            "reemploi.custody.event": {
                "equipment_id": self.device.id,
                "event_type": "note",
                "note": tag,
            },
        }[model]

    def test_matrix(self):
        self._check_access_matrix(EXPECTED)

    def test_operator_sees_only_own_company(self):
        self._received("SER-ACL-Y", company=self.company_y)
        Equipment = self.Equipment.with_user(self.user_operator_x)
        self.assertEqual(set(Equipment.search([]).company_id.ids), {self.company_x.id})
        Equipment = self.Equipment.with_user(self.user_operator_y)
        self.assertEqual(set(Equipment.search([]).company_id.ids), {self.company_y.id})

    def test_donor_sees_only_own_devices(self):
        self._device("SER-ACL-B", owner=self.donor_b)
        seen = self.Equipment.with_user(self.user_donor_a).search([])
        self.assertTrue(seen)
        self.assertEqual(seen.owner_id, self.donor_a)
        seen_b = self.Equipment.with_user(self.user_donor_b).search([])
        self.assertEqual(seen_b.owner_id, self.donor_b)

    def test_coordinator_sees_every_operator(self):
        self._received("SER-ACL-Y2", company=self.company_y)
        seen = self.Equipment.with_user(self.user_coordinator).search([])
        self.assertLessEqual(self.company_x | self.company_y, seen.company_id)

    def test_operator_moves_own_devices_only(self):
        self.device.with_user(self.user_operator_x).write({"asset_tag": "X-1"})
        self.assertEqual(self.device.asset_tag, "X-1")
        with self.assertRaises(AccessError):
            self.device.with_user(self.user_operator_y).action_mark_erased()
        self.assertEqual(self.device.state, "received")

    def test_every_role_opens_the_form(self):
        """The form's fields, as the web client reads them, for each role."""
        source = self.env["reemploi.import.source"].create(
            {"name": "GLPI", "owner_id": self.donor_a.id}
        )
        self.device.sudo().import_source_id = source
        for role in ("operator_x", "coordinator"):
            with self.subTest(role=role):
                user = self.users[role]
                form = (
                    self.env["reemploi.equipment"]
                    .with_user(user)
                    .get_views([(False, "form")])
                )
                spec = {
                    name: {"fields": {"display_name": {}}}
                    if self.env["reemploi.equipment"]._fields[name].type == "many2one"
                    else {}
                    for name in form["models"]["reemploi.equipment"]["fields"]
                    if self.env["reemploi.equipment"]._fields[name].type
                    not in ("one2many", "many2many")
                }
                values = self.device.with_user(user).web_read(spec)
                self.assertEqual(values[0]["id"], self.device.id)
