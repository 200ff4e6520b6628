from odoo import fields, models

DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = (
    '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)


class ResConfigSettings(models.TransientModel):
    """The map of the public directory: where its tiles come from."""

    _inherit = "res.config.settings"

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
