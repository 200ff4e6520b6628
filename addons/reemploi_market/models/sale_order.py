from odoo import models
from odoo.exceptions import UserError

from odoo.addons.reemploi_asset.services import lifecycle


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------------
    # Cart: one line per device, quantity 1
    # ------------------------------------------------------------------
    def _cart_find_product_line(self, product_id, line_id=None, **kwargs):
        product = self.env["product.product"].browse(product_id)
        if line_id or not product.reemploi_grade_id:
            return super()._cart_find_product_line(product_id, line_id, **kwargs)
        device_id = int(kwargs.get("reemploi_equipment_id") or 0)
        if not device_id:
            # each "add to cart" without a chosen device takes another one
            return self.env["sale.order.line"]
        return self.order_line.filtered(
            lambda line: line.reemploi_equipment_id.id == device_id
        )

    def _verify_updated_quantity(self, order_line, product_id, new_qty, **kwargs):
        product = self.env["product.product"].browse(product_id)
        warning = ""
        if product.reemploi_grade_id and new_qty > 1:
            new_qty = 1
            warning = self.env._(
                "Each refurbished device is unique: add another device of the "
                "list to buy more than one."
            )
        quantity, other_warning = super()._verify_updated_quantity(
            order_line, product_id, new_qty, **kwargs
        )
        return quantity, other_warning or warning

    def _get_cart_and_free_qty(self, product, line=None):
        # a cart of the territory's website is made in the operator's
        # company: the free quantity is that of the operator's stock
        return super(
            SaleOrder, self.with_company(self.company_id)
        )._get_cart_and_free_qty(product, line=line)

    def _prepare_order_line_values(self, product_id, quantity, **kwargs):
        values = super()._prepare_order_line_values(product_id, quantity, **kwargs)
        product = self.env["product.product"].browse(values["product_id"])
        if product.reemploi_grade_id:
            device = self._reemploi_cart_device(
                product, int(kwargs.get("reemploi_equipment_id") or 0)
            )
            values["reemploi_equipment_id"] = device.id
            values["product_uom_qty"] = 1
        return values

    def _reemploi_cart_device(self, product, device_id=0):
        """The device of ``product`` the cart gets: the one chosen, or the
        first one of the pool that is not in the cart yet."""
        self.ensure_one()
        Equipment = self.env["reemploi.equipment"]
        domain = [
            *Equipment._available_domain(self.partner_id.commercial_partner_id),
            *self._reemploi_cart_device_domain(product),
        ]
        if device_id:
            domain.append(("id", "=", device_id))
        # sudo: the buyer may not read the register, nor the promises that
        # hold devices; only the device's id is written on the line
        device = Equipment.sudo().search(
            domain, limit=1, order="battery_health desc, id"
        )
        if not device and device_id:
            # on the shop, but out of the pool: say who holds it
            chosen = Equipment.sudo().search(
                [*self._reemploi_cart_device_domain(product), ("id", "=", device_id)]
            )
            holder = chosen._pool_holder_labels(public=True).get(chosen)
            if holder:
                raise UserError(
                    self.env._(
                        "%(device)s is reserved for %(holder)s: choose another device.",
                        device=chosen.display_name,
                        holder=holder,
                    )
                )
        if not device:
            raise UserError(
                self.env._(
                    "No device of %(product)s is available any more: choose "
                    "another one.",
                    product=product.display_name,
                )
            )
        return device

    def _reemploi_cart_device_domain(self, product):
        """The published devices of ``product`` this cart may get, besides
        the pool's rules."""
        self.ensure_one()
        return [
            ("shop_product_id", "=", product.id),
            ("state", "=", lifecycle.FOR_SALE),
            ("company_id", "=", self.company_id.id),
            ("id", "not in", self.order_line.reemploi_equipment_id.ids),
        ]

    # ------------------------------------------------------------------
    # Confirmation: the devices are sold
    # ------------------------------------------------------------------
    def action_confirm(self):
        lines = self.order_line.filtered("reemploi_equipment_id")
        # sudo: the devices are checked and sold by the orders that sell
        # them, whoever confirms the order (a salesperson, the payment of a
        # website visitor); the lifecycle keeps its own preconditions
        devices = lines.reemploi_equipment_id.sudo()
        self._reemploi_check_devices(lines)
        result = super().action_confirm()
        if devices:
            devices.action_sell()
            self.env["reemploi.compensation"]._create_for_sales(lines)
        return result

    def _reemploi_check_devices(self, lines):
        """Refuse to confirm an order whose devices are gone; take them from
        the pool of available devices otherwise."""
        if not lines:
            return
        # sudo: confirmed lines of every order are read to know whether a
        # device is sold already; nothing of them is shown but that
        others = (
            self.env["sale.order.line"]
            .sudo()
            .search(
                [
                    ("reemploi_equipment_id", "in", lines.reemploi_equipment_id.ids),
                    ("state", "=", "sale"),
                    ("id", "not in", lines.ids),
                ]
            )
        )
        sold = {line.reemploi_equipment_id: line.order_id for line in others}
        for line in lines.sudo():
            device = line.reemploi_equipment_id
            if device in sold:
                raise UserError(
                    self.env._(
                        "%(device)s is already sold by order %(other)s: remove it "
                        "from %(order)s.",
                        device=device.display_name,
                        other=sold[device].name,
                        order=line.order_id.name,
                    )
                )
            if device.state != lifecycle.FOR_SALE:
                raise UserError(
                    self.env._(
                        "%(device)s is no longer for sale: remove it from %(order)s.",
                        device=device.display_name,
                        order=line.order_id.name,
                    )
                )
            if device.company_id != line.order_id.company_id:
                raise UserError(
                    self.env._(
                        "%(device)s is held by %(operator)s: it cannot be sold by "
                        "an order of %(company)s.",
                        device=device.display_name,
                        operator=device.company_id.name,
                        company=line.order_id.company_id.name,
                    )
                )
        # the sale is the shop's promise: the devices are taken from the pool
        # in this transaction, or the order is refused (see _pool_take)
        for order in lines.order_id:
            devices = lines.filtered(
                lambda line, o=order: line.order_id == o
            ).reemploi_equipment_id.sudo()
            gone = devices - devices._pool_take(order.partner_id.commercial_partner_id)
            if not gone:
                continue
            device = gone[0]
            holder = gone._pool_holder_labels().get(device)
            if holder:
                raise UserError(
                    self.env._(
                        "%(device)s is reserved for %(holder)s: remove it from "
                        "%(order)s.",
                        device=device.display_name,
                        holder=holder,
                        order=order.name,
                    )
                )
            raise UserError(
                self.env._(
                    "%(device)s is no longer available: remove it from %(order)s.",
                    device=device.display_name,
                    order=order.name,
                )
            )
