from odoo.tests import TransactionCase, tagged

from odoo.addons.reemploi_asset.tests.test_i18n import assert_french_complete


@tagged("post_install", "-at_install")
class TestSocialFrenchComplete(TransactionCase):
    """Every term reemploi_social shows users is in its fr.po."""

    def test_every_term_translated(self):
        assert_french_complete(self, "reemploi_social")
