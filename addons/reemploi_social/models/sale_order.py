from collections import defaultdict

from odoo import fields, models
from odoo.exceptions import UserError, ValidationError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    reemploi_solidarity = fields.Boolean(
        related="pricelist_id.reemploi_solidarity",
        string="Solidarity order",
        store=True,
    )
    reemploi_association_id = fields.Many2one(
        "reemploi.association",
        string="Association",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The association that ordered at solidarity conditions.",
    )

    # ------------------------------------------------------------------
    # Cart: what is left of the quotas
    # ------------------------------------------------------------------
    def _cart_update(self, product_id, line_id=None, add_qty=0, set_qty=0, **kwargs):
        product = self.env["product.product"].browse(product_id)
        if (
            self.pricelist_id.reemploi_solidarity
            and product.reemploi_category_id
            and not line_id
            and (add_qty or 0) > 0
        ):
            self._reemploi_check_cart_quota(product.reemploi_category_id)
        return super()._cart_update(
            product_id, line_id=line_id, add_qty=add_qty, set_qty=set_qty, **kwargs
        )

    def _reemploi_check_cart_quota(self, category):
        """Refuse a device more of ``category`` in the cart when the quota of
        the period is used up."""
        self.ensure_one()
        association = self.env["reemploi.association"]._for_partner(self.partner_id)
        refusal = association._solidarity_refusal()
        if refusal:
            raise UserError(refusal)
        quota = association._quota_for(category, fields.Date.context_today(self))
        if not quota:
            raise UserError(self._reemploi_no_quota_message(association, category))
        in_cart = len(
            self.order_line._reemploi_quota_lines().filtered(
                lambda line: line.product_id.reemploi_category_id == category
            )
        )
        if in_cart + 1 > quota.remaining_qty:
            raise UserError(quota._refusal(in_cart + 1))

    def _reemploi_no_quota_message(self, association, category):
        return self.env._(
            "%(association)s has no quota of %(category)s for this period: ask "
            "the territory coordinator for one before ordering at solidarity "
            "prices.",
            association=association.name,
            category=category.name,
        )

    # ------------------------------------------------------------------
    # Confirmation: accreditation and quotas, atomically
    # ------------------------------------------------------------------
    def action_confirm(self):
        """The vouchers of the lines are used, then the quotas of the
        associations' orders are taken (a voucher's device is outside the
        quota), in the confirmation's transaction: any refusal confirms
        nothing."""
        # sudo: the vouchers of the lines are used by the orders that hold
        # them, whoever confirms (a salesperson, the payment of a visitor)
        lines = self.sudo().order_line.filtered("reemploi_voucher_id")
        self.env["reemploi.voucher"].sudo()._consume_for_lines(lines)
        for order in self.filtered("pricelist_id.reemploi_solidarity"):
            order._reemploi_consume_quotas()
        return super().action_confirm()

    def _reemploi_consume_quotas(self):
        self.ensure_one()
        association = self.env["reemploi.association"]._for_partner(self.partner_id)
        refusal = association._solidarity_refusal()
        if refusal:
            raise UserError(refusal)
        day = fields.Date.context_today(self)
        by_category = defaultdict(lambda: self.env["sale.order.line"])
        # the devices a referral voucher brings are outside the quota
        for line in self.order_line._reemploi_quota_lines():
            by_category[line.product_id.reemploi_category_id] |= line
        for category, lines in by_category.items():
            quota = association._quota_for(category, day)
            if not quota:
                raise UserError(self._reemploi_no_quota_message(association, category))
            quota._consume(int(sum(lines.mapped("product_uom_qty"))))
            lines.reemploi_quota_id = quota
        self.reemploi_association_id = association

    def _action_cancel(self):
        confirmed = self.filtered(lambda order: order.state == "sale")
        lines = confirmed.order_line.filtered("reemploi_quota_id")
        result = super()._action_cancel()
        for quota in lines.reemploi_quota_id:
            taken = lines.filtered(lambda line, q=quota: line.reemploi_quota_id == q)
            quota._release(int(sum(taken.mapped("product_uom_qty"))))
        lines.reemploi_quota_id = False
        # sudo: a cancelled order gives its vouchers back
        self.env["reemploi.voucher"].sudo()._release_for_orders(self)
        return result

    # ------------------------------------------------------------------
    # Website checkout of associations: ordered on invoice, no payment
    # ------------------------------------------------------------------
    def _reemploi_solidarity_checkout(self):
        """Confirm a solidarity cart of an association: the association pays
        the operator's invoice, there is no online payment."""
        self.ensure_one()
        if not self.pricelist_id.reemploi_solidarity:
            raise UserError(
                self.env._(
                    "%(order)s is not at solidarity prices: pay it online.",
                    order=self.name,
                )
            )
        if not self.order_line.filtered("reemploi_equipment_id"):
            raise UserError(self.env._("Your cart holds no device."))
        # on invoice, not "immediate payment": the association pays the
        # operator's invoice within 30 days
        term = self.env.ref(
            "account.account_payment_term_30days", raise_if_not_found=False
        )
        if term:
            self.payment_term_id = term
        self.action_confirm()
        return True

    # ------------------------------------------------------------------
    # Referral vouchers in the cart
    # ------------------------------------------------------------------
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
