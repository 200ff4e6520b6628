from collections import Counter
from datetime import timedelta

from odoo import api, fields, models

from ..services import lot_lifecycle


class ResCompany(models.Model):
    """The matching profile of a reuse operator (one company per operator)."""

    _inherit = "res.company"

    reemploi_category_ids = fields.Many2many(
        "reemploi.equipment.category",
        "reemploi_company_category_rel",
        "company_id",
        "category_id",
        string="Accepted categories",
        help="Categories of devices the operator collects. A company without "
        "any accepted category is not proposed any lot.",
    )
    reemploi_lots_per_period = fields.Integer(
        string="Lots per period",
        default=10,
        help="How many lots the operator can collect in a period.",
    )
    reemploi_period_days = fields.Integer(
        string="Period (days)",
        default=30,
        help="Length of the period of the capacity, in days.",
    )
    reemploi_max_devices = fields.Integer(
        string="Maximum devices per lot",
        help="Largest lot the operator can take at once (van, workshop); 0: no limit.",
    )
    reemploi_max_distance_km = fields.Float(
        string="Maximum distance (km)",
        digits=(16, 1),
        help="How far from its premises the operator collects; 0: no limit.",
    )
    reemploi_social_economy = fields.Boolean(
        string="Social and solidarity economy",
        help="The operator is a social and solidarity economy (ESS) "
        "structure; the matching may prefer it (see the Settings).",
    )
    reemploi_reliability = fields.Float(
        string="Reliability (%)",
        readonly=True,
        digits=(16, 1),
        help="Share of the lots proposed to the operator that it collected: "
        "lots collected / (lots collected + lots cancelled after it accepted "
        "them + proposals it refused). Updated by the matching's scheduled "
        "action.",
    )
    reemploi_reliability_count = fields.Integer(
        string="Lots counted for the reliability",
        readonly=True,
        help="0: a newcomer, whose reliability is not known yet.",
    )
    # where the distances to the lots are measured from: the company's contact
    reemploi_latitude = fields.Float(
        related="partner_id.partner_latitude", readonly=False, string="Latitude"
    )
    reemploi_longitude = fields.Float(
        related="partner_id.partner_longitude", readonly=False, string="Longitude"
    )

    _sql_constraints = [
        (
            "reemploi_profile_positive",
            "CHECK(reemploi_lots_per_period >= 0 AND reemploi_period_days >= 0 "
            "AND reemploi_max_devices >= 0 AND reemploi_max_distance_km >= 0)",
            "The capacity, period, maximum devices and maximum distance of an "
            "operator cannot be negative.",
        ),
    ]

    @api.model
    def _reemploi_operators(self):
        """The companies that take lots: those accepting some category."""
        return self.search([("reemploi_category_ids", "!=", False)])

    def _reemploi_remaining_capacity(self, now=None):
        """{company id: lots it can still take in its current period}.

        A period is the last ``reemploi_period_days`` days: the lots matched
        with the company since then, and the proposals offered to it and
        not answered yet, use its capacity.
        """
        now = now or fields.Datetime.now()
        longest = max(self.mapped("reemploi_period_days") or [0])
        used = dict.fromkeys(self.ids, 0)
        matched = self.env["reemploi.lot"]._read_group(
            [
                ("company_id", "in", self.ids),
                ("date_matched", ">=", now - timedelta(days=longest)),
            ],
            ["company_id", "date_matched:day"],
            ["__count"],
        )
        for company, day, count in matched:
            start = (now - timedelta(days=company.reemploi_period_days)).date()
            if fields.Date.to_date(day) >= start:
                used[company.id] += count
        pending = self.env["reemploi.match.proposal"]._read_group(
            [("company_id", "in", self.ids), ("state", "=", "proposed")],
            ["company_id"],
            ["__count"],
        )
        for company, count in pending:
            used[company.id] += count
        return {
            company.id: max(0, company.reemploi_lots_per_period - used[company.id])
            for company in self
        }

    @api.model
    def _reemploi_update_reliability(self):
        """Store each operator's reliability from its past lots and answers
        (three grouped queries for every company)."""
        companies = self.search([])
        # lots of an operator that count for its reliability: collected (or
        # later) as planned, or given up after the operator accepted them
        collected, failed = Counter(), Counter()
        for company, state, count in self.env["reemploi.lot"]._read_group(
            [
                ("company_id", "!=", False),
                (
                    "state",
                    "in",
                    [*sorted(lot_lifecycle.COLLECTED_STATES), lot_lifecycle.CANCELLED],
                ),
            ],
            ["company_id", "state"],
            ["__count"],
        ):
            target = collected if state in lot_lifecycle.COLLECTED_STATES else failed
            target[company.id] += count
        for company, count in self.env["reemploi.match.proposal"]._read_group(
            [("state", "=", "refused")], ["company_id"], ["__count"]
        ):
            failed[company.id] += count
        for company in companies:
            total = collected[company.id] + failed[company.id]
            values = {
                "reemploi_reliability": (
                    round(100.0 * collected[company.id] / total, 1) if total else 0.0
                ),
                "reemploi_reliability_count": total,
            }
            if any(company[name] != value for name, value in values.items()):
                company.write(values)
        return True

    def action_reemploi_geolocate(self):
        """Place the operators on the map from their contact's address."""
        self.check_access("write")
        self.partner_id.action_reemploi_geolocate()
        return True
