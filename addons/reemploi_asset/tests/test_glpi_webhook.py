"""GLPI 11's webhooks pushed to a source: signed as GLPI's ``src/Webhook.php``
signs them (HMAC-SHA256 of the body followed by the timestamp, hex), with
GLPI's default payload (``{"event": …, "item": …}``, the item in the
high-level API's schema of a computer). GLPI itself cannot run here: the
calls are written from its source and documentation, not from our client."""

import hashlib
import hmac
import json
import time

from odoo.tests import Form, HttpCase, tagged

from .common import ReemploiCase

SECRET = "Kq2v8yXwL0pR5tG7hJ9mN3bV6cZ1aS4dF8gH2jK0"


def computer(number, **values):
    """A computer as GLPI's high-level API (and so its webhooks) shows it."""
    item = {
        "id": number,
        "name": f"PC-COMPTA-{number:03d}",
        "comment": "",
        "date_creation": "2021-03-02T09:00:00+01:00",
        "date_mod": "2026-12-06T10:15:00+01:00",
        "status": {"id": 2, "name": "En stock"},
        "location": {"id": 3, "name": "Bureau 2"},
        "entity": {"id": 0, "name": "Entité racine", "completename": "Entité racine"},
        "is_recursive": False,
        "type": {"id": 1, "name": "Portable"},
        "manufacturer": {"id": 4, "name": "Lenovo"},
        "model": {"id": 7, "name": "ThinkPad T480"},
        "user": None,
        "user_tech": None,
        "group": [],
        "group_tech": [],
        "contact": "",
        "contact_num": "",
        "serial": f"PF1WH{number:04d}",
        "otherserial": f"INV-{number:05d}",
        "uuid": None,
        "is_deleted": False,
    }
    item.update(values)
    return item


@tagged("post_install", "-at_install")
class TestGlpiWebhook(HttpCase, ReemploiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with Form(cls.env["reemploi.import.source"]) as form:
            form.name = "GLPI de la ville"
            form.kind = "glpi"
            form.glpi_api = "v2"
            form.owner_id = cls.donor_a
            form.url = "https://glpi.ville.example/api.php"
            form.glpi_webhook_secret = SECRET
        cls.source = form.record

    def _url(self, itemtype="Computer", source=None):
        return f"/reemploi/glpi/webhook/{(source or self.source).id}/{itemtype}"

    def _send(self, payload, secret=SECRET, itemtype="Computer", timestamp=None):
        body = json.dumps(payload).encode()
        timestamp = str(timestamp or int(time.time()))
        signature = hmac.new(
            secret.encode(), body + timestamp.encode(), hashlib.sha256
        ).hexdigest()
        return self.url_open(
            self._url(itemtype),
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-GLPI-signature": signature,
                "X-GLPI-timestamp": timestamp,
            },
        )

    def _device(self, number):
        return self.Equipment.search([("source_ref", "=", f"Computer/{number}")])

    def test_new_then_update_then_same_again(self):
        answer = self._send({"event": "new", "item": computer(1)})
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(answer.json()["created"], 1)
        device = self._device(1)
        self.assertEqual(device.serial, "PF1WH0001")
        self.assertEqual(device.owner_id, self.donor_a)
        self.assertEqual(device.category_id, self.laptop)
        answer = self._send(
            {"event": "update", "item": computer(1, model={"id": 8, "name": "T490"})}
        )
        self.assertEqual(answer.json()["updated"], 1, answer.text)
        self.assertEqual(device.model, "T490")
        # GLPI retries a call it thinks failed: the same headers, no change
        again = self._send(
            {"event": "update", "item": computer(1, model={"id": 8, "name": "T490"})}
        )
        self.assertEqual(again.json()["unchanged"], 1)
        self.assertEqual(len(self._device(1)), 1)

    def test_wrong_or_missing_signature_is_refused(self):
        answer = self._send({"event": "new", "item": computer(2)}, secret="guess")
        self.assertEqual(answer.status_code, 401)
        unsigned = self.url_open(
            self._url(), data=json.dumps({"event": "new", "item": computer(2)})
        )
        self.assertEqual(unsigned.status_code, 401)
        self.source.glpi_webhook_secret = False
        answer = self._send({"event": "new", "item": computer(2)})
        self.assertEqual(answer.status_code, 401)
        self.assertFalse(self._device(2))

    def test_bad_payloads_are_4xx(self):
        self.assertEqual(self._send({"event": "new"}).status_code, 400)
        self.assertEqual(
            self._send(
                {"event": "new", "item": computer(3)}, itemtype="Printer"
            ).status_code,
            400,
        )
        self.assertEqual(
            self._send({"event": "explode", "item": computer(3)}).status_code, 400
        )
        self.assertEqual(self._send([1, 2, 3]).status_code, 400)
        body = b"{not json"
        timestamp = str(int(time.time()))
        signature = hmac.new(SECRET.encode(), body + timestamp.encode(), hashlib.sha256)
        answer = self.url_open(
            self._url(),
            data=body,
            headers={
                "X-GLPI-signature": signature.hexdigest(),
                "X-GLPI-timestamp": timestamp,
            },
        )
        self.assertEqual(answer.status_code, 400)
        self.assertFalse(self._device(3))
        too_big = self.url_open(self._url(), data=b"x" * (1024 * 1024 + 1))
        self.assertEqual(too_big.status_code, 413)
        other = self.env["reemploi.import.source"].create(
            {"name": "Fichier", "kind": "file", "owner_id": self.donor_a.id}
        )
        self.assertEqual(
            self.url_open(self._url(source=other), data=b"{}").status_code, 404
        )

    def test_deletion_in_glpi_is_noted_and_the_device_stays(self):
        self._send({"event": "new", "item": computer(4)})
        device = self._device(4)
        answer = self._send({"event": "delete", "item": computer(4, is_deleted=True)})
        self.assertEqual(answer.status_code, 202, answer.text)
        self.assertTrue(device.exists())
        self.assertIn("Computer/4", device.message_ids[0].body)

    def test_challenge_response(self):
        answer = self.url_open(f"{self._url()}?crc_token=abc123")
        self.assertEqual(answer.status_code, 200)
        expected = hmac.new(SECRET.encode(), b"abc123", hashlib.sha256).hexdigest()
        self.assertEqual(answer.text, expected)

    def test_the_form_gives_the_url_to_paste_in_glpi(self):
        self.assertTrue(
            self.source.glpi_webhook_url.endswith(
                f"/reemploi/glpi/webhook/{self.source.id}/Computer"
            )
        )
