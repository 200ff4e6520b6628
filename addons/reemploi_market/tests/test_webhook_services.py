"""Fast tests of the plain-Python parts of the partner API and webhooks."""

import hashlib
import hmac
import json

from odoo.tests import BaseCase, tagged

from ..services import device_batch, ratelimit, webhooks


@tagged("post_install", "-at_install")
class TestWebhookSignature(BaseCase):
    secret = "s3cr3t"
    body = b'{"event":"device.state_changed","id":7}'

    def test_signature_is_hmac_of_timestamp_and_body(self):
        expected = hmac.new(
            b"s3cr3t", b"1700000000." + self.body, hashlib.sha256
        ).hexdigest()
        self.assertEqual(
            webhooks.signature(self.secret, 1700000000, self.body),
            f"sha256={expected}",
        )

    def test_verify_accepts_fresh_and_refuses_tampering_and_replay(self):
        header = webhooks.signature(self.secret, 1700000000, self.body)
        self.assertTrue(
            webhooks.verify(
                self.secret, "1700000000", self.body, header, now=1700000100
            )
        )
        # another body, another secret, another timestamp
        self.assertFalse(
            webhooks.verify(
                self.secret, 1700000000, self.body + b" ", header, now=1700000000
            )
        )
        self.assertFalse(
            webhooks.verify("other", 1700000000, self.body, header, now=1700000000)
        )
        self.assertFalse(
            webhooks.verify(self.secret, 1700000001, self.body, header, now=1700000001)
        )
        # the same request, captured and replayed an hour later
        self.assertFalse(
            webhooks.verify(self.secret, 1700000000, self.body, header, now=1700003600)
        )
        self.assertFalse(
            webhooks.verify(self.secret, "soon", self.body, header, now=1700000000)
        )

    def test_headers(self):
        headers = webhooks.headers(
            self.secret, webhooks.LOT_STATE_CHANGED, 42, self.body, 1700000000.9
        )
        self.assertEqual(headers["X-Reemploi-Timestamp"], "1700000000")
        self.assertEqual(headers["X-Reemploi-Delivery"], "42")
        self.assertEqual(headers["X-Reemploi-Event"], "lot.state_changed")
        self.assertEqual(
            headers["X-Reemploi-Signature"],
            webhooks.signature(self.secret, 1700000000, self.body),
        )

    def test_payload_is_stable_utf8_json(self):
        document = webhooks.payload(
            webhooks.DEVICE_STATE_CHANGED,
            3,
            "2025-01-31T08:00:00Z",
            {"state": "declared", "serial": "Écran-1"},
        )
        body = webhooks.encode(document)
        self.assertEqual(body, webhooks.encode(json.loads(body)))
        self.assertIn("Écran-1".encode(), body)
        self.assertEqual(json.loads(body)["id"], 3)


@tagged("post_install", "-at_install")
class TestWebhookBackoff(BaseCase):
    def test_schedule(self):
        delays = [webhooks.next_delay(attempts) for attempts in range(1, 7)]
        self.assertEqual(delays, [60, 300, 1800, 7200, 43200, None])
        self.assertEqual(webhooks.MAX_ATTEMPTS, 6)
        self.assertEqual(webhooks.next_delay(0), 0)


@tagged("post_install", "-at_install")
class TestRateLimit(BaseCase):
    def test_bucket(self):
        # a new bucket is full: 3 at once, then refused
        decision = ratelimit.take(None, 0, capacity=3, rate=0.5)
        self.assertTrue(decision.allowed)
        tokens = decision.tokens
        for _ in range(2):
            decision = ratelimit.take(tokens, 0, 3, 0.5)
            self.assertTrue(decision.allowed)
            tokens = decision.tokens
        refused = ratelimit.take(tokens, 0, 3, 0.5)
        self.assertFalse(refused.allowed)
        self.assertEqual(refused.retry_after, 2)  # one token every 2 seconds
        # refills with time, never above the capacity
        self.assertTrue(ratelimit.take(tokens, 2.0, 3, 0.5).allowed)
        self.assertEqual(ratelimit.take(0.0, 3600, 3, 0.5).tokens, 2.0)
        with self.assertRaises(ValueError):
            ratelimit.take(None, 0, 0, 1)


@tagged("post_install", "-at_install")
class TestDeviceBatch(BaseCase):
    def test_rows(self):
        rows, errors = device_batch.to_rows(
            [
                {
                    "serial": "SN1",
                    "category": "laptop",
                    "ram_gb": 8,
                    "storage_gb": 256.5,
                },
                {"asset_tag": "T2", "purchase_date": "2021-03-04", "site": None},
            ]
        )
        self.assertEqual(errors, [])
        self.assertEqual([row.line for row in rows], [1, 2])
        self.assertEqual(rows[0].values["serial"], "SN1")
        self.assertEqual(rows[0].values["ram_gb"], "8")
        self.assertEqual(rows[0].values["storage_gb"], "256.5")
        self.assertEqual(rows[1].values["purchase_date"], "2021-03-04")
        self.assertEqual(rows[1].values["site"], "")
        self.assertEqual(len(rows[0].raw), len(device_batch.HEADER))

    def test_malformed(self):
        _rows, errors = device_batch.to_rows(
            [
                {"serial": "SN1", "colour": "red"},
                "SN2",
                {"serial": 12, "ram_gb": "8", "screen_size": True},
                {"serial": "SN4", "purchase_date": "04/03/2021"},
                {"serial": "x" * 300},
            ]
        )
        found = {(error["index"], error["field"]) for error in errors}
        self.assertEqual(
            found,
            {
                (0, "colour"),
                (1, None),
                (2, "serial"),
                (2, "ram_gb"),
                (2, "screen_size"),
                (3, "purchase_date"),
                (4, "serial"),
            },
        )
