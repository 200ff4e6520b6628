from odoo import fields, models

DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

DEFAULT_TILE_ATTRIBUTION = (
    '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)


class ResConfigSettings(models.TransientModel):
    """The settings of the market: the weights of the matching
    (services/lot_matching.py: Weights), the shop, the public directory's map."""

    _inherit = "res.config.settings"

    # defaults: those of services/lot_matching.py: Weights
    reemploi_weight_distance = fields.Float(
        string="Distance (points)",
        default=40.0,
        config_parameter="reemploi_market.weight_distance",
        help="Points of an operator at the pickup site, falling to 0 at the "
        "reference distance.",
    )
    reemploi_distance_reference_km = fields.Float(
        string="Reference distance (km)",
        default=50.0,
        config_parameter="reemploi_market.distance_reference_km",
    )
    reemploi_weight_social_economy = fields.Float(
        string="Social and solidarity economy preference (points)",
        default=20.0,
        config_parameter="reemploi_market.weight_social_economy",
        help="Points given to social and solidarity economy operators; 0: "
        "no preference.",
    )
    reemploi_weight_reliability = fields.Float(
        string="Reliability (points)",
        default=20.0,
        config_parameter="reemploi_market.weight_reliability",
        help="Points of an operator that collected every lot it was "
        "proposed; a newcomer counts for half.",
    )
    reemploi_weight_category_fit = fields.Float(
        string="Category fit (points)",
        default=10.0,
        config_parameter="reemploi_market.weight_category_fit",
        help="Points of a specialist of exactly the lot's categories.",
    )
    reemploi_weight_capacity = fields.Float(
        string="Capacity left (points)",
        default=10.0,
        config_parameter="reemploi_market.weight_capacity",
        help="Points of an operator with 10 lots or more left in its period: "
        "spreads the lots.",
    )
    reemploi_match_alternatives = fields.Integer(
        string="Alternatives per lot",
        default=3,
        config_parameter="reemploi_market.match_alternatives",
        help="Operators ranked after the first one, offered the lot in turn "
        "when the ones before refuse it.",
    )

    reemploi_waste_compensation = fields.Boolean(
        related="company_id.reemploi_waste_compensation", readonly=False
    )
    website_reemploi_territory_shop = fields.Boolean(
        related="website_id.reemploi_territory_shop", readonly=False
    )

    # The map of the public directory: where its tiles come from.
    reemploi_directory_tile_url = fields.Char(
        string="Map tiles",
        default=DEFAULT_TILE_URL,
        config_parameter="reemploi_market.directory_tile_url",
        help="Address of the map tiles of the public directory, with {z}, {x} "
        "and {y}. Empty: the directory shows its list without a map.",
    )
    reemploi_directory_tile_attribution = fields.Char(
        string="Map credits",
        default=DEFAULT_TILE_ATTRIBUTION,
        config_parameter="reemploi_market.directory_tile_attribution",
        help="Credits of the tiles shown on the map, as their provider asks.",
    )
