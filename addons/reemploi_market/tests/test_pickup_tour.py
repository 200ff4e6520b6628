from odoo.tests import HttpCase, tagged

from .test_collection import CollectionCase


@tagged("post_install", "-at_install")
class TestPickupTour(CollectionCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_driver_x.password = "driver_x"
        cls.company_x.partner_id.email = "collecte@operateur-x.example"
        cls.donor_a.email = "dsi@donateur-a.example"
        devices = cls._device("TOUR-1") | cls._device("TOUR-2")
        devices |= cls._device("TOUR-3", category=cls.monitor)
        cls.tour_lot = cls._matched_lot(devices=devices)
        cls.tour_devices = devices
        cls.tour_round = cls._round(cls.tour_lot)
        cls.tour_round.action_plan()

    def test_pickup_on_a_phone_through_a_network_loss(self):
        self.browser_size = "360x740"
        self.touch_enabled = True
        self.start_tour(
            "/odoo/action-reemploi_market.reemploi_collection_round_action/"
            f"{self.tour_round.id}",
            "reemploi_round_pickup",
            login="driver_x",
        )
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
