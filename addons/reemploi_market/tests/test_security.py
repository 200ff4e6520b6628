"""Access matrix of the lots: model x role x create/read/write/unlink.

Each cell says what a role may do on a lot of donor A matched with operator
X (and on its lines); every other cell must raise AccessError.
"""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.reemploi_asset.tests.common import AccessMatrixMixin

from .common import MarketCase

EXPECTED = {
    # donors create lots for their organisation and change them until an
    # operator is assigned; the coordinator supervises the matching
    "reemploi.lot": {
        "anonymous": "",
        "donor_a": "cr",
        "donor_b": "",
        "operator_x": "rw",
        "operator_y": "",
        "coordinator": "crw",
    },
    # the content of a lot is the donor's, while a draft
    "reemploi.lot.line": {
        "anonymous": "",
        "donor_a": "cr",
        "donor_b": "",
        "operator_x": "r",
        "operator_y": "",
        "coordinator": "crwu",
    },
}


@tagged("post_install", "-at_install")
class TestLotAccessMatrix(AccessMatrixMixin, MarketCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._matched_lot(quantities={cls.laptop: 2})
        cls.draft = cls._lot(quantities={cls.monitor: 1})
        cls.records = {"reemploi.lot": cls.lot, "reemploi.lot.line": cls.lot.line_ids}

    def _create_values(self, model, index):
        if model == "reemploi.lot":
            return {"partner_id": self.donor_a.id, "access_notes": f"ACL-{index}"}
        return {
            "lot_id": self.draft.id,
            "category_id": self.laptop.id,
            "quantity": index,
        }

    def test_matrix(self):
        self._check_access_matrix(EXPECTED)

    def test_donor_sees_only_own_lots(self):
        lot_b = self._lot(donor=self.donor_b, quantities={self.laptop: 1})
        seen = self.Lot.with_user(self.user_donor_a).search([])
        self.assertIn(self.lot, seen)
        self.assertEqual(seen.partner_id, self.donor_a)
        self.assertEqual(self.Lot.with_user(self.user_donor_b).search([]), lot_b)
        with self.assertRaises(AccessError):
            lot_b.with_user(self.user_donor_a).read(["name"])

    def test_donor_changes_lot_until_matched(self):
        declared = self._lot(quantities={self.laptop: 1})
        declared.action_declare()
        declared.with_user(self.user_donor_a).write({"access_notes": "Quai B"})
        self.assertEqual(declared.access_notes, "Quai B")
        with self.assertRaises(AccessError):
            self.lot.with_user(self.user_donor_a).write({"access_notes": "Quai C"})
        self.assertFalse(self.lot.access_notes)
        # a declared lot's lines are the donor's no more
        with self.assertRaises(AccessError):
            declared.line_ids.with_user(self.user_donor_a).check_access("write")

    def test_operator_sees_only_assigned_lots(self):
        declared = self._lot(quantities={self.laptop: 1})
        declared.action_declare()
        lot_y = self._matched_lot(company=self.company_y, quantities={self.laptop: 1})
        seen_x = self.Lot.with_user(self.user_operator_x).search([])
        self.assertEqual(seen_x, self.lot)
        self.assertEqual(self.Lot.with_user(self.user_operator_y).search([]), lot_y)
        with self.assertRaises(AccessError):
            declared.with_user(self.user_operator_x).read(["name"])

    def test_coordinator_reads_every_lot(self):
        lot_b = self._lot(donor=self.donor_b, quantities={self.laptop: 1})
        seen = self.Lot.with_user(self.user_coordinator).search([])
        self.assertLessEqual(self.lot | self.draft | lot_b, seen)

    def test_operator_cannot_match(self):
        declared = self._lot(quantities={self.laptop: 1})
        declared.action_declare()
        with self.assertRaises(AccessError):
            declared.with_user(self.user_operator_x).action_match(self.company_x)
        self.assertEqual(declared.state, "declared")
