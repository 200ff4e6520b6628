from datetime import date, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import formatLang

from ..services import scoring

KIND_SELECTION = [
    ("ranking", "Organisations ranking"),
    ("badge", "Reuse badge"),
]


class GamificationChallenge(models.Model):
    """Challenges on the devices operators received: rankings between the
    organisations of the territory, and the challenges that grant the
    reuse badges."""

    _inherit = "gamification.challenge"

    reemploi_kind = fields.Selection(
        KIND_SELECTION,
        string="Reuse challenge",
        index="btree_not_null",
        help="Organisations ranking: a monthly or yearly competition between "
        "organisations. Reuse badge: grants its badge to every user whose "
        "organisation reaches the goal.",
    )
    reemploi_public = fields.Boolean(
        string="Public page",
        help="Show the ranking on the website; only the organisations that "
        "chose to appear in public leaderboards are listed.",
    )
    reemploi_public_url = fields.Char(
        string="Public URL", compute="_compute_reemploi_public_url"
    )
    reemploi_leaderboard_html = fields.Html(
        string="Leaderboard",
        compute="_compute_reemploi_leaderboard_html",
        sanitize=False,
    )

    @api.model
    def default_get(self, fields_list):
        """A reuse challenge is played by the donors' portal users."""
        result = super().default_get(fields_list)
        if (
            result.get("reemploi_kind")
            and "user_domain" in fields_list
            and "default_user_domain" not in self.env.context
        ):
            donors = self.env.ref("reemploi_asset.group_reemploi_donor")
            result["user_domain"] = str(
                [("groups_id", "in", donors.ids), ("active", "=", True)]
            )
        return result

    def _compute_reemploi_public_url(self):
        for challenge in self:
            challenge.reemploi_public_url = (
                f"/reemploi/challenges/{challenge.id}"
                if challenge.reemploi_public and challenge.id
                else False
            )

    def _compute_reemploi_leaderboard_html(self):
        for challenge in self:
            if challenge.reemploi_kind != "ranking" or not challenge.id:
                challenge.reemploi_leaderboard_html = False
                continue
            challenge.reemploi_leaderboard_html = self.env["ir.qweb"]._render(
                "reemploi_gamification.challenge_leaderboard_table",
                {"board": challenge._reemploi_leaderboard(), "own_partner": False},
            )

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    def _update_all(self):
        """Odoo only refreshes the goals of users seen in the web client
        lately; the reuse goals follow what operators receive, not the
        users' activity: refresh them all (donors seldom log in)."""
        reemploi = self.filtered("reemploi_kind")
        if reemploi:
            yesterday = date.today() - timedelta(days=1)
            self.env["gamification.goal"].search(
                [
                    ("challenge_id", "in", reemploi.ids),
                    ("closed", "=", False),
                    "|",
                    ("state", "=", "inprogress"),
                    "&",
                    ("state", "=", "reached"),
                    "|",
                    ("end_date", "=", False),
                    ("end_date", ">=", yesterday),
                ]
            ).update_goal()
        return super()._update_all()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_reemploi_close(self):
        """Close the challenge now: its rewards are granted to the best."""
        if not self.env.user.has_group("reemploi_asset.group_reemploi_coordinator"):
            raise AccessError(
                self.env._("Only the territory coordinators close challenges.")
            )
        self.check_access("write")
        for challenge in self:
            if challenge.state != "inprogress":
                raise UserError(
                    self.env._(
                        "Challenge %(challenge)s is not in progress: only a "
                        "running challenge can be closed.",
                        challenge=challenge.name,
                    )
                )
        # refresh the goals a last time, then close: the challenge's badges
        # are granted by challenges only, which Odoo allows to administrators
        # alone; sudo lets the coordinator's closing grant them (checked
        # above: the coordinator may write these challenges)
        self.sudo()._update_all()
        self.sudo().write({"state": "done"})
        return True

    # ------------------------------------------------------------------
    # Leaderboards
    # ------------------------------------------------------------------
    @api.model
    def _reemploi_organisation(self, user):
        """The organisation a challenger plays for: its donor organisation
        (portal users) or its operator company (internal users)."""
        if user.share:
            return user.commercial_partner_id
        return user.company_id.partner_id

    @api.model
    def _reemploi_colleagues(self, user):
        """The users who play for the same organisation as ``user``: the
        portal users of its donor organisation, or the user alone."""
        if not user.share:
            return user
        # sudo: portal users cannot read users; only the ids of their own
        # organisation's users are used
        return (
            self.env["res.users"]
            .sudo()
            .search([("commercial_partner_id", "=", user.commercial_partner_id.id)])
        )

    def _reemploi_period_goals(self):
        """Goals of the latest period of the challenge, as sudo."""
        self.ensure_one()
        # sudo: the leaderboard compares every organisation; the callers
        # publish ranks, figures and only the names they may show
        goals = (
            self.env["gamification.goal"]
            .sudo()
            .search([("challenge_id", "=", self.id), ("state", "!=", "draft")])
        )
        if not goals:
            return goals, False, False
        latest = max(goals, key=lambda goal: goal.start_date or date.min)
        period = (latest.start_date, latest.end_date)
        goals = goals.filtered(lambda goal: (goal.start_date, goal.end_date) == period)
        return goals, period[0], period[1]

    def _reemploi_leaderboard(self, public=False):
        """Ranking of the organisations on each line of the challenge, from
        the goals the cron computed for the latest period.

        ``public``: only the organisations that chose to appear publicly are
        ranked (the others do not influence anything shown).
        """
        self.ensure_one()
        goals, date_from, date_to = self._reemploi_period_goals()
        lines = []
        for line in self.line_ids:
            definition = line.definition_id
            values = {}
            for goal in goals.filtered(lambda goal, line=line: goal.line_id == line):
                organisation = self._reemploi_organisation(goal.user_id)
                if public and not organisation.reemploi_public_leaderboard:
                    continue
                if definition.reemploi_scope == "user":
                    values[organisation] = values.get(organisation, 0.0) + goal.current
                else:
                    values[organisation] = max(
                        values.get(organisation, 0.0), goal.current
                    )
            if definition.reemploi_per_employee:
                values = {
                    organisation: value
                    if organisation.reemploi_employee_count
                    else None
                    for organisation, value in values.items()
                }
            rows = scoring.rank(
                sorted(values.items(), key=lambda item: item[0].display_name)
            )
            lines.append(
                {
                    "line": line,
                    "name": definition.name,
                    "suffix": definition.suffix or "",
                    "per_employee": definition.reemploi_per_employee,
                    "target": line.target_goal,
                    "rows": [
                        {
                            "rank": rank,
                            "partner": organisation,
                            "value": value,
                            "progress": scoring.progress(
                                value or 0.0, line.target_goal
                            ),
                        }
                        for rank, organisation, value in rows
                    ],
                }
            )
        return {
            "challenge": self,
            "fmt": self._reemploi_format,
            "date_from": date_from,
            "date_to": date_to,
            "lines": lines,
        }

    def _reemploi_format(self, value):
        """A figure as users read it: whole numbers without decimals."""
        if value is None:
            return "-"
        digits = 0 if float(value).is_integer() else 2 if abs(value) < 10 else 1
        return formatLang(self.env, value, digits=digits)

    def _reemploi_rank_of(self, organisation):
        """For each line of the challenge, the rank of ``organisation`` in
        the full ranking (None when not ranked), the number of organisations
        ranked and its value; nothing about the other organisations."""
        self.ensure_one()
        result = []
        for line in self._reemploi_leaderboard()["lines"]:
            ranked = [row for row in line["rows"] if row["rank"]]
            own = next(
                (row for row in line["rows"] if row["partner"] == organisation), None
            )
            result.append(
                {
                    "name": line["name"],
                    "suffix": line["suffix"],
                    "rank": own and own["rank"],
                    "count": len(ranked),
                    "value": own and own["value"],
                }
            )
        return result

    # ------------------------------------------------------------------
    # Badges
    # ------------------------------------------------------------------
    @api.model
    def _reemploi_badge_progress(self, user):
        """The reuse badges for the organisation of ``user``: for each badge
        challenge running, its badge, the organisation's current value, the
        target and whether the organisation holds the badge; then the next
        badge to earn per measure.

        Return {"badges": [...], "earned": [...], "next": [...]}.
        """
        # sudo: the badge challenges and their goal definitions are the
        # same for every donor; only the organisation's own figures are read
        challenges = self.sudo().search(
            [("reemploi_kind", "=", "badge"), ("state", "=", "inprogress")],
            order="id",
        )
        # sudo: the badges of the user's own organisation (its colleagues')
        held = (
            self.env["gamification.badge.user"]
            .sudo()
            .search([("user_id", "in", self._reemploi_colleagues(user).ids)])
            .badge_id
        )
        Devices = self.env["reemploi.received.device"]
        figures = Devices._figures(Devices._scope_domain(user))
        badges = []
        for challenge in challenges:
            line = challenge.line_ids[:1]
            measure = line.definition_id.reemploi_measure
            if not (challenge.reward_id and measure):
                continue
            value = scoring.measure(measure, figures)
            badges.append(
                {
                    "badge": challenge.reward_id,
                    "measure": measure,
                    "suffix": line.definition_id.suffix or "",
                    "value": value,
                    "target": line.target_goal,
                    "progress": scoring.progress(value, line.target_goal),
                    "earned": challenge.reward_id in held,
                }
            )
        waiting = {}
        for item in sorted(badges, key=lambda item: item["target"]):
            if not item["earned"]:
                waiting.setdefault(item["measure"], item)
        return {
            "figures": figures,
            "badges": badges,
            "earned": [item for item in badges if item["earned"]],
            "next": list(waiting.values()),
        }
