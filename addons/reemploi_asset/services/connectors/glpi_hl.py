"""GLPI connector: the high-level API of GLPI 11 (``api.php``, v2, OAuth2).

Protocol (GLPI's ``src/Glpi/Api/HL/Router.php``, ``Controller/
CoreController.php``, ``Controller/AssetController.php``,
``ResourceAccessor.php``, ``Search.php``, ``RSQL/Lexer.php`` and
``RSQL/Parser.php``, ``src/Glpi/OAuth/Server.php``, and the "RESTful API
(V2)" page of GLPI's documentation):

* ``POST {root}/token`` (``root`` is ``…/api.php``), a form with
  ``grant_type``, ``client_id``, ``client_secret``, ``scope=api`` and, for
  the ``password`` grant, ``username`` and ``password``. The OAuth client is
  created in GLPI (Setup > OAuth clients) with the grant and the ``api``
  scope. The answer is league/oauth2-server's ``{"token_type": "Bearer",
  "expires_in": 3600, "access_token": …}``; its errors are ``{"error":
  "invalid_client", "error_description": …}`` (HTTP 401 for a bad client,
  400 for bad user credentials, ``invalid_grant``).
* GLPI documents the password grant for scripts and says that grants
  without user credentials are not supported for the API yet: with
  ``client_credentials`` (used when the source has no username), the
  token is issued but the API answers as to an unauthenticated caller. The
  grant is kept for servers that accept it; its failure says to fill in a
  user. (How GLPI 11 answers a client-credentials token exactly could not
  be confirmed from its source; the fake server assumes HTTP 401.)
* Every other call carries ``Authorization: Bearer <token>``. No token:
  HTTP 401 ``{"status": "ERROR_UNAUTHENTICATED", …}``; a token that is
  expired (after ``expires_in``, one hour) or unknown: HTTP 400 ``{"status":
  "ERROR_INVALID_PARAMETER", "title": "Invalid OAuth token", "detail":
  "Access token has expired"}``. The token is renewed before it expires,
  and once more when GLPI refuses it, then the refusal is an
  :class:`AuthError`. No right on the item type: HTTP 403
  ``ERROR_RIGHT_MISSING``; API disabled in GLPI: the same, with the detail
  "The High-Level API is disabled".
* ``GET {root}/v2/Assets/{Computer|Monitor|Phone}?start=&limit=&sort=id:asc
  &filter=…``: a JSON list of assets, HTTP 206 while ``start + limit <
  total``, then 200, with ``Content-Range: start-end/total``. The next page
  starts after the items received (GLPI's ``end`` can be one past the last
  item). ``v2`` picks the newest 2.x version of the API.
* ``filter`` is RSQL: ``is_deleted==false`` leaves the trash out, and
  ``date_mod=ge="YYYY-MM-DD HH:MM:SS"`` makes the sync incremental (``>=``,
  see :mod:`.base`). A filter on an unknown property is an HTTP 400. GLPI
  compares the text with the stored date; it is given in the server's
  local time, as the API writes dates.
* An asset is an object: ``id``, ``name``, ``serial``, ``otherserial``,
  ``date_mod`` (RFC 3339, e.g. ``2024-01-10T08:00:00+01:00``: the local
  time is kept, so the cursor has the legacy API's format), and dropdowns
  as objects ``{"id": …, "name": …}``: ``status``, ``manufacturer``,
  ``model``, ``type``, ``location`` (its own name, not the complete path
  of the legacy API). An unset dropdown is taken as null or an object
  without a name. GLPI 11 no longer HTML-escapes stored text; entities are
  decoded anyway.
* Purchase dates (Infocom) have no high-level endpoint for assets: rows of
  this API have no purchase date.
"""

import datetime
import hashlib
import hmac
import logging
import re
import time

from ..messages import Message, _
from .base import AuthError, ConnectorError, Page, clean, excerpt
from .glpi import AUTH_HINTS, ITEMTYPES, GlpiBase

_logger = logging.getLogger(__name__)

SCOPE = "api"
API_VERSION = "v2"
# renew the token this many seconds before GLPI says it expires
TOKEN_MARGIN = 60
# an API root written with the legacy script or a version: the same server
ROOT_RE = re.compile(r"/(?:apirest\.php|api\.php(?:/v\d+(?:\.\d+)*)?)$")
LOCAL_DATETIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})")

OAUTH_HINTS = {
    "invalid_client": _(
        "GLPI refused the OAuth client: check the client ID and client secret "
        "of the source (GLPI: Setup > OAuth clients)."
    ),
    "invalid_grant": _(
        "GLPI refused the username or password of the API user: check them in "
        "the source and that this GLPI user is active."
    ),
    "unsupported_grant_type": _(
        "The OAuth client does not allow this grant: in GLPI (Setup > OAuth "
        "clients), allow the Password grant on it."
    ),
    "invalid_scope": _(
        "The OAuth client may not use the api scope: add the api scope to it "
        "in GLPI (Setup > OAuth clients)."
    ),
    "invalid_request": _(
        "GLPI found the token request incomplete: fill in the client ID, the "
        "client secret, the username and the password of the source."
    ),
}
# league/oauth2-server before 8.5 answered bad user credentials so
OAUTH_HINTS["invalid_credentials"] = OAUTH_HINTS["invalid_grant"]
OAUTH_HINTS["unauthorized_client"] = OAUTH_HINTS["unsupported_grant_type"]


class TokenRejected(AuthError):
    """GLPI refused the access token of a call (expired, revoked): a new
    token may be asked for once."""


class GlpiHlConnector(GlpiBase):
    """GLPI through its high-level API (GLPI 11 and later).

    ``url`` is the API root, e.g. ``https://glpi.example.org/api.php``
    (``/api.php`` is added to a GLPI root; a version or ``apirest.php`` at
    the end is replaced). ``client_id`` and ``client_secret`` identify the
    OAuth client; with ``username`` and ``password`` the password grant is
    used, without them the client credentials grant.
    """

    def __init__(
        self,
        url,
        client_id=None,
        client_secret=None,
        username=None,
        password=None,
        **kwargs,
    ):
        super().__init__(url, **kwargs)
        self.url = ROOT_RE.sub("", self.url) + "/api.php"
        self.client_id = client_id or None
        self.client_secret = client_secret or None
        self.username = username or None
        self.password = password or None
        self._token = None
        self._token_expires = 0.0

    @property
    def grant_type(self):
        return "password" if self.username else "client_credentials"

    def fetch(self):
        rows = []
        for itemtype in self.itemtypes:
            rows.extend(
                self._item_row(itemtype, asset) for asset in self._assets(itemtype)
            )
        return self._page(rows, "date_mod")

    # --------------------------------------------------------------- token

    def _check_credentials(self):
        if not (self.client_id and self.client_secret):
            raise AuthError(
                Message(
                    _(
                        "GLPI: the source has no OAuth client ID or secret; create an "
                        "OAuth client with the api scope in GLPI (Setup > OAuth "
                        "clients) and fill them in."
                    )
                )
            )
        if self.username and not self.password:
            raise AuthError(
                Message(
                    _(
                        "GLPI: the source has a username but no password; fill in "
                        "the password of the GLPI API user."
                    )
                )
            )

    def _access_token(self):
        """A valid token: the current one, or a new one when it is about to
        expire (or was refused)."""
        if self._token and time.monotonic() < self._token_expires:
            return self._token
        self._check_credentials()
        url = f"{self.url}/token"
        what = self._endpoint(url, "POST")
        form = {
            "grant_type": self.grant_type,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "scope": SCOPE,
        }
        if self.username:
            form.update(username=self.username, password=self.password)
        response = self._request(
            "POST", url, what, data=form, headers={"Accept": "application/json"}
        )
        data = self._json(response, what)
        token = data.get("access_token") if isinstance(data, dict) else None
        kind = data.get("token_type") if isinstance(data, dict) else None
        if not token or not isinstance(token, str) or str(kind).lower() != "bearer":
            raise self._unexpected(what, Message(_("no Bearer access_token")))
        lifetime = data.get("expires_in")
        if not isinstance(lifetime, (int, float)) or isinstance(lifetime, bool):
            lifetime = 3600  # GLPI's lifetime of an access token
        self._token = token
        self._token_expires = time.monotonic() + max(0, lifetime - TOKEN_MARGIN)
        return token

    def _get(self, url, what, params):
        """GET with the bearer token; a refused token is renewed once."""
        for attempt in range(2):
            headers = {
                "Accept": "application/json",
                "Authorization": f"Bearer {self._access_token()}",
            }
            try:
                return self._request("GET", url, what, params=params, headers=headers)
            except TokenRejected:
                if attempt:
                    raise
                _logger.info(
                    "GLPI %s refused the token of %s: new token", self.url, what
                )
                self._token = None

    # ------------------------------------------------------------ listings

    def _assets(self, itemtype):
        url = f"{self.url}/{API_VERSION}/Assets/{itemtype}"
        what = self._endpoint(url)
        filters = ["is_deleted==false"]
        if self.cursor:
            filters.append(f'date_mod=ge="{self.cursor}"')
        params = {
            "filter": ";".join(filters),
            "sort": "id:asc",
            "limit": self.page_size,
        }
        assets, start = [], 0
        while True:
            response = self._get(url, what, {**params, "start": start})
            page = self._json(response, what)
            if not isinstance(page, list) or not all(
                isinstance(asset, dict) and "id" in asset for asset in page
            ):
                raise self._unexpected(
                    what, Message(_("expected a list of items with an id"))
                )
            assets.extend(page)
            if response.status_code != 206 or not page:
                return assets
            _first, _last, total = self._content_range(response, what)
            start += len(page)
            if start >= total:
                return assets

    def _item_row(self, itemtype, asset):
        return self._asset_row(
            itemtype,
            asset["id"],
            {
                "Nom": asset.get("name"),
                "Statut": _name(asset.get("status")),
                "Fabricant": _name(asset.get("manufacturer")),
                "Type": _name(asset.get("type")),
                "Modèle": _name(asset.get("model")),
                "Numéro de série": asset.get("serial"),
                "Numéro d'inventaire": asset.get("otherserial"),
                "Lieu": _name(asset.get("location")),
                "date_mod": _local_datetime(asset.get("date_mod")),
            },
        )

    # -------------------------------------------------------------- errors

    def _http_error(self, response, what):
        """GLPI's answers ``{"status": "ERROR_…", "title": …, "detail": …}``
        and the token endpoint's ``{"error": …, "error_description": …}``."""
        status = response.status_code
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            data = {}
        oauth = "error" in data
        if oauth:
            code = clean(data.get("error"))
            parts = (
                data.get("error_description") or data.get("message"),
                data.get("hint"),
            )
        else:
            code = clean(data.get("status"))
            parts = (data.get("title"), data.get("detail"))
        message = ": ".join(_text(part) for part in parts if _text(part))
        message = message or excerpt(response.text)
        code = code or None
        if oauth:
            hint = OAUTH_HINTS.get(code)
            hint = Message(hint) if hint else self._user_hint()
        elif status == 401 or (
            status == 400 and data.get("title") == "Invalid OAuth token"
        ):
            return TokenRejected(
                Message(
                    _(
                        "%(where)s refused the access token for %(what)s "
                        "(%(message)s). %(hint)s"
                    ),
                    where=self._where(),
                    what=what,
                    message=message,
                    hint=self._user_hint(),
                ),
                endpoint=what,
                code=code,
            )
        elif status == 403 and "disabled" in message.lower():
            hint = Message(
                _(
                    "Enable the high-level API in GLPI (Setup > General > API), or "
                    "choose the legacy REST API for the source."
                )
            )
        elif status == 403:
            hint = Message(AUTH_HINTS["ERROR_RIGHT_MISSING"])
        elif status == 404:
            return ConnectorError(
                Message(
                    _(
                        "%(where)s has no high-level API (HTTP 404 for %(what)s): it "
                        "needs GLPI 11 or later; check the URL, or choose the legacy "
                        "REST API for the source."
                    ),
                    where=self._where(),
                    what=what,
                ),
                retryable=False,
                endpoint=what,
            )
        else:
            return self._rejected(what, status, code, message)
        return self._refused(what, code or f"HTTP {status}", message, hint)

    def _user_hint(self):
        if self.grant_type == "client_credentials":
            return Message(
                _(
                    "GLPI 11 gives API access to a user only: fill in the username "
                    "and password of the GLPI API user in the source."
                )
            )
        return Message(
            _(
                "Check the OAuth client of the source (api scope, Password grant) "
                "and that the GLPI API user is active."
            )
        )


def _name(value):
    """The name of a dropdown object, "" when unset."""
    if isinstance(value, dict):
        return clean(value.get("name"))
    return "" if value is None else clean(value)


def _text(value):
    """Text of an error field (GLPI's ``detail`` may be a list or object)."""
    if isinstance(value, (list, dict)):
        return excerpt(value)
    return excerpt(clean(value))


def _local_datetime(value):
    """``YYYY-MM-DD HH:MM:SS`` of an RFC 3339 date-time, in the server's
    local time (the offset is dropped: GLPI compares filters with its local
    dates); "" when there is none."""
    match = LOCAL_DATETIME_RE.match(clean(value))
    if not match:
        return ""
    text = f"{match[1]} {match[2]}"
    try:
        datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return ""
    return text


# ------------------------------------------------------------------ webhooks
# GLPI 11's outgoing webhooks (``src/Webhook.php``): an item's event queued
# and sent by GLPI's cron as ``POST <url>``, the body being the webhook's
# payload (by default ``{"event": …, "item": {…}}``, the item in the
# high-level API's schema, as ``GET /Assets/<Itemtype>/<id>`` gives it),
# with ``X-GLPI-signature: hex(HMAC-SHA256(body + timestamp, secret))`` and
# ``X-GLPI-timestamp: <unix time>``. The secret is GLPI's (generated when
# the webhook is created). Events: ``new``, ``update``, ``delete``,
# ``restore``, ``purge``. With "challenge-response authentication", GLPI
# first calls ``GET <url>?crc_token=<hmac(…)>`` and expects
# ``hex(HMAC-SHA256(crc_token, secret))`` back. A queued webhook keeps the
# headers of the moment it was raised: its retries carry the same
# timestamp.

WEBHOOK_UPSERT_EVENTS = frozenset({"new", "update", "restore"})
WEBHOOK_REMOVE_EVENTS = frozenset({"delete", "purge"})


def webhook_signature(body, timestamp, secret):
    """GLPI's signature of ``body`` (bytes) sent at ``timestamp`` (text)."""
    return hmac.new(
        secret.encode(), bytes(body) + str(timestamp).encode(), hashlib.sha256
    ).hexdigest()


def webhook_signature_valid(body, timestamp, signature, secret):
    if not (secret and timestamp and signature):
        return False
    expected = webhook_signature(body, timestamp, secret)
    return hmac.compare_digest(expected, str(signature).strip().lower())


def webhook_challenge(crc_token, secret):
    """The answer to GLPI's challenge-response check."""
    digest = hmac.new(secret.encode(), str(crc_token).encode(), hashlib.sha256)
    return digest.hexdigest()


def webhook_page(itemtype, item):
    """The :class:`~.base.Page` of the one item a webhook carries (no
    cursor: the next polled synchronisation still reads from its own)."""
    if itemtype not in ITEMTYPES:
        raise ConnectorError(
            Message(
                _(
                    "GLPI webhook: unknown item type %(itemtype)s; use one of "
                    "%(choices)s."
                ),
                itemtype=repr(itemtype),
                choices=", ".join(ITEMTYPES),
            ),
            retryable=False,
        )
    if not isinstance(item, dict) or not clean(item.get("id")):
        raise ConnectorError(
            Message(_("GLPI webhook: the payload has no item with an id.")),
            retryable=False,
        )
    connector = GlpiHlConnector("https://glpi.invalid/api.php")
    row = connector._item_row(itemtype, item)
    return Page(header=list(connector.header), rows=[row], cursor=None)
