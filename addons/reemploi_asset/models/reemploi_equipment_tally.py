from odoo import fields, models

from ..services.lifecycle import STATE_SELECTION


class ReemploiEquipmentTally(models.Model):
    """Number of devices and CO2e avoided by donor, category, state and
    archive flag, kept up to date by the database as devices change
    (``reemploi.tally.mixin``: statement-level triggers, append-only signed
    rows, hourly compaction).

    At a metropolitan scale (a million devices) the register's pivot and
    grouped views would count every device at each load: ~1 s per
    ``GROUP BY`` and six of them for a pivot donor x category x state. The
    groups are few (a few tens of thousands), so the counts are kept here
    and ``reemploi.equipment._read_group`` reads them when the grouping,
    the aggregates and the domain, record rules included, only use these
    columns.
    """

    _name = "reemploi.equipment.tally"
    _inherit = "reemploi.tally.mixin"
    _description = "Register counts by donor, category and state"
    _auto = False

    _tally_source = "reemploi_equipment"
    _tally_columns = (
        ("owner_id", "integer", "owner_id"),
        ("category_id", "integer", "category_id"),
        ("state", "varchar", "state"),
        ("active", "boolean", "active"),
    )
    _tally_sums = (("co2e_avoided_kg", "co2e_avoided_kg"),)

    owner_id = fields.Many2one("res.partner", readonly=True)
    category_id = fields.Many2one("reemploi.equipment.category", readonly=True)
    state = fields.Selection(STATE_SELECTION, readonly=True)
    active = fields.Boolean(readonly=True)
    co2e_avoided_kg = fields.Float(string="CO2e avoided (kg)", readonly=True)
