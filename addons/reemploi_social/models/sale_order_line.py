from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    reemploi_quota_id = fields.Many2one(
        "reemploi.quota",
        string="Quota",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
        help="The solidarity quota this line counts against.",
    )
