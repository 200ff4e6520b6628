from freezegun import freeze_time

from odoo.tests import tagged

from .common import GamificationCase


@tagged("post_install", "-at_install")
class TestGoals(GamificationCase):
    """Each goal definition, computed by the real gamification cron from the
    devices operators received."""

    def _values(self, challenge, user):
        return {
            goal.definition_id: goal.current for goal in self._goal(challenge, user)
        }

    def test_organisation_measures(self):
        lot = self._received_lot(4)
        devices = lot.equipment_ids
        self._donate(devices[0])
        self._recycle(devices[1])
        self._received_lot(2, donor=self.donor_b)
        challenge = self._challenge(
            [
                ("devices_organisation", 10),
                ("weight_organisation", 100),
                ("co2e_organisation", 1000),
                ("reused_share_organisation", 80),
                ("lots_organisation", 1),
                ("devices_per_employee", 5),
                ("co2e_per_employee", 100),
            ]
        )
        self._run_cron()
        values = self._values(challenge, self.user_donor_a)
        co2e = self.laptop.co2e_kg
        expected = {
            "devices_organisation": 4,
            "weight_organisation": round(4 * self.laptop.weight_kg, 1),
            "co2e_organisation": co2e,
            "reused_share_organisation": 50.0,
            "lots_organisation": 1,
            # 4 devices for 50 employees
            "devices_per_employee": 8.0,
            "co2e_per_employee": round(co2e * 100 / 50, 2),
        }
        for name, value in expected.items():
            with self.subTest(definition=name):
                self.assertAlmostEqual(values[self._definition(name)], value, places=1)
        self.assertEqual(
            self._values(challenge, self.user_donor_b)[
                self._definition("devices_organisation")
            ],
            2,
        )
        lots_goal = self._goal(challenge, self.user_donor_a, "lots_organisation")
        self.assertEqual(lots_goal.state, "reached")

    def test_user_measures(self):
        # donor A's lot whose contact is the user, and a colleague's lot
        contact = self.user_donor_a.partner_id
        lot = self._received_lot(3, contact_partner_id=contact.id)
        self._donate(lot.equipment_ids[0])
        self._received_lot(2)
        challenge = self._challenge(
            [
                ("devices_user", 10),
                ("weight_user", 100),
                ("co2e_user", 1000),
                ("reused_share_user", 80),
            ],
            users=self.user_donor_a | self.user_operator_y,
        )
        self._run_cron()
        values = self._values(challenge, self.user_donor_a)
        self.assertEqual(values[self._definition("devices_user")], 3)
        self.assertAlmostEqual(
            values[self._definition("weight_user")], 3 * self.laptop.weight_kg, 1
        )
        self.assertAlmostEqual(
            values[self._definition("co2e_user")], self.laptop.co2e_kg, 1
        )
        self.assertEqual(values[self._definition("reused_share_user")], 100.0)
        # operator Y received nothing
        self.assertEqual(
            self._values(challenge, self.user_operator_y)[
                self._definition("devices_user")
            ],
            0,
        )

    def test_operator_staff_and_company(self):
        """An operator's user scores what it received, its company what the
        company received."""
        lot = self._collected_lot(3, company=self.company_y)
        lot.with_user(self.user_operator_y).with_company(
            self.company_y
        ).action_receive()
        self._received_lot(2)  # received by company X
        challenge = self._challenge(
            [("devices_user", 10), ("devices_organisation", 10)],
            users=self.user_operator_x | self.user_operator_y,
        )
        self._run_cron()
        y = self._values(challenge, self.user_operator_y)
        self.assertEqual(y[self._definition("devices_user")], 3)
        self.assertEqual(y[self._definition("devices_organisation")], 3)
        x = self._values(challenge, self.user_operator_x)
        self.assertEqual(x[self._definition("devices_user")], 0)
        self.assertEqual(x[self._definition("devices_organisation")], 2)

    def test_monthly_period(self):
        with freeze_time("2026-02-10 10:00:00"):
            self._received_lot(2)
        with freeze_time("2026-03-10 10:00:00"):
            self._received_lot(3)
            challenge = self._challenge([("devices_organisation", 10)])
            self._run_cron()
            goal = self._goal(challenge, self.user_donor_a)
            self.assertEqual(str(goal.start_date), "2026-03-01")
            self.assertEqual(goal.current, 3)
        with freeze_time("2026-12-10 10:00:00"):
            yearly = self._challenge(
                [("devices_organisation", 10)], period="yearly", name="Year"
            )
            self._run_cron()
            self.assertEqual(self._goal(yearly, self.user_donor_a).current, 5)

    def test_regular_lots_and_zero_waste(self):
        with freeze_time("2025-11-05 09:00:00"):
            challenge = self._challenge(
                [("lot_streak_organisation", 4), ("zero_waste_organisation", 1)],
                period="once",
            )
        for day in ("2025-11-05", "2026-02-05", "2026-05-05", "2026-08-05"):
            with freeze_time(f"{day} 09:00:00"):
                lot = self._received_lot(1)
        with freeze_time("2026-08-20 09:00:00"):
            # the last lot: processed, its device reused: nothing recycled
            self._donate(lot.equipment_ids)
            lot.action_process()
            # another processed lot, one of its devices recycled
            recycled = self._received_lot(2)
            self._donate(recycled.equipment_ids[0])
            self._recycle(recycled.equipment_ids[1])
            recycled.action_process()
            self._run_cron()
        values = self._values(challenge, self.user_donor_a)
        self.assertEqual(values[self._definition("lot_streak_organisation")], 4)
        self.assertEqual(values[self._definition("zero_waste_organisation")], 1)

    def test_unknown_headcount_not_ranked(self):
        self.donor_b.reemploi_employee_count = 0
        self._received_lot(1)
        self._received_lot(5, donor=self.donor_b)
        challenge = self._challenge(
            [("devices_organisation", 10), ("devices_per_employee", 5)]
        )
        self._run_cron()
        board = challenge._reemploi_leaderboard()
        volume, normalised = board["lines"]
        self.assertEqual(
            [(row["rank"], row["partner"]) for row in volume["rows"]],
            [(1, self.donor_b), (2, self.donor_a)],
        )
        # the small organisation wins per employee; B is not ranked
        self.assertEqual(
            [(row["rank"], row["partner"]) for row in normalised["rows"]],
            [(1, self.donor_a), (None, self.donor_b)],
        )
        self.assertIn("Donateur A", challenge.reemploi_leaderboard_html)
