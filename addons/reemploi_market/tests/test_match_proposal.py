from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_matching import MatchingCase


@tagged("post_install", "-at_install")
class TestMatchProposal(MatchingCase):
    def test_ranking_and_breakdown(self):
        lot, proposals = self._proposed()
        self.assertEqual(proposals.company_id, self.company_y | self.company_x)
        first, second = proposals
        # Y: 40 x (1 - 20/50) + 20 social economy + 10 newcomer + 5 for one
        # category of two accepted + 10 for 10 lots left
        self.assertEqual((first.company_id, first.sequence), (self.company_y, 1))
        self.assertAlmostEqual(first.score, 69.0)
        self.assertAlmostEqual(first.distance_km, 20.0)
        self.assertAlmostEqual(second.score, 61.0)  # X: 36 + 0 + 10 + 5 + 10
        self.assertEqual((first.state, second.state), ("proposed", "waiting"))
        self.assertTrue(first.date_proposed)
        self.assertFalse(second.date_proposed)
        self.assertEqual(
            first.breakdown_text.splitlines(),
            [
                "Distance 20.0 km: 24.00 pts",
                "Social and solidarity economy: 20.00 pts",
                "Reliability unknown (newcomer): 10.00 pts",
                "Categories of the lot among those accepted 50 %: 5.00 pts",
                "Capacity when proposed, 10 lot(s) left in the period: 10.00 pts",
                "Total: 69.00 pts",
            ],
        )
        self.assertIn("Not social and solidarity economy", second.breakdown_text)
        self.assertEqual(lot.current_proposal_id, first)
        self.assertFalse(lot.match_problem)
        self.assertIn(
            "Operators proposed: 1. Opérateur Y (69.00 pts)",
            lot.message_ids[0].body,
        )

    def test_social_economy_preference_is_a_setting(self):
        self._set_param("weight_social_economy", "0")
        _lot, proposals = self._proposed()
        self.assertEqual(proposals[0].company_id, self.company_x)
        self.assertAlmostEqual(proposals[1].score, 49.0)

    def test_operator_profile_limits(self):
        self.company_y.reemploi_max_distance_km = 10
        self.company_x.reemploi_max_devices = 5
        lot, proposals = self._proposed({self.laptop: 6})
        self.assertFalse(proposals)
        self.assertIn("too far from the pickup site: 1", lot.match_problem)
        self.assertIn("more devices than they take at once: 1", lot.match_problem)
        self.company_x.reemploi_category_ids = self.monitor
        self.company_y.reemploi_max_distance_km = 0  # no limit
        _lot, proposals = self._proposed({self.laptop: 1})
        self.assertEqual(proposals.company_id, self.company_y)

    def test_capacity_respected_across_lots(self):
        self.company_x.reemploi_lots_per_period = 2
        self.company_y.reemploi_lots_per_period = 1
        # a lot matched with X today uses one of its two lots
        self._matched_lot(company=self.company_x, quantities={self.laptop: 1})
        lots = self._declared() | self._declared() | self._declared()
        lots.with_user(self.user_coordinator).action_propose()
        offered = lots.proposal_ids.filtered(lambda p: p.state == "proposed")
        self.assertEqual(len(offered), 2)
        self.assertEqual(offered.company_id, self.company_x | self.company_y)
        unserved = lots.filtered(lambda lot: not lot.current_proposal_id)
        self.assertEqual(len(unserved), 1)
        self.assertIn(
            "full with lots they are better placed for", unserved.match_problem
        )
        # both are full while their offers are open: a new lot waits
        lot, proposals = self._proposed()
        self.assertFalse(proposals)
        self.assertIn("no lot left in their period: 2", lot.match_problem)

    def test_missing_coordinates(self):
        site = self.site_a.copy({"partner_latitude": 0, "partner_longitude": 0})
        lot, proposals = self._proposed(site_id=site.id)
        self.assertFalse(proposals)
        self.assertIn(
            f"add the coordinates (latitude and longitude) of {site.display_name}",
            lot.match_problem,
        )
        self.assertIn("No operator proposed", lot.message_ids[0].body)
        self.company_y.partner_id.write({"partner_latitude": 0, "partner_longitude": 0})
        lot, proposals = self._proposed()
        self.assertEqual(proposals.company_id, self.company_x)
        self.assertFalse(lot.match_problem)
        self.company_x.partner_id.write({"partner_latitude": 0, "partner_longitude": 0})
        lot, proposals = self._proposed()
        self.assertFalse(proposals)
        self.assertIn("add the coordinates of Opérateur", lot.match_problem)

    def test_accept_matches_the_lot(self):
        lot, proposals = self._proposed()
        offer, waiting = proposals
        Proposal = self.Proposal.with_user(self.user_operator_y)
        self.assertEqual(Proposal.search([]), offer)
        # X does not see the lot before it is offered to it
        self.assertFalse(self.Proposal.with_user(self.user_operator_x).search([]))
        with self.assertRaises(AccessError):
            lot.with_user(self.user_operator_y).read(["name"])
        offer.with_user(self.user_operator_y).action_accept()
        self.assertEqual(lot.state, "matched")
        self.assertEqual(lot.company_id, self.company_y)
        self.assertTrue(lot.date_matched)
        self.assertEqual(offer.state, "accepted")
        self.assertEqual(offer.answered_by_id, self.user_operator_y)
        self.assertEqual(waiting.state, "expired")
        self.assertEqual(
            lot.with_user(self.user_operator_y).read(["name"])[0]["name"], lot.name
        )
        self.assertIn("Opérateur Y accepted the lot.", lot.message_ids[0].body)
        with self.assertRaises(UserError):
            offer.with_user(self.user_operator_y).action_accept()

    def test_refuse_offers_the_next(self):
        lot, proposals = self._proposed()
        offer, waiting = proposals
        as_y = offer.with_user(self.user_operator_y)
        with self.assertRaises(UserError):
            as_y.action_refuse()
        self.assertEqual(offer.state, "proposed")
        as_y.refusal_reason = "Camion en panne"
        as_y.action_refuse()
        self.assertEqual(offer.state, "refused")
        self.assertEqual(waiting.state, "proposed")
        self.assertEqual(lot.state, "declared")
        bodies = lot.message_ids.mapped("body")
        self.assertIn("Opérateur Y refused the lot: Camion en panne", bodies[1])
        self.assertIn("Lot offered to Opérateur X (rank 2", bodies[0])
        waiting.with_user(self.user_operator_x).action_accept()
        self.assertEqual(lot.company_id, self.company_x)

    def test_refuse_all_reassigns_without_the_refusals(self):
        self._set_param("match_alternatives", "0")
        lot, proposals = self._proposed()
        self.assertEqual(proposals.company_id, self.company_y)
        proposals.with_user(self.user_operator_y).write({"refusal_reason": "Complet"})
        proposals.with_user(self.user_operator_y).action_refuse()
        second = lot.proposal_ids.filtered(lambda p: p.state == "proposed")
        self.assertEqual(second.company_id, self.company_x)
        second.with_user(self.user_operator_x).write({"refusal_reason": "Trop loin"})
        second.with_user(self.user_operator_x).action_refuse()
        self.assertFalse(lot.proposal_ids.filtered(lambda p: p.state == "proposed"))
        self.assertIn("refused the lot: 2", lot.match_problem)
        # the coordinator can still match the lot by hand
        lot.with_user(self.user_coordinator).action_match(self.company_x)
        self.assertEqual(lot.state, "matched")

    def test_operators_only_answer(self):
        _lot, proposals = self._proposed()
        offer = proposals[0]
        with self.assertRaises(AccessError):
            offer.with_user(self.user_operator_y).write({"score": 100})
        with self.assertRaises(AccessError):
            offer.with_user(self.user_operator_x).action_accept()
        with self.assertRaises(AccessError):
            self._declared().with_user(self.user_operator_x).action_propose()
        self.assertEqual(offer.state, "proposed")
        self.assertAlmostEqual(offer.score, 69.0)

    def test_cancelled_lot_closes_its_proposals(self):
        lot, proposals = self._proposed()
        lot.with_user(self.user_donor_a).action_cancel()
        self.assertEqual(set(proposals.mapped("state")), {"expired"})

    def test_cron_proposes_and_updates_reliability(self):
        refused_lot, proposals = self._proposed()
        proposals[0].write({"refusal_reason": "Pas de place"})
        proposals[0].action_refuse()
        collected = self._matched_lot(
            company=self.company_x, quantities={self.laptop: 1}
        )
        collected.action_schedule()
        collected.action_collect()
        waiting = self._declared()
        self.env["reemploi.lot"]._cron_propose()
        self.assertEqual(
            (
                self.company_x.reemploi_reliability,
                self.company_x.reemploi_reliability_count,
            ),
            (100.0, 1),
        )
        self.assertEqual(
            (
                self.company_y.reemploi_reliability,
                self.company_y.reemploi_reliability_count,
            ),
            (0.0, 1),
        )
        self.assertTrue(waiting.current_proposal_id)
        # the lot still offered to X is left as it is
        self.assertEqual(refused_lot.current_proposal_id, proposals[1])
        self.assertEqual(len(refused_lot.proposal_ids), 2)
        # reliability now counts: X (100 %) before Y (0 %, 20 km)
        self.assertEqual(waiting.current_proposal_id.company_id, self.company_x)
        self.assertIn(
            "Reliability 100 %: 20.00 pts", waiting.current_proposal_id.breakdown_text
        )
