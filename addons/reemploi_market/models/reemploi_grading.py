from odoo import api, fields, models
from odoo.tools import format_amount


class ReemploiGrading(models.Model):
    """A grading session that ends on the shop: the price the device will
    sell at with the session's grade, and one button from validation to
    sale."""

    _inherit = "reemploi.grading"

    shop_currency_id = fields.Many2one(
        "res.currency", compute="_compute_shop_price", string="Shop currency"
    )
    shop_price = fields.Monetary(
        string="Shop price",
        compute="_compute_shop_price",
        currency_field="shop_currency_id",
        help="Price at which the device goes on the shop with the grade of "
        "this session: that of its shop product (model and grade), or for a "
        "new one the category's reference price times the grade's shop "
        "price percentage.",
    )

    @api.depends("grade_id.shop_price_percent", "equipment_id")
    def _compute_shop_price(self):
        keys = {
            session: session.equipment_id._shop_product_key(grade=session.grade_id)
            for session in self
            if session.grade_id and session.equipment_id.company_id
        }
        # one lookup for all the sessions, as the devices' own shop price
        products = self.env["product.template"]._reemploi_find_shop_products(
            set(keys.values())
        )
        for session in self:
            device = session.equipment_id
            session.shop_currency_id = device._shop_currency()
            session.shop_price = device._shop_price_of(
                products.get(keys.get(session)), session.grade_id
            )

    def action_done_grade_publish(self):
        """Validate the session, grade the device and put it on the shop, at
        the price the form shows: one tap at the bench. With the context key
        ``reemploi_nothing_to_report`` (the button shown while no defect is
        tapped), the technician also says the device has no cosmetic
        defect."""
        if self.env.context.get("reemploi_nothing_to_report"):
            self.filtered(
                lambda s: s.state == "draft"
                and not s.cosmetic_checked
                and not any(d.kind == "cosmetic" for d in s.defect_ids)
            ).write({"cosmetic_checked": True})
        self.action_done_and_grade()
        self.equipment_id.action_publish_shop()
        if len(self) != 1:
            return True
        device = self.equipment_id
        done = self.env._(
            "%(device)s: grade %(grade)s, on sale at %(price)s.",
            device=device.display_name,
            grade=device.grade_id.code,
            price=format_amount(self.env, device.shop_price, device.shop_currency_id),
        )
        if self.env.context.get("reemploi_bench"):
            # opened from the grading bench: back to it, for the next label
            return {
                "type": "ir.actions.client",
                "tag": "reemploi_bench_scan",
                "name": self.env._("Grading bench"),
                "params": {"done": done},
            }
        # from the form: say what was done, and show the session validated
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": done,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
