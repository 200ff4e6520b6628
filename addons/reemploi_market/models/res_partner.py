from odoo import fields, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _inherit = "res.partner"

    is_public_body = fields.Boolean(
        string="Public body",
        help="State service, local authority or public institution: the AGEC "
        "law and décret 2023-266 set it reuse targets for its IT equipment.",
    )

    def action_reemploi_geolocate(self):
        """Place the contacts on the map from their address with Odoo's
        geocoder (base_geolocalize, OpenStreetMap by default): the matching
        measures the distances between lots and operators from there."""
        self.check_access("write")
        # force: geo_localize does nothing while modules install or test
        self.with_context(force_geo_localize=True).geo_localize()
        missing = self.filtered(
            lambda partner: not (partner.partner_latitude or partner.partner_longitude)
        )
        if missing:
            raise UserError(
                self.env._(
                    "No position found for the address of %(names)s: check the "
                    "street, postcode, city and country, or type the latitude "
                    "and longitude by hand.",
                    names=", ".join(missing.mapped("display_name")),
                )
            )
        return True
