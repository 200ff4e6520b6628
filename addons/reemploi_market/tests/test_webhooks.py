"""Webhooks against a real HTTP receiver on 127.0.0.1, started by the test.

The receiver checks each request's HMAC with its own code (not ours), so a
wrong signature fails the test; faults (500, slow answer) are injected.
"""

import hashlib
import hmac
import json
import socket
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.reemploi_asset.tests.fake_servers import FakeServer, json_response
from odoo.addons.reemploi_asset.tests.test_connectors import ConnectorCase

from .common import MarketCase

START = datetime(2025, 3, 3, 9, 0, 0)


class WebhookReceiver(FakeServer):
    """A partner's receiver: answers 200 to correctly signed events, 401
    otherwise, and keeps the events it accepted."""

    def __init__(self, secret):
        super().__init__(count=0)
        self.secret = secret
        self.events = []
        self.bad_signatures = 0

    def handle(self, request):
        timestamp = request.headers.get("X-Reemploi-Timestamp") or ""
        message = timestamp.encode() + b"." + request.body
        expected = hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(
            f"sha256={expected}", request.headers.get("X-Reemploi-Signature") or ""
        ):
            self.bad_signatures += 1
            return json_response(401, {"error": "bad signature"})
        self.events.append(json.loads(request.body))
        return json_response(200, {"received": True})


def closed_port_url():
    """An address on loopback where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/events"


class WebhookCase(MarketCase):
    secret = "a-shared-secret"
    # loopback only, with the webhook's own timeout (Odoo raises short ones
    # to 10 s during tests)
    _request_handler = ConnectorCase.__dict__["_request_handler"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Delivery = cls.env["reemploi.webhook.delivery"]
        # the test's receiver listens on loopback, which webhooks refuse
        # unless an administrator allows the host explicitly
        cls.env["ir.config_parameter"].set_param(
            "reemploi_market.webhook_allowed_hosts", "127.0.0.1"
        )

    def setUp(self):
        super().setUp()
        self.receiver = WebhookReceiver(self.secret).start()
        self.addCleanup(self.receiver.stop)

    def _webhook(self, **values):
        vals = {
            "name": "Système de stock X",
            "url": f"{self.receiver.url}/events",
            "secret": self.secret,
            "company_id": self.company_x.id,
            "timeout": 2,
        }
        vals.update(values)
        return self.env["reemploi.webhook"].create(vals)

    def _send(self, at):
        with freeze_time(at):
            return self.Delivery._cron_send()


@tagged("post_install", "-at_install")
class TestWebhookDelivery(WebhookCase):
    def test_state_change_queued_then_sent_signed(self):
        webhook = self._webhook()
        device = self._device("WH-1", company=self.company_x)
        with freeze_time(START):
            device.with_user(self.user_operator_x).action_declare()
        # nothing left during the operator's transaction: only a queued delivery
        self.assertEqual(self.receiver.hits(), 0)
        delivery = self.Delivery.search([("webhook_id", "=", webhook.id)])
        self.assertEqual(len(delivery), 1)
        self.assertEqual(
            (delivery.state, delivery.attempt_count, delivery.event),
            ("pending", 0, "device.state_changed"),
        )
        # the scheduled job, after the commit
        sent = self._send(START + timedelta(seconds=5))
        self.assertEqual(sent, delivery)
        self.assertEqual(self.receiver.bad_signatures, 0)
        self.assertEqual(len(self.receiver.events), 1)
        event = self.receiver.events[0]
        self.assertEqual(event["id"], delivery.id)
        self.assertEqual(event["event"], "device.state_changed")
        self.assertEqual(event["occurred_at"], "2025-03-03T09:00:00Z")
        self.assertEqual(
            {k: event["data"][k] for k in ("id", "serial", "state", "previous_state")},
            {
                "id": device.id,
                "serial": "WH-1",
                "state": "declared",
                "previous_state": "in_use",
            },
        )
        self.assertEqual(
            (delivery.state, delivery.attempt_count, delivery.response_code),
            ("done", 1, 200),
        )
        self.assertIn("received", delivery.response_excerpt)
        # delivered once: the job does not send it again
        self._send(START + timedelta(days=1))
        self.assertEqual(self.receiver.hits(), 1)

    def test_retried_with_backoff_until_delivered(self):
        self._webhook()
        self.receiver.inject("error", times=1)
        device = self._device("WH-2", company=self.company_x)
        with freeze_time(START):
            device.action_declare()
        self._send(START)
        delivery = self.Delivery.search([("res_id", "=", device.id)])
        self.assertEqual(
            (delivery.state, delivery.attempt_count, delivery.response_code),
            ("pending", 1, 500),
        )
        self.assertEqual(delivery.error, "HTTP 500")
        self.assertEqual(delivery.next_attempt, START + timedelta(minutes=1))
        # not due yet
        self._send(START + timedelta(seconds=50))
        self.assertEqual(self.receiver.hits(), 1)
        self._send(START + timedelta(seconds=61))
        self.assertEqual(self.receiver.hits(), 2)
        self.assertEqual((delivery.state, delivery.attempt_count), ("done", 2))
        self.assertEqual(len(self.receiver.events), 1)

    def test_gives_up_after_the_schedule(self):
        self._webhook()
        self.receiver.inject("error")
        device = self._device("WH-3", company=self.company_x)
        with freeze_time(START):
            device.action_declare()
        delivery = self.Delivery.search([("res_id", "=", device.id)])
        at = START
        gaps = []
        for _attempt in range(6):
            self._send(at)
            if delivery.state == "pending":
                gaps.append(delivery.next_attempt - at)
                at = delivery.next_attempt
        self.assertEqual(
            gaps,
            [
                timedelta(minutes=1),
                timedelta(minutes=5),
                timedelta(minutes=30),
                timedelta(hours=2),
                timedelta(hours=12),
            ],
        )
        self.assertEqual((delivery.state, delivery.attempt_count), ("failed", 6))
        self._send(at + timedelta(days=2))
        self.assertEqual(self.receiver.hits(), 6)
        # a manager sends it again by hand
        with freeze_time(at + timedelta(days=2)):
            delivery.with_user(self.user_operator_x).action_retry()
        self._send(at + timedelta(days=2))
        self.assertEqual(delivery.state, "failed")  # the receiver still fails
        self.assertEqual(self.receiver.hits(), 7)

    def test_timeout_and_closed_port(self):
        slow = self._webhook(name="Lent", timeout=1)
        closed = self._webhook(name="Fermé", url=closed_port_url())
        self.receiver.inject("slow", delay=2)
        device = self._device("WH-4", company=self.company_x)
        with freeze_time(START):
            device.action_declare()
        self._send(START)
        by_webhook = {
            d.webhook_id: d for d in self.Delivery.search([("res_id", "=", device.id)])
        }
        self.assertEqual(by_webhook[slow].error, "timeout")
        self.assertIn("connection failed", by_webhook[closed].error)
        for delivery in by_webhook.values():
            self.assertEqual(
                (delivery.state, delivery.attempt_count, delivery.response_code),
                ("pending", 1, 0),
            )

    def test_routing_by_operator_and_donor(self):
        mine = self._webhook()
        other_operator = self._webhook(name="Y", company_id=self.company_y.id)
        other_donor = self._webhook(
            name="B", company_id=False, partner_id=self.donor_b.id
        )
        territory = self._webhook(name="Métropole", company_id=False)
        lots_only = self._webhook(name="Lots", event_device_state=False)
        device = self._device("WH-5", company=self.company_x)
        device.action_declare()
        deliveries = self.Delivery.search([("res_id", "=", device.id)])
        self.assertEqual(deliveries.webhook_id, mine | territory)
        self.assertFalse((other_operator | other_donor | lots_only).delivery_ids)

    def test_lot_state_change(self):
        hook = self._webhook(name="Lots", company_id=False, event_device_state=False)
        device = self._device("WH-6")
        device.action_to_decommission()
        lot = self._lot(devices=device)
        lot.with_user(self.user_donor_a).action_declare()
        delivery = hook.delivery_ids
        self.assertEqual(len(delivery), 1)
        self.assertEqual(delivery.event, "lot.state_changed")
        self._send(datetime.now())
        data = self.receiver.events[0]["data"]
        self.assertEqual(
            (data["id"], data["state"], data["previous_state"], data["donor_id"]),
            (lot.id, "declared", "draft", self.donor_a.id),
        )

    def test_nothing_queued_when_the_change_fails(self):
        self._webhook()
        device = self._device("WH-7", company=self.company_x)
        with self.assertRaises(Exception):  # noqa: B017 - any refusal
            device.action_sell()
        self.assertFalse(self.Delivery.search([("res_id", "=", device.id)]))

    def test_url_must_be_http(self):
        with self.assertRaises(ValidationError):
            self._webhook(url="ftp://127.0.0.1/events")


@tagged("post_install", "-at_install")
class TestWebhookTargets(WebhookCase):
    """Webhooks reach public servers only, unless an administrator allows a
    host: checked when saved and again at each delivery."""

    def _allow(self, hosts):
        self.env["ir.config_parameter"].set_param(
            "reemploi_market.webhook_allowed_hosts", hosts
        )

    def test_internal_addresses_refused_when_saved(self):
        self._allow("")
        for url in (
            "http://127.0.0.1:8069/events",
            "http://localhost/events",
            "http://[::1]/events",
            "http://10.1.2.3/events",
            "http://192.168.0.10/events",
            "http://172.16.5.4/events",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/events",
            "http://224.0.0.1/events",
            "http://0.0.0.0/events",
            "http://[::ffff:127.0.0.1]/events",
            "http://[fd00:ec2::254]/events",
            "http://2130706433/events",  # 127.0.0.1 as one number
        ):
            with self.subTest(url=url), self.assertRaises(ValidationError) as refused:
                self._webhook(url=url)
            self.assertIn("reemploi_market.webhook_allowed_hosts", str(refused.exception))

    def test_allowed_host_accepted(self):
        self._allow("")
        with self.assertRaises(ValidationError):
            self._webhook(url=f"{self.receiver.url}/events")
        self._allow("intranet.example, 127.0.0.1")
        webhook = self._webhook(url=f"{self.receiver.url}/events")
        self.assertTrue(webhook.id)

    def test_checked_again_at_delivery(self):
        webhook = self._webhook()
        # the administrator withdraws the permission after the webhook was saved
        self._allow("")
        device = self._device("WH-T1", company=self.company_x)
        with freeze_time(START):
            device.action_declare()
        self._send(START)
        delivery = webhook.delivery_ids
        self.assertEqual(delivery.error, "refused: internal")
        self.assertEqual(delivery.state, "pending")
        self.assertEqual(self.receiver.hits(), 0)

    def test_non_admin_cannot_allow_a_host(self):
        with self.assertRaises(AccessError):
            self.env["ir.config_parameter"].with_user(self.user_coordinator).set_param(
                "reemploi_market.webhook_allowed_hosts", "127.0.0.1"
            )


@tagged("post_install", "-at_install")
class TestWebhookAccess(WebhookCase):
    def test_access(self):
        mine = self._webhook()
        other = self._webhook(name="Y", company_id=self.company_y.id)
        territory = self._webhook(name="Métropole", company_id=False)
        Webhook = self.env["reemploi.webhook"]
        # operators manage their company's webhooks only
        visible = Webhook.with_user(self.user_operator_x).search([])
        self.assertEqual(visible, mine)
        self.assertTrue(mine.with_user(self.user_operator_x).secret)
        with self.assertRaises(AccessError):
            other.with_user(self.user_operator_x).write({"active": False})
        with self.assertRaises(AccessError):
            Webhook.with_user(self.user_operator_x).create(
                {
                    "name": "Pas à moi",
                    "url": "https://example.org",
                    "company_id": self.company_y.id,
                }
            )
        # the coordinator manages them all
        self.assertEqual(
            Webhook.with_user(self.user_coordinator).search([]),
            mine | other | territory,
        )
        # donors have no backend access to webhooks nor deliveries
        with self.assertRaises(AccessError):
            Webhook.with_user(self.user_donor_a).search([])
        with self.assertRaises(AccessError):
            self.Delivery.with_user(self.user_donor_a).search([])
        # an operator reads its company's deliveries only, and cannot forge one
        self._device("WH-8", company=self.company_x).action_declare()
        self._device("WH-9", company=self.company_y).action_declare()
        seen = self.Delivery.with_user(self.user_operator_x).search([])
        self.assertEqual(seen.webhook_id, mine)
        with self.assertRaises(AccessError):
            self.Delivery.with_user(self.user_operator_x).create(
                {
                    "webhook_id": mine.id,
                    "event": "device.state_changed",
                    "occurred_at": datetime.now(),
                }
            )
