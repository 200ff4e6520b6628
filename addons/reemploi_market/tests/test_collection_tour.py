from lxml import html

from odoo.tests import HttpCase, tagged

from .test_collection import CollectionTourCase


@tagged("post_install", "-at_install")
class TestCheckinTour(CollectionTourCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_donor_a.password = "donor_a"

    def test_checkin_two_serials_on_a_phone(self):
        self._start_round_tour("reemploi_checkin")
        self.assertEqual(self.tour_lot.state, "received")
        self.assertEqual(
            self.tour_devices.mapped("state"), ["received", "received", "missing"]
        )
        checkin = self.tour_lot.checkin_id
        self.assertEqual(checkin.state, "done")
        self.assertEqual((checkin.received_count, checkin.missing_count), (2, 1))
        self.assertEqual(self.tour_lot.picking_id.state, "done")

    def _summary(self, lot):
        page = self.url_open(f"/my/lots/{lot.id}")
        self.assertEqual(page.status_code, 200)
        found = html.fromstring(page.content).xpath(
            "//div[contains(@class, 'o_reemploi_lot_checkin_summary')]"
        )
        return " ".join(found[0].text_content().split()) if found else None

    def test_donor_page_shows_the_reconciliation(self):
        checkin = self._checkin(self.tour_lot)
        checkin.scan_code("TOUR-1")
        self.authenticate("donor_a", "donor_a")
        # nothing is shown while the operator is still checking in
        self.assertIsNone(self._summary(self.tour_lot))
        checkin.action_validate()
        summary = self._summary(self.tour_lot)
        for part in ("Expected: 3", "Received: 1", "Missing: 2", "Not declared: 0"):
            self.assertIn(part, summary)
