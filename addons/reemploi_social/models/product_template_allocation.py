from odoo import models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def _reemploi_units_domain(self, company):
        """The shop's devices, without those a fair allocation reserved for
        an association."""
        return [
            *super()._reemploi_units_domain(company),
            *self.env["reemploi.equipment"]._allocation_free_domain(),
        ]
