import base64

from odoo import api, models
from odoo.tools.misc import file_open

IMAGE_PATH = "reemploi_market/static/img/shop/%s.svg"


class ProductTemplate(models.Model):
    """Demo data: pictures of the refurbished shop's products."""

    _inherit = "product.template"

    @api.model
    def _demo_set_shop_images(self):
        """Give each shop product without a picture the drawing of its
        category (static/img/shop/<category code>.svg)."""
        templates = self.with_context(active_test=False).search(
            [("reemploi_category_id", "!=", False), ("image_1920", "=", False)]
        )
        images = {}
        for template in templates:
            code = template.reemploi_category_id.code
            if code not in images:
                try:
                    with file_open(IMAGE_PATH % code, "rb") as file:
                        images[code] = base64.b64encode(file.read())
                except FileNotFoundError:
                    images[code] = False
            if images[code]:
                template.image_1920 = images[code]
        return True
