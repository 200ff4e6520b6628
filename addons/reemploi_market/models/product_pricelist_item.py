from odoo import fields, models


class ProductPricelistItem(models.Model):
    _inherit = "product.pricelist.item"

    reemploi_grade_id = fields.Many2one(
        "reemploi.grade",
        string="Grade",
        domain=[("scale", "=", "overall")],
        help="Apply this rule only to refurbished products of this grade.",
    )

    def _reemploi_conditions(self):
        """(rule's field, product template's field): a rule that sets one of
        these applies only to the products whose template has that value.
        reemploi_social adds the equipment category."""
        return [("reemploi_grade_id", "reemploi_grade_id")]

    def _is_applicable_for(self, product, qty_in_product_uom):
        if not super()._is_applicable_for(product, qty_in_product_uom):
            return False
        template = (
            product.product_tmpl_id if product._name == "product.product" else product
        )
        return all(
            not self[rule] or template[field] == self[rule]
            for rule, field in self._reemploi_conditions()
        )
