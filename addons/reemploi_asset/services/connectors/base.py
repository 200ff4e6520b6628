"""What every inventory connector shares: errors, the page, HTTP with retries.

A connector pulls a donor's inventory from an asset-management tool and
gives it back as one :class:`Page` of text cells, like a file export, so the
import engine maps it with the same presets. Rules:

1. :meth:`Connector.fetch` returns everything changed since ``cursor`` (all
   when it is None) or raises :class:`ConnectorError`: never a partial
   result. Rows are gathered in memory and handed over only once the last
   page has arrived, so a failure on page 7 leaves the register untouched.
2. ``Page.cursor`` is the cursor to store once the whole sync has been
   applied: the greatest modification date seen, or the old cursor when
   nothing changed. Items modified in the same second as the cursor are
   fetched again on the next sync (``>=``): a second one may have changed
   after the first was read, and re-importing an unchanged row is a no-op.
3. Connection errors, timeouts, broken answers, HTTP 5xx and 429 are
   retried ``retries`` times, waiting what urllib3's ``Retry`` computes
   (``Retry-After`` when the server sends it, else its exponential backoff
   of ``backoff``), capped at :attr:`Connector.max_delay`. Then the error is
   raised with ``retryable=True``: the caller may try the whole sync again
   later. The loop is ours, not an ``HTTPAdapter``'s: a body cut mid-read
   (``ChunkedEncodingError``) and SOAP posts are retried too, and every
   retry is logged with its cause.
4. HTTP 401 and 403 raise :class:`AuthError`; other 4xx, answers that are
   not JSON or not shaped as expected raise :class:`ConnectorError` with
   ``retryable=False``, naming the server and the endpoint.

Messages are English sentences that name the tool and its URL, what failed
and what to do; they never contain a token. They are
:class:`~..messages.Message` objects, which the models translate.
"""

import html
import logging
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import RequestHistory, Retry

from ..messages import Message, _

_logger = logging.getLogger(__name__)

CURSOR_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_EXCERPT = 200


class ConnectorError(Exception):
    """A sync failed. ``retryable`` tells whether trying again later may
    succeed (network, server overload) or not (credentials, bad answers)."""

    retryable = False

    def __init__(self, message, retryable=None, endpoint=None, code=None):
        super().__init__(message)
        if retryable is not None:
            self.retryable = retryable
        self.endpoint = endpoint
        self.code = code


class AuthError(ConnectorError):
    """The tool refused the credentials or the rights of the source."""

    retryable = False

    def __init__(self, message, endpoint=None, code=None):
        super().__init__(message, retryable=False, endpoint=endpoint, code=code)


@dataclass
class Page:
    """A whole sync: ``header`` names the columns, each row maps every
    header to its cell text ("" when empty), ``cursor`` is to be stored once
    the rows are applied."""

    header: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    cursor: str | None = None


def clean(value):
    """Text of a JSON or XML value: HTML entities decoded (GLPI and Snipe-IT
    escape their strings), blanks stripped, None and booleans empty."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return html.unescape(str(value)).strip()


def excerpt(text):
    """Start of an answer, on one line, for error messages."""
    text = " ".join(str(text or "").split())
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "…"


class Connector:
    """Base class. Subclasses set :attr:`tool` and :attr:`header` and
    implement :meth:`fetch`."""

    tool = Message(_("The inventory server"))
    header = []
    max_delay = 60.0

    def __init__(
        self,
        url,
        app_token=None,
        user_token=None,
        timeout=10.0,
        retries=3,
        backoff=0.5,
        session=None,
        page_size=100,
        cursor=None,
        options=None,
    ):
        if not url or urlsplit(url).scheme not in ("http", "https"):
            raise ConnectorError(
                Message(
                    _(
                        "%(tool)s: %(url)s is not an http(s) URL; fix the URL of the "
                        "source."
                    ),
                    tool=self.tool,
                    url=repr(url),
                )
            )
        if cursor is not None and not CURSOR_RE.match(cursor):
            raise ConnectorError(
                Message(
                    _(
                        "%(tool)s: the stored cursor %(cursor)s is not a date "
                        "'YYYY-MM-DD HH:MM:SS'; clear it to run a full sync."
                    ),
                    tool=self.tool,
                    cursor=repr(cursor),
                )
            )
        if page_size < 1:
            raise ConnectorError(
                Message(_("%(tool)s: the page size must be positive."), tool=self.tool)
            )
        self.url = url.rstrip("/")
        self.app_token = app_token or None
        self.user_token = user_token or None
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.session = session or requests.Session()
        self.page_size = int(page_size)
        self.cursor = cursor
        self.options = dict(options or {})

    def fetch(self):
        """Pull everything changed since the cursor; return a :class:`Page`."""
        raise NotImplementedError

    # ------------------------------------------------------------- helpers

    def _where(self):
        return Message(_("%(tool)s at %(url)s"), tool=self.tool, url=self.url)

    def _endpoint(self, url, method="GET"):
        return f"{method} {urlsplit(url).path or '/'}"

    def _request(self, method, url, what=None, **kwargs):
        """Send one HTTP request with the retry policy; return the response
        (2xx) or raise. ``what`` names the endpoint in messages."""
        what = what or self._endpoint(url, method)
        kwargs.setdefault("timeout", self.timeout)
        return self._call(what, lambda: self.session.request(method, url, **kwargs))

    def _call(self, what, send):
        """Run ``send()`` (which returns a ``requests.Response``) with the
        retry policy."""
        attempts = self.retries + 1
        for attempt in range(attempts):
            delay = min(self.backoff * 2**attempt, self.max_delay)
            try:
                response = send()
            except requests.Timeout:
                failure = Message(
                    _("%(where)s did not answer %(what)s within %(timeout)s s"),
                    where=self._where(),
                    what=what,
                    timeout=f"{self.timeout:g}",
                )
            except requests.RequestException as error:
                failure = Message(
                    _("%(where)s: %(what)s failed (%(error_type)s: %(error)s)"),
                    where=self._where(),
                    what=what,
                    error_type=type(error).__name__,
                    error=excerpt(error),
                )
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return response
                if status != 429 and status < 500:
                    raise self._http_error(response, what)
                if response.text:
                    failure = Message(
                        _(
                            "%(where)s answered %(what)s with HTTP %(status)s "
                            "(%(detail)s)"
                        ),
                        where=self._where(),
                        what=what,
                        status=status,
                        detail=excerpt(response.text),
                    )
                else:
                    failure = Message(
                        _("%(where)s answered %(what)s with HTTP %(status)s"),
                        where=self._where(),
                        what=what,
                        status=status,
                    )
                delay = self._retry_delay(attempt, response)
            if attempt + 1 < attempts:
                _logger.info(
                    "%s; retry %d/%d in %.2f s",
                    failure,
                    attempt + 1,
                    self.retries,
                    delay,
                )
                time.sleep(delay)
        raise ConnectorError(
            Message(
                _(
                    "%(failure)s, %(attempts)s attempt(s). Check that the server is "
                    "up and reachable from Odoo, then run the sync again."
                ),
                failure=failure,
                attempts=attempts,
            ),
            retryable=True,
            endpoint=what,
        )

    def _retry_delay(self, attempt, response=None):
        """Seconds to wait before the next attempt, after ``attempt + 1``
        failed ones, as urllib3's :class:`~urllib3.util.Retry` computes them:
        ``Retry-After`` (seconds or HTTP date) when the server gives it, else
        its exponential backoff (none before the first retry, then
        ``backoff * 2 ** attempt``); capped at :attr:`max_delay`."""
        policy = Retry(
            total=self.retries,
            backoff_factor=self.backoff,
            backoff_max=self.max_delay,
            history=(RequestHistory(None, None, None, None, None),) * (attempt + 1),
        )
        delay = None
        if response is not None:
            try:
                delay = policy.get_retry_after(response)
            except InvalidHeader:
                delay = None  # unreadable: the backoff
        if delay is None:
            delay = policy.get_backoff_time()
        return min(delay, self.max_delay)

    def _http_error(self, response, what):
        """The exception for a 4xx answer (other than 429)."""
        status = response.status_code
        detail = excerpt(response.text)
        if status in (401, 403):
            return AuthError(
                Message(
                    _(
                        "%(where)s refused %(what)s (HTTP %(status)s: %(detail)s); "
                        "check the credentials of the source and the rights of its "
                        "API user."
                    ),
                    where=self._where(),
                    what=what,
                    status=status,
                    detail=detail,
                ),
                endpoint=what,
            )
        return ConnectorError(
            Message(
                _(
                    "%(where)s rejected %(what)s with HTTP %(status)s (%(detail)s); "
                    "check the URL of the source and that the server's version is "
                    "supported."
                ),
                where=self._where(),
                what=what,
                status=status,
                detail=detail,
            ),
            retryable=False,
            endpoint=what,
            code=status,
        )

    def _json(self, response, what):
        """Decoded JSON body, or a :class:`ConnectorError` naming ``what``."""
        kind = response.headers.get("Content-Type", "")
        try:
            return response.json()
        except ValueError:
            if "html" in kind:
                hint = Message(_("an HTML page (a login or error page?)"))
            else:
                hint = Message(
                    _("something that is not JSON (%(answer)s)"),
                    answer=repr(excerpt(response.text)),
                )
            raise ConnectorError(
                Message(
                    _(
                        "%(where)s answered %(what)s with %(hint)s; check the URL of "
                        "the source."
                    ),
                    where=self._where(),
                    what=what,
                    hint=hint,
                ),
                retryable=False,
                endpoint=what,
            ) from None

    def _unexpected(self, what, problem):
        """``problem``: a :class:`Message`, or technical text (JSON, XML)."""
        return ConnectorError(
            Message(
                _(
                    "%(where)s answered %(what)s in an unexpected shape "
                    "(%(problem)s); check that the URL points to the API and that "
                    "the server's version is supported."
                ),
                where=self._where(),
                what=what,
                problem=problem,
            ),
            retryable=False,
            endpoint=what,
        )

    def _content_range(self, response, what):
        """``(first, last, total)`` of the ``Content-Range: first-last/total``
        header of a partial answer (HTTP 206; GLPI sends it without a unit),
        or a :class:`ConnectorError` naming ``what``."""
        content_range = response.headers.get("Content-Range", "")
        try:
            bounds, total = content_range.split()[-1].split("/")
            first, last = (int(bound) for bound in bounds.split("-"))
            return first, last, int(total)
        except (ValueError, IndexError):
            raise self._unexpected(
                what,
                Message(
                    _("HTTP 206 with Content-Range %(content_range)s"),
                    content_range=repr(content_range),
                ),
            ) from None

    def _page(self, rows, date_column):
        """The :class:`Page` of a whole sync: ``rows`` (built with
        :meth:`_row`) changed since the cursor, each identifier once, and
        the newest ``date_column`` as the next cursor."""
        kept, seen = [], set()
        for row in rows:
            if row["ID"] not in seen and self._changed(row[date_column]):
                seen.add(row["ID"])
                kept.append(row)
        cursor = self._newer_cursor(row[date_column] for row in kept)
        return Page(header=list(self.header), rows=kept, cursor=cursor)

    def _newer_cursor(self, dates):
        """Greatest of ``dates`` and the current cursor (None if none)."""
        known = [date for date in dates if date and CURSOR_RE.match(date)]
        if self.cursor:
            known.append(self.cursor)
        return max(known) if known else None

    def _changed(self, date):
        """Is an item modified at ``date`` part of this sync?"""
        return self.cursor is None or (date or "") >= self.cursor

    def _row(self, values):
        """A row with every header column, as text."""
        return {column: clean(values.get(column)) for column in self.header}
