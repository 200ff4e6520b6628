from odoo import fields, models


class ReemploiEquipment(models.Model):
    """The devices that operators promised to demands leave the pool."""

    _inherit = "reemploi.equipment"

    demand_match_ids = fields.Many2many(
        "reemploi.demand.match",
        "reemploi_demand_match_equipment_rel",
        "equipment_id",
        "match_id",
        string="Demand allocations",
        readonly=True,
        copy=False,
    )

    def _available_domain(self, partner=None):
        """Without the devices of accepted demand allocations (except, for
        ``partner``, those promised to its own demands)."""
        held = [("state", "=", "accepted")]
        if partner:
            held.append(
                (
                    "partner_id.commercial_partner_id",
                    "!=",
                    partner.commercial_partner_id.id,
                )
            )
        return [
            *super()._available_domain(partner),
            ("demand_match_ids", "not any", held),
        ]

    def _pool_holder_labels(self, public=False):
        labels = super()._pool_holder_labels(public=public)
        # sudo: whoever sells or promises a device must know which demand
        # holds it; only the words of a message come out
        matches = (
            self.env["reemploi.demand.match"]
            .sudo()
            .search([("equipment_ids", "in", self.ids), ("state", "=", "accepted")])
        )
        for match in matches:
            if public:
                label = self.env._("the demand of a reseller or an association")
            else:
                label = self.env._(
                    'the demand "%(demand)s" of %(partner)s',
                    demand=match.demand_id.name,
                    partner=match.partner_id.name,
                )
            for device in match.equipment_ids & self:
                labels.setdefault(device, label)
        return labels
