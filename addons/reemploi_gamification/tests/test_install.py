from odoo.tests import TransactionCase, tagged

from odoo.addons.reemploi_asset.tests.common import InstalledChecks


@tagged("post_install", "-at_install")
class TestInstall(InstalledChecks, TransactionCase):
    expected = ["reemploi_gamification", "reemploi_market", "gamification"]
