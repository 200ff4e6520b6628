from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _update_reserved_quantity(
        self,
        need,
        location_id,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=True,
    ):
        """A refurbished device sold by a line leaves with its own serial."""
        if not lot_id and self.sale_line_id.reemploi_equipment_id:
            # sudo: the serial of the device the line sells, nothing else
            lot_id = self.sale_line_id.sudo().reemploi_equipment_id.lot_id
        return super()._update_reserved_quantity(
            need,
            location_id,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
        )
