from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common_matching import GRENOBLE, MatchingCase

# Odoo's call to the OpenStreetMap geocoder (the machine running the tests
# has no internet access): replaced by a fixed answer
NOMINATIM = (
    "odoo.addons.base_geolocalize.models.base_geocoder.GeoCoder._call_openstreetmap"
)


@tagged("post_install", "-at_install")
class TestPlaceGeolocation(MatchingCase):
    """A coordinator fixes the pickup site of a lot that got no operator
    for lack of coordinates: from its address, or typed by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.site = cls.site_a.copy({"partner_latitude": 0, "partner_longitude": 0})

    def _unplaced_lot(self):
        lot, proposals = self._proposed(site_id=self.site.id)
        self.assertFalse(proposals)
        self.assertIn("add the coordinates", lot.match_problem)
        return lot

    def test_locate_the_site_from_its_address(self):
        lot = self._unplaced_lot()
        with patch(NOMINATIM, return_value=GRENOBLE) as geocoder:
            lot.with_user(self.user_coordinator).action_locate_pickup_site()
        self.assertIn("1 rue du Lac", geocoder.call_args.args[0])
        self.assertAlmostEqual(self.site.partner_latitude, GRENOBLE[0])
        self.assertAlmostEqual(self.site.partner_longitude, GRENOBLE[1])
        # the lot is offered again, now that the site is on the map
        self.assertFalse(lot.match_problem)
        self.assertTrue(lot.current_proposal_id)

    def test_address_not_found(self):
        lot = self._unplaced_lot()
        self.env["res.lang"]._activate_lang("fr_FR")
        lot = lot.with_user(self.user_coordinator).with_context(lang="fr_FR")
        with patch(NOMINATIM, return_value=None), self.assertRaises(UserError) as err:
            lot.action_locate_pickup_site()
        message = str(err.exception)
        self.assertIn("Aucune position trouvée pour l'adresse de", message)
        self.assertIn(self.site.display_name, message)
        self.assertFalse(self.site.partner_latitude)

    def test_geocoder_unreachable(self):
        """No internet, or the service down: a French message that says
        what to do, not Odoo's English connection error."""
        lot = self._unplaced_lot()
        self.env["res.lang"]._activate_lang("fr_FR")
        lot = lot.with_user(self.user_coordinator).with_context(lang="fr_FR")
        down = UserError("Error with geolocation server: NameResolutionError")
        with (
            patch(NOMINATIM, side_effect=down),
            mute_logger("odoo.addons.reemploi_market.models.res_partner"),
            self.assertRaises(UserError) as err,
        ):
            lot.action_locate_pickup_site()
        message = str(err.exception)
        self.assertIn("Le service de géolocalisation n'a pas répondu", message)
        self.assertIn("saisissez la latitude et la longitude", message)
        self.assertNotIn("NameResolutionError", message)

    def test_coordinates_typed_by_hand(self):
        lot = self._unplaced_lot()
        with Form(lot.with_user(self.user_coordinator)) as form:
            form.pickup_latitude = 45.19
            form.pickup_longitude = 5.73
        self.assertAlmostEqual(self.site.partner_latitude, 45.19)
        self.assertAlmostEqual(self.site.partner_longitude, 5.73)
        # saved, the lot is offered at once: no "no operator" banner left
        self.assertTrue(lot.current_proposal_id)
        self.assertFalse(lot.match_problem)

    def test_only_coordinators_place_the_sites(self):
        lot = self._unplaced_lot()
        lot.company_id = self.company_x  # a lot the operator may write
        with self.assertRaises(AccessError):
            lot.with_user(self.user_operator_x).write({"pickup_latitude": 45.0})
        with patch(NOMINATIM, return_value=GRENOBLE), self.assertRaises(AccessError):
            lot.with_user(self.user_operator_x).action_locate_pickup_site()
        self.assertFalse(self.site.partner_latitude)

    def test_operator_located_from_its_address(self):
        partner = self.company_x.partner_id
        partner.write({"street": "5 rue Rivet", "zip": "38000", "city": "Grenoble"})
        self.assertFalse(partner.partner_latitude)  # the address moved
        with patch(NOMINATIM, return_value=(45.18, 5.71)):
            self.company_x.action_reemploi_geolocate()
        self.assertAlmostEqual(self.company_x.reemploi_latitude, 45.18)
        with Form(self.company_x) as form:
            form.reemploi_longitude = 5.72
        self.assertAlmostEqual(partner.partner_longitude, 5.72)
