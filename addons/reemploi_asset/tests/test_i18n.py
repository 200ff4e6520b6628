import os

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader


@tagged("post_install", "-at_install")
class TestFrenchComplete(TransactionCase):
    """Every term the code and data of the suite show users is in fr.po."""

    def test_every_term_translated(self):
        modules = self.env["ir.module.module"].search(
            [("name", "=like", "reemploi\\_%"), ("state", "=", "installed")]
        )
        for module in modules.mapped("name"):
            path = os.path.join(get_module_path(module), "i18n", "fr.po")
            if not os.path.exists(path):
                continue
            with self.subTest(module=module):
                reader = TranslationModuleReader(self.env.cr, modules=[module])
                # demo companies get their legal texts (invoice terms...) from
                # other modules' defaults: those are not the addon's terms
                sources = {
                    term[4]
                    for term in reader
                    if term[0] == module and not term[2].startswith("res.company,")
                }
                translated = {
                    entry.msgid
                    for entry in polib.pofile(path)
                    if entry.msgstr
                    and not entry.obsolete
                    and "fuzzy" not in entry.flags
                }
                missing = sorted(sources - translated)
                self.assertFalse(
                    missing,
                    f"{len(missing)} terms of {module} have no French translation "
                    f"in i18n/fr.po (export the .pot, merge and translate): "
                    f"{missing[:10]}",
                )
