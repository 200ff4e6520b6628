from collections import Counter

from odoo import fields, models


class Website(models.Model):
    _inherit = "website"

    def _reemploi_solidarity_pricelist(self):
        """The solidarity pricelist usable on this website (sudo)."""
        # sudo: pricelists are read by every shop visitor
        return (
            self.env["product.pricelist"]
            .sudo()
            .search(
                [
                    ("reemploi_solidarity", "=", True),
                    ("company_id", "in", (False, self.company_id.id)),
                    ("website_id", "in", (False, self.id)),
                ],
                limit=1,
            )
        )

    def _reemploi_user_association(self):
        """The association of the logged-in user's organisation, if any."""
        user = self.env.user
        if user._is_public():
            return self.env["reemploi.association"]
        return self.env["reemploi.association"]._for_partner(user.partner_id)

    def _reemploi_solidarity_allowed(self):
        association = self._reemploi_user_association()
        return bool(association) and not association._solidarity_refusal()

    def get_pricelist_available(self, show_visible=False):
        pricelists = super().get_pricelist_available(show_visible=show_visible)
        solidarity = pricelists.filtered("reemploi_solidarity")
        if self._reemploi_solidarity_allowed():
            return pricelists | self._reemploi_solidarity_pricelist()
        return pricelists - solidarity

    def _get_current_pricelist(self):
        if self._reemploi_solidarity_allowed():
            solidarity = self._reemploi_solidarity_pricelist()
            if solidarity:
                return solidarity
        pricelist = super()._get_current_pricelist()
        if pricelist.reemploi_solidarity:
            # an association whose accreditation lapsed, or a cart kept from
            # before: back to the website's ordinary prices
            others = self.get_pricelist_available()
            pricelist = others[:1] or self.env["product.pricelist"]
        return pricelist

    def _reemploi_solidarity_summary(self, order=None):
        """What an association's user sees above the shop and the cart: its
        remaining quotas, the price ceilings, or why solidarity prices do not
        apply. None for everyone else."""
        association = self._reemploi_user_association()
        if not association:
            return None
        refusal = association._solidarity_refusal()
        today = fields.Date.context_today(self)
        # sudo: an association's users read their own quotas (the record
        # rules allow it) and the ceilings of the public solidarity pricelist
        quotas = association.quota_ids.filtered(
            lambda quota: quota.date_from <= today <= quota.date_to
        )
        lines = (order.order_line if order else self.env["sale.order.line"]).filtered(
            "product_id.reemploi_category_id"
        )
        quota_lines = lines._reemploi_quota_lines()
        in_cart = Counter(line.product_id.reemploi_category_id.id for line in quota_lines)
        # the devices a referral voucher brings do not count in the quota
        by_voucher = Counter(
            line.product_id.reemploi_category_id.id for line in lines - quota_lines
        )
        pricelist = self._reemploi_solidarity_pricelist()
        ceilings = [
            (item.reemploi_category_id.name, item.reemploi_price_ceiling)
            for item in pricelist.item_ids.sorted(
                lambda item: (item.reemploi_category_id.sequence, item.id)
            )
            if item.reemploi_category_id and item.reemploi_price_ceiling
        ]
        return {
            "association": association,
            "refusal": refusal,
            "currency": pricelist.currency_id or self.currency_id,
            "quotas": [
                {
                    "category": quota.category_id.name,
                    "limit": quota.limit_qty,
                    "remaining": quota.remaining_qty,
                    "in_cart": in_cart.get(quota.category_id.id, 0),
                    "by_voucher": by_voucher.get(quota.category_id.id, 0),
                    "date_to": quota.date_to,
                }
                for quota in quotas.sorted(lambda q: (q.category_id.sequence, q.id))
            ],
            "ceilings": ceilings,
        }
