from odoo import Command
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import GamificationCase


@tagged("post_install", "-at_install")
class TestBadges(GamificationCase):
    """The reuse badges are granted by their challenges through the real
    gamification cron, and announced by e-mail and in the chatter."""

    def test_first_lot_granted_by_the_cron(self):
        self._received_lot(3)
        self.assertFalse(self._badges_of(self.user_donor_a))
        self._run_cron()
        badges = self._badges_of(self.user_donor_a)
        self.assertIn(self._badge("first_lot"), badges)
        self.assertNotIn(self._badge("10_devices"), badges)
        # the other organisation received nothing
        self.assertFalse(self._badges_of(self.user_donor_b))

    def test_announced_by_mail_and_in_the_chatter(self):
        self._received_lot(1)
        self._run_cron()
        badge = self._badge("first_lot")
        # the e-mail speaks the recipient's language
        name = badge.with_context(lang=self.user_donor_a.partner_id.lang).name
        mail = self.env["mail.mail"].search(
            [("recipient_ids", "in", self.user_donor_a.partner_id.ids)]
        )
        self.assertIn(name, " ".join(mail.mapped("subject")))
        messages = self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", self.donor_a.id)]
        )
        self.assertIn(badge.name, " ".join(messages.mapped("body")))
        self.assertIn(self.user_donor_a.name, " ".join(messages.mapped("body")))

    def test_levels(self):
        self._received_lot(10, category=self.desktop)
        self._run_cron()
        badges = self._badges_of(self.user_donor_a)
        self.assertIn(self._badge("10_devices"), badges)
        self.assertNotIn(self._badge("100_devices"), badges)
        # ten desktops do not weigh a tonne
        self.assertNotIn(self._badge("one_tonne"), badges)

    def test_every_staff_member_of_the_organisation(self):
        colleague = self._donor("donor_a2", self.donor_a)
        self._received_lot(1)
        self._run_cron()
        self.assertIn(self._badge("first_lot"), self._badges_of(colleague))

    def test_granted_once(self):
        self._received_lot(1)
        self._run_cron()
        self._received_lot(1)
        self._run_cron()
        granted = self.BadgeUser.search(
            [
                ("user_id", "=", self.user_donor_a.id),
                ("badge_id", "=", self._badge("first_lot").id),
            ]
        )
        self.assertEqual(len(granted), 1)

    def test_badge_progress(self):
        self._received_lot(3)
        self._run_cron()
        progress = self.Challenge._reemploi_badge_progress(self.user_donor_a)
        self.assertIn(
            self._badge("first_lot"), [item["badge"] for item in progress["earned"]]
        )
        devices = next(
            item for item in progress["next"] if item["measure"] == "devices"
        )
        # the next badge on devices is the smallest not earned
        self.assertEqual(devices["badge"], self._badge("10_devices"))
        self.assertEqual((devices["value"], devices["target"]), (3, 10))
        self.assertEqual(devices["progress"], 30.0)

    def test_coordinator_creates_and_closes_a_challenge(self):
        podium = self.env["gamification.badge"].create(
            {"name": "Podium", "rule_auth": "nobody", "reemploi_badge": True}
        )
        self._received_lot(1)
        self._received_lot(4, donor=self.donor_b)
        Challenge = self.env["gamification.challenge"].with_user(self.user_coordinator)
        challenge = Challenge.create(
            {
                "name": "Défi de test",
                "reemploi_kind": "ranking",
                "visibility_mode": "ranking",
                "period": "monthly",
                "challenge_category": "other",
                "user_domain": False,
                "user_ids": [Command.set((self.user_donor_a | self.user_donor_b).ids)],
                "reward_first_id": podium.id,
                "reward_failure": True,
                "line_ids": [
                    Command.create(
                        {
                            "definition_id": self._definition(
                                "devices_organisation"
                            ).id,
                            "target_goal": 10,
                        }
                    )
                ],
            }
        )
        challenge.action_start()
        self.assertEqual(challenge.state, "inprogress")
        challenge.action_reemploi_close()
        self.assertEqual(challenge.state, "done")
        # B received more: its staff gets the reward of the first
        self.assertIn(podium, self._badges_of(self.user_donor_b))
        self.assertNotIn(podium, self._badges_of(self.user_donor_a))

    def test_default_participants_are_the_donors(self):
        defaults = self.Challenge.with_context(
            default_reemploi_kind="ranking"
        ).default_get(["user_domain", "reemploi_kind"])
        donors = self.env.ref("reemploi_asset.group_reemploi_donor")
        self.assertIn(str(donors.id), defaults["user_domain"])

    def test_coordinator_creates_from_the_form(self):
        action = self.env.ref("reemploi_gamification.gamification_challenge_action")
        context = safe_eval(action.context)
        Challenge = (
            self.env["gamification.challenge"]
            .with_user(self.user_coordinator)
            .with_context(**context)
        )
        with Form(Challenge) as form:
            form.name = "Défi de novembre"
            form.reemploi_public = True
            with form.line_ids.new() as line:
                line.definition_id = self._definition("devices_organisation")
                line.target_goal = 10
        challenge = form.record
        self.assertEqual(challenge.reemploi_kind, "ranking")
        self._received_lot(2)
        challenge.action_start()
        self.assertIn(self.user_donor_a, challenge.user_ids)
        self.assertNotIn(self.user_operator_x, challenge.user_ids)
        self.assertIn("Donateur A", challenge.reemploi_leaderboard_html)
        self.assertEqual(
            challenge.reemploi_public_url, f"/reemploi/challenges/{challenge.id}"
        )
