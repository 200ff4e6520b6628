from odoo.tests import TransactionCase, tagged

EXPECTED = ["reemploi_gamification", "reemploi_market", "gamification"]


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_module_and_dependencies_installed(self):
        modules = self.env["ir.module.module"].search([("name", "in", EXPECTED)])
        self.assertEqual(sorted(modules.mapped("name")), sorted(EXPECTED))
        self.assertEqual(set(modules.mapped("state")), {"installed"})
