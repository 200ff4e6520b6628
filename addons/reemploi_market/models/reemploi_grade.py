from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ReemploiGrade(models.Model):
    _inherit = "reemploi.grade"

    shop_price_percent = fields.Float(
        string="Shop price (%)",
        default=100.0,
        digits=(16, 0),
        help="Price of a new shop product of this grade, in percent of its "
        "category's reference price (100: the reference price). The "
        "operator can still change a product's price afterwards.",
    )

    @api.constrains("shop_price_percent")
    def _check_shop_price_percent(self):
        for grade in self:
            if not 0 < grade.shop_price_percent <= 1000:
                raise ValidationError(
                    self.env._(
                        "Grade %(grade)s: the shop price must be a percentage "
                        "of the reference price between 1 and 1000.",
                        grade=grade.display_name,
                    )
                )

    def _shop_price(self, reference):
        """The shop price of a new product of this grade whose category's
        reference price is ``reference``, to the euro."""
        self.ensure_one()
        return round(reference * (self.shop_price_percent or 100.0) / 100.0)
