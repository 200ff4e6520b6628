from odoo import models

from ..services import webhooks


class ReemploiLot(models.Model):
    """Webhooks of the lots' state changes, whatever workflow step makes
    them: the lot's own methods stay unaware of the partner API."""

    _inherit = "reemploi.lot"

    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        previous = {lot.id: lot.state for lot in self}
        result = super().write(vals)
        changed = self.filtered(lambda lot: lot.state != previous[lot.id])
        self.env["reemploi.webhook.delivery"]._enqueue(
            webhooks.LOT_STATE_CHANGED, changed, previous
        )
        return result

    def _webhook_scope(self):
        """(operator, donor organisation) that may hear of this lot."""
        self.ensure_one()
        return self.company_id, self.partner_id.commercial_partner_id

    def _webhook_data(self, previous_state):
        """Values of this lot in the webhooks' payloads."""
        self.ensure_one()
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "previous_state": previous_state,
            "donor_id": self.partner_id.commercial_partner_id.id or None,
            "operator_id": self.company_id.id or None,
            "device_count": self.device_count,
        }
