from odoo import api, fields, models

from .labels import selection_labels

# the same kinds of storage an erasure record names (reemploi.erasure.medium_type)
STORAGE_TYPES = [
    ("hdd", "Hard disk (HDD)"),
    ("ssd", "SATA SSD"),
    ("nvme", "NVMe SSD"),
    ("emmc", "eMMC / embedded flash"),
    ("flash", "Removable flash"),
    ("mobile", "Mobile device storage"),
    ("other", "Other"),
]


class ReemploiEquipmentComponent(models.Model):
    """One component of a device as an audit found it: a storage medium
    (whose serial matches the erasure tool's report), a memory module, a
    processor or a battery."""

    _name = "reemploi.equipment.component"
    _description = "Component of a device"
    _order = "equipment_id, kind, id"
    _check_company_auto = True

    equipment_id = fields.Many2one(
        "reemploi.equipment",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="equipment_id.company_id", store=True, index=True
    )
    kind = fields.Selection(
        [
            ("storage", "Storage medium"),
            ("memory", "Memory"),
            ("cpu", "Processor"),
            ("battery", "Battery"),
        ],
        required=True,
    )
    manufacturer = fields.Char()
    model = fields.Char()
    serial = fields.Char(index=True)
    # storage
    storage_type = fields.Selection(STORAGE_TYPES, string="Storage type")
    capacity_gb = fields.Float(string="Capacity (GB)")
    smart_passed = fields.Selection(
        [("passed", "Passed"), ("failed", "Failed")],
        string="SMART health",
        help="Overall SMART self-assessment of the medium, as the audit read it.",
    )
    power_on_hours = fields.Integer()
    # battery
    design_capacity_mwh = fields.Integer(string="Design capacity (mWh)")
    current_capacity_mwh = fields.Integer(string="Current full capacity (mWh)")
    battery_health = fields.Float(
        string="Battery health (%)",
        compute="_compute_battery_health",
        store=True,
        help="Current full capacity as a share of the design capacity.",
    )
    # memory / cpu
    size_mb = fields.Integer(string="Size (MB)")
    speed_mhz = fields.Integer(string="Speed (MHz)")
    cores = fields.Integer()

    @api.depends("design_capacity_mwh", "current_capacity_mwh")
    def _compute_battery_health(self):
        for component in self:
            design = component.design_capacity_mwh
            component.battery_health = (
                round(100.0 * component.current_capacity_mwh / design, 1)
                if design and component.current_capacity_mwh
                else 0.0
            )

    @api.depends("kind", "manufacturer", "model", "serial")
    def _compute_display_name(self):
        kinds = selection_labels(self, "kind")
        for component in self:
            label = " ".join(
                filter(None, [component.manufacturer, component.model])
            ) or kinds.get(component.kind, "")
            if component.serial:
                label = f"{label} ({component.serial})"
            component.display_name = label


class ReemploiEquipment(models.Model):
    _inherit = "reemploi.equipment"

    component_ids = fields.One2many(
        "reemploi.equipment.component", "equipment_id", string="Components"
    )
