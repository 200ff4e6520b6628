from odoo import fields, models


class StockLot(models.Model):
    _inherit = "stock.lot"

    reemploi_equipment_ids = fields.One2many(
        "reemploi.equipment", "lot_id", string="Reuse equipment"
    )
