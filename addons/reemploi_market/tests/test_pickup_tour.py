from odoo.tests import HttpCase, tagged

from .test_collection import CollectionTourCase


@tagged("post_install", "-at_install")
class TestPickupTour(CollectionTourCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_x.partner_id.email = "collecte@operateur-x.example"
        cls.donor_a.email = "dsi@donateur-a.example"

    def test_pickup_on_a_phone_through_a_network_loss(self):
        self._start_round_tour("reemploi_round_pickup")
        pickup = self.tour_round.pickup_ids
        self.assertEqual(pickup.state, "done")
        self.assertEqual(pickup.signer_name, "Claire Martin")
        # the scan sent twice after the network loss counts once
        self.assertEqual(sorted(pickup.scan_ids.mapped("code")), ["TOUR-1", "TOUR-2"])
        self.assertEqual(
            self.tour_devices.mapped("state"), ["collected", "collected", "missing"]
        )
        self.assertEqual(self.tour_lot.state, "collected")
        self.assertIn(
            "Gardé par le service", self._last_event(self.tour_devices[2]).note
        )
        self.assertTrue(pickup.report_id)
        self.assertTrue(pickup.signature)
