from collections import Counter
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.tools import is_html_empty

from ..services import lot_lifecycle

# what Odoo's own sample terms say (account.account_default_terms_and_conditions)
SAMPLE_TERMS_MARK = "You should update this document to reflect your"


class ResCompany(models.Model):
    """The matching profile of a reuse operator (one company per operator)."""

    _inherit = "res.company"

    reemploi_category_ids = fields.Many2many(
        "reemploi.equipment.category",
        "reemploi_company_category_rel",
        "company_id",
        "category_id",
        string="Accepted categories",
        help="Categories of devices the operator collects. A company without "
        "any accepted category is not proposed any lot.",
    )
    reemploi_lots_per_period = fields.Integer(
        string="Lots per period",
        default=10,
        help="How many lots the operator can collect in a period.",
    )
    reemploi_period_days = fields.Integer(
        string="Period (days)",
        default=30,
        help="Length of the period of the capacity, in days.",
    )
    reemploi_max_devices = fields.Integer(
        string="Maximum devices per lot",
        help="Largest lot the operator can take at once (van, workshop); 0: no limit.",
    )
    reemploi_max_distance_km = fields.Float(
        string="Maximum distance (km)",
        digits=(16, 1),
        help="How far from its premises the operator collects; 0: no limit.",
    )
    reemploi_social_economy = fields.Boolean(
        string="Social and solidarity economy",
        help="The operator is a social and solidarity economy (ESS) "
        "structure; the matching may prefer it (see the Settings).",
    )
    reemploi_reliability = fields.Float(
        string="Reliability (%)",
        readonly=True,
        digits=(16, 1),
        help="Share of the lots proposed to the operator that it collected: "
        "lots collected / (lots collected + lots cancelled after it accepted "
        "them + proposals it refused). Updated by the matching's scheduled "
        "action.",
    )
    reemploi_reliability_count = fields.Integer(
        string="Lots counted for the reliability",
        readonly=True,
        help="0: a newcomer, whose reliability is not known yet.",
    )
    # where the distances to the lots are measured from: the company's contact
    reemploi_latitude = fields.Float(
        related="partner_id.partner_latitude", readonly=False, string="Latitude"
    )
    reemploi_longitude = fields.Float(
        related="partner_id.partner_longitude", readonly=False, string="Longitude"
    )

    _sql_constraints = [
        (
            "reemploi_profile_positive",
            "CHECK(reemploi_lots_per_period >= 0 AND reemploi_period_days >= 0 "
            "AND reemploi_max_devices >= 0 AND reemploi_max_distance_km >= 0)",
            "The capacity, period, maximum devices and maximum distance of an "
            "operator cannot be negative.",
        ),
    ]

    @api.model
    def _reemploi_operators(self):
        """The companies that take lots: those accepting some category."""
        return self.search([("reemploi_category_ids", "!=", False)])

    def _reemploi_remaining_capacity(self, now=None):
        """{company id: lots it can still take in its current period}.

        A period is the last ``reemploi_period_days`` days: the lots matched
        with the company since then, and the proposals offered to it and
        not answered yet, use its capacity.
        """
        now = now or fields.Datetime.now()
        longest = max(self.mapped("reemploi_period_days") or [0])
        used = dict.fromkeys(self.ids, 0)
        matched = self.env["reemploi.lot"]._read_group(
            [
                ("company_id", "in", self.ids),
                ("date_matched", ">=", now - timedelta(days=longest)),
            ],
            ["company_id", "date_matched:day"],
            ["__count"],
        )
        for company, day, count in matched:
            start = (now - timedelta(days=company.reemploi_period_days)).date()
            if fields.Date.to_date(day) >= start:
                used[company.id] += count
        pending = self.env["reemploi.match.proposal"]._read_group(
            [("company_id", "in", self.ids), ("state", "=", "proposed")],
            ["company_id"],
            ["__count"],
        )
        for company, count in pending:
            used[company.id] += count
        return {
            company.id: max(0, company.reemploi_lots_per_period - used[company.id])
            for company in self
        }

    @api.model
    def _reemploi_update_reliability(self):
        """Store each operator's reliability from its past lots and answers
        (three grouped queries for every company)."""
        companies = self.search([])
        # lots of an operator that count for its reliability: collected (or
        # later) as planned, or given up after the operator accepted them
        collected, failed = Counter(), Counter()
        for company, state, count in self.env["reemploi.lot"]._read_group(
            [
                ("company_id", "!=", False),
                (
                    "state",
                    "in",
                    [*sorted(lot_lifecycle.COLLECTED_STATES), lot_lifecycle.CANCELLED],
                ),
            ],
            ["company_id", "state"],
            ["__count"],
        ):
            target = collected if state in lot_lifecycle.COLLECTED_STATES else failed
            target[company.id] += count
        for company, count in self.env["reemploi.match.proposal"]._read_group(
            [("state", "=", "refused")], ["company_id"], ["__count"]
        ):
            failed[company.id] += count
        for company in companies:
            total = collected[company.id] + failed[company.id]
            values = {
                "reemploi_reliability": (
                    round(100.0 * collected[company.id] / total, 1) if total else 0.0
                ),
                "reemploi_reliability_count": total,
            }
            if any(company[name] != value for name, value in values.items()):
                company.write(values)
        return True

    def action_reemploi_geolocate(self):
        """Place the operators on the map from their contact's address."""
        self.check_access("write")
        self.partner_id.action_reemploi_geolocate()
        return True

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
                    localised.invoice_terms_html = (
                        company._reemploi_default_terms_html()
                    )

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
        stem = (
            "".join(ch for ch in (self.name or "").upper() if ch.isalnum())[:4] or "WH"
        )
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
