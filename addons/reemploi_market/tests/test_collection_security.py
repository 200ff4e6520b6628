"""Who may see and change collection rounds and check-ins."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.reemploi_asset.tests.common import AccessMatrixMixin

from .test_collection import CollectionCase

EXPECTED = {
    # operators run their own company's rounds; the coordinator follows them
    "reemploi.collection.round": {
        "anonymous": "",
        "donor_a": "",
        "donor_b": "",
        "operator_x": "crwu",
        "operator_y": "c",
        "coordinator": "r",
    },
}


@tagged("post_install", "-at_install")
class TestCollectionAccess(AccessMatrixMixin, CollectionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.round = cls._round(cls.lot)
        cls.round.action_plan()
        cls.checkin = cls._checkin()
        cls.records = {"reemploi.collection.round": cls.round}

    def _create_values(self, model, index):
        return {"date": "2026-03-02", "area": f"ACL-{index}"}

    def test_matrix(self):
        self._check_access_matrix(EXPECTED)

    def test_other_operator_cannot_see_or_check_in(self):
        Round = self.Round.with_user(self.user_operator_y)
        self.assertFalse(Round.search([]))
        checkins = self.env["reemploi.lot.checkin"].with_user(self.user_operator_y)
        self.assertFalse(checkins.search([]))
        other = self.checkin.with_user(self.user_operator_y)
        for attempt in (
            lambda: other.read(["state"]),
            lambda: other.scan_code(self.device_1.serial),
            lambda: other.action_validate(),
            lambda: other.line_ids.read(["status"]),
        ):
            with self.assertRaises(AccessError):
                attempt()
        self.assertFalse(self.checkin.line_ids.filtered("received_qty"))
        self.assertEqual(self.checkin.state, "draft")

    def test_coordinator_reads_but_does_not_check_in(self):
        checkin = self.checkin.with_user(self.user_coordinator)
        self.assertEqual(checkin.lot_id, self.lot)
        self.assertEqual(len(checkin.line_ids), 4)
        with self.assertRaises(AccessError):
            checkin.scan_code(self.device_1.serial)
        with self.assertRaises(AccessError):
            checkin.action_validate()
        self.assertEqual(self.checkin.state, "draft")

    def test_donor_sees_no_round_nor_check_in(self):
        for model, record in (
            ("reemploi.collection.round", self.round),
            ("reemploi.lot.checkin", self.checkin),
            ("reemploi.lot.checkin.line", self.checkin.line_ids[0]),
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                record.with_user(self.user_donor_a).read(["display_name"])

    def test_driver_checks_in_own_company_lot(self):
        checkin = self.checkin.with_user(self.user_driver_x)
        self.assertEqual(checkin.scan_code(self.device_1.serial)["result"], "received")
        with self.assertRaises(AccessError):
            checkin.unlink()
