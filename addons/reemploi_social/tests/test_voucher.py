from datetime import date, timedelta

import psycopg2
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import TODAY
from .common_voucher import VoucherCase


@tagged("post_install", "-at_install")
class TestVoucherIssue(VoucherCase):
    def test_issuer_users_get_the_group(self):
        group = self.env.ref("reemploi_social.group_reemploi_voucher_issuer")
        self.assertIn(self.user_issuer, group.users)
        self.assertIn(self.user_issuer_other, group.users)
        self.assertNotIn(self.buyer, group.users)

    @freeze_time(TODAY)
    def test_issuer_issues_a_voucher_of_its_body(self):
        ccas = self.ccas.with_user(self.user_issuer)
        voucher = ccas._issue_voucher(self.laptop, self.need_job, self.grenoble)
        self.assertRegex(voucher.code, r"^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{2}$")
        self.assertEqual(voucher.state, "valid")
        self.assertEqual(voucher.issuer_id, self.ccas)
        self.assertEqual(voucher.issued_by_id, self.user_issuer)
        self.assertEqual(voucher.date_issued, TODAY)
        # the body's usual validity: 3 months
        self.assertEqual(voucher.date_expiry, date(2027, 2, 16))
        # read back as the issuer
        self.assertEqual(voucher.with_user(self.user_issuer).code, voucher.code)

    @freeze_time(TODAY)
    def test_issue_refusals(self):
        ccas = self.ccas.with_user(self.user_issuer_other)
        with self.assertRaisesRegex(AccessError, "CCAS de Grenoble"):
            self.env["reemploi.voucher.issuer"].with_user(
                self.user_issuer_other
            ).browse(self.ccas.id)._issue_voucher(
                self.laptop, self.need_job, self.grenoble
            )
        ccas = self.ccas.with_user(self.user_issuer)
        with self.assertRaisesRegex(UserError, "cannot expire before"):
            ccas._issue_voucher(
                self.laptop, self.need_job, self.grenoble, TODAY - timedelta(days=1)
            )
        with self.assertRaisesRegex(UserError, "12 months at most"):
            ccas._issue_voucher(
                self.laptop, self.need_job, self.grenoble, date(2028, 1, 1)
            )
        with self.assertRaisesRegex(UserError, "category of need"):
            ccas._issue_voucher(
                self.laptop, self.env["reemploi.need.category"], self.grenoble
            )
        self.ccas.active = False
        with self.assertRaisesRegex(UserError, "no longer issues"):
            ccas._issue_voucher(self.laptop, self.need_job, self.grenoble)
        self.assertFalse(self.Voucher.search([("issuer_id", "=", self.ccas.id)]))

    @freeze_time(TODAY)
    def test_coordinator_issues_in_the_backend(self):
        self.department.default_validity_months = 6
        form = Form(self.Voucher.with_user(self.user_coordinator))
        form.issuer_id = self.department
        form.category_id = self.laptop
        form.need_category_id = self.need_job
        form.commune_id = self.grenoble
        voucher = form.save()
        self.assertRegex(voucher.code, r"^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{2}$")
        self.assertEqual(voucher.date_expiry, date(2027, 5, 16))
        self.assertEqual(voucher.issued_by_id, self.user_coordinator)
        self.assertEqual(self.department.voucher_count, 1)
        action = self.department.with_user(self.user_coordinator).action_view_vouchers()
        self.assertEqual(self.Voucher.search(action["domain"]), voucher)
        # vouchers are cancelled, never deleted
        with self.assertRaises(AccessError):
            voucher.with_user(self.user_coordinator).unlink()

    def test_issuer_cannot_write_nor_create_directly(self):
        voucher = self._voucher("TEST-ISSU-E1")
        with self.assertRaises(AccessError):
            voucher.with_user(self.user_issuer).write({"state": "used"})
        with self.assertRaises(AccessError):
            self.Voucher.with_user(self.user_issuer).create(
                {
                    "issuer_id": self.ccas.id,
                    "category_id": self.laptop.id,
                    "need_category_id": self.need_job.id,
                    "commune_id": self.grenoble.id,
                    "date_expiry": TODAY,
                }
            )

    @freeze_time(TODAY)
    def test_issuer_cancels_its_own_voucher_only(self):
        mine = self._voucher("TEST-CANC-E1")
        theirs = self._voucher("TEST-CANC-E2", issuer=self.department)
        mine.with_user(self.user_issuer)._cancel_as_issuer()
        self.assertEqual(mine.state, "cancelled")
        with self.assertRaises(AccessError):
            theirs.with_user(self.user_issuer)._cancel_as_issuer()
        self.assertEqual(theirs.state, "valid")
        with self.assertRaisesRegex(UserError, "only a valid voucher"):
            mine.with_user(self.user_issuer)._cancel_as_issuer()

    def test_code_is_unique(self):
        self._voucher("TEST-UNIQ-E1")
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            self._voucher("TEST-UNIQ-E1")

    def test_cron_expires_old_vouchers(self):
        old = self._voucher("TEST-EXPI-E1", date_expiry=TODAY - timedelta(days=1))
        fresh = self._voucher("TEST-EXPI-E2", date_expiry=TODAY)
        with freeze_time(TODAY):
            self.Voucher._cron_expire()
        self.assertEqual(old.state, "expired")
        self.assertEqual(fresh.state, "valid")


@tagged("post_install", "-at_install")
class TestVoucherRedeem(VoucherCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device = cls._published("VOU-1")
        cls.device_2 = cls._published("VOU-2")
        cls.voucher = cls._voucher("K7QF-2M9X-PQ")

    @freeze_time(TODAY)
    def test_voucher_gives_the_solidarity_ceiling(self):
        order = self._order(self.device)
        line = order.order_line
        self.assertEqual(line.price_unit, 300.0)
        applied, message = self._redeem(order, " k7qf 2m9x-pq ")
        self.assertTrue(applied, message)
        self.assertIn("K7QF-2M9X-PQ", message)
        # what it is worth, in the message too
        self.assertRegex(message, r"150[.,]00.*instead of.*300[.,]00")
        self.assertEqual(line.reemploi_voucher_id, self.voucher)
        self.assertEqual(line.price_unit, 150.0)
        self.assertEqual(order.amount_untaxed, 150.0)
        # held in a cart, it is not used yet
        self.assertEqual(self.voucher.state, "valid")
        attempt = self._attempts()
        self.assertEqual(attempt.result, "ok")
        self.assertEqual(attempt.voucher_id, self.voucher)
        self.assertEqual(attempt.user_id, self.buyer)
        self.assertEqual(attempt.ip_address, "192.0.2.10")
        # the log keeps the end of the code, never the code
        self.assertEqual(attempt.code_hint, "…XPQ")
        self.assertNotIn("K7QF", attempt.code_digest.upper())
        # removed from the cart: the ordinary price again
        line._reemploi_detach_voucher()
        self.assertEqual(line.price_unit, 300.0)

    @freeze_time(TODAY)
    def test_one_voucher_per_device(self):
        other = self._voucher("K7QF-2M9X-P2")
        order = self._order(self.device, self.device_2)
        self.assertTrue(self._redeem(order, "K7QF-2M9X-PQ")[0])
        applied, message = self._redeem(order, "K7QF-2M9X-PQ")
        self.assertFalse(applied)
        self.assertIn("already have a voucher", message)
        self.assertTrue(self._redeem(order, "K7QF-2M9X-P2")[0])
        self.assertEqual(order.order_line.reemploi_voucher_id, self.voucher | other)
        third = self._voucher("K7QF-2M9X-P3")
        applied, message = self._redeem(order, third.code)
        self.assertFalse(applied)
        self.assertIn("already have a voucher", message)
        self.assertEqual(self._attempts()[-1].result, "already_applied")

    @freeze_time(TODAY)
    def test_refusal_messages(self):
        order = self._order(self.device)
        used = self._voucher("USED-0000-01", state="used", date_used=date(2026, 11, 2))
        expired = self._voucher("EXPI-0000-01", date_expiry=TODAY - timedelta(days=1))
        cancelled = self._voucher("CANC-0000-01", state="cancelled")
        phone = self._voucher("PHON-0000-01", category=self.smartphone)
        cases = [
            ("NOPE-NOPE-NO", "unknown", "No voucher has the code NOPE-NOPE-NO"),
            (used.code, "used", "already used on 02/11/2026"),
            (expired.code, "expired", "expired on 15/11/2026"),
            (cancelled.code, "cancelled", "cancelled by CCAS de Grenoble"),
            (phone.code, "wrong_category", "category Smartphone"),
        ]
        for code, result, expected in cases:
            with self.subTest(result=result):
                # another address each time: no rate limit here
                applied, message = self._redeem(
                    order, code, user=self.user_public, ip=f"198.51.100.{len(result)}"
                )
                self.assertFalse(applied)
                self.assertIn(expected, message)
                self.assertEqual(self._attempts()[-1].result, result)
        self.assertFalse(order.order_line.reemploi_voucher_id)
        self.assertEqual(order.order_line.price_unit, 300.0)

    @freeze_time(TODAY)
    def test_anonymised_codes_are_unknown(self):
        order = self._order(self.device)
        anonymised = self._voucher("ANON-0000-01", state="anonymised")
        applied, message = self._redeem(order, anonymised.code)
        self.assertFalse(applied)
        self.assertIn("No voucher has the code", message)

    def test_rate_limit_per_user_and_per_address(self):
        order = self._order(self.device)
        with freeze_time("2026-11-16 10:00:00") as frozen:
            for index in range(5):
                applied, __ = self._redeem(order, f"BAD{index}-0000-00")
                self.assertFalse(applied)
                frozen.tick(timedelta(minutes=1))
            # 10:05: the right code is refused without being looked at
            applied, message = self._redeem(order, self.voucher.code)
            self.assertFalse(applied)
            self.assertIn("try again in 10 minute(s)", message)
            self.assertEqual(self._attempts()[-1].result, "rate_limited")
            # the same user elsewhere, another user at the same address
            applied, __ = self._redeem(order, self.voucher.code, ip="203.0.113.7")
            self.assertFalse(applied)
            applied, __ = self._redeem(
                order, self.voucher.code, user=self.user_association_a
            )
            self.assertFalse(applied)
            # another user at another address is not concerned
            applied, message = self._redeem(
                order, self.voucher.code, user=self.user_association_a, ip="203.0.113.8"
            )
            self.assertTrue(applied, message)
            order.order_line.reemploi_voucher_id = False
            # 10:15, the first failure (10:00) leaves the window
            frozen.tick(timedelta(minutes=10, seconds=1))
            applied, message = self._redeem(order, self.voucher.code)
            self.assertTrue(applied, message)
        counts = {}
        for attempt in self._attempts():
            counts[attempt.result] = counts.get(attempt.result, 0) + 1
        self.assertEqual(counts, {"unknown": 5, "rate_limited": 3, "ok": 2})


@tagged("post_install", "-at_install")
class TestVoucherConsumption(VoucherCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device = cls._published("USE-1")
        cls.device_2 = cls._published("USE-2")
        cls.voucher = cls._voucher("USE0-2M9X-PQ")

    @freeze_time(TODAY)
    def test_confirmation_uses_the_voucher(self):
        order = self._order(self.device)
        self.assertTrue(self._redeem(order, self.voucher.code)[0])
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(self.voucher.state, "used")
        self.assertEqual(self.voucher.date_used, TODAY)
        self.assertEqual(self.voucher.order_id, order)
        self.assertEqual(self.voucher.order_line_id, order.order_line)
        self.assertEqual(
            self.voucher.redeemed_by_partner_id, self.buyer.commercial_partner_id
        )
        self.assertEqual(order.order_line.price_unit, 150.0)

    @freeze_time(TODAY)
    def test_association_voucher_leaves_the_quota(self):
        """An association equipping a referred person with the person's
        voucher keeps its own quota: the voucher's device is outside it."""
        self.quota_a.limit_qty = 1
        order = self._solidarity_order(self.user_association_a, self.device)
        as_association = order.with_user(self.user_association_a)
        # a second laptop for a quota of one: refused
        with self.assertRaises(UserError):
            as_association._reemploi_check_cart_quota(self.laptop)
        applied, message = self._redeem(
            order, self.voucher.code, user=self.user_association_a
        )
        self.assertTrue(applied, message)
        self.assertIn("does not count in your quota", message)
        # the voucher's laptop is outside the quota: a second one fits
        as_association._reemploi_check_cart_quota(self.laptop)
        order.order_line = [
            Command.create(
                {
                    "product_id": self.device_2.shop_product_id.id,
                    "product_uom_qty": 1,
                    "reemploi_equipment_id": self.device_2.id,
                }
            )
        ]
        # what the banner above the cart says
        website = self.env["website"].with_user(self.user_association_a).search(
            [], limit=1
        )
        (quota,) = website._reemploi_solidarity_summary(order)["quotas"]
        self.assertEqual((quota["in_cart"], quota["by_voucher"]), (1, 1))
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(self.voucher.state, "used")
        # one laptop in the quota, the voucher's outside it
        self.assertEqual(self.quota_a.used_qty, 1)
        voucher_line = self.voucher.order_line_id
        self.assertEqual(voucher_line.reemploi_equipment_id, self.device)
        self.assertFalse(voucher_line.reemploi_quota_id)
        self.assertEqual(
            (order.order_line - voucher_line).reemploi_quota_id, self.quota_a
        )
        # cancelled, the quota gets back what it gave, no more
        order._action_cancel()
        self.assertEqual(self.quota_a.used_qty, 0)

    @freeze_time(TODAY)
    def test_two_carts_with_one_voucher_second_confirmation_fails(self):
        first = self._order(self.device)
        second = self._order(self.device_2)
        self.assertTrue(self._redeem(first, self.voucher.code)[0])
        self.assertTrue(self._redeem(second, self.voucher.code)[0])
        first.action_confirm()
        with self.assertRaisesRegex(UserError, "already used on 16/11/2026"):
            second.action_confirm()
        self.assertEqual(second.state, "draft")
        self.assertEqual(self.voucher.order_id, first)

    @freeze_time(TODAY)
    def test_constraint_keeps_a_voucher_on_one_confirmed_line(self):
        first = self._order(self.device)
        second = self._order(self.device_2)
        (first | second).order_line.reemploi_voucher_id = self.voucher
        first.action_confirm()
        # bypassing the atomic update, the database still refuses
        self.env.flush_all()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.ExclusionViolation),
        ):
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    "UPDATE sale_order_line SET state = 'sale' WHERE order_id = %s",
                    (second.id,),
                )

    @freeze_time(TODAY)
    def test_expired_between_cart_and_confirmation(self):
        order = self._order(self.device)
        self.assertTrue(self._redeem(order, self.voucher.code)[0])
        self.voucher.date_expiry = TODAY - timedelta(days=1)
        with self.assertRaisesRegex(UserError, "expired on 15/11/2026"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(self.voucher.state, "valid")

    @freeze_time(TODAY)
    def test_cart_with_a_used_voucher_cannot_be_paid(self):
        order = self._order(self.device)
        self.assertTrue(self._redeem(order, self.voucher.code)[0])
        self.voucher.write({"state": "used", "date_used": TODAY})
        with self.assertRaisesRegex(ValidationError, "already used"):
            order._check_cart_is_ready_to_be_paid()

    @freeze_time(TODAY)
    def test_cancelled_order_gives_the_voucher_back(self):
        order = self._order(self.device)
        self.assertTrue(self._redeem(order, self.voucher.code)[0])
        order.action_confirm()
        order._action_cancel()
        self.assertEqual(self.voucher.state, "valid")
        self.assertFalse(self.voucher.order_id)
        self.assertFalse(self.voucher.redeemed_by_partner_id)
        self.assertFalse(self.voucher.date_used)

    @freeze_time(TODAY)
    def test_cancelling_a_voucher_frees_the_carts(self):
        order = self._order(self.device)
        self.assertTrue(self._redeem(order, self.voucher.code)[0])
        self.voucher.with_user(self.user_coordinator).action_cancel()
        self.assertEqual(self.voucher.state, "cancelled")
        self.assertFalse(order.order_line.reemploi_voucher_id)
        self.assertEqual(order.order_line.price_unit, 300.0)
