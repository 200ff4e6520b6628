from odoo import fields, models


class ReemploiEquipment(models.Model):
    _inherit = "reemploi.equipment"

    reemploi_lot_id = fields.Many2one(
        "reemploi.lot",
        string="Lot",
        readonly=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="Lot in which the donor declared the device for reuse.",
    )
