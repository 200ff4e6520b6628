from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.reemploi_asset.services import lifecycle


class ReemploiCompensation(models.Model):
    """Waste compensation: for each device sold, one scrap device is
    collected and recycled."""

    _name = "reemploi.compensation"
    _description = "Waste compensation"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company",
        string="Operator",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    sale_order_id = fields.Many2one(
        "sale.order", string="Sale", index=True, readonly=True, check_company=True
    )
    sale_line_id = fields.Many2one("sale.order.line", readonly=True)
    equipment_id = fields.Many2one(
        "reemploi.equipment",
        string="Device sold",
        index=True,
        readonly=True,
        check_company=True,
    )
    recycled_equipment_id = fields.Many2one(
        "reemploi.equipment",
        string="Device recycled",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        help="Scrap device collected and recycled to compensate for the sale.",
    )
    category_id = fields.Many2one(
        "reemploi.equipment.category",
        related="equipment_id.category_id",
        store=True,
        string="Category",
    )
    state = fields.Selection(
        [
            ("pending", "To collect"),
            ("collected", "Collected"),
            ("recycled", "Recycled"),
        ],
        default="pending",
        required=True,
        tracking=True,
        index=True,
    )
    date = fields.Date(default=fields.Date.context_today, required=True)
    date_collected = fields.Date(readonly=True)
    date_recycled = fields.Date(readonly=True)
    weight_kg = fields.Float(
        related="equipment_id.category_id.weight_kg",
        store=True,
        string="Weight (kg)",
    )
    note = fields.Text()

    _sql_constraints = [
        (
            "sale_line_unique",
            "unique(sale_line_id)",
            "A sold device is compensated once.",
        ),
    ]

    def _compute_display_name(self):
        for record in self:
            record.display_name = self.env._(
                "Compensation of %(device)s",
                device=record.equipment_id.display_name or record.id,
            )

    @api.model
    def _create_for_sales(self, lines):
        """One compensation per device sold by ``lines`` whose operator
        compensates its sales."""
        lines = lines.filtered(
            lambda line: line.order_id.company_id.reemploi_waste_compensation
        )
        if not lines:
            return self
        # sudo: the order's confirmation records what the operator owes,
        # whoever confirms it (the payment of a website visitor)
        return self.sudo().create(
            [
                {
                    "company_id": line.order_id.company_id.id,
                    "sale_order_id": line.order_id.id,
                    "sale_line_id": line.id,
                    "equipment_id": line.reemploi_equipment_id.id,
                }
                for line in lines
            ]
        )

    def action_collect(self):
        for record in self:
            if record.state != "pending":
                raise UserError(
                    self.env._(
                        "%(record)s is already collected.", record=record.display_name
                    )
                )
        self.write({"state": "collected", "date_collected": fields.Date.today()})
        return True

    def action_recycle(self):
        for record in self:
            if record.state == "recycled":
                raise UserError(
                    self.env._(
                        "%(record)s is already recycled.", record=record.display_name
                    )
                )
            device = record.recycled_equipment_id
            if device and device.state != lifecycle.RECYCLED:
                raise UserError(
                    self.env._(
                        "%(record)s: %(device)s is not recycled yet; recycle it "
                        "in the register first.",
                        record=record.display_name,
                        device=device.display_name,
                    )
                )
        today = fields.Date.today()
        for record in self:
            record.write(
                {
                    "state": "recycled",
                    "date_recycled": today,
                    "date_collected": record.date_collected or today,
                }
            )
        return True
