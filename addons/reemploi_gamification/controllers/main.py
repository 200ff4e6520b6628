from odoo import http
from odoo.http import request


class ReemploiChallengesWebsite(http.Controller):
    """Public pages of the organisation rankings that the coordinators
    published: only the organisations that opted in appear."""

    def _public_challenges(self, domain=None):
        # sudo: visitors cannot read challenges; only the published rankings
        # are searched, and only their names and opted-in ranks are shown
        return (
            request.env["gamification.challenge"]
            .sudo()
            .search(
                [
                    ("reemploi_kind", "=", "ranking"),
                    ("reemploi_public", "=", True),
                    ("state", "in", ("inprogress", "done")),
                ]
                + (domain or []),
                order="state desc, end_date desc, id desc",
            )
        )

    @http.route(["/reemploi/challenges"], type="http", auth="public", website=True)
    def challenges(self, **kw):
        return request.render(
            "reemploi_gamification.challenge_public_list",
            {"challenges": self._public_challenges()},
        )

    @http.route(
        ["/reemploi/challenges/<int:challenge_id>"],
        type="http",
        auth="public",
        website=True,
    )
    def challenge(self, challenge_id, **kw):
        challenge = self._public_challenges([("id", "=", challenge_id)])
        if not challenge:
            raise request.not_found()
        return request.render(
            "reemploi_gamification.challenge_public_page",
            {
                "challenge": challenge,
                "board": challenge._reemploi_leaderboard(public=True),
            },
        )
