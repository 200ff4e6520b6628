import json
from collections import defaultdict, namedtuple
from datetime import timedelta

from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import formatLang, get_lang

from odoo.addons.reemploi_asset.models import bulk

from ..services import lot_matching

WAITING = "waiting"
PROPOSED = "proposed"
ACCEPTED = "accepted"
REFUSED = "refused"
EXPIRED = "expired"
OPEN_PROPOSAL_STATES = (WAITING, PROPOSED)

STATE_SELECTION = [
    (WAITING, "Waiting"),
    (PROPOSED, "Proposed"),
    (ACCEPTED, "Accepted"),
    (REFUSED, "Refused"),
    (EXPIRED, "Expired"),
]

# The matching weights in the Settings: ir.config_parameter key -> field
# of lot_matching.Weights.
WEIGHT_PARAMETERS = {
    "reemploi_market.weight_distance": "distance",
    "reemploi_market.distance_reference_km": "distance_reference_km",
    "reemploi_market.weight_social_economy": "social_economy",
    "reemploi_market.weight_reliability": "reliability",
    "reemploi_market.weight_category_fit": "category_fit",
    "reemploi_market.weight_capacity": "capacity",
}
ALTERNATIVES_PARAMETER = "reemploi_market.match_alternatives"
DEFAULT_ALTERNATIVES = 3

# What the operators answer: only the reason of a refusal, the rest is the
# workflow's (see write()).
OPERATOR_FIELDS = frozenset({"refusal_reason"})

_Candidate = namedtuple("_Candidate", "operator_id proposal")


def _has_position(partner):
    """Odoo stores 0.0 for "not geocoded": (0, 0) counts as missing."""
    return bool(partner and (partner.partner_latitude or partner.partner_longitude))


class ReemploiMatchProposal(models.Model):
    """A reuse operator proposed by the matching engine to collect a lot.

    For each declared lot the engine ranks the operators that can take it;
    the first one is offered the lot (``proposed``), the next ones wait.
    The operator accepts (the lot is matched with it) or refuses (the next
    one is offered the lot, or the engine runs again without the operators
    that refused).
    """

    _name = "reemploi.match.proposal"
    _description = "Operator proposed for a lot"
    _order = "lot_id desc, sequence, id"
    _rec_names_search = ["lot_id", "company_id"]

    lot_id = fields.Many2one(
        "reemploi.lot", required=True, readonly=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        "res.company",
        string="Operator",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(string="Rank", readonly=True)
    score = fields.Float(readonly=True, digits=(16, 2), help="Points, at most 100.")
    breakdown = fields.Json(readonly=True, copy=False)
    breakdown_text = fields.Text(
        string="Score details", compute="_compute_breakdown_text"
    )
    distance_km = fields.Float(string="Distance (km)", readonly=True, digits=(16, 1))
    state = fields.Selection(
        STATE_SELECTION, default=WAITING, required=True, readonly=True, index=True
    )
    refusal_reason = fields.Text(
        help="Why the operator does not take the lot (capacity, access...)."
    )
    date_proposed = fields.Datetime(string="Offered on", readonly=True, index=True)
    date_answered = fields.Datetime(string="Answered on", readonly=True)
    answered_by_id = fields.Many2one("res.users", string="Answered by", readonly=True)
    # what the operator needs to decide: it reads the lot itself only once
    # it has accepted it (related fields are read as superuser)
    lot_partner_id = fields.Many2one(related="lot_id.partner_id", string="Donor")
    lot_pickup_address = fields.Text(
        related="lot_id.pickup_address", string="Pickup address"
    )
    lot_date_from = fields.Date(related="lot_id.date_from", string="Available from")
    lot_date_to = fields.Date(related="lot_id.date_to", string="Available until")
    lot_device_count = fields.Integer(related="lot_id.device_count", string="Devices")
    lot_weight_kg = fields.Float(related="lot_id.weight_kg", string="Weight (kg)")
    lot_state = fields.Selection(related="lot_id.state", string="Lot state")
    lot_content = fields.Char(
        string="Content", compute="_compute_lot_content", compute_sudo=True
    )

    @api.depends("lot_id", "company_id")
    def _compute_display_name(self):
        for proposal in self:
            lot, operator = proposal._names()
            proposal.display_name = f"{lot} — {operator}"

    @api.depends("breakdown")
    def _compute_breakdown_text(self):
        for proposal in self:
            lines = [proposal._describe_part(part) for part in proposal.breakdown or ()]
            if lines:
                lines.append(
                    self.env._(
                        "Total: %(points)s pts", points=self._points(proposal.score)
                    )
                )
            proposal.breakdown_text = "\n".join(lines)

    @api.depends("lot_id.line_ids.quantity", "lot_id.line_ids.category_id")
    def _compute_lot_content(self):
        for proposal in self:
            quantities = defaultdict(int)
            for line in proposal.lot_id.line_ids:
                quantities[line.category_id.name] += line.quantity
            proposal.lot_content = ", ".join(
                f"{quantity} × {name}" for name, quantity in quantities.items()
            )

    def write(self, vals):
        if not self._is_match_supervisor() and not OPERATOR_FIELDS.issuperset(vals):
            raise AccessError(
                self.env._(
                    "Operators answer a proposal with the Accept and Refuse "
                    "buttons; they only write the reason of a refusal."
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Presentation
    # ------------------------------------------------------------------
    def _is_match_supervisor(self):
        return self.env.su or self.env.user.has_group(
            "reemploi_asset.group_reemploi_coordinator"
        )

    def _names(self):
        """(lot reference, operator name) of the proposal, for messages."""
        self.ensure_one()
        # sudo: operators may not read the lot before they take it, nor the
        # coordinator the operators' companies; only their names are shown
        proposal = self.sudo()
        return proposal.lot_id.name, proposal.company_id.name

    def _points(self, points):
        return formatLang(self.env, points, digits=2)

    def _points_formatter(self):
        """``_points`` for many numbers: the language is looked up once (the
        points stay below 1,000: no thousands separator)."""
        decimal_point = get_lang(self.env).decimal_point
        return lambda points: f"{points:.2f}".replace(".", decimal_point)

    def _describe_part(self, part):
        """One criterion of the score in the user's language, e.g.
        "Distance 12.3 km: 30.40 pts"."""
        _ = self.env._
        reason, value = part["reason"], part.get("value")
        points = self._points(part["points"])
        if reason == "distance":
            return _(
                "Distance %(km)s km: %(points)s pts",
                km=formatLang(self.env, value, digits=1),
                points=points,
            )
        if reason == "social_economy":
            return _("Social and solidarity economy: %(points)s pts", points=points)
        if reason == "not_social_economy":
            return _("Not social and solidarity economy: %(points)s pts", points=points)
        if reason == "reliability":
            return _(
                "Reliability %(percent)s %%: %(points)s pts",
                percent=formatLang(self.env, value * 100, digits=0),
                points=points,
            )
        if reason == "reliability_unknown":
            return _("Reliability unknown (newcomer): %(points)s pts", points=points)
        if reason == "category_fit":
            return _(
                "Categories of the lot among those accepted %(percent)s %%: "
                "%(points)s pts",
                percent=formatLang(self.env, value * 100, digits=0),
                points=points,
            )
        if reason == "capacity":
            return _(
                # the figure of the day of the proposal: the overview gives
                # today's
                "Capacity when proposed, %(lots)s lot(s) left in the period: "
                "%(points)s pts",
                lots=value,
                points=points,
            )
        return f"{reason}: {points}"

    def _blocker_labels(self):
        """The engine's reasons why operators cannot take a lot."""
        _ = self.env._
        return {
            lot_matching.EXCLUDED: _("refused the lot"),
            lot_matching.NO_CAPACITY: _("no lot left in their period"),
            lot_matching.CATEGORY_NOT_ACCEPTED: _(
                "do not accept every category of the lot"
            ),
            lot_matching.TOO_FAR: _("too far from the pickup site"),
            lot_matching.TOO_LARGE: _(
                "the lot has more devices than they take at once"
            ),
            lot_matching.NOT_AVAILABLE: _(
                "the availability window is outside their period"
            ),
            lot_matching.CAPACITY_TAKEN: _("full with lots they are better placed for"),
        }

    def _unassigned_problem(self, reasons):
        """Why the engine proposes nobody, from ``{reason: operators}``."""
        if not reasons:
            return self.env._("no operator takes lots: set up the operators' profiles")
        labels = self._blocker_labels()
        return self.env._(
            "no operator can take the lot (number of operators per reason: "
            "%(reasons)s)",
            reasons="; ".join(
                f"{labels.get(reason, reason)}: {count}"
                for reason, count in reasons.items()
            ),
        )

    # ------------------------------------------------------------------
    # Proposals from the database
    # ------------------------------------------------------------------
    @api.model
    def _match_weights(self):
        """(lot_matching.Weights, alternatives) from the Settings."""
        # sudo: only the matching's own parameters are read
        params = self.env["ir.config_parameter"].sudo()
        defaults = lot_matching.Weights()
        values = {}
        for key, name in WEIGHT_PARAMETERS.items():
            raw = params.get_param(key)
            try:
                values[name] = float(raw) if raw not in (None, False, "") else None
            except ValueError:
                values[name] = None
            if values[name] is None:
                values[name] = getattr(defaults, name)
        try:
            weights = lot_matching.Weights(**values)
        except ValueError as error:
            raise UserError(
                self.env._(
                    "The matching weights in the Settings are not valid (%(error)s): "
                    "correct them.",
                    error=error,
                )
            ) from error
        try:
            alternatives = int(
                params.get_param(ALTERNATIVES_PARAMETER, DEFAULT_ALTERNATIVES)
            )
        except ValueError:
            alternatives = DEFAULT_ALTERNATIVES
        return weights, max(alternatives, 0)

    @api.model
    def _engine_lots(self, lots):
        """(lot_matching.Lot list, {lot id: problem}) of ``lots``, in two queries
        whatever their number."""
        quantities = defaultdict(dict)
        for lot, category, quantity in self.env["reemploi.lot.line"]._read_group(
            [("lot_id", "in", lots.ids)], ["lot_id", "category_id"], ["quantity:sum"]
        ):
            quantities[lot.id][category.id] = quantity
        engine_lots, problems = [], {}
        for lot in lots:
            place = lot.site_id or lot.partner_id
            if not _has_position(place):
                problems[lot.id] = self.env._(
                    "add the coordinates (latitude and longitude) of %(place)s, "
                    "the pickup site, to propose operators",
                    place=place.display_name,
                )
            elif not any(quantities[lot.id].values()):
                problems[lot.id] = self.env._("the lot has no device")
            else:
                engine_lots.append(
                    lot_matching.Lot(
                        lot.id,
                        quantities[lot.id],
                        place.partner_latitude,
                        place.partner_longitude,
                        available_from=lot.date_from or None,
                        available_until=lot.date_to or None,
                    )
                )
        return engine_lots, problems

    @api.model
    def _engine_operators(self, today):
        """(lot_matching.Operator list, companies left out for lack of
        coordinates), in a constant number of queries."""
        # sudo: users read their own companies only; the matching reads the
        # operators' profiles (categories, capacity, position) to rank them
        companies = self.env["res.company"].sudo()._reemploi_operators()
        remaining = companies._reemploi_remaining_capacity()
        operators, unplaced = [], companies.browse()
        for company in companies:
            partner = company.partner_id
            if not _has_position(partner):
                unplaced |= company
                continue
            known = company.reemploi_reliability_count > 0
            operators.append(
                lot_matching.Operator(
                    company.id,
                    frozenset(company.reemploi_category_ids.ids),
                    remaining[company.id],
                    partner.partner_latitude,
                    partner.partner_longitude,
                    max_distance_km=company.reemploi_max_distance_km or None,
                    max_devices=company.reemploi_max_devices or None,
                    social_economy=company.reemploi_social_economy,
                    reliability=company.reemploi_reliability / 100 if known else None,
                    period_start=today,
                    period_end=today + timedelta(days=company.reemploi_period_days),
                )
            )
        return operators, unplaced

    @api.model
    def _propose(self, lots):
        """Rank operators for the declared ``lots`` and write the proposals.

        The open proposals of the lots expire; the operators that refused a
        lot are not proposed for it again. Offers each assigned lot to its
        operator; the lots without one get the reason in ``match_problem``.
        Returns the proposals created.
        """
        lots = lots.filtered(lambda lot: lot.state == "declared")
        if not lots:
            return self
        now = fields.Datetime.now()
        self.search(
            [("lot_id", "in", lots.ids), ("state", "in", OPEN_PROPOSAL_STATES)]
        ).write({"state": EXPIRED})
        excluded = [
            (lot.id, company.id)
            for lot, company in self._read_group(
                [("lot_id", "in", lots.ids), ("state", "=", REFUSED)],
                ["lot_id", "company_id"],
            )
        ]
        weights, alternatives = self._match_weights()
        engine_lots, problems = self._engine_lots(lots)
        operators, unplaced = self._engine_operators(fields.Date.context_today(self))
        result = lot_matching.assign(
            engine_lots,
            operators,
            weights,
            excluded=excluded,
            alternatives=alternatives,
        )
        vals_list = []
        for lot_id, ranked in result.proposals.items():
            for proposal in ranked:
                offered = proposal.assigned and proposal.sequence == 1
                vals_list.append(
                    {
                        "lot_id": lot_id,
                        "company_id": proposal.operator_id,
                        "sequence": proposal.sequence,
                        "score": proposal.score,
                        "distance_km": proposal.distance_km,
                        "breakdown": json.dumps(
                            [
                                {
                                    "criterion": part.criterion,
                                    "reason": part.reason,
                                    "value": part.value,
                                    "points": part.points,
                                }
                                for part in proposal.breakdown.parts
                            ]
                        ),
                        "state": PROPOSED if offered else WAITING,
                        "date_proposed": now if offered else False,
                        # every field given: no default to look up
                        "refusal_reason": False,
                        "date_answered": False,
                        "answered_by_id": False,
                    }
                )
        proposals = self._insert(vals_list)
        for lot_id, reasons in result.unassigned.items():
            problems[lot_id] = self._unassigned_problem(reasons)
        if unplaced:
            note = self.env._(
                "%(count)s operator(s) left out: add the coordinates of %(names)s",
                count=len(unplaced),
                names=", ".join(unplaced[:5].mapped("name")),
            )
            for lot_id in problems:
                problems[lot_id] = f"{problems[lot_id]}; {note}"
        self._log_proposals(lots, proposals, problems)
        return proposals

    @api.model
    def _insert(self, vals_list):
        """Write the proposals with one set-based INSERT: a run proposes up
        to (alternatives + 1) operators for each declared lot, and the ORM's
        create() was 40 % of the round trip at 10,000 lots. Every stored
        field is given (no default, no stored computed field); the lots are
        told of their new proposals."""
        if not vals_list:
            return self
        proposals = self.browse(bulk.insert_rows(self, vals_list))
        proposals.modified(list(vals_list[0]), create=True)
        self.env["reemploi.lot"].invalidate_model(["proposal_ids"])
        return proposals

    @api.model
    def _log_proposals(self, lots, proposals, problems):
        """Store each lot's problem and log its proposals in its chatter
        (a write per distinct problem, one batch of messages)."""
        by_problem = defaultdict(list)
        for lot in lots:
            by_problem[problems.get(lot.id) or False].append(lot.id)
        for problem, lot_ids in by_problem.items():
            changed = lots.browse(lot_ids).filtered(
                lambda lot, problem=problem: lot.match_problem != problem
            )
            changed.write({"match_problem": problem})
        points = self._points_formatter()
        by_lot = defaultdict(list)
        # sudo: the coordinator may not read the operators' companies; only
        # their names are logged
        for proposal in proposals.sudo():
            by_lot[proposal.lot_id.id].append(proposal)
        bodies = {}
        for lot in lots:
            if by_lot.get(lot.id):
                bodies[lot.id] = self.env._(
                    "Operators proposed: %(ranking)s.",
                    ranking=", ".join(
                        f"{p.sequence}. {p.company_id.name} ({points(p.score)} pts)"
                        for p in by_lot[lot.id]
                    ),
                )
            else:
                bodies[lot.id] = self.env._(
                    "No operator proposed: %(problem)s.", problem=problems[lot.id]
                )
        lots._message_log_batch(
            bodies={lot_id: escape(body) for lot_id, body in bodies.items()}
        )

    # ------------------------------------------------------------------
    # Answers
    # ------------------------------------------------------------------
    def _check_answerable(self):
        """Raise unless the user may answer this proposal now."""
        self.ensure_one()
        self.check_access("read")
        if self.state != PROPOSED or self.lot_state != "declared":
            raise UserError(
                self.env._(
                    "The proposal of lot %(lot)s to %(operator)s is no longer "
                    "open: it cannot be answered.",
                    lot=self._names()[0],
                    operator=self._names()[1],
                )
            )
        self.check_access("write")

    def _answer(self, state, **values):
        # sudo: the user may answer this proposal (checked by
        # _check_answerable); sudo lets the workflow set its own fields
        self.sudo().write(
            dict(
                values,
                state=state,
                date_answered=fields.Datetime.now(),
                answered_by_id=self.env.uid,
            )
        )

    def action_accept(self):
        """The operator takes the lot: the lot is matched with it."""
        self._check_answerable()
        self._answer(ACCEPTED)
        # sudo: the operator may not read the lot before taking it; it only
        # accepts the lot offered to its company (checked above)
        lot = self.lot_id.sudo()
        lot.action_match(self.company_id)
        lot.message_post(
            body=self.env._("%(operator)s accepted the lot.", operator=self._names()[1])
        )
        return True

    def action_refuse(self):
        """The operator does not take the lot: the next operator is offered it."""
        self._check_answerable()
        reason = (self.refusal_reason or "").strip()
        if not reason:
            raise UserError(
                self.env._(
                    "Give the reason why %(operator)s does not take lot %(lot)s, "
                    "then refuse it.",
                    operator=self._names()[1],
                    lot=self._names()[0],
                )
            )
        self._answer(REFUSED)
        # sudo: as for action_accept; the next proposal is the engine's
        lot = self.lot_id.sudo()
        lot.message_post(
            body=self.env._(
                "%(operator)s refused the lot: %(reason)s",
                operator=self._names()[1],
                reason=reason,
            )
        )
        # sudo: the refusing operator may not read the other proposals of
        # the lot; the next one is offered by the matching itself
        self.sudo()._offer_next(lot)
        return True

    @api.model
    def _offer_next(self, lot):
        """Offer ``lot`` to the next operator of its ranking still free, or
        rank the operators again without those that refused it."""
        proposals = lot.proposal_ids
        refused = proposals.filtered(lambda p: p.state == REFUSED).company_id.ids
        waiting = proposals.filtered(lambda p: p.state == WAITING).sorted("sequence")
        remaining = waiting.company_id._reemploi_remaining_capacity()
        chosen = lot_matching.next_proposal(
            [_Candidate(p.company_id.id, p) for p in waiting], refused, remaining
        )
        if chosen is None:
            return self._propose(lot)
        chosen.proposal.write(
            {"state": PROPOSED, "date_proposed": fields.Datetime.now()}
        )
        lot.message_post(
            body=self.env._(
                "Lot offered to %(operator)s (rank %(rank)s, %(points)s pts).",
                operator=chosen.proposal._names()[1],
                rank=chosen.proposal.sequence,
                points=self._points(chosen.proposal.score),
            )
        )
        return chosen.proposal
