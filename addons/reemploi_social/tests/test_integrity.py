"""Quota consumption and voucher states change only through the orders and
the vouchers' own actions, whatever a coordinator sends."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_voucher import VoucherCase


@tagged("post_install", "-at_install")
class TestSocialIntegrity(VoucherCase):
    def test_coordinator_cannot_write_used_quantity(self):
        quota = self.quota_a.with_user(self.user_coordinator)
        with self.assertRaises(UserError):
            quota.write({"used_qty": 1})
        self.assertEqual(self.quota_a.used_qty, 0)
        # the limit stays the coordinator's
        quota.write({"limit_qty": 3, "used_qty": 0})
        self.assertEqual(self.quota_a.limit_qty, 3)

    def test_coordinator_cannot_create_a_used_quota(self):
        Quota = self.env["reemploi.quota"]
        count = Quota.search_count([])
        with self.assertRaises(UserError):
            self.env["reemploi.quota"].with_user(self.user_coordinator).create(
                {
                    "association_id": self.association_a.id,
                    "category_id": self.smartphone.id,
                    "date_from": "2026-10-01",
                    "date_to": "2026-12-31",
                    "limit_qty": 5,
                    "used_qty": 5,
                }
            )
        self.assertEqual(Quota.search_count([]), count)

    def test_coordinator_cannot_write_voucher_state(self):
        voucher = self._voucher("TEST-INTEG-1")
        for state in ("valid", "expired"):
            voucher.state = "cancelled" if state == "valid" else "valid"
            with self.assertRaises(UserError):
                voucher.with_user(self.user_coordinator).write({"state": state})
        self.assertEqual(voucher.state, "valid")
        # the Cancel button still works
        voucher.with_user(self.user_coordinator).action_cancel()
        self.assertEqual(voucher.state, "cancelled")
