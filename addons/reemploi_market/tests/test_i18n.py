from odoo.tests import TransactionCase, tagged

from odoo.addons.reemploi_asset.tests.test_i18n import assert_french_complete


@tagged("post_install", "-at_install")
class TestMarketFrenchComplete(TransactionCase):
    """Every term reemploi_market shows users is in its fr.po."""

    def test_every_term_translated(self):
        assert_french_complete(self, "reemploi_market")


@tagged("post_install", "-at_install")
class TestMarketViewsInFrench(TransactionCase):
    """A view's French loads only from po entries that name that view: the
    texts added to the device's form read in French."""

    def test_device_form_shop_price_in_french(self):
        from lxml import etree

        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search(
            [("name", "=", "reemploi_market")]
        )._update_translations(["fr_FR"], overwrite=True)
        view = self.env.ref("reemploi_asset.reemploi_equipment_view_form")
        arch = (
            self.env["reemploi.equipment"]
            .with_context(lang="fr_FR")
            .get_view(view.id, "form")["arch"]
        )
        price = etree.fromstring(arch).xpath(
            "//div[contains(@class, 'o_reemploi_publish_price')]/span"
        )
        self.assertEqual([span.text.strip() for span in price], ["Prix en boutique"])

    def test_checkout_steps_read_sur_not_ou(self):
        """Odoo's website translates the checkout's "1 of 3" as "1 ou 3":
        ours is put back whenever Odoo's terms load again."""
        self.env["res.lang"]._activate_lang("fr_FR")
        # Odoo's own terms loaded again over ours, as a language update does
        self.env["ir.module.module"].search(
            [("name", "=", "website")]
        )._update_translations(["fr_FR"], overwrite=True)
        arch = (
            self.env.ref("website.step_wizard").with_context(lang="fr_FR").arch_db
        )
        self.assertRegex(arch, r">\s*sur\s*<")
        self.assertNotRegex(arch, r">\s*ou\s*<")
