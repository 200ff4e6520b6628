from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.reemploi_asset.tests.common import AccessMatrixMixin

from .common import GamificationCase


@tagged("post_install", "-at_install")
class TestSecurity(AccessMatrixMixin, GamificationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        lot = cls._received_lot(1)
        cls.records = {
            "reemploi.received.device": cls.env["reemploi.received.device"].search(
                [("equipment_id", "=", lot.equipment_ids.id)]
            )
        }

    def _create_values(self, model, index):
        return {"equipment_id": self.records[model].equipment_id.id}

    def test_access_matrix(self):
        self._check_access_matrix(
            {
                # a read-only view: nobody writes it
                "reemploi.received.device": {
                    "anonymous": "",
                    "donor_a": "r",
                    "donor_b": "",
                    "operator_x": "r",
                    "operator_y": "",
                    "coordinator": "r",
                },
            }
        )

    def test_only_coordinators_close(self):
        challenge = self._challenge([("devices_organisation", 1)])
        with self.assertRaises(AccessError):
            challenge.with_user(self.user_operator_x).action_reemploi_close()
        self.assertEqual(challenge.state, "inprogress")
        challenge.with_user(self.user_coordinator).action_reemploi_close()
        self.assertEqual(challenge.state, "done")

    def test_coordinator_sees_every_goal(self):
        challenge = self._challenge([("devices_organisation", 1)])
        goals = (
            self.env["gamification.goal"]
            .with_user(self.user_coordinator)
            .search([("challenge_id", "=", challenge.id)])
        )
        self.assertEqual(goals.user_id, self.user_donor_a | self.user_donor_b)
