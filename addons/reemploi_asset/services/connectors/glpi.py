"""GLPI connector: the legacy REST API (``apirest.php``, GLPI 9.1 to 11).

Protocol (GLPI's ``apirest.md`` and ``src/Api/APIRest.php``):

* ``GET initSession`` with ``App-Token`` and ``Authorization: user_token …``
  gives a ``session_token``; ``GET killSession`` ends it, always, also when
  the sync failed.
* Full sync: ``GET {itemtype}?expand_dropdowns=true&sort=id&range=a-b`` for
  Computer, Monitor and Phone, page after page: HTTP 206 and
  ``Content-Range: a-b/total`` while there is more, 200 when it was all.
  Sorting on the unique id keeps the pages stable.
* Incremental sync: the list endpoint can only filter with ``searchText``
  (a ``LIKE '%…%'``), so the changed ids come from the search engine,
  ``GET search/{itemtype}?criteria[0][field]=19&criteria[0][searchtype]=
  morethan&criteria[0][value]=…`` (search option 19 is ``date_mod``, 2 the
  id; ``morethan`` is a strict ``>``, so the value is the cursor minus one
  second), sorted on the id; their fields then come from ``GET
  getMultipleItems?items[i][itemtype]=…&items[i][items_id]=…`` in batches,
  with the same dropdown expansion as the full sync.
* Purchase dates live in the financial information (Infocom), not in the
  items: one extra paged listing, ``GET Infocom``, gives ``buy_date`` for
  every item instead of one ``GET {itemtype}/{id}/Infocom`` per item. It is
  read in both modes, so that a row never loses its date; when the API
  user may not read financial information, rows have no purchase date.
  ``options={"purchase_dates": False}`` skips it.
* Errors are ``[ "ERROR_CODE", "message" ]`` with HTTP 400/401; the codes
  about tokens, IP and rights raise :class:`AuthError`.
* ``X-GLPI-Sanitized-Content: false`` asks GLPI 10 for unescaped text;
  entities are decoded anyway for other versions.

Rows use the columns of a French GLPI list export (the "glpi" preset);
``ID`` is ``Computer/12``, as ids are only unique within an item type.
:class:`GlpiBase` holds what both GLPI APIs share; the high-level API of
GLPI 11 (``api.php``, OAuth2) is in :mod:`.glpi_hl`.
"""

import datetime
import logging

from ..messages import Message, _
from .base import AuthError, Connector, ConnectorError, clean

_logger = logging.getLogger(__name__)

# item type -> its model field, type field and the type used when it has none
ITEMTYPES = {
    "Computer": ("computermodels_id", "computertypes_id", "Ordinateur"),
    "Monitor": ("monitormodels_id", "monitortypes_id", "Moniteur"),
    "Phone": ("phonemodels_id", "phonetypes_id", "Téléphone"),
}
SEARCH_OPTION_ID = 2
SEARCH_OPTION_DATE_MOD = 19
# items per getMultipleItems call: 2 query variables each, far below PHP's
# max_input_vars (1000) and a URL of a few kB
MULTIPLE_BATCH = 50

AUTH_HINTS = {
    "ERROR_GLPI_LOGIN_USER_TOKEN": _(
        "GLPI refused the user token: check the user "
        "token (API token of the GLPI user) of the source."
    ),
    "ERROR_GLPI_LOGIN": _(
        "GLPI could not log the API user in: check the user token "
        "of the source and that this GLPI user is active."
    ),
    "ERROR_LOGIN_PARAMETERS_MISSING": _(
        "GLPI got no user token: fill in the user token of the source."
    ),
    "ERROR_WRONG_APP_TOKEN_PARAMETER": _(
        "GLPI refused the app token: check the app "
        "token of the source (GLPI: Setup > General > API > API clients)."
    ),
    "ERROR_APP_TOKEN_PARAMETERS_MISSING": _(
        "GLPI requires an app token: fill in the "
        "app token of the source (GLPI: Setup > General > API > API clients)."
    ),
    "ERROR_NOT_ALLOWED_IP": _(
        "GLPI does not accept API calls from Odoo's address: "
        "add it to the IP range of the API client in GLPI."
    ),
    "ERROR_RIGHT_MISSING": _(
        "the profile of the GLPI API user may not read these "
        "items: give it read access to computers, monitors and phones."
    ),
    "ERROR_LOGIN_WITH_CREDENTIALS_DISABLED": _(
        "GLPI refused the login: use a user token."
    ),
}
# the session vanished or the data moved under our feet: try again later
TRANSIENT_CODES = {
    "ERROR_SESSION_TOKEN_INVALID",
    "ERROR_SESSION_TOKEN_MISSING",
    "ERROR_RANGE_EXCEED_TOTAL",
}


class GlpiBase(Connector):
    """Computers, monitors and phones of a GLPI instance, whichever API
    reads them: the same columns and identifiers, so that a source can move
    from one API to the other without duplicating its devices.

    ``options``: ``itemtypes`` (subset of :data:`ITEMTYPES`).
    """

    tool = "GLPI"
    header = [
        "ID",
        "Nom",
        "Statut",
        "Fabricant",
        "Type",
        "Modèle",
        "Numéro de série",
        "Numéro d'inventaire",
        "Lieu",
        "Date d'achat",
        "date_mod",
    ]

    def __init__(self, url, *args, **kwargs):
        super().__init__(url, *args, **kwargs)
        self.itemtypes = list(self.options.get("itemtypes") or ITEMTYPES)
        unknown = set(self.itemtypes) - set(ITEMTYPES)
        if unknown:
            raise ConnectorError(
                Message(
                    _(
                        "GLPI: item types %(types)s are not supported; choose among "
                        "%(choices)s."
                    ),
                    types=str(sorted(unknown)),
                    choices=str(list(ITEMTYPES)),
                )
            )

    def _refused(self, what, code, message, hint):
        """GLPI refused the credentials or rights: ``code`` is GLPI's (or
        OAuth's) error code, ``hint`` what to do."""
        return AuthError(
            Message(
                _("%(where)s refused %(what)s (%(code)s: %(message)s). %(hint)s"),
                where=self._where(),
                what=what,
                code=code,
                message=message,
                hint=hint,
            ),
            endpoint=what,
            code=code,
        )

    def _rejected(self, what, status, code, message):
        """Any other 4xx answer of GLPI: not worth trying again."""
        return ConnectorError(
            Message(
                _(
                    "%(where)s rejected %(what)s with HTTP %(status)s (%(code)s: "
                    "%(message)s); check the URL of the source and that the GLPI "
                    "version is supported."
                ),
                where=self._where(),
                what=what,
                status=status,
                code=code or Message(_("no error code")),
                message=message,
            ),
            retryable=False,
            endpoint=what,
            code=code,
        )

    def _asset_row(self, itemtype, item_id, values):
        """The row of one asset: ``values`` by column, the identifier and
        the item type's default type added."""
        default_type = ITEMTYPES[itemtype][2]
        return self._row(
            {
                **values,
                "ID": f"{itemtype}/{clean(item_id)}",
                "Type": values.get("Type") or default_type,
            }
        )


class GlpiConnector(GlpiBase):
    """GLPI through its legacy REST API.

    ``url`` is the API root, e.g. ``https://glpi.example.org/apirest.php``
    (``/apirest.php`` is added when the URL does not end with it or with a
    rewritten ``/api``). ``options``: ``itemtypes``, ``purchase_dates``
    (default True).
    """

    def __init__(self, url, *args, **kwargs):
        super().__init__(url, *args, **kwargs)
        if not self.url.endswith(("apirest.php", "/api")):
            self.url += "/apirest.php"

    def fetch(self):
        token = self._init_session()
        try:
            items = []
            for itemtype in self.itemtypes:
                if self.cursor:
                    ids = self._changed_ids(itemtype, token)
                    found = self._get_multiple(itemtype, ids, token)
                else:
                    found = self._list_items(itemtype, token)
                items.extend((itemtype, item) for item in found)
            buy_dates = {}
            if items and self.options.get("purchase_dates", True):
                buy_dates = self._purchase_dates(token)
        finally:
            self._kill_session(token)
        rows = [self._item_row(itemtype, item, buy_dates) for itemtype, item in items]
        return self._page(rows, "date_mod")

    # ------------------------------------------------------------- session

    def _headers(self, token=None):
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-GLPI-Sanitized-Content": "false",
        }
        if self.app_token:
            headers["App-Token"] = self.app_token
        if token:
            headers["Session-Token"] = token
        return headers

    def _init_session(self):
        if not self.user_token:
            raise AuthError(
                Message(
                    _(
                        "GLPI: the source has no user token; fill in the API token of "
                        "the GLPI user."
                    )
                )
            )
        headers = self._headers()
        headers["Authorization"] = f"user_token {self.user_token}"
        url = f"{self.url}/initSession"
        what = self._endpoint(url)
        data = self._json(self._request("GET", url, what, headers=headers), what)
        token = data.get("session_token") if isinstance(data, dict) else None
        if not token or not isinstance(token, str):
            raise self._unexpected(what, Message(_("no session_token")))
        return token

    def _kill_session(self, token):
        """Best effort: a failed logout must not hide the sync's outcome."""
        try:
            self.session.get(
                f"{self.url}/killSession",
                headers=self._headers(token),
                timeout=self.timeout,
            )
        except Exception as error:  # noqa: BLE001 - logout is best effort
            _logger.info("GLPI %s: killSession failed: %s", self.url, error)

    # ------------------------------------------------------------ listings

    def _pages(self, path, params, token):
        """Yield the JSON of each page of a ranged endpoint."""
        url = f"{self.url}/{path}"
        what = self._endpoint(url)
        start = 0
        while True:
            ranged = [*params, ("range", f"{start}-{start + self.page_size - 1}")]
            response = self._request(
                "GET", url, what, params=ranged, headers=self._headers(token)
            )
            yield self._json(response, what), what
            if response.status_code != 206:
                return
            _first, last, total = self._content_range(response, what)
            if last + 1 >= total or last < start:
                return
            start = last + 1

    def _list_items(self, itemtype, token):
        params = [
            ("expand_dropdowns", "true"),
            ("get_hateoas", "false"),
            ("sort", "id"),
            ("order", "ASC"),
        ]
        items = []
        for data, what in self._pages(itemtype, params, token):
            items.extend(self._items(data, what))
        return items

    def _changed_ids(self, itemtype, token):
        since = datetime.datetime.strptime(self.cursor, "%Y-%m-%d %H:%M:%S")
        since -= datetime.timedelta(seconds=1)
        params = [
            ("criteria[0][field]", str(SEARCH_OPTION_DATE_MOD)),
            ("criteria[0][searchtype]", "morethan"),
            ("criteria[0][value]", since.strftime("%Y-%m-%d %H:%M:%S")),
            ("forcedisplay[0]", str(SEARCH_OPTION_ID)),
            ("sort", str(SEARCH_OPTION_ID)),
            ("order", "ASC"),
        ]
        ids = []
        for data, what in self._pages(f"search/{itemtype}", params, token):
            if not isinstance(data, dict) or "totalcount" not in data:
                raise self._unexpected(what, Message(_("no totalcount")))
            rows = data.get("data") or []  # absent when nothing matched
            if isinstance(rows, dict):  # withindexes
                rows = list(rows.values())
            for row in rows:
                value = (
                    row.get(str(SEARCH_OPTION_ID)) if isinstance(row, dict) else None
                )
                if not str(value or "").isdigit():
                    raise self._unexpected(
                        what, Message(_("row without id: %(row)s"), row=repr(row))
                    )
                ids.append(int(value))
        return ids

    def _get_multiple(self, itemtype, ids, token):
        url = f"{self.url}/getMultipleItems"
        what = self._endpoint(url)
        items = []
        for index in range(0, len(ids), MULTIPLE_BATCH):
            params = [("expand_dropdowns", "true"), ("get_hateoas", "false")]
            for position, item_id in enumerate(ids[index : index + MULTIPLE_BATCH]):
                params.append((f"items[{position}][itemtype]", itemtype))
                params.append((f"items[{position}][items_id]", str(item_id)))
            response = self._request(
                "GET", url, what, params=params, headers=self._headers(token)
            )
            items.extend(self._items(self._json(response, what), what))
        return items

    def _purchase_dates(self, token):
        params = [("get_hateoas", "false"), ("sort", "id"), ("order", "ASC")]
        dates = {}
        try:
            for data, what in self._pages("Infocom", params, token):
                for info in self._items(data, what):
                    key = (info.get("itemtype"), clean(info.get("items_id")))
                    date = clean(info.get("buy_date"))
                    if (
                        key[0] in self.itemtypes
                        and date
                        and not date.startswith("0000")
                    ):
                        dates[key] = date
        except AuthError as error:
            if error.code != "ERROR_RIGHT_MISSING":
                raise
            _logger.info("GLPI %s: no right on Infocom, no purchase dates", self.url)
            return {}
        return dates

    def _items(self, data, what):
        if not isinstance(data, list) or not all(
            isinstance(item, dict) and "id" in item for item in data
        ):
            raise self._unexpected(
                what, Message(_("expected a list of items with an id"))
            )
        # templates are stored with the items; they are not devices
        return [item for item in data if not item.get("is_template")]

    def _item_row(self, itemtype, item, buy_dates):
        model_field, type_field, _default_type = ITEMTYPES[itemtype]
        return self._asset_row(
            itemtype,
            item["id"],
            {
                "Nom": item.get("name"),
                "Statut": _dropdown(item.get("states_id")),
                "Fabricant": _dropdown(item.get("manufacturers_id")),
                "Type": _dropdown(item.get(type_field)),
                "Modèle": _dropdown(item.get(model_field)),
                "Numéro de série": item.get("serial"),
                "Numéro d'inventaire": item.get("otherserial"),
                "Lieu": _dropdown(item.get("locations_id")),
                "Date d'achat": buy_dates.get((itemtype, clean(item["id"]))),
                "date_mod": item.get("date_mod"),
            },
        )

    # -------------------------------------------------------------- errors

    def _http_error(self, response, what):
        code, message = _glpi_error(response)
        status = response.status_code
        if code in AUTH_HINTS:
            return self._refused(what, code, message, Message(AUTH_HINTS[code]))
        if code in TRANSIENT_CODES:
            return ConnectorError(
                Message(
                    _(
                        "%(where)s answered %(what)s with %(code)s (%(message)s): the "
                        "session ended or the inventory changed during the sync; run "
                        "the sync again."
                    ),
                    where=self._where(),
                    what=what,
                    code=code,
                    message=message,
                ),
                retryable=True,
                endpoint=what,
                code=code,
            )
        if status in (401, 403):
            error = super()._http_error(response, what)
            error.code = code
            return error
        return self._rejected(what, status, code, message)


def _glpi_error(response):
    """``(code, message)`` of a GLPI error answer ``["CODE", "message"]``."""
    try:
        data = response.json()
    except ValueError:
        return None, clean(response.text)[:200]
    if isinstance(data, list) and data and isinstance(data[0], str):
        message = data[1] if len(data) > 1 else ""
        return data[0], clean(message if isinstance(message, str) else str(message))
    return None, clean(str(data))[:200]


def _dropdown(value):
    """An expanded dropdown: its name, "" when unset (id 0, "&nbsp;")."""
    if isinstance(value, int) and not isinstance(value, bool) and value == 0:
        return ""
    return clean(value)
