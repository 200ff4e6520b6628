from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..services import scoring


class ReemploiBadgesPortal(CustomerPortal):
    """Donors see their organisation's badges, its ranks in the running
    challenges and how far the next badges are."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "reemploi_badge_count" in counters:
            progress = request.env["gamification.challenge"]._reemploi_badge_progress(
                request.env.user
            )
            values["reemploi_badge_count"] = len(progress["earned"])
        return values

    def _reemploi_challenges(self, organisation):
        """The running organisation rankings the organisation takes part in,
        with its rank on each line (no other organisation's figures)."""
        Challenge = request.env["gamification.challenge"]
        colleagues = Challenge._reemploi_colleagues(request.env.user)
        # sudo: the challenges and their participants are read to find those
        # of the user's organisation; only its own ranks are shown
        Challenge = Challenge.sudo()
        challenges = Challenge.search(
            [
                ("reemploi_kind", "=", "ranking"),
                ("state", "=", "inprogress"),
                ("user_ids", "in", colleagues.ids),
            ],
            order="end_date, id",
        )
        return [
            {"challenge": challenge, "ranks": challenge._reemploi_rank_of(organisation)}
            for challenge in challenges
        ]

    @http.route(["/my/badges"], type="http", auth="user", website=True)
    def portal_my_badges(self, **kw):
        user = request.env.user
        Challenge = request.env["gamification.challenge"]
        organisation = Challenge._reemploi_organisation(user)
        progress = Challenge._reemploi_badge_progress(user)
        figures = progress["figures"]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "reemploi_badges",
                "organisation": organisation,
                "figures": figures,
                "reused_share": scoring.measure(scoring.REUSED_SHARE, figures),
                "progress": progress,
                "challenges": self._reemploi_challenges(organisation),
                "can_opt_in": user.share
                and user.has_group("reemploi_asset.group_reemploi_donor"),
                "fmt": Challenge._reemploi_format,
            }
        )
        return request.render("reemploi_gamification.portal_my_badges", values)

    @http.route(
        ["/my/badges/public"], type="http", auth="user", website=True, methods=["POST"]
    )
    def portal_my_badges_public(self, public="0", **kw):
        """A donor's staff chooses whether its organisation appears by name
        in the public leaderboards."""
        user = request.env.user
        if user.share and user.has_group("reemploi_asset.group_reemploi_donor"):
            # sudo: portal users cannot write their organisation; this sets
            # only its public opt-in, on the user's own organisation
            user.commercial_partner_id.sudo().reemploi_public_leaderboard = (
                public == "1"
            )
        return request.redirect("/my/badges")
