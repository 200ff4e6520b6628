from odoo import fields, models

from odoo.addons.website.models import ir_http


class ResPartner(models.Model):
    _inherit = "res.partner"

    reemploi_association_ids = fields.One2many(
        "reemploi.association", "partner_id", string="Association"
    )

    def _compute_last_website_so_id(self):
        # website_sale finds the cart of a returning user only when it is at
        # the partner's own pricelist; an association's cart is at the
        # solidarity pricelist the website gives it
        super()._compute_last_website_so_id()
        website = ir_http.get_request_website()
        if not website:
            return
        missing = self.filtered(
            lambda partner: not partner.last_website_so_id and not partner.is_public
        )
        if not missing:
            return
        solidarity = website._reemploi_solidarity_pricelist()
        if not solidarity:
            return
        Association = self.env["reemploi.association"]
        for partner in missing:
            association = Association._for_partner(partner)
            if not association or association._solidarity_refusal():
                continue
            partner.last_website_so_id = self.env["sale.order"].search(
                [
                    ("partner_id", "=", partner.id),
                    ("pricelist_id", "=", solidarity.id),
                    ("website_id", "=", website.id),
                    ("state", "=", "draft"),
                ],
                order="write_date desc",
                limit=1,
            )
