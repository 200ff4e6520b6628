from datetime import date

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.reemploi_market.tests.test_shop import ShopCase

TODAY = date(2026, 11, 16)


class SocialCase(ShopCase):
    """Operator X's shop with two associations: A (accredited, quotas of the
    fourth quarter 2026) and B (accreditation expired), each with a portal
    user. Tests that depend on the date freeze it at TODAY."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.smartphone = cls.env.ref("reemploi_asset.category_smartphone")
        cls.solidarity = cls.env.ref("reemploi_social.pricelist_solidarity")
        # prices in the shop's currency: no conversion in the figures
        cls.solidarity.currency_id = cls.company_x.currency_id
        cls.need_job = cls.env.ref("reemploi_social.need_job_search")
        cls.grenoble = cls.env.ref("reemploi_social.commune_38185")
        cls.association_a = cls._association(
            "Association A",
            accreditation_start=date(2025, 1, 1),
            accreditation_end=date(2027, 12, 31),
            people_served=300,
        )
        cls.association_b = cls._association(
            "Association B",
            accreditation_start=date(2020, 1, 1),
            accreditation_end=date(2026, 10, 31),
            people_served=100,
        )
        cls.user_association_a = cls._association_user("asso_a", cls.association_a)
        cls.user_association_b = cls._association_user("asso_b", cls.association_b)
        cls.quota_a = cls._quota(cls.association_a, cls.laptop, 2)
        cls.quota_b = cls._quota(cls.association_b, cls.laptop, 5)

    @classmethod
    def _association(cls, name, **values):
        partner = cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "street": "1 rue de la Paix",
                "zip": "38000",
                "city": "Grenoble",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        vals = {
            "partner_id": partner.id,
            "accreditation_type": "public_interest",
            "accreditation_number": f"W38{partner.id:07d}",
            "accreditation_body": "Préfecture de l'Isère",
            "need_category_ids": [Command.set(cls.need_job.ids)],
            "commune_ids": [Command.set(cls.grenoble.ids)],
        }
        vals.update(values)
        return cls.env["reemploi.association"].create(vals)

    @classmethod
    def _association_user(cls, login, association):
        contact = cls.env["res.partner"].create(
            {
                "name": f"Contact {login}",
                "parent_id": association.partner_id.id,
                "email": f"{login}@example.org",
                "street": "1 rue de la Paix",
                "zip": "38000",
                "city": "Grenoble",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        return new_test_user(
            cls.env,
            login=login,
            password=login,
            groups="reemploi_social.group_reemploi_association",
            partner_id=contact.id,
            company_id=cls.company_x.id,
            company_ids=[Command.set(cls.company_x.ids)],
        )

    @classmethod
    def _quota(cls, association, category, limit, start=None, end=None):
        return cls.env["reemploi.quota"].create(
            {
                "association_id": association.id,
                "category_id": category.id,
                "date_from": start or date(2026, 10, 1),
                "date_to": end or date(2026, 12, 31),
                "limit_qty": limit,
            }
        )

    def _solidarity_order(self, user, *devices):
        """A confirmed-to-be order of ``user``'s organisation at solidarity
        prices for ``devices``."""
        return self._order(
            *devices, partner=user.partner_id, pricelist_id=self.solidarity.id
        )
