from odoo import fields, models


class ProductPricelistItem(models.Model):
    _inherit = "product.pricelist.item"

    reemploi_grade_id = fields.Many2one(
        "reemploi.grade",
        string="Grade",
        domain=[("scale", "=", "overall")],
        help="Apply this rule only to refurbished products of this grade.",
    )

    def _is_applicable_for(self, product, qty_in_product_uom):
        applicable = super()._is_applicable_for(product, qty_in_product_uom)
        if applicable and self.reemploi_grade_id:
            template = (
                product.product_tmpl_id
                if product._name == "product.product"
                else product
            )
            return template.reemploi_grade_id == self.reemploi_grade_id
        return applicable
