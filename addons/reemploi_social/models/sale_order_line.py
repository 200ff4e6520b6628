from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    reemploi_quota_id = fields.Many2one(
        "reemploi.quota",
        string="Quota",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
        help="The solidarity quota this line counts against.",
    )

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

    def _reemploi_quota_lines(self):
        """These lines that count in an association's quota: its devices,
        except those a referral voucher brings. The voucher is the right a
        social worker gave to one person; an association that equips that
        person with it keeps its own share of the territory's devices."""
        # sudo: the voucher field is the coordinator's; only its presence is
        # read
        return self.filtered(
            lambda line: (
                line.product_id.reemploi_category_id
                and not line.sudo().reemploi_voucher_id
            )
        )

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

    def _reemploi_voucher_prices(self):
        """The public price of the line's device and the price paid, both as
        the cart displays its prices (taxes included or not, as the website
        shows them): what the cart prints next to the voucher, so that the
        buyer sees what the voucher (or the association's solidarity price)
        takes off."""
        self.ensure_one()
        product = self.product_id
        order = self.order_id
        public = product.currency_id._convert(
            product.lst_price,
            self.currency_id,
            order.company_id,
            order.date_order or fields.Date.context_today(self),
        )
        paid = self.price_unit * (1.0 - (self.discount or 0.0) / 100.0)
        show_tax = order.website_id.show_line_subtotals_tax_selection
        shown = "total_excluded" if show_tax == "tax_excluded" else "total_included"
        taxes = self.tax_id
        return (
            taxes.compute_all(public, self.currency_id, 1, product, self.order_partner_id)[shown],
            taxes.compute_all(paid, self.currency_id, 1, product, self.order_partner_id)[shown],
        )
