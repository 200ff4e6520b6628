from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class ReemploiLotLine(models.Model):
    """What a lot holds: one device of the donor's register, or a quantity of
    devices of a category that the register does not list."""

    _name = "reemploi.lot.line"
    _description = "Lot line"
    _order = "lot_id, sequence, id"

    lot_id = fields.Many2one(
        "reemploi.lot", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    equipment_id = fields.Many2one(
        "reemploi.equipment",
        string="Device",
        index="btree_not_null",
        ondelete="restrict",
    )
    category_id = fields.Many2one(
        "reemploi.equipment.category",
        compute="_compute_category_id",
        precompute=True,
        store=True,
        readonly=False,
        required=True,
    )
    quantity = fields.Integer(default=1, required=True)
    weight_kg = fields.Float(
        string="Weight (kg)", compute="_compute_footprint", store=True, digits=(16, 1)
    )
    co2e_kg = fields.Float(
        string="Potential CO2e (kg)",
        compute="_compute_footprint",
        store=True,
        digits=(16, 1),
    )
    state = fields.Selection(related="lot_id.state")

    _sql_constraints = [
        (
            "quantity_positive",
            "CHECK(quantity > 0)",
            "The quantity of a lot line must be positive.",
        ),
        (
            "equipment_once",
            "unique(lot_id, equipment_id)",
            "A device appears only once in a lot.",
        ),
    ]

    @api.depends("equipment_id")
    def _compute_category_id(self):
        for line in self:
            if line.equipment_id:
                line.category_id = line.equipment_id.category_id

    @api.depends("quantity", "category_id.weight_kg", "category_id.co2e_kg")
    def _compute_footprint(self):
        for line in self:
            line.weight_kg = line.quantity * line.category_id.weight_kg
            line.co2e_kg = line.quantity * line.category_id.co2e_kg

    def _compute_display_name(self):
        for line in self:
            line.display_name = (
                line.equipment_id.display_name
                or f"{line.quantity} × {line.category_id.name or ''}"
            )

    @api.constrains("equipment_id", "quantity", "lot_id")
    def _check_equipment(self):
        # sudo: the device may be another organisation's; only its name is
        # shown in the refusal
        for line in self.sudo().filtered("equipment_id"):
            device = line.equipment_id
            if line.quantity != 1:
                raise ValidationError(
                    self.env._(
                        "%(device)s is one device: its quantity in lot %(lot)s is 1.",
                        device=device.display_name,
                        lot=line.lot_id.name,
                    )
                )
            if device.owner_id.commercial_partner_id != line.lot_id.partner_id:
                raise ValidationError(
                    self.env._(
                        "%(device)s does not belong to %(donor)s: only the "
                        "donor's own devices can be put in lot %(lot)s.",
                        device=device.display_name,
                        donor=line.lot_id.partner_id.display_name,
                        lot=line.lot_id.name,
                    )
                )

    def _check_lot_draft(self):
        for lot in self.lot_id:
            if lot.state != "draft":
                raise UserError(
                    self.env._(
                        "Lot %(lot)s is no longer a draft: its content cannot "
                        "change. Cancel it and declare a new lot instead.",
                        lot=lot.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._check_lot_draft()
        return lines

    def write(self, vals):
        self._check_lot_draft()
        result = super().write(vals)
        if "lot_id" in vals:
            self._check_lot_draft()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        self._check_lot_draft()
