from odoo import models
from odoo.exceptions import UserError

from .reemploi_equipment_allocation import ACTIVE_LINE_STATES


class SaleOrder(models.Model):
    """Devices reserved by a fair allocation are sold to their association
    only: no other cart gets them, no other order confirms them."""

    _inherit = "sale.order"

    def _reemploi_cart_device(self, product, device_id=0):
        if device_id:
            device = self.env["reemploi.equipment"].browse(device_id)
            holder = device._allocation_holder().get(device)
            if holder and not self._reemploi_allocation_allowed(holder):
                raise UserError(
                    self.env._(
                        "%(device)s is reserved for an association by a fair "
                        "allocation: choose another device.",
                        # sudo: only the device's name, for the message
                        device=device.sudo().display_name,
                    )
                )
        return super()._reemploi_cart_device(product, device_id)

    def _reemploi_cart_device_domain(self, product):
        # the devices nobody holds, and those held for this order's partner
        active = [("state", "in", ACTIVE_LINE_STATES)]
        mine = [*active, ("partner_id", "=", self.partner_id.commercial_partner_id.id)]
        return [
            *super()._reemploi_cart_device_domain(product),
            "|",
            ("allocation_line_ids", "not any", active),
            ("allocation_line_ids", "any", mine),
        ]

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
