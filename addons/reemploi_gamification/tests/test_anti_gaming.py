from odoo.tests import tagged

from .common import GamificationCase


@tagged("post_install", "-at_install")
class TestAntiGaming(GamificationCase):
    """Devices count once, after reception; a cancelled or empty lot, a
    device gone missing, give no points."""

    def _count(self, donor=None):
        return self.Devices.search_count(
            [("partner_id", "=", (donor or self.donor_a).id)]
        )

    def test_declared_or_collected_devices_count_for_nothing(self):
        lot = self._lot(devices=self._devices(3))
        lot.action_declare()
        self.assertEqual(self._count(), 0)
        lot.action_match(self.company_x)
        lot.action_schedule()
        lot.action_collect()
        self._run_cron()
        self.assertEqual(self._count(), 0)
        self.assertFalse(self._badges_of(self.user_donor_a))
        lot.with_company(self.company_x).action_receive()
        self.assertEqual(self._count(), 3)

    def test_cancelled_lot(self):
        lot = self._matched_lot(devices=self._devices(3))
        challenge = self._challenge([("devices_organisation", 1)])
        lot.action_cancel()
        self._run_cron()
        self.assertEqual(self._count(), 0)
        self.assertEqual(self._goal(challenge, self.user_donor_a).current, 0)
        self.assertNotIn(self._badge("first_lot"), self._badges_of(self.user_donor_a))

    def test_empty_lot(self):
        """A lot checked in with nothing in it is received but empty: it is
        no lot and gives no device."""
        lot = self._collected_lot(2)
        checkin = self.env["reemploi.lot.checkin"].create({"lot_id": lot.id})
        checkin.action_validate()
        self.assertEqual(lot.state, "received")
        self.assertEqual(set(lot.equipment_ids.mapped("state")), {"missing"})
        self._run_cron()
        self.assertEqual(self._count(), 0)
        self.assertNotIn(self._badge("first_lot"), self._badges_of(self.user_donor_a))

    def test_received_twice_counts_once(self):
        lot = self._received_lot(2)
        device = lot.equipment_ids[0]
        device.action_mark_missing()
        device.with_company(self.company_x).action_receive()
        received = self.env["reemploi.custody.event"].search_count(
            [("equipment_id", "=", device.id), ("to_state", "=", "received")]
        )
        self.assertEqual(received, 2)
        self.assertEqual(self._count(), 2)
        self.assertEqual(
            self.Devices.search([("equipment_id", "=", device.id)]).lot_id, lot
        )

    def test_lost_devices_remove_their_points(self):
        lot = self._received_lot(3)
        challenge = self._challenge([("devices_organisation", 3)])
        self._run_cron()
        goal = self._goal(challenge, self.user_donor_a)
        self.assertEqual((goal.current, goal.state), (3, "reached"))
        # the lot turns out empty: its devices were never there
        lot.equipment_ids.action_mark_missing()
        self._run_cron()
        self.assertEqual((goal.current, goal.state), (0, "inprogress"))
        board = challenge._reemploi_leaderboard()
        row = next(
            row for row in board["lines"][0]["rows"] if row["partner"] == self.donor_a
        )
        self.assertEqual(row["value"], 0)

    def test_archived_device_counts_for_nothing(self):
        lot = self._received_lot(2)
        lot.equipment_ids[0].active = False
        self.assertEqual(self._count(), 1)
