from odoo import api, models

# Odoo's own French words that read wrong in our screens, by the xml id of
# the view that holds them: {xml id: {lang: {English term: translation}}}.
# Odoo's website module translates the checkout steps' "1 of 3" as "1 ou 3".
CORE_TERM_FIXES = {
    "website.step_wizard": {"fr_FR": {"of": "sur"}},
}


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    @api.model
    def _load_module_terms(self, modules, langs, overwrite=False, imported_module=False):
        """After Odoo's terms are loaded (a module installed or updated, a
        language added), put ours back over the few core terms it gets
        wrong: whatever the order in which French and the modules came."""
        result = super()._load_module_terms(
            modules, langs, overwrite=overwrite, imported_module=imported_module
        )
        self._reemploi_fix_core_terms(langs)
        return result

    @api.model
    def _reemploi_fix_core_terms(self, langs):
        for xmlid, translations in CORE_TERM_FIXES.items():
            wanted = {lang: terms for lang, terms in translations.items() if lang in langs}
            view = self.env.ref(xmlid, raise_if_not_found=False)
            if wanted and view:
                view.sudo().update_field_translations("arch_db", wanted)
