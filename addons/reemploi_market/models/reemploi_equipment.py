from odoo import fields, models

from odoo.addons.reemploi_asset.services import lifecycle

from ..services import webhooks


class ReemploiEquipment(models.Model):
    _inherit = "reemploi.equipment"

    reemploi_lot_id = fields.Many2one(
        "reemploi.lot",
        string="Lot",
        readonly=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="Lot in which the donor declared the device for reuse.",
    )

    def _custody_fields(self):
        # the lot carries the custody: the operator holds the devices of the
        # lots matched to it
        return super()._custody_fields() | {"reemploi_lot_id"}

    def _transition(self, target, note=None, document_ref=None, location=None):
        """What the market adds to a device's state change: the webhooks'
        deliveries are queued (sent after the commit, see
        reemploi.webhook.delivery), and a device that is no longer for sale
        leaves the shop at once."""
        previous = {equipment.id: equipment.state for equipment in self}
        result = super()._transition(
            target, note=note, document_ref=document_ref, location=location
        )
        self.env["reemploi.webhook.delivery"]._enqueue(
            webhooks.DEVICE_STATE_CHANGED, self, previous
        )
        if target != lifecycle.FOR_SALE:
            self.shop_product_id.product_tmpl_id._reemploi_sync_published()
        return result

    def _webhook_scope(self):
        """(operator, donor organisation) that may hear of this device."""
        self.ensure_one()
        return self.company_id, self.owner_id.commercial_partner_id

    def _webhook_data(self, previous_state):
        """Values of this device in the webhooks' payloads."""
        self.ensure_one()
        return {
            "id": self.id,
            "qr_token": self.qr_token,
            "serial": self.serial or None,
            "asset_tag": self.asset_tag or None,
            "source_ref": self.source_ref or None,
            "category": self.category_id.code,
            "state": self.state,
            "previous_state": previous_state,
            "owner_id": self.owner_id.commercial_partner_id.id or None,
            "operator_id": self.company_id.id or None,
            "lot_id": self.reemploi_lot_id.id or None,
        }
