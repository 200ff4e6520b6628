import math

from odoo import Command

from ..services import lot_matching
from .common import MarketCase

GRENOBLE = (45.1885, 5.7245)
KM_PER_DEGREE = math.pi * lot_matching.EARTH_RADIUS_KM / 180  # along a meridian


def north(km):
    """Coordinates ``km`` north of Grenoble."""
    return {
        "partner_latitude": GRENOBLE[0] + km / KM_PER_DEGREE,
        "partner_longitude": GRENOBLE[1],
    }


class MatchingCase(MarketCase):
    """Operators X (5 km from the pickup site) and Y (20 km, social and
    solidarity economy), both taking laptops and monitors; the pickup site
    of donor A in Grenoble. No other company takes lots."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Proposal = cls.env["reemploi.match.proposal"]
        cls.env["res.company"].search([]).write(
            {"reemploi_category_ids": [Command.clear()]}
        )
        cls.site_a.write(north(0))
        cls._profile(cls.company_x, km=5)
        cls._profile(cls.company_y, km=20, reemploi_social_economy=True)

    @classmethod
    def _profile(cls, company, km, **values):
        company.partner_id.write(north(km))
        company.write(
            dict(
                {
                    "reemploi_category_ids": [
                        Command.set((cls.laptop | cls.monitor).ids)
                    ],
                    "reemploi_lots_per_period": 10,
                    "reemploi_period_days": 30,
                    "reemploi_max_distance_km": 50,
                },
                **values,
            )
        )

    @classmethod
    def _declared(cls, quantities=None, **values):
        lot = cls._lot(quantities=quantities or {cls.laptop: 2}, **values)
        lot.action_declare()
        return lot

    def _proposed(self, quantities=None, **values):
        """A declared lot and its proposals, by rank, as the coordinator asks."""
        lot = self._declared(quantities, **values)
        lot.with_user(self.user_coordinator).action_propose()
        return lot, lot.proposal_ids.sorted("sequence")

    def _set_param(self, key, value):
        self.env["ir.config_parameter"].set_param(f"reemploi_market.{key}", value)
