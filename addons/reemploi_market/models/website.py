import base64

from odoo import fields, models
from odoo.osv import expression
from odoo.tools import file_open


def _static_image(name):
    with file_open(f"reemploi_market/static/src/img/{name}", "rb") as f:
        return base64.b64encode(f.read())


class Website(models.Model):
    _inherit = "website"

    # a new website shows the Réemploi mark, not Odoo's sample logo
    logo = fields.Binary(default=lambda self: _static_image("reemploi_logo.svg"))
    favicon = fields.Binary(
        default=lambda self: _static_image("reemploi_favicon.png")
    )

    def _product_domain(self):
        # the shop is the refurbished catalogue: its products are the
        # operators' devices (one per operator, model and grade), never
        # a sample or a product sold by other means
        return expression.AND(
            [super()._product_domain(), [("reemploi_grade_id", "!=", False)]]
        )
