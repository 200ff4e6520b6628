from odoo import fields, models

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

    def _available_domain(self, partner=None):
        """Without the devices an allocation holds (except, for ``partner``,
        those held for its own association)."""
        held = [("state", "in", ACTIVE_LINE_STATES)]
        if partner:
            held.append(("partner_id", "!=", partner.commercial_partner_id.id))
        return [
            *super()._available_domain(partner),
            ("allocation_line_ids", "not any", held),
        ]

    def _pool_holder_labels(self, public=False):
        labels = super()._pool_holder_labels(public=public)
        # sudo: whoever sells or promises a device must know whether an
        # association holds it; only the words of a message come out
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
        for line in lines:
            if public:
                label = self.env._("an association by a fair allocation")
            else:
                label = self.env._(
                    "%(association)s by a fair allocation",
                    association=line.allocation_id.association_id.name,
                )
            labels.setdefault(line.equipment_id, label)
        return labels
