from odoo import fields, models

from ..services.lifecycle import STATE_SELECTION


class ReemploiEquipmentForecastTally(models.Model):
    """Number of devices by category, state, archive flag and month of their
    expected end of use, kept by the database (``reemploi.tally.mixin``).

    The supply forecast of the whole territory counts the devices in use by
    quarter of their expected end: ~400,000 devices at a metropolitan scale,
    a few thousand groups here.
    """

    _name = "reemploi.equipment.forecast.tally"
    _inherit = "reemploi.tally.mixin"
    _description = "Register counts by category, state and expected end"
    _auto = False

    _tally_source = "reemploi_equipment"
    _tally_columns = (
        ("category_id", "integer", "category_id"),
        ("state", "varchar", "state"),
        ("active", "boolean", "active"),
        (
            "expected_end_month",
            "date",
            "date_trunc('month', expected_end_date)::date",
        ),
    )

    category_id = fields.Many2one("reemploi.equipment.category", readonly=True)
    state = fields.Selection(STATE_SELECTION, readonly=True)
    active = fields.Boolean(readonly=True)
    expected_end_month = fields.Date(string="Month of the expected end", readonly=True)
