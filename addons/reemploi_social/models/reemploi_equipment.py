from odoo import fields, models

from odoo.addons.reemploi_asset.models.reemploi_equipment_pool_mixin import PoolHold

# States of an allocation line that hold the device (see the partial unique
# index of reemploi.allocation.line).
ACTIVE_LINE_STATES = ("reserved", "ordered")


class ReemploiEquipment(models.Model):
    """The devices that a fair allocation holds for an association leave the
    pool."""

    _inherit = "reemploi.equipment"

    allocation_line_ids = fields.One2many(
        "reemploi.allocation.line", "equipment_id", string="Allocations"
    )

    def _pool_holds(self):
        # a device reserved or ordered for an association by a fair allocation
        return [
            *super()._pool_holds(),
            PoolHold(
                "allocation_line_ids",
                (("state", "in", ACTIVE_LINE_STATES),),
                "partner_id",
            ),
        ]
