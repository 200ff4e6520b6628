"""Fast tests of the plain-Python parts of the partner API and webhooks."""

import hashlib
import hmac
import ipaddress
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


def _resolver(table):
    """A resolver answering from ``table`` (name -> list of addresses), as
    a DNS server under someone else's control could."""

    def resolve(host, port):
        return [ipaddress.ip_address(address) for address in table[host]]

    return resolve


class _Receiver(BaseHTTPRequestHandler):
    hosts = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).hosts.append(self.headers["Host"])
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@tagged("post_install", "-at_install")
class TestWebhookTargets(BaseCase):
    def test_public_addresses(self):
        for address in ("8.8.8.8", "2001:4860:4860::8888", "93.184.216.34"):
            self.assertTrue(webhooks.is_public(ipaddress.ip_address(address)), address)
        for address in (
            "127.0.0.1", "10.0.0.1", "172.31.255.1", "192.168.1.1", "100.64.0.1",
            "169.254.169.254", "0.0.0.0", "224.0.0.251", "239.255.255.250",
            "255.255.255.255", "::1", "::", "fe80::1", "fd00:ec2::254", "ff02::1",
            "::ffff:10.0.0.1", "2002:7f00:1::1", "2001:db8::1",
        ):  # fmt: skip
            self.assertFalse(webhooks.is_public(ipaddress.ip_address(address)), address)

    def test_check_target(self):
        resolve = _resolver(
            {
                "hooks.example": ["93.184.216.34"],
                "mixed.example": ["93.184.216.34", "10.0.0.7"],
                "inside.example": ["192.168.1.20"],
            }
        )
        self.assertEqual(
            webhooks.check_target("https://hooks.example/in", (), resolve),
            ("https", "hooks.example", 443, ipaddress.ip_address("93.184.216.34")),
        )
        for url, reason in (
            ("ftp://hooks.example/in", "scheme"),
            ("https:///in", "host"),
            ("https://hooks.example:99999/in", "host"),
            ("https://mixed.example/in", "internal"),
            ("http://inside.example/in", "internal"),
        ):
            with self.subTest(url=url), self.assertRaises(webhooks.TargetRefused) as ctx:
                webhooks.check_target(url, (), resolve)
            self.assertEqual(ctx.exception.reason, reason)
        # an administrator's allow-list lets an internal host through
        self.assertEqual(
            webhooks.check_target(
                "http://inside.example/in",
                webhooks.parse_hosts("Inside.example, other"),
                resolve,
            )[3],
            ipaddress.ip_address("192.168.1.20"),
        )

    def test_send_connects_to_the_checked_address(self):
        """The request goes to the address the check accepted, with the
        URL's host name: a name resolved again by the HTTP library (DNS
        rebinding) never decides where it goes."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        port = server.server_address[1]
        _Receiver.hosts = []
        resolve = _resolver({"receiver.example": ["127.0.0.1"]})
        url = f"http://receiver.example:{port}/events"
        refused = webhooks.send(url, b"{}", {}, 5, (), resolve)
        self.assertEqual((refused.ok, refused.error), (False, "refused: internal"))
        self.assertEqual(_Receiver.hosts, [])
        sent = webhooks.send(url, b"{}", {}, 5, {"receiver.example"}, resolve)
        self.assertEqual((sent.ok, sent.status), (True, 204))
        self.assertEqual(_Receiver.hosts, [f"receiver.example:{port}"])


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
