"""Access matrix of the matching: proposals, demands and their allocations.

A proposal of a lot of donor A offered to operator X; a demand of an
association and its allocation of operator X's stock.
"""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.reemploi_asset.tests.common import AccessMatrixMixin

from .common_matching import MatchingCase

EXPECTED = {
    # the coordinator supervises the matching; an operator answers the
    # proposals offered to its company
    "reemploi.match.proposal": {
        "anonymous": "",
        "donor_a": "",
        "donor_b": "",
        "operator_x": "rw",
        "operator_y": "",
        "coordinator": "crw",
    },
    # the operators read what resellers and associations want
    "reemploi.demand": {
        "anonymous": "",
        "donor_a": "",
        "donor_b": "",
        "operator_x": "r",
        "operator_y": "r",
        "coordinator": "crwu",
    },
    # and what is allocated of their own stock
    "reemploi.demand.match": {
        "anonymous": "",
        "donor_a": "",
        "donor_b": "",
        "operator_x": "r",
        "operator_y": "",
        "coordinator": "crwu",
    },
}


@tagged("post_install", "-at_install")
class TestMatchAccessMatrix(AccessMatrixMixin, MatchingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_y.reemploi_category_ids = False
        cls.lot = cls._declared()
        cls.lot.action_propose()
        cls.proposal = cls.lot.proposal_ids
        cls.association = cls.env["res.partner"].create(
            {"name": "Association", "is_company": True}
        )
        cls.demand = cls.env["reemploi.demand"].create(
            {
                "name": "Portables",
                "partner_id": cls.association.id,
                "category_id": cls.laptop.id,
                "quantity": 2,
                "min_grade_id": cls.grade_c.id,
            }
        )
        cls.allocation = cls.env["reemploi.demand.match"].create(
            {
                "demand_id": cls.demand.id,
                "company_id": cls.company_x.id,
                "grade_id": cls.grade_b.id,
                "quantity": 2,
            }
        )
        cls.records = {
            "reemploi.match.proposal": cls.proposal,
            "reemploi.demand": cls.demand,
            "reemploi.demand.match": cls.allocation,
        }

    def _create_values(self, model, index):
        if model == "reemploi.match.proposal":
            return {
                "lot_id": self.lot.id,
                "company_id": self.company_y.id,
                "sequence": index,
            }
        if model == "reemploi.demand":
            return {
                "name": f"ACL-{index}",
                "partner_id": self.association.id,
                "category_id": self.laptop.id,
                "quantity": index,
                "min_grade_id": self.grade_c.id,
            }
        return {
            "demand_id": self.demand.id,
            "company_id": self.company_x.id,
            "grade_id": self.grade_a.id,
            "quantity": index,
        }

    def test_matrix(self):
        self.assertEqual(self.proposal.company_id, self.company_x)
        self.assertEqual(self.proposal.state, "proposed")
        self._check_access_matrix(EXPECTED)

    def test_operator_reads_the_lot_through_its_offer(self):
        offer = self.proposal.with_user(self.user_operator_x)
        self.assertEqual(offer.lot_partner_id, self.donor_a)
        self.assertEqual(offer.lot_device_count, 2)
        self.assertIn("2 × ", offer.lot_content)
        with self.assertRaises(AccessError):
            self.lot.with_user(self.user_operator_x).read(["name"])

    def test_answered_offer_is_read_only(self):
        self.proposal.write({"refusal_reason": "Complet"})
        self.proposal.action_refuse()
        with self.assertRaises(AccessError):
            self.proposal.with_user(self.user_operator_x).write({"refusal_reason": "x"})
        self.assertEqual(
            self.proposal.with_user(self.user_operator_x).refusal_reason, "Complet"
        )
