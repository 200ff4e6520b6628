"""Snipe-IT connector: the REST API v1 (``/api/v1/hardware``).

Protocol (Snipe-IT's ``routes/api.php``, ``Api/AssetsController.php``,
``AssetsTransformer.php``, ``Exceptions/Handler.php``):

* ``Authorization: Bearer <personal access token>`` and ``Accept:
  application/json`` (without it Laravel redirects to the login page). A bad
  token gets HTTP 401 ``{"error": "Unauthorized or unauthenticated."}``.
* ``GET /api/v1/hardware?offset=&limit=&sort=updated_at&order=desc`` answers
  ``{"total": n, "rows": [...]}``; ``limit`` is capped by the server's
  ``MAX_RESULTS`` (500), so paging follows the rows actually received.
  ``status_id`` filters on a status label (``options={"status_id": 2}``).
* Dates are objects: ``{"datetime": "2024-01-02 10:00:00", "formatted":
  "…"}`` (``{"date": …}`` for purchase dates); names of related records are
  in ``{"id": …, "name": …}`` objects; strings are HTML-escaped.
* Some errors come with HTTP 200 and ``{"status": "error", "messages":
  …}``.
* The API is throttled (120 requests a minute by default): HTTP 429 with
  ``Retry-After``, which the retry policy honours.

The newest changes come first (``order=desc``), so an incremental sync stops
at the first page that reaches items older than the cursor; an asset
modified during the sync moves to the front, which can only repeat an item
(kept once), never skip one, while paging on ``updated_at`` ascending would.
"""

from urllib.parse import quote

from ..messages import Message, _
from .base import AuthError, Connector, ConnectorError, Page, clean


class SnipeItConnector(Connector):
    """Assets ("hardware") of a Snipe-IT instance.

    ``url`` is the site root (``https://assets.example.org``); ``user_token``
    the API key; ``options``: ``status_id``.
    """

    tool = "Snipe-IT"
    header = [
        "ID",
        "Asset Tag",
        "Name",
        "Serial",
        "Model",
        "Category",
        "Manufacturer",
        "Status",
        "Location",
        "Purchase Date",
        "Purchase Cost",
        "updated_at",
    ]

    def __init__(self, url, *args, **kwargs):
        super().__init__(url, *args, **kwargs)
        if self.url.endswith("/api/v1"):
            self.url = self.url[: -len("/api/v1")]

    def fetch(self):
        url = f"{self.url}/api/v1/hardware"
        what = self._endpoint(url)
        params = {"sort": "updated_at", "order": "desc", "limit": self.page_size}
        if self.options.get("status_id"):
            params["status_id"] = self.options["status_id"]
        rows, seen, offset = [], set(), 0
        while True:
            data = self._get(url, what, {**params, "offset": offset})
            assets, total = self._assets(data, what)
            for asset in assets:
                row = self._asset_row(asset)
                if self._changed(row["updated_at"]) and row["ID"] not in seen:
                    seen.add(row["ID"])
                    rows.append(row)
            offset += len(assets)
            older = assets and not self._changed(
                self._asset_row(assets[-1])["updated_at"]
            )
            if not assets or offset >= total or older:
                break
        cursor = self._newer_cursor(row["updated_at"] for row in rows)
        return Page(header=list(self.header), rows=rows, cursor=cursor)

    def lookup_serial(self, serial):
        """Rows of the assets with this serial number ([] when none)."""
        url = f"{self.url}/api/v1/hardware/byserial/{quote(serial, safe='')}"
        what = self._endpoint(f"{self.url}/api/v1/hardware/byserial/…")
        data = self._get(url, what, {}, not_found_ok=True)
        if data is None:
            return []
        assets, _total = self._assets(data, what)
        return [self._asset_row(asset) for asset in assets]

    # ------------------------------------------------------------- helpers

    def _headers(self):
        if not self.user_token:
            raise AuthError(
                Message(
                    _(
                        "Snipe-IT: the source has no API key; create one in Snipe-IT "
                        "(user menu > Manage API keys) and fill in the user token."
                    )
                )
            )
        return {
            "Authorization": f"Bearer {self.user_token}",
            "Accept": "application/json",
        }

    def _get(self, url, what, params, not_found_ok=False):
        response = self._request(
            "GET", url, what, params=params, headers=self._headers()
        )
        data = self._json(response, what)
        if isinstance(data, dict) and data.get("status") == "error":
            if not_found_ok:  # byserial: "Asset does not exist."
                return None
            raise ConnectorError(
                Message(
                    _(
                        "%(where)s answered %(what)s with an error (%(messages)s); "
                        "check the source's options and the rights of the API user."
                    ),
                    where=self._where(),
                    what=what,
                    messages=_messages(data.get("messages")),
                ),
                retryable=False,
                endpoint=what,
            )
        return data

    def _assets(self, data, what):
        if not isinstance(data, dict) or "rows" not in data:
            raise self._unexpected(what, Message(_("no rows")))
        assets, total = data["rows"], data.get("total")
        if not isinstance(assets, list) or not all(
            isinstance(asset, dict) and "id" in asset for asset in assets
        ):
            raise self._unexpected(what, Message(_("rows is not a list of assets")))
        if not isinstance(total, int):
            raise self._unexpected(
                what, Message(_("total is %(total)s"), total=repr(total))
            )
        return assets, total

    def _asset_row(self, asset):
        location = asset.get("location") or asset.get("rtd_location")
        return self._row(
            {
                "ID": asset["id"],
                "Asset Tag": asset.get("asset_tag"),
                "Name": asset.get("name"),
                "Serial": asset.get("serial"),
                "Model": _name(asset.get("model")),
                "Category": _name(asset.get("category")),
                "Manufacturer": _name(asset.get("manufacturer")),
                "Status": _name(asset.get("status_label")),
                "Location": _name(location),
                "Purchase Date": _date(asset.get("purchase_date"), "date"),
                "Purchase Cost": asset.get("purchase_cost"),
                "updated_at": _date(asset.get("updated_at"), "datetime"),
            }
        )


def _name(value):
    return clean(value.get("name")) if isinstance(value, dict) else clean(value)


def _date(value, key):
    return clean(value.get(key)) if isinstance(value, dict) else clean(value)


def _messages(messages):
    if isinstance(messages, dict):
        return "; ".join(
            f"{key}: {' '.join(map(str, value)) if isinstance(value, list) else value}"
            for key, value in messages.items()
        )
    return clean(messages) or Message(_("no message"))
