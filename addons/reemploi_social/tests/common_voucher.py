from datetime import timedelta

from odoo import Command
from odoo.tests import new_test_user

from .common import TODAY, SocialCase


class VoucherCase(SocialCase):
    """SocialCase plus two issuing bodies (the CCAS of Grenoble and the
    social services of the département), each with one social worker on the
    portal, and vouchers issued before TODAY."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Voucher = cls.env["reemploi.voucher"]
        cls.need_school = cls.env.ref("reemploi_social.need_schooling")
        cls.echirolles = cls.env.ref("reemploi_social.commune_38151")
        cls.user_issuer = cls._issuer_user("issuer_ccas")
        cls.user_issuer_other = cls._issuer_user("issuer_dept")
        cls.ccas = cls.env["reemploi.voucher.issuer"].create(
            {
                "name": "CCAS de Grenoble",
                "issuer_type": "ccas",
                "user_ids": [Command.set(cls.user_issuer.ids)],
            }
        )
        cls.department = cls.env["reemploi.voucher.issuer"].create(
            {
                "name": "Services sociaux de l'Isère",
                "issuer_type": "social_services",
                "user_ids": [Command.set(cls.user_issuer_other.ids)],
            }
        )

    @classmethod
    def _issuer_user(cls, login):
        # no group given: the issuing body grants it
        return new_test_user(
            cls.env,
            login=login,
            password=login,
            groups="base.group_portal",
            name=f"Travailleur social {login}",
            email=f"{login}@example.org",
        )

    @classmethod
    def _voucher(cls, code, issuer=None, category=None, **values):
        vals = {
            "code": code,
            "issuer_id": (issuer or cls.ccas).id,
            "category_id": (category or cls.laptop).id,
            "need_category_id": cls.need_job.id,
            "commune_id": cls.grenoble.id,
            "date_issued": TODAY - timedelta(days=10),
            "date_expiry": TODAY + timedelta(days=60),
        }
        vals.update(values)
        return cls.env["reemploi.voucher"].create(vals)

    def _redeem(self, order, code, user=None, ip="192.0.2.10"):
        return (
            self.env["reemploi.voucher"]
            .with_user(user or self.buyer)
            ._redeem_in_cart(order, code, ip)
        )

    def _attempts(self):
        return self.env["reemploi.voucher.attempt"].search([], order="id")
