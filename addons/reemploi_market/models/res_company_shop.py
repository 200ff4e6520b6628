from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.tools import is_html_empty

# what Odoo's own sample terms say (account.account_default_terms_and_conditions)
SAMPLE_TERMS_MARK = "You should update this document to reflect your"


class ResCompany(models.Model):
    _inherit = "res.company"

    reemploi_waste_compensation = fields.Boolean(
        string="Waste compensation",
        help="For each device sold on the shop, collect and recycle one "
        "scrap device; a compensation is recorded at each sale.",
    )

    @api.depends("terms_type")
    def _compute_invoice_terms_html(self):
        """A company's terms of sale, shown at /terms and linked from every
        product page and the checkout: the shop's own (French, naming the
        company), not Odoo's English sample with a made-up company."""
        super()._compute_invoice_terms_html()
        for company in self:
            if company._reemploi_has_sample_terms():
                company.invoice_terms_html = company._reemploi_default_terms_html()

    def _reemploi_has_sample_terms(self):
        self.ensure_one()
        html = self.invoice_terms_html
        return not is_html_empty(html) and SAMPLE_TERMS_MARK in str(html)

    @api.model
    def _reemploi_replace_sample_terms(self):
        """Replace Odoo's sample terms of every company that still has them,
        in every language (run at install: the companies made before)."""
        languages = [code for code, _name in self.env["res.lang"].get_installed()]
        for company in self.sudo().search([]):
            for code in languages:
                localised = company.with_context(lang=code)
                if localised._reemploi_has_sample_terms():
                    localised.invoice_terms_html = company._reemploi_default_terms_html()

    def _reemploi_default_terms_html(self):
        """The shop's terms of sale for this company, in French (the
        territory's language): who sells, what "reconditionné" means, prices,
        guarantees, withdrawal, collection, data."""
        self.ensure_one()
        name = escape(self.name or "")
        return Markup(
            "<h2>Conditions générales de vente de la boutique du réemploi</h2>"
            "<p>Ces conditions s'appliquent aux appareils vendus sur la boutique "
            "du réemploi par <strong>%(name)s</strong> et par les opérateurs du "
            "réemploi du territoire.</p>"
            "<h3>1. Qui vend</h3>"
            "<p>Chaque appareil est vendu par l'opérateur qui l'a remis en état ; "
            "son nom figure sur la commande et sur la facture.</p>"
            "<h3>2. Les appareils</h3>"
            "<p>Chaque appareil est unique : sa page donne son numéro de série, "
            "son grade, l'état de sa batterie et sa garantie. Il est dit "
            "«\u00a0reconditionné\u00a0» lorsque toutes ses fonctions ont été testées et "
            "l'effacement de ses données vérifié (décret n°\u00a02022-190 du "
            "17\u00a0février 2022) ; sinon il est vendu d'occasion.</p>"
            "<h3>3. Prix</h3>"
            "<p>Les prix sont en euros, toutes taxes comprises. Les associations "
            "habilitées paient les prix solidaires dans la limite de leurs "
            "quotas ; un bon d'orientation donne le prix solidaire d'un appareil "
            "de sa catégorie.</p>"
            "<h3>4. Garanties</h3>"
            "<p>En plus de la garantie commerciale de l'opérateur, de la durée "
            "indiquée sur la page de l'appareil, s'appliquent la garantie légale "
            "de conformité (articles L217-1 et suivants du Code de la "
            "consommation) et la garantie des vices cachés (articles 1641 et "
            "suivants du Code civil).</p>"
            "<h3>5. Rétractation</h3>"
            "<p>Le consommateur qui achète à distance dispose de quatorze jours "
            "à compter de la réception de l'appareil pour se rétracter (article "
            "L221-18 du Code de la consommation).</p>"
            "<h3>6. Retrait et livraison</h3>"
            "<p>L'appareil est retiré chez l'opérateur qui le vend ou livré aux "
            "conditions qu'il indique à la confirmation de la commande.</p>"
            "<h3>7. Données</h3>"
            "<p>Les données des appareils ont été effacées avant leur vente. Les "
            "données de l'acheteur ne servent qu'à sa commande ; les mentions "
            "légales du site disent comment exercer ses droits.</p>"
            "<h3>8. Litiges</h3>"
            "<p>En cas de litige, le consommateur peut recourir gratuitement au "
            "médiateur de la consommation de l'opérateur vendeur.</p>"
        ) % {"name": name}

    def _reemploi_warehouse(self):
        """The operator's warehouse, created the first time it is needed:
        Odoo creates one for the database's first company only, and an
        operator added later in Settings has none until then."""
        self.ensure_one()
        Warehouse = self.env["stock.warehouse"].sudo()
        warehouse = Warehouse.search([("company_id", "=", self.id)], limit=1)
        if warehouse:
            return warehouse
        stem = "".join(ch for ch in (self.name or "").upper() if ch.isalnum())[:4] or "WH"
        # archived ones keep their code and name, unique in the company
        archived = Warehouse.with_context(active_test=False).search(
            [("company_id", "=", self.id)]
        )
        taken = set(archived.mapped("code"))
        code = next(
            candidate
            for candidate in (stem, *(f"{stem}{n}" for n in range(1, 100)))
            if candidate not in taken
        )
        name = self.name
        if name in archived.mapped("name"):
            name = f"{self.name} ({code})"
        return Warehouse.create(
            {
                "name": name,
                "code": code,
                "company_id": self.id,
                "partner_id": self.partner_id.id,
            }
        )
