"""Fast tests of the plain-Python parts of the referral vouchers."""

from datetime import date, datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..services import voucher


@tagged("post_install", "-at_install")
class TestVoucherCode(BaseCase):
    def test_code_is_random_grouped_and_unambiguous(self):
        codes = {voucher.generate_code() for _ in range(200)}
        self.assertEqual(len(codes), 200)
        for code in codes:
            self.assertRegex(
                code, r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}$"
            )
            self.assertFalse(set(code) & set("01OIL"))

    def test_typed_code_is_normalised(self):
        self.assertEqual(voucher.format_code(" k7qf 2m9x-pq "), "K7QF-2M9X-PQ")
        self.assertEqual(voucher.format_code("K7QF2M9XPQ"), "K7QF-2M9X-PQ")
        # another length matches no voucher: kept without dashes
        self.assertEqual(voucher.format_code("k7qf-2m9"), "K7QF2M9")
        self.assertEqual(voucher.format_code(None), "")

    def test_log_keeps_a_hint_and_a_keyed_hash_only(self):
        self.assertEqual(voucher.code_hint("k7qf-2m9x-pq"), "…XPQ")
        self.assertEqual(voucher.code_hint(""), "")
        digest = voucher.code_digest("key", "K7QF-2M9X-PQ")
        self.assertEqual(digest, voucher.code_digest("key", "k7qf2m9xpq"))
        self.assertNotEqual(digest, voucher.code_digest("other", "K7QF-2M9X-PQ"))
        self.assertNotIn("K7QF", digest.upper())
        self.assertEqual(len(digest), 64)


@tagged("post_install", "-at_install")
class TestVoucherRateLimit(BaseCase):
    now = datetime(2026, 3, 10, 12, 0, 0)

    def test_below_the_limit_is_allowed(self):
        failures = [self.now - timedelta(minutes=m) for m in (1, 2, 3, 4)]
        decision = voucher.check_failures(failures, self.now)
        self.assertTrue(decision.allowed)
        self.assertEqual(decision.retry_after, 0)

    def test_fifth_failure_blocks_until_the_oldest_leaves_the_window(self):
        failures = [self.now - timedelta(minutes=m) for m in (1, 2, 3, 4, 10)]
        decision = voucher.check_failures(failures, self.now)
        self.assertFalse(decision.allowed)
        # the failure of 10 minutes ago leaves the window in 5 minutes
        self.assertEqual(decision.retry_after, 5 * 60)

    def test_old_failures_do_not_count(self):
        failures = [self.now - timedelta(minutes=m) for m in (1, 2, 3, 4, 15, 30)]
        self.assertTrue(voucher.check_failures(failures, self.now).allowed)

    def test_many_failures_wait_for_enough_of_them_to_leave(self):
        failures = [self.now - timedelta(minutes=m) for m in (1, 2, 3, 4, 5, 6, 14)]
        decision = voucher.check_failures(failures, self.now, limit=5)
        self.assertFalse(decision.allowed)
        # 7 failures: 3 must leave, the third oldest is 5 minutes old
        self.assertEqual(decision.retry_after, 10 * 60)


@tagged("post_install", "-at_install")
class TestVoucherRetention(BaseCase):
    def test_cutoff_counts_months(self):
        self.assertEqual(
            voucher.retention_cutoff(date(2026, 3, 31), 24), date(2024, 3, 31)
        )
        self.assertEqual(
            voucher.retention_cutoff(date(2026, 3, 31), 1), date(2026, 2, 28)
        )
        with self.assertRaises(ValueError):
            voucher.retention_cutoff(date(2026, 3, 31), 0)

    def test_anonymous_code(self):
        self.assertEqual(voucher.anonymous_code(42), "ANON-42")
