from odoo import fields, models

from ..services.lifecycle import STATE_SELECTION


class ReemploiEquipmentMonthTally(models.Model):
    """Number of devices and CO2e avoided by operator, category, state,
    archive flag and month of the state, kept by the database
    (``reemploi.tally.mixin``).

    It answers what the register's tally by donor cannot: the counts of an
    operator's user (whose record rule compares the operator), the CO2e
    avoided by operator and by month of the state (the territory's
    overview), without reading hundreds of thousands of devices.
    ``state_period`` is the month of ``state_date`` as
    ``reemploi_month_bucket()`` keeps it: grouped by month in any time zone,
    it gives the months of ``state_date`` itself.
    """

    _name = "reemploi.equipment.month.tally"
    _inherit = "reemploi.tally.mixin"
    _description = "Register counts by operator, category, state and month"
    _auto = False

    _tally_source = "reemploi_equipment"
    _tally_columns = (
        ("company_id", "integer", "company_id"),
        ("category_id", "integer", "category_id"),
        ("state", "varchar", "state"),
        ("active", "boolean", "active"),
        ("state_period", "timestamp", "reemploi_month_bucket(state_date)"),
    )
    _tally_sums = (("co2e_avoided_kg", "co2e_avoided_kg"),)

    company_id = fields.Many2one("res.company", string="Operator", readonly=True)
    category_id = fields.Many2one("reemploi.equipment.category", readonly=True)
    state = fields.Selection(STATE_SELECTION, readonly=True)
    active = fields.Boolean(readonly=True)
    state_period = fields.Datetime(string="Month of the state", readonly=True)
    co2e_avoided_kg = fields.Float(string="CO2e avoided (kg)", readonly=True)
