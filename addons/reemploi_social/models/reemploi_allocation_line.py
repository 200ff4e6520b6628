from odoo import fields, models
from odoo.tools import SQL

from .reemploi_equipment import ACTIVE_LINE_STATES


class ReemploiAllocationLine(models.Model):
    """One device of an allocation: proposed by the run, reserved when the
    association confirms, ordered once in its solidarity sale order."""

    _name = "reemploi.allocation.line"
    _description = "Allocated device"
    _order = "allocation_id, id"
    _rec_name = "equipment_id"

    allocation_id = fields.Many2one(
        "reemploi.allocation", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one(
        related="allocation_id.partner_id", store=True, index=True
    )
    equipment_id = fields.Many2one(
        "reemploi.equipment",
        string="Device",
        required=True,
        ondelete="restrict",
        index=True,
    )
    company_id = fields.Many2one(
        related="equipment_id.company_id", string="Operator", store=True, index=True
    )
    serial = fields.Char(related="equipment_id.serial")
    grade_id = fields.Many2one(related="equipment_id.grade_id")
    state = fields.Selection(
        [
            ("proposed", "Proposed"),
            ("reserved", "Reserved"),
            ("ordered", "Ordered"),
            ("cancelled", "Cancelled"),
        ],
        default="proposed",
        required=True,
        readonly=True,
        copy=False,
        index=True,
    )
    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Order line",
        readonly=True,
        copy=False,
        ondelete="set null",
        index="btree_not_null",
    )

    def _pool_hold_label(self, public=False):
        """What holds the device of this reserved line, in words
        (reemploi.equipment._pool_holder_labels)."""
        if public:
            return self.env._("an association by a fair allocation")
        return self.env._(
            "%(association)s by a fair allocation",
            association=self.allocation_id.association_id.name,
        )

    def init(self):
        # At most one allocation holds a device: a partial unique index, which
        # _sql_constraints cannot express. Two associations confirming at the
        # same time cannot both reserve it, whatever the isolation level.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (equipment_id) "
                "WHERE state IN %s",
                SQL.identifier("reemploi_allocation_line_active_device_uniq"),
                SQL.identifier(self._table),
                ACTIVE_LINE_STATES,
            )
        )
