from odoo import models
from odoo.exceptions import UserError

from odoo.addons.reemploi_asset.services import lifecycle


class SaleOrder(models.Model):
    """Devices reserved by a fair allocation are sold to their association
    only: no other cart gets them, no other order confirms them."""

    _inherit = "sale.order"

    def _reemploi_cart_device(self, product, device_id=0):
        device = super()._reemploi_cart_device(product, device_id)
        holder = device._allocation_holder().get(device)
        if not holder or self._reemploi_allocation_allowed(holder):
            return device
        if device_id:
            raise UserError(
                self.env._(
                    "%(device)s is reserved for an association by a fair "
                    "allocation: choose another device.",
                    device=device.display_name,
                )
            )
        # the same choice as the shop's, among the devices nobody holds
        Equipment = self.env["reemploi.equipment"]
        # sudo: as the shop, the buyer may not read the register; only the
        # device's id is written on the line
        other = Equipment.sudo().search(
            [
                ("shop_product_id", "=", product.id),
                ("state", "=", lifecycle.FOR_SALE),
                ("company_id", "=", self.company_id.id),
                ("id", "not in", self.order_line.reemploi_equipment_id.ids),
                *Equipment._allocation_free_domain(),
            ],
            limit=1,
            order="battery_health desc, id",
        )
        if not other:
            raise UserError(
                self.env._(
                    "No device of %(product)s is available any more: choose "
                    "another one.",
                    product=product.display_name,
                )
            )
        return other

    def _reemploi_check_devices(self, lines):
        super()._reemploi_check_devices(lines)
        holders = lines.reemploi_equipment_id._allocation_holder()
        for line in lines:
            holder = holders.get(line.reemploi_equipment_id)
            if holder and not line.order_id._reemploi_allocation_allowed(holder, line):
                raise UserError(
                    self.env._(
                        "%(device)s is reserved for %(association)s by a fair "
                        "allocation: remove it from %(order)s.",
                        device=line.reemploi_equipment_id.sudo().display_name,
                        association=holder.allocation_id.association_id.name,
                        order=line.order_id.name,
                    )
                )

    def _reemploi_allocation_allowed(self, holder, line=None):
        """Whether this order may take the device ``holder`` (an active
        allocation line, sudo) holds: the order made from the allocation, or
        an order of the association itself."""
        self.ensure_one()
        if line and holder.sale_line_id == line:
            return True
        return holder.partner_id == self.partner_id.commercial_partner_id
