from html import escape

from odoo import Command, api, models
from odoo.tools.translate import code_translations


class ReemploiDemo(models.AbstractModel):
    """What makes the demonstration database what README.md describes,
    beyond the modules' demo data: French everywhere and the onboarding of
    the roles. Run by demo/build.py once the modules are installed."""

    _name = "reemploi.demo"
    _description = "Réemploi demonstration database"

    @api.model
    def _setup(self, lang="fr_FR"):
        """French for every contact and user (and the ones created later),
        French as the websites' default language, onboarding tours on for
        the operators and coordinators; the AGEC figures counted again once
        every module played its story; and the day's custody root
        published, as the daily job would, so that the public pages of the
        roots and the devices' proofs are not empty."""
        Lang = self.env["res.lang"]
        Lang._activate_lang(lang)
        language = Lang._lang_get(lang)
        self.env["ir.default"].set("res.partner", "lang", lang)
        # users included: their language is their contact's
        self.env["res.partner"].with_context(active_test=False).search(
            [("lang", "!=", lang)]
        ).write({"lang": lang})
        self.env["website"].search([]).write(
            {
                "language_ids": [Command.link(language.id)],
                "default_lang_id": language.id,
            }
        )
        self.env["res.users"]._reemploi_enable_onboarding()
        # Odoo's sample pricelists ("Benelux"...) are not offered to the
        # shop's visitors: the territory's prices are the public and the
        # solidarity ones
        self.env["product.pricelist"].search([("selectable", "=", True)]).write(
            {"selectable": False}
        )
        self.env["reemploi.custody.root"]._publish()
        # the AGEC figures count the register as the whole story left it
        self.env["reemploi.agec.stock"].search([]).action_refresh()
        self._translate_creation_messages(lang)
        self._remove_odoo_samples()
        return True

    @api.model
    def _remove_odoo_samples(self):
        """Odoo's own demo data is not the territory's story: its sample
        companies ("FR Company", "My Company (Chicago)") leave the users'
        company switcher and are archived; its English conversations
        ("Marc Demo": "Building B3, second floor to the right") and their
        channels leave the operators' messaging menu."""
        main = self.env.ref("base.main_company")
        companies = self.env["res.company"]
        for xmlid in ("base.demo_company_fr", "stock.res_company_1"):
            companies |= self.env.ref(xmlid, raise_if_not_found=False) or companies
        companies -= main
        if companies:
            users = (
                self.env["res.users"]
                .with_context(active_test=False)
                .search([("company_ids", "in", companies.ids)])
            )
            for user in users:
                values = {"company_ids": [Command.unlink(c.id) for c in companies]}
                if user.company_id in companies:
                    values["company_id"] = main.id
                user.write(values)
            companies.write({"active": False})
        samples = self.env["ir.model.data"].search(
            [
                ("module", "=", "mail"),
                ("model", "in", ("mail.message", "discuss.channel")),
                ("name", "not in", ("channel_all_employees", "channel_admin")),
            ]
        )
        # read first: removing a record removes its xml id
        by_model = {
            model: samples.filtered(lambda data, m=model: data.model == m).mapped(
                "res_id"
            )
            for model in ("mail.message", "discuss.channel")
        }
        for model, ids in by_model.items():
            self.env[model].browse(ids).exists().unlink()

    @api.model
    def _translate_creation_messages(self, lang):
        """The "<model> created" notes logged while the modules installed
        their demo data name the model in English: the modules' French was
        loaded after their data. Written again with the model's name in
        ``lang``, as Odoo writes them (mail.thread._creation_message)."""
        created = code_translations.get_python_translations("mail", lang).get(
            "%s created", "%s created"
        )
        # every model with notes, ours and Odoo's the demo uses (challenges,
        # badges...)
        self.env.cr.execute(
            "SELECT DISTINCT model FROM mail_message WHERE model IS NOT NULL"
        )
        noted = [model for (model,) in self.env.cr.fetchall()]
        models_ = self.env["ir.model"].search([("model", "in", noted)])
        for model in models_:
            english = model.with_context(lang="en_US").name
            local = model.with_context(lang=lang).name
            if english == local:
                continue
            self.env.cr.execute(
                "UPDATE mail_message SET body = %s WHERE model = %s AND body = %s",
                (
                    f"<p>{escape(created % local, quote=False)}</p>",
                    model.model,
                    f"<p>{escape(created % english, quote=False)}</p>",
                ),
            )
