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
import ipaddress
import json
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3

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


# Targets
# -------
# A webhook is a request our server makes to an address a user typed: it must
# not reach the machines behind our own network (loopback, private ranges,
# link-local and cloud metadata services, multicast, reserved ranges) unless
# an administrator names the host explicitly. The check runs on the addresses
# the name resolves to, when the webhook is saved and again at each delivery,
# and the delivery connects to the very address that was checked: a name that
# resolves elsewhere between the check and the connection (DNS rebinding)
# changes nothing.


class TargetRefused(Exception):
    """The webhook's address may not be called. ``reason``: ``"scheme"``,
    ``"host"`` (no host), ``"unresolved"`` (the name does not resolve) or
    ``"internal"`` (it resolves to a non-public address, in ``address``)."""

    def __init__(self, reason, host="", address=""):
        super().__init__(reason, host, address)
        self.reason = reason
        self.host = host
        self.address = address


def is_public(address):
    """Whether ``address`` (an ``ipaddress`` address) is a public unicast
    address: not loopback, private, shared (CGNAT), link-local (where the
    cloud metadata services answer), multicast, reserved or unspecified, nor
    an IPv6 form of one of those."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo:
            embedded = address.teredo[1]
        if embedded is not None and not is_public(embedded):
            return False
    return address.is_global and not address.is_multicast


def parse_hosts(text):
    """The host names of a comma- or space-separated allow-list, lowered."""
    return {
        host.strip().lower().strip("[]")
        for host in (text or "").replace(",", " ").split()
        if host.strip()
    }


def resolve(host, port):
    """The addresses ``host`` resolves to, in the resolver's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefused("unresolved", host) from error
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def check_target(url, allowed_hosts=(), resolver=resolve):
    """The address to connect to for ``url``: ``(scheme, host, port,
    address)``. Raises :class:`TargetRefused` when the URL is not http(s),
    names no host, does not resolve, or resolves to any non-public address
    while its host is not in ``allowed_hosts``."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https"):
        raise TargetRefused("scheme")
    host = (parts.hostname or "").lower()
    if not host:
        raise TargetRefused("host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise TargetRefused("host", host) from error
    addresses = resolver(host, port)
    if not addresses:
        raise TargetRefused("unresolved", host)
    if host not in set(allowed_hosts):
        for address in addresses:
            if not is_public(address):
                raise TargetRefused("internal", host, str(address))
    return parts.scheme, host, port, addresses[0]


def send(url, body, request_headers, timeout, allowed_hosts=(), resolver=resolve):
    """POST ``body`` to ``url``; never raises for a network failure or a
    refused target. Redirects are not followed: a receiver answers where it
    was configured. The connection goes to the address that
    :func:`check_target` accepted, with the URL's host name for the
    ``Host`` header and the TLS certificate."""
    started = time.perf_counter()
    try:
        scheme, host, port, address = check_target(url, allowed_hosts, resolver)
    except TargetRefused as refused:
        return Outcome(False, None, "", f"refused: {refused.reason}", _ms(started))
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    pool_kwargs = {
        "host": str(address),
        "port": port,
        "timeout": urllib3.Timeout(connect=timeout, read=timeout),
        "retries": False,
        "maxsize": 1,
    }
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            **pool_kwargs,
        )
    else:
        pool = urllib3.HTTPConnectionPool(**pool_kwargs)
    default_port = 443 if scheme == "https" else 80
    host_header = host if port == default_port else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
    try:
        response = pool.urlopen(
            "POST",
            target,
            body=body,
            headers={**request_headers, "Host": host_header},
            redirect=False,
            assert_same_host=False,
            preload_content=True,
        )
    except urllib3.exceptions.NewConnectionError as error:
        # a subclass of ConnectTimeoutError, but nothing timed out
        return Outcome(
            False, None, "", f"connection failed: {type(error).__name__}", _ms(started)
        )
    except urllib3.exceptions.TimeoutError:
        return Outcome(False, None, "", "timeout", _ms(started))
    except urllib3.exceptions.HTTPError as error:
        return Outcome(
            False, None, "", f"connection failed: {type(error).__name__}", _ms(started)
        )
    finally:
        pool.close()
    data = response.data or b""
    excerpt = data.decode("utf-8", "replace")[:EXCERPT_CHARS] if data else ""
    ok = 200 <= response.status < 300
    error = "" if ok else f"HTTP {response.status}"
    return Outcome(ok, response.status, excerpt, error, _ms(started))


def _ms(started):
    return int((time.perf_counter() - started) * 1000)
