from odoo import fields, models

from odoo.addons.reemploi_asset.services import lifecycle

# Devices an allocation can hand out: graded, refurbished or on the shop.
POOL_STATES = (lifecycle.GRADED, lifecycle.REFURBISHED, lifecycle.FOR_SALE)
# States of an allocation line that hold the device (see the partial unique
# index of reemploi.allocation.line).
ACTIVE_LINE_STATES = ("reserved", "ordered")


class ReemploiEquipment(models.Model):
    _inherit = "reemploi.equipment"

    allocation_line_ids = fields.One2many(
        "reemploi.allocation.line", "equipment_id", string="Allocations"
    )

    def _allocation_free_domain(self):
        """Devices that no association holds through a fair allocation."""
        return [
            (
                "allocation_line_ids",
                "not any",
                [("state", "in", ACTIVE_LINE_STATES)],
            )
        ]

    def _allocation_holder(self):
        """{device: the allocation line holding it} (sudo)."""
        # sudo: whoever sells or allocates a device must know whether an
        # association holds it; only the holder is returned
        lines = (
            self.env["reemploi.allocation.line"]
            .sudo()
            .search(
                [
                    ("equipment_id", "in", self.ids),
                    ("state", "in", ACTIVE_LINE_STATES),
                ]
            )
        )
        return {line.equipment_id: line for line in lines}

    def _allocation_reservable(self):
        """Whether this device can still be reserved by an allocation."""
        self.ensure_one()
        device = self.sudo()
        return device.state in POOL_STATES and not self._allocation_holder()
