from odoo import api, fields, models

from .actions import related_counts


class ReemploiEquipmentCategory(models.Model):
    _name = "reemploi.equipment.category"
    _description = "Equipment category"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable technical code used by imports and the partner API.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    co2e_kg = fields.Float(
        string="Embodied CO2e (kg)",
        digits=(16, 1),
        help="Greenhouse gas emissions of manufacturing one new device of this "
        "category, avoided when a reused device replaces a new one.",
    )
    weight_kg = fields.Float(string="Average weight (kg)", digits=(16, 2))
    factor_source = fields.Selection(
        [
            ("ademe", "ADEME Base Empreinte"),
            ("boavizta", "Boavizta"),
            ("other", "Other"),
        ],
        string="Factor source",
        default="ademe",
        required=True,
    )
    factor_reference = fields.Char(
        help="Reference of the factor in its source (dataset, version, year)."
    )
    life_extension_years = fields.Float(
        string="Reuse life extension (years)",
        default=3.0,
        help="Additional years of use a reused device typically gets.",
    )
    renewal_years = fields.Float(
        string="Renewal policy (years)",
        default=5.0,
        help="Usual time between purchase and decommissioning, used to "
        "forecast when devices will reach the reuse sector.",
    )
    has_data_medium = fields.Boolean(
        string="Holds data",
        default=True,
        help="Devices of this category carry a storage medium that must be "
        "erased before they leave the operator.",
    )
    has_battery = fields.Boolean(string="Has a battery")
    product_id = fields.Many2one(
        "product.product",
        string="Stock product",
        help="Serial-tracked product used when a device enters an operator's stock.",
    )
    equipment_count = fields.Integer(compute="_compute_equipment_count")

    _sql_constraints = [
        ("code_unique", "unique(code)", "The code of a category must be unique."),
        (
            "co2e_positive",
            "CHECK(co2e_kg >= 0 AND weight_kg >= 0)",
            "Emission factor and weight cannot be negative.",
        ),
    ]

    def _compute_equipment_count(self):
        counts = related_counts(self, "reemploi.equipment", "category_id")
        for category in self:
            category.equipment_count = counts.get(category, 0)

    @api.model
    def _find_by_code(self, code):
        return self.search([("code", "=", code)], limit=1)
