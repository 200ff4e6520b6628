from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    reemploi_equipment_id = fields.Many2one(
        "reemploi.equipment",
        string="Device",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
        help="The refurbished device sold by this line: the buyer gets this "
        "very serial number.",
    )
    reemploi_serial = fields.Char(
        related="reemploi_equipment_id.serial", string="Serial number"
    )

    _sql_constraints = [
        (
            "reemploi_equipment_sold_once",
            "EXCLUDE (reemploi_equipment_id WITH =) "
            "WHERE (reemploi_equipment_id IS NOT NULL AND state = 'sale')",
            "This device is already sold by another confirmed order.",
        ),
    ]

    @api.constrains("reemploi_equipment_id", "product_uom_qty")
    def _check_reemploi_one_device(self):
        for line in self.filtered("reemploi_equipment_id"):
            if line.product_uom_qty != 1:
                raise ValidationError(
                    self.env._(
                        "The line of %(device)s sells one device: its quantity "
                        "must be 1.",
                        # sudo: only the device's name, for the message
                        device=line.sudo().reemploi_equipment_id.display_name,
                    )
                )
