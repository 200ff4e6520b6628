"""Outbound webhooks: payloads, signatures, retry schedule and sending.

Plain Python, no ORM: ``models/reemploi_webhook_delivery.py`` stores the
deliveries and calls these functions from its scheduled job, never inside
the transaction of the user whose action produced the event.

Signature
---------
Each request carries::

    X-Reemploi-Event: device.state_changed
    X-Reemploi-Delivery: 42
    X-Reemploi-Timestamp: 1735689600
    X-Reemploi-Signature: sha256=<hex>

where ``<hex>`` is the HMAC-SHA256, keyed with the webhook's secret, of the
timestamp, a dot and the raw body (``b"1735689600." + body``). The timestamp
is signed with the body: a receiver that refuses timestamps older than a few
minutes cannot be fed a captured request again, and the delivery id lets it
ignore a retry it already processed. :func:`verify` is what a receiver does.
"""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass

import requests

SIGNATURE_HEADER = "X-Reemploi-Signature"
TIMESTAMP_HEADER = "X-Reemploi-Timestamp"
EVENT_HEADER = "X-Reemploi-Event"
DELIVERY_HEADER = "X-Reemploi-Delivery"

DEVICE_STATE_CHANGED = "device.state_changed"
LOT_STATE_CHANGED = "lot.state_changed"
EVENTS = (DEVICE_STATE_CHANGED, LOT_STATE_CHANGED)

# seconds to wait after the 1st, 2nd... failed attempt; then the delivery fails
BACKOFF = (60, 5 * 60, 30 * 60, 2 * 3600, 12 * 3600)
MAX_ATTEMPTS = len(BACKOFF) + 1

# how much of a receiver's answer the delivery log keeps
EXCERPT_CHARS = 1000

USER_AGENT = "Reemploi-Webhooks/1.0"


def next_delay(attempts):
    """Seconds before the next attempt once ``attempts`` attempts failed;
    ``None`` when the delivery gives up."""
    if attempts < 1:
        return 0
    if attempts > len(BACKOFF):
        return None
    return BACKOFF[attempts - 1]


def payload(event, delivery_id, occurred_at, data):
    """The JSON document sent for one event. ``occurred_at``: an ISO 8601
    UTC text; ``data``: the record's public values (JSON types only)."""
    return {
        "id": delivery_id,
        "event": event,
        "occurred_at": occurred_at,
        "data": data,
    }


def encode(document):
    """The exact bytes sent (and signed): compact, keys sorted, UTF-8."""
    return json.dumps(
        document, ensure_ascii=False, separators=(",", ":"), sort_keys=True
    ).encode("utf-8")


def signature(secret, timestamp, body):
    """``sha256=<hex>`` of the timestamp and the raw body."""
    message = str(int(timestamp)).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret, timestamp, body, header, now=None, tolerance=300):
    """What a receiver checks: the signature matches and the timestamp is
    at most ``tolerance`` seconds away from ``now``."""
    try:
        timestamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header or "")


def headers(secret, event, delivery_id, body, timestamp):
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: event,
        DELIVERY_HEADER: str(delivery_id),
        TIMESTAMP_HEADER: str(int(timestamp)),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


@dataclass
class Outcome:
    """What one attempt gave: ``ok`` for a 2xx answer; ``status`` is None
    when no answer came (``error`` says why)."""

    ok: bool
    status: int | None
    excerpt: str
    error: str
    duration_ms: int


def send(url, body, request_headers, timeout, session=None):
    """POST ``body`` to ``url``; never raises for a network failure. Redirects
    are not followed: a receiver answers where it was configured."""
    started = time.perf_counter()
    http = session or requests
    try:
        response = http.post(
            url,
            data=body,
            headers=request_headers,
            timeout=timeout,
            allow_redirects=False,
        )
    except requests.Timeout:
        return Outcome(False, None, "", "timeout", _ms(started))
    except requests.RequestException as error:
        return Outcome(
            False, None, "", f"connection failed: {type(error).__name__}", _ms(started)
        )
    excerpt = response.text[:EXCERPT_CHARS] if response.content else ""
    ok = 200 <= response.status_code < 300
    error = "" if ok else f"HTTP {response.status_code}"
    return Outcome(ok, response.status_code, excerpt, error, _ms(started))


def _ms(started):
    return int((time.perf_counter() - started) * 1000)
