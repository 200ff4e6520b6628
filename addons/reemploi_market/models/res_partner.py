import logging

from odoo import fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


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
        try:
            # force: geo_localize does nothing while modules install or test
            self.with_context(force_geo_localize=True).geo_localize()
        except UserError as error:
            # Odoo's message is in English and technical (the geocoder is
            # asked in English): logged, and the user told what to do
            _logger.warning("geocoding of %s failed: %s", self.ids, error)
            raise UserError(
                self.env._(
                    "The geocoding service did not answer for %(names)s (no "
                    "internet access, or the service is down): type the "
                    "latitude and longitude by hand, or try again later.",
                    names=", ".join(self.mapped("display_name")),
                )
            ) from error
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
