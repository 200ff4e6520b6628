import os

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationFileReader, TranslationModuleReader


def untranslated_terms(env, module):
    """Terms of ``module`` (code and data) without a French translation in
    its i18n/fr.po, sorted; None when the module has no fr.po."""
    path = os.path.join(get_module_path(module), "i18n", "fr.po")
    if not os.path.exists(path):
        return None
    reader = TranslationModuleReader(env.cr, modules=[module])
    # demo companies get their legal texts (invoice terms...) from
    # other modules' defaults: those are not the addon's terms
    sources = {
        term[4]
        for term in reader
        if term[0] == module and not term[2].startswith("res.company,")
    }
    # read by Odoo's own reader, as Odoo reads it when it loads the language
    # (PoFileReader): merged with the module's .pot, where an entry missing
    # from the .pot, or one the .pot breaks, becomes obsolete and is never
    # shown
    with open(path, "rb") as fileobj:
        translated = {
            row["src"]
            for row in TranslationFileReader(fileobj, fileformat="po")
            if row.get("value")
        }
    return sorted(sources - translated)


def assert_french_complete(case, module):
    """Fail ``case`` with the first missing terms of ``module``."""
    missing = untranslated_terms(case.env, module)
    case.assertIsNotNone(missing, f"{module} has no i18n/fr.po")
    case.assertFalse(
        missing,
        f"{len(missing)} terms of {module} have no French translation "
        f"in i18n/fr.po, or are missing from i18n/{module}.pot, which Odoo "
        f"merges into fr.po when it loads French (export the .pot, merge and "
        f"translate): {missing[:10]}",
    )


@tagged("post_install", "-at_install")
class TestFrenchComplete(TransactionCase):
    """Every term the code and data of the suite show users is in fr.po."""

    def _french_modules(self):
        """(name, path of its fr.po) of each installed Réemploi addon that
        has one."""
        modules = self.env["ir.module.module"].search(
            [("name", "=like", "reemploi\\_%"), ("state", "=", "installed")]
        )
        for module in modules.mapped("name"):
            path = os.path.join(get_module_path(module), "i18n", "fr.po")
            if os.path.exists(path):
                yield module, path

    def test_every_term_translated(self):
        for module, _path in self._french_modules():
            with self.subTest(module=module):
                assert_french_complete(self, module)

    def test_code_terms_are_marked_as_code(self):
        """Odoo gives ``_()`` only the entries marked ``#. odoo-python`` (or
        ``odoo-javascript``): a code term merged into a view term's entry
        without the mark stays in English on screen ("created" in the audit
        import's result, seen on the demo)."""
        for module, path in self._french_modules():
            code_terms = {
                term[4]
                for term in TranslationModuleReader(self.env.cr, modules=[module])
                if term[0] == module and term[1] == "code"
            }
            unmarked = [
                entry.msgid
                for entry in polib.pofile(path)
                if (
                    entry.msgid in code_terms
                    or any(where.startswith("code:") for where, _l in entry.occurrences)
                )
                and not {"odoo-python", "odoo-javascript"}
                & set((entry.comment or "").split())
            ]
            self.assertFalse(unmarked, f"{module}: code terms not marked as code")


@tagged("post_install", "-at_install")
class TestReconditionedWording(TransactionCase):
    """Décret 2022-190: a reconditioned product is never called "like new"
    ("comme neuf", "état neuf"), whichever page shows a grade's name."""

    def test_no_grade_is_like_new(self):
        path = os.path.join(get_module_path("reemploi_asset"), "i18n", "fr.po")
        french = {entry.msgid: entry.msgstr for entry in polib.pofile(path)}
        for grade in self.env["reemploi.grade"].search([]):
            name = grade.with_context(lang="en_US").name
            for text in (name, french.get(name, "")):
                self.assertNotRegex(text.lower(), r"\bnew\b|\bneuf\b|\bneuve\b", text)
