from odoo import fields, models


class ProductPricelistItem(models.Model):
    _inherit = "product.pricelist.item"

    reemploi_category_id = fields.Many2one(
        "reemploi.equipment.category",
        string="Equipment category",
        help="Apply this rule only to refurbished products of this category.",
    )
    reemploi_price_ceiling = fields.Float(
        string="Price ceiling",
        digits="Product Price",
        help="The price this rule gives never exceeds this amount (0: no "
        "ceiling). E.g. a laptop at no more than 150 € for associations.",
    )

    _sql_constraints = [
        (
            "reemploi_price_ceiling_positive",
            "CHECK(reemploi_price_ceiling >= 0)",
            "A price ceiling cannot be negative.",
        ),
    ]

    def _reemploi_conditions(self):
        return [
            *super()._reemploi_conditions(),
            ("reemploi_category_id", "reemploi_category_id"),
        ]

    def _compute_price(self, product, quantity, uom, date, currency=None):
        price = super()._compute_price(product, quantity, uom, date, currency)
        if self and self.reemploi_price_ceiling:
            ceiling = self.reemploi_price_ceiling
            if product.uom_id != uom:
                ceiling = product.uom_id._compute_price(ceiling, uom)
            price = min(price, ceiling)
        return price
