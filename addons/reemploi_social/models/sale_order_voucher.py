from odoo import models
from odoo.exceptions import ValidationError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        # sudo: the vouchers of the lines are used by the orders that hold
        # them, whoever confirms (a salesperson, the payment of a visitor)
        lines = self.sudo().order_line.filtered("reemploi_voucher_id")
        self.env["reemploi.voucher"].sudo()._consume_for_lines(lines)
        return super().action_confirm()

    def _action_cancel(self):
        result = super()._action_cancel()
        # sudo: a cancelled order gives its vouchers back
        self.env["reemploi.voucher"].sudo()._release_for_orders(self)
        return result

    def _reemploi_cart_vouchers(self):
        """The vouchers of the cart, for the cart page (sudo)."""
        self.ensure_one()
        # sudo: buyers do not read vouchers; the cart shows its own ones
        return self.sudo().order_line.reemploi_voucher_id

    def _check_cart_is_ready_to_be_paid(self):
        """A voucher used or expired since it was put in the cart is refused
        before the payment, not after."""
        for voucher in self._reemploi_cart_vouchers():
            status = voucher._state_refusal()
            if status:
                raise ValidationError(
                    self.env._(
                        "%(reason)s Remove it from the cart to buy at the "
                        "ordinary price.",
                        reason=voucher._refusal_message(status, voucher.code),
                    )
                )
        return super()._check_cart_is_ready_to_be_paid()
