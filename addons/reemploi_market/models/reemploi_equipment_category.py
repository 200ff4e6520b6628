from odoo import fields, models


class ReemploiEquipmentCategory(models.Model):
    _inherit = "reemploi.equipment.category"

    warranty_months = fields.Integer(
        string="Warranty (months)",
        default=12,
        help="Warranty given to the buyers of refurbished devices of this category.",
    )
    shop_list_price = fields.Float(
        string="Shop reference price",
        digits="Product Price",
        help="Sales price of a new shop product (model and grade) of this "
        "category at grade A; each grade's shop price percentage adjusts it.",
    )
    public_categ_id = fields.Many2one(
        "product.public.category",
        string="Website category",
        help="Category of the refurbished shop where its devices are listed.",
    )

    def _shop_new_product_price(self, grade):
        """The price of a new shop product of this category and ``grade``:
        the reference price times the grade's shop price percentage (the one
        rule of the bench's price, the device's form and the product)."""
        self.ensure_one()
        if not grade:
            return self.shop_list_price
        return grade._shop_price(self.shop_list_price)

    def _shop_public_category(self):
        """The website category of this category, created on first use."""
        self.ensure_one()
        if not self.public_categ_id:
            # sudo: the shop's category tree follows the shared standard;
            # operators publish devices without managing the website
            self.sudo().public_categ_id = (
                self.env["product.public.category"].sudo().create({"name": self.name})
            )
        return self.public_categ_id
