from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import GamificationCase


@tagged("post_install", "-at_install")
class TestBadgesPortal(GamificationCase, HttpCase):
    """A donor sees its organisation's badges, progress and ranks; never
    another organisation's detailed progress."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.donor_b.name = "Hôpital Voisin"
        cls.user_donor_a.password = "donor_a"
        cls.user_donor_b.password = "donor_b"
        cls._received_lot(3)
        cls._received_lot(1, donor=cls.donor_b)
        cls.challenge = cls._challenge(
            [("devices_organisation", 10), ("devices_per_employee", 5)],
            name="Tour challenge",
        )
        cls.env["gamification.challenge"]._cron_update(commit=False)

    def test_badges_page(self):
        self.authenticate("donor_a", "donor_a")
        response = self.url_open("/my/badges")
        self.assertEqual(response.status_code, 200)
        page = response.text
        earned = page.split("o_reemploi_badges_earned")[1].split(
            "o_reemploi_badges_next"
        )[0]
        self.assertIn('data-measure="lots"', earned)
        self.assertNotIn('data-measure="devices"', earned)
        self.assertIn("Tour challenge", page)
        self.assertIn("3 / 10", page)
        # the other organisation's name and figures are not shown
        self.assertNotIn("Hôpital Voisin", page)
        # phone friendly: the viewport is set and cards wrap on a grid
        self.assertIn('name="viewport"', page)
        self.assertIn("col-6", page)

    def test_home_counter(self):
        self.authenticate("donor_a", "donor_a")
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["reemploi_badge_count"]}
        )
        self.assertEqual(counters["reemploi_badge_count"], 1)

    def test_badges_page_needs_a_login(self):
        response = self.url_open("/my/badges", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_goals_of_another_organisation(self):
        Goal = self.env["gamification.goal"].with_user(self.user_donor_a)
        visible = Goal.search([("challenge_id", "=", self.challenge.id)])
        self.assertTrue(visible)
        self.assertEqual(visible.user_id, self.user_donor_a)
        goal_b = self._goal(self.challenge, self.user_donor_b)[0]
        with self.assertRaises(AccessError):
            goal_b.with_user(self.user_donor_a).read(["current"])

    def test_no_gaming_through_rpc(self):
        """A donor neither sets its goals nor grants itself a badge."""
        goal = self._goal(self.challenge, self.user_donor_a)[0]
        with self.assertRaises(AccessError):
            goal.with_user(self.user_donor_a).write({"current": 1000})
        with self.assertRaises(UserError):
            self.BadgeUser.with_user(self.user_donor_a).create(
                {
                    "user_id": self.user_donor_a.id,
                    "badge_id": self._badge("10_tco2e").id,
                }
            )
        self.assertNotIn(self._badge("10_tco2e"), self._badges_of(self.user_donor_a))

    def test_badges_and_devices_of_another_organisation(self):
        badge_b = self.BadgeUser.search([("user_id", "=", self.user_donor_b.id)])
        self.assertTrue(badge_b)
        with self.assertRaises(AccessError):
            badge_b.with_user(self.user_donor_a).read(["badge_id"])
        own = self.BadgeUser.with_user(self.user_donor_a).search([])
        self.assertEqual(own.user_id, self.user_donor_a)
        rows = self.Devices.with_user(self.user_donor_a).search([])
        self.assertEqual(rows.partner_id, self.donor_a)
        self.assertEqual(len(rows), 3)

    def test_opt_in_sets_own_organisation_only(self):
        self.authenticate("donor_a", "donor_a")
        self.assertFalse(self.donor_a.reemploi_public_leaderboard)
        response = self.url_open(
            "/my/badges/public", data={"public": "1", "csrf_token": self.csrf_token()}
        )
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertTrue(self.donor_a.reemploi_public_leaderboard)
        self.assertFalse(self.donor_b.reemploi_public_leaderboard)

    def csrf_token(self):
        page = self.url_open("/my/badges").text
        marker = 'name="csrf_token" value="'
        start = page.index(marker) + len(marker)
        return page[start : page.index('"', start)]

    def test_tour_donor_badges(self):
        self.start_tour("/my", "reemploi_badges", login="donor_a")
        self.env.invalidate_all()
        self.assertTrue(self.donor_a.reemploi_public_leaderboard)
