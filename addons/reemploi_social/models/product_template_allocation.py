from odoo import models

from odoo.addons.reemploi_asset.services import lifecycle

from .reemploi_equipment_allocation import ACTIVE_LINE_STATES


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def _reemploi_units(self, company, limit=24):
        """The shop's devices, without those a fair allocation reserved for
        an association."""
        units, count = super()._reemploi_units(company, limit=limit)
        Equipment = self.env["reemploi.equipment"]
        # sudo: as the shop, devices are counted; nothing of them is shown
        held = Equipment.sudo().search_count(
            [
                ("shop_product_id", "in", self.product_variant_ids.ids),
                ("state", "=", lifecycle.FOR_SALE),
                ("company_id", "=", company.id),
                ("allocation_line_ids.state", "in", ACTIVE_LINE_STATES),
            ]
        )
        if not held:
            return units, count
        units, count = super()._reemploi_units(company, limit=limit + held)
        holders = units._allocation_holder()
        free = units.filtered(lambda unit: unit not in holders)
        return free[:limit], count - held
