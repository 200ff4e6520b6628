from odoo.tests import TransactionCase, tagged

from odoo.addons.reemploi_asset.tests.common import InstalledChecks


@tagged("post_install", "-at_install")
class TestInstall(InstalledChecks, TransactionCase):
    expected = ["reemploi_market", "reemploi_asset", "sale_stock", "website_sale"]
