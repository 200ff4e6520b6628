from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.reemploi_market.tests.test_shop import shop_order

from .common import TODAY
from .common_voucher import VoucherCase

# what must never be a field of a voucher, a hand-over or an attempt
BENEFICIARY_WORDS = {
    "firstname",
    "lastname",
    "street",
    "address",
    "city",
    "birth",
    "email",
    "phone",
    "nir",
    "identity",
    "beneficiary",
    "signature",
    "person",
}


class HandoverMixin:
    @classmethod
    def _sold_to(cls, user, serial, voucher=None):
        """A device of ``serial`` sold by a confirmed order of ``user``'s
        organisation, bought with ``voucher`` if given."""
        device = cls._published(serial)
        order = shop_order(
            cls,
            user.partner_id,
            device,
            line_values={"reemploi_voucher_id": voucher.id if voucher else False},
        )
        order.action_confirm()
        return order.order_line


@tagged("post_install", "-at_install")
class TestHandover(HandoverMixin, VoucherCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.voucher = cls._voucher("HAND-2M9X-PQ")
        with freeze_time(TODAY):
            cls.line_a = cls._sold_to(cls.user_association_a, "HO-1", cls.voucher)
            cls.line_a2 = cls._sold_to(cls.user_association_a, "HO-2")
            cls.line_b = cls._sold_to(cls.user_association_b, "HO-3")

    def _confirm(self, line, user=None, confirmed=True, need=None, commune=None):
        return (
            self.env["reemploi.handover"]
            .with_user(user or self.user_association_a)
            ._confirm_handover(
                line,
                need if need is not None else self.need_school,
                commune if commune is not None else self.echirolles,
                confirmed,
            )
        )

    @freeze_time(TODAY)
    def test_association_confirms_a_device_it_bought(self):
        self.assertEqual(self.voucher.state, "used")
        pending = self.association_a._reemploi_handover_lines()
        self.assertEqual(pending, self.line_a | self.line_a2)
        handover = self._confirm(self.line_a)
        self.assertEqual(handover.association_id, self.association_a)
        self.assertEqual(handover.equipment_id, self.line_a.reemploi_equipment_id)
        self.assertEqual(handover.category_id, self.laptop)
        self.assertEqual(handover.voucher_id, self.voucher)
        self.assertEqual(handover.need_category_id, self.need_school)
        self.assertEqual(handover.commune_id, self.echirolles)
        self.assertEqual(handover.date, TODAY)
        self.assertEqual(handover.confirmed_by_id, self.user_association_a)
        self.assertEqual(self.association_a._reemploi_handover_lines(), self.line_a2)
        # the association reads it, and the voucher it redeemed
        self.assertEqual(
            self.env["reemploi.handover"].with_user(self.user_association_a).search([]),
            handover,
        )
        self.assertEqual(
            self.env["reemploi.voucher"].with_user(self.user_association_a).search([]),
            self.voucher,
        )

    @freeze_time(TODAY)
    def test_handover_refusals(self):
        with self.assertRaisesRegex(UserError, "Tick"):
            self._confirm(self.line_a, confirmed=False)
        with self.assertRaisesRegex(UserError, "category of need and the commune"):
            self._confirm(self.line_a, commune=self.env["reemploi.commune"])
        # a device of another association
        with self.assertRaisesRegex(UserError, "not waiting to be handed over"):
            self._confirm(self.line_b)
        self._confirm(self.line_a)
        with self.assertRaisesRegex(UserError, "not waiting to be handed over"):
            self._confirm(self.line_a)
        with self.assertRaisesRegex(AccessError, "users of an association"):
            self._confirm(self.line_a2, user=self.buyer)
        # the hand-overs of the test's devices (the demo has its own)
        devices = (self.line_a | self.line_a2 | self.line_b).reemploi_equipment_id
        self.assertEqual(
            self.env["reemploi.handover"].search_count(
                [("equipment_id", "in", devices.ids)]
            ),
            1,
        )

    def test_association_cannot_write_a_handover(self):
        with freeze_time(TODAY):
            handover = self._confirm(self.line_a)
        with self.assertRaises(AccessError):
            handover.with_user(self.user_association_a).write(
                {"commune_id": self.grenoble.id}
            )
        with self.assertRaises(AccessError):
            handover.with_user(self.user_association_b).read(["date"])

    def test_constraint_device_of_the_association(self):
        with self.assertRaisesRegex(ValidationError, "was not sold to Association A"):
            self.env["reemploi.handover"].with_user(self.user_coordinator).create(
                {
                    "association_id": self.association_a.id,
                    "equipment_id": self.line_b.reemploi_equipment_id.id,
                    "category_id": self.laptop.id,
                    "need_category_id": self.need_job.id,
                    "commune_id": self.grenoble.id,
                }
            )


@tagged("post_install", "-at_install")
class TestRetention(HandoverMixin, VoucherCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.old = cls._voucher(
            "OLD0-2M9X-PQ",
            date_issued=date(2024, 9, 3),
            date_expiry=date(2024, 12, 3),
        )
        cls.recent = cls._voucher(
            "NEW0-2M9X-PQ",
            date_issued=date(2025, 1, 7),
            date_expiry=date(2025, 4, 7),
            need_category_id=cls.need_school.id,
        )
        with freeze_time("2024-09-20"):
            cls.old_line = cls._sold_to(cls.user_association_a, "RET-1", cls.old)
            cls.old_handover = (
                cls.env["reemploi.handover"]
                .with_user(cls.user_association_a)
                ._confirm_handover(cls.old_line, cls.need_job, cls.grenoble, True)
            )
            cls.env["reemploi.voucher"].with_user(cls.buyer)._redeem_in_cart(
                cls._order_for(cls.buyer), "OLD0-2M9X-PQ", "192.0.2.1"
            )
        with freeze_time("2025-02-10"):
            cls.recent_line = cls._sold_to(cls.user_association_a, "RET-2", cls.recent)

    @classmethod
    def _order_for(cls, user):
        return cls.env["sale.order"].create({"partner_id": user.partner_id.id})

    def test_cron_anonymises_what_is_older_than_the_retention(self):
        self.assertEqual(self.old.state, "used")
        self.assertEqual(self._attempts().voucher_id, self.old)
        # 2026-11-16: the cutoff of 24 months is 2024-11-16
        with freeze_time(TODAY):
            vouchers, handovers = self.Voucher._cron_anonymise()
        self.assertEqual(vouchers, self.old)
        self.assertEqual(handovers, self.old_handover)
        old = self.old
        self.assertEqual(old.state, "anonymised")
        self.assertEqual(old.code, f"ANON-{old.id}")
        self.assertFalse(old.order_id)
        self.assertFalse(old.order_line_id)
        self.assertFalse(old.redeemed_by_partner_id)
        self.assertFalse(old.issued_by_id)
        self.assertFalse(old.create_uid)
        self.assertEqual(old.date_issued, date(2024, 9, 1))
        self.assertEqual(old.date_expiry, date(2024, 12, 1))
        self.assertEqual(old.date_used, date(2024, 9, 1))
        # what the statistics need stays
        self.assertEqual(old.category_id, self.laptop)
        self.assertEqual(old.need_category_id, self.need_job)
        self.assertEqual(old.commune_id, self.grenoble)
        self.assertEqual(old.issuer_id, self.ccas)
        # the order no longer points to it, the attempts are gone
        self.assertFalse(self.old_line.reemploi_voucher_id)
        self.assertFalse(self._attempts())
        handover = self.old_handover
        self.assertEqual(handover.state, "anonymised")
        self.assertFalse(handover.equipment_id)
        self.assertFalse(handover.confirmed_by_id)
        self.assertFalse(handover.create_uid)
        self.assertEqual(handover.date, date(2024, 9, 1))
        self.assertEqual(handover.category_id, self.laptop)
        self.assertEqual(handover.association_id, self.association_a)
        self.assertEqual(handover.voucher_id, old)
        # the recent ones are untouched
        self.assertEqual(self.recent.state, "used")
        self.assertEqual(self.recent.code, "NEW0-2M9X-PQ")
        self.assertEqual(self.recent.order_line_id, self.recent_line)

    def test_retention_is_a_setting(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.reemploi_social_retention_months, 24)
        settings.reemploi_social_retention_months = 12
        settings.execute()
        self.assertEqual(
            self.env["ir.config_parameter"].get_param(
                "reemploi_social.retention_months"
            ),
            "12",
        )
        with freeze_time(TODAY):
            vouchers, __ = self.Voucher._cron_anonymise()
        self.assertEqual(vouchers, self.old | self.recent)
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create(
                {"reemploi_social_retention_months": 0}
            )

    def test_invalid_parameter_falls_back_to_24_months(self):
        self.env["ir.config_parameter"].set_param(
            "reemploi_social.retention_months", "soon"
        )
        with (
            freeze_time(TODAY),
            self.assertLogs("odoo.addons.reemploi_social", "WARNING"),
        ):
            vouchers, __ = self.Voucher._cron_anonymise()
        self.assertEqual(vouchers, self.old)


@tagged("post_install", "-at_install")
class TestVoucherAccess(HandoverMixin, VoucherCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mine = cls._voucher("MINE-2M9X-PQ")
        cls.theirs = cls._voucher("THEM-2M9X-PQ", issuer=cls.department)
        with freeze_time(TODAY):
            cls.line = cls._sold_to(cls.user_association_a, "ACC-1", cls.mine)
            cls.handover = (
                cls.env["reemploi.handover"]
                .with_user(cls.user_association_a)
                ._confirm_handover(cls.line, cls.need_job, cls.grenoble, True)
            )
            cls.env["reemploi.voucher"].with_user(cls.buyer)._redeem_in_cart(
                cls.env["sale.order"].create({"partner_id": cls.buyer.partner_id.id}),
                "NOPE-NOPE-NO",
                "192.0.2.1",
            )

    def _visible(self, model, user):
        return self.env[model].with_user(user).search([])

    def test_who_sees_which_voucher(self):
        vouchers = self.mine | self.theirs
        expected = {
            self.user_coordinator: vouchers,
            self.user_issuer: self.mine,
            self.user_issuer_other: self.theirs,
            self.user_association_a: self.mine,
        }
        for user, visible in expected.items():
            with self.subTest(user=user.login):
                self.assertEqual(
                    self._visible("reemploi.voucher", user) & vouchers, visible
                )
        self.assertFalse(
            self.env["reemploi.voucher"]
            .with_user(self.user_association_b)
            .search([("id", "in", vouchers.ids)])
        )
        with self.assertRaises(AccessError):
            self.theirs.with_user(self.user_issuer).read(["code"])

    def test_operators_buyers_and_visitors_see_nothing(self):
        for user in (
            self.user_operator_x,
            self.user_operator_y,
            self.buyer,
            self.user_public,
            self.user_donor_a,
        ):
            for model, record in (
                ("reemploi.voucher", self.mine),
                ("reemploi.handover", self.handover),
                ("reemploi.voucher.attempt", self._attempts()),
                ("reemploi.voucher.issuer", self.ccas),
            ):
                with self.subTest(user=user.login, model=model):
                    with self.assertRaises(AccessError):
                        record.with_user(user).read(["id"])

    def test_log_is_read_by_coordinators_and_written_by_nobody(self):
        attempt = self._attempts()
        self.assertEqual(attempt.with_user(self.user_coordinator).result, "unknown")
        for operation in ("write", "create", "unlink"):
            with self.subTest(operation=operation):
                with self.assertRaises(AccessError):
                    attempt.with_user(self.user_coordinator).check_access(operation)

    def test_no_beneficiary_field(self):
        for model in ("reemploi.voucher", "reemploi.handover"):
            names = set(self.env[model]._fields)
            self.assertIn("commune_id", names)
            self.assertNotIn("name", names)
            for field_name in names:
                with self.subTest(model=model, field=field_name):
                    self.assertFalse(
                        set(field_name.split("_")) & BENEFICIARY_WORDS, field_name
                    )

    def test_operator_views_show_no_voucher(self):
        operator = self.user_operator_x
        line_fields = self.env["sale.order.line"].with_user(operator).fields_get()
        self.assertNotIn("reemploi_voucher_id", line_fields)
        coordinator_fields = (
            self.env["sale.order.line"].with_user(self.user_coordinator).fields_get()
        )
        self.assertIn("reemploi_voucher_id", coordinator_fields)
        for model in ("sale.order", "sale.order.line", "reemploi.equipment"):
            views = (
                self.env[model]
                .with_user(operator)
                .get_views([(False, "form"), (False, "list")])
            )
            with self.subTest(model=model):
                text = str(views)
                self.assertNotIn("reemploi_voucher", text)
                self.assertNotIn("reemploi.handover", text)
                self.assertNotIn("need_category", text)
        with self.assertRaises(AccessError):
            self.line.with_user(operator).read(["reemploi_voucher_id"])
