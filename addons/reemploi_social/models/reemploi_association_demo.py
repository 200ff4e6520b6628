from datetime import datetime, time, timedelta

from odoo import Command, api, fields, models

from odoo.addons.reemploi_asset.services import lifecycle
from odoo.addons.reemploi_asset.services.demo_clock import demo_clock


class ReemploiAssociation(models.Model):
    """Demo data: the associations' orders at solidarity prices and the
    hand-overs of the devices, at their dates."""

    _inherit = "reemploi.association"

    @api.model
    def _demo_play_orders(self, orders):
        """Order devices of the shop at solidarity prices, then hand them
        over, as the associations' users did it.

        ``orders``: list of dicts with ``user`` (an association user),
        ``days_ago``, ``devices`` ({category code: count}), ``handed_over``
        (how many devices were handed over a week later), ``need`` and
        ``commune`` (ids). Orders fall in the current quarter, whose quotas
        the demo defines."""
        today = fields.Date.context_today(self)
        quarter_start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        steps = []
        for number, spec in enumerate(orders):
            day = max(today - timedelta(days=spec["days_ago"]), quarter_start)
            ordered = datetime.combine(day, time(10, 0)) + timedelta(minutes=number)
            steps.append((ordered, number, "order"))
            handed = ordered + timedelta(days=7, hours=4)
            if spec.get("handed_over") and handed.date() < today:
                steps.append((handed, number, "handover"))
        if not steps:
            return True
        steps.sort()
        placed = {}
        with demo_clock(self.env.cr, steps[0][0]) as clock:
            for when, number, kind in steps:
                clock.move_to(when)
                spec = orders[number]
                if kind == "order":
                    placed[number] = self._demo_order(spec, when)
                elif placed.get(number):
                    self._demo_handover(spec, placed[number])
            self.env.flush_all()
        return True

    @api.model
    def _demo_order(self, spec, when):
        """Confirm the order of ``spec`` with devices on sale at ``when``."""
        user = self.env["res.users"].browse(spec["user"])
        company = user.company_id
        Equipment = self.env["reemploi.equipment"]
        devices = Equipment
        for code, count in spec["devices"].items():
            devices |= Equipment.search(
                [
                    *Equipment._available_domain(user.partner_id.commercial_partner_id),
                    ("company_id", "=", company.id),
                    ("state", "=", lifecycle.FOR_SALE),
                    ("shop_product_id", "!=", False),
                    ("category_id.code", "=", code),
                    ("state_date", "<=", when),
                ],
                order="state_date, id",
                limit=count,
            )
        if not devices:
            return self.env["sale.order"]
        website = self.env["website"].search([("company_id", "=", company.id)], limit=1)
        pricelist = self.env.ref("reemploi_social.pricelist_solidarity")
        env = self.env(user=user.id, su=True)
        order = (
            env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": user.partner_id.id,
                    "company_id": company.id,
                    "website_id": website.id,
                    "pricelist_id": pricelist.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": device.shop_product_id.id,
                                "reemploi_equipment_id": device.id,
                                "product_uom_qty": 1,
                            }
                        )
                        for device in devices
                    ],
                }
            )
        )
        self.invalidate_model(["accreditation_status"])
        order.action_confirm()
        return order

    @api.model
    def _demo_handover(self, spec, order):
        """The association's user confirms the first devices of ``order``
        were handed over."""
        user = self.env["res.users"].browse(spec["user"])
        Handover = self.env["reemploi.handover"].with_user(user)
        need = self.env["reemploi.need.category"].browse(spec["need"])
        commune = self.env["reemploi.commune"].browse(spec["commune"])
        lines = order.order_line.filtered("reemploi_equipment_id").sorted("id")
        for line in lines[: spec["handed_over"]]:
            Handover._confirm_handover(line, need, commune, True)
