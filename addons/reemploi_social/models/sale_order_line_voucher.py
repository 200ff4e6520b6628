from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    reemploi_voucher_id = fields.Many2one(
        "reemploi.voucher",
        string="Referral voucher",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
        groups="reemploi_asset.group_reemploi_coordinator",
        help="The voucher that gives this device its solidarity price; used "
        "when the order is confirmed.",
    )

    _sql_constraints = [
        (
            "reemploi_voucher_used_once",
            "EXCLUDE (reemploi_voucher_id WITH =) "
            "WHERE (reemploi_voucher_id IS NOT NULL AND state = 'sale')",
            "This voucher is already used by another confirmed order.",
        ),
    ]

    def _get_pricelist_price(self):
        price = super()._get_pricelist_price()
        # sudo: the voucher is read to price the line, whoever the buyer is
        voucher = self.sudo().reemploi_voucher_id
        if voucher:
            ceiling = voucher._solidarity_ceiling(self.order_id)
            if ceiling is not None:
                price = min(price, ceiling)
        return price

    def _reemploi_attach_voucher(self, voucher):
        self.ensure_one()
        self.sudo().reemploi_voucher_id = voucher
        self._reemploi_recompute_price()

    def _reemploi_detach_voucher(self):
        if self:
            self.sudo().reemploi_voucher_id = False
            self._reemploi_recompute_price()

    def _reemploi_recompute_price(self):
        # as sale.order._recompute_prices, for these lines only
        lines = self.sudo()
        lines.invalidate_recordset(["pricelist_item_id"])
        lines.with_context(force_price_recomputation=True)._compute_price_unit()
        lines.discount = 0.0
        lines._compute_discount()
