from odoo.tests import HttpCase, tagged

from .common import GamificationCase


@tagged("post_install", "-at_install")
class TestPublicLeaderboard(GamificationCase, HttpCase):
    """The public page of a challenge lists the organisations that opted
    in, and never the others."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.donor_a.name = "Mairie Publique"
        cls.donor_b.name = "Clinique Discrète"
        cls.donor_a.reemploi_public_leaderboard = True
        cls._received_lot(1)
        # B received more, but keeps out of public pages
        cls._received_lot(5, donor=cls.donor_b)
        cls.challenge = cls._challenge(
            [("devices_organisation", 10), ("co2e_per_employee", 10)],
            name="Défi public",
            reemploi_public=True,
        )
        cls.env["gamification.challenge"]._cron_update(commit=False)

    def test_only_opted_in_organisations(self):
        response = self.url_open(f"/reemploi/challenges/{self.challenge.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Mairie Publique", response.text)
        self.assertNotIn("Clinique Discrète", response.text)
        # ranked among the organisations shown: A is first
        board = self.challenge._reemploi_leaderboard(public=True)
        self.assertEqual(
            [(row["rank"], row["partner"]) for row in board["lines"][0]["rows"]],
            [(1, self.donor_a)],
        )

    def test_hidden_everywhere_public(self):
        """Neither the list, nor a logged-in donor's view of the public
        page, shows the organisation that did not opt in."""
        self.assertNotIn(
            "Clinique Discrète", self.url_open("/reemploi/challenges").text
        )
        self.user_donor_a.password = "donor_a"
        self.authenticate("donor_a", "donor_a")
        page = self.url_open(f"/reemploi/challenges/{self.challenge.id}").text
        self.assertNotIn("Clinique Discrète", page)

    def test_list_of_public_challenges(self):
        page = self.url_open("/reemploi/challenges").text
        self.assertIn("Défi public", page)
        self.assertIn(self.challenge.reemploi_public_url, page)

    def test_unpublished_challenge_not_found(self):
        private = self._challenge([("devices_organisation", 10)], name="Défi privé")
        response = self.url_open(f"/reemploi/challenges/{private.id}")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("Défi privé", self.url_open("/reemploi/challenges").text)
        badge = self.env.ref("reemploi_gamification.challenge_badge_first_lot")
        self.assertEqual(
            self.url_open(f"/reemploi/challenges/{badge.id}").status_code, 404
        )

    def test_opting_out_hides_again(self):
        self.donor_a.reemploi_public_leaderboard = False
        page = self.url_open(f"/reemploi/challenges/{self.challenge.id}").text
        self.assertNotIn("Mairie Publique", page)
        self.assertNotIn("o_reemploi_leaderboard_row", page)
