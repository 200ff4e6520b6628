from odoo import api, models

from odoo.addons.reemploi_asset.services import lifecycle


class ReemploiAgecStock(models.Model):
    """Demo data: the AGEC figures of the public bodies of the demo story."""

    _inherit = "reemploi.agec.stock"

    @api.model
    def _demo_flag_restricted(self, owner_id, count):
        """Flag ``count`` devices the public body ``owner_id`` took out of
        use as holding classified or restricted data (a security service's
        workstations, a laboratory under restricted access...): décret
        2023-266 leaves them out of its reuse rate. The same devices at
        every install: those out of use for the longest time (in the
        reformed stock of this year), then by asset tag."""
        devices = self.env["reemploi.equipment"].search(
            [
                ("owner_id", "child_of", owner_id),
                ("state", "=", lifecycle.TO_DECOMMISSION),
            ],
            order="state_date, asset_tag, id",
            limit=count,
        )
        devices.write({"restricted_data": True})
        return devices.ids
