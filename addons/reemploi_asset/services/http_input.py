"""One input boundary for HTTP: what a request may carry before the ORM.

Plain Python, no ORM. ``models/ir_http.py`` applies :func:`check_route_args`
and :func:`check_params` to every request before any controller runs, and
the partner API parses its bodies with :func:`parse_json`; a refusal is an
:class:`InputRefused`, which the caller turns into a 400 (or a 404 for an
identifier no record can have), never a server error.

What is refused, and why:

* a NUL character: PostgreSQL text cannot hold it (psycopg2 raises);
* a lone surrogate (``"\\ud800"`` in JSON): not encodable in UTF-8;
* an integer outside PostgreSQL's ``integer`` (record ids, quantities):
  the query fails with "out of range";
* a non-finite number (``NaN``, ``Infinity``): not JSON, and meaningless
  for any of our fields;
* JSON nested deeper than :data:`MAX_DEPTH` (Python's parser recurses);
* a string longer than :data:`MAX_TEXT` characters in a query string or a
  form (bodies have their own size limit).
"""

import json
import math
import re

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
MAX_DEPTH = 32
MAX_TEXT = 65536
# a record id typed in a URL or a query: ASCII digits only ("²" or "٣" are
# digits for Python's int(), not for a URL)
ID_RE = re.compile(r"[0-9]{1,10}")


class InputRefused(ValueError):
    """A value a request may not carry. ``reason``: ``nul``, ``surrogate``,
    ``too_long``, ``integer_range``, ``number``, ``depth``, ``key`` or
    ``json``; ``where``: the parameter or the JSON path of the value."""

    def __init__(self, reason, where=""):
        super().__init__(reason, where)
        self.reason = reason
        self.where = where


def check_text(text, where="", max_length=None):
    """Refuse a NUL, a lone surrogate or (with ``max_length``) a text too
    long; return ``text``."""
    if "\x00" in text:
        raise InputRefused("nul", where)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputRefused("surrogate", where) from None
    if max_length is not None and len(text) > max_length:
        raise InputRefused("too_long", where)
    return text


def check_int(value, where=""):
    """Refuse an integer PostgreSQL's ``integer`` cannot hold."""
    if not INT_MIN <= value <= INT_MAX:
        raise InputRefused("integer_range", where)
    return value


def check_json(value, where="body", depth=0):
    """Walk a parsed JSON value and refuse what :mod:`json` lets through but
    the database cannot take (see the module's docstring)."""
    if depth > MAX_DEPTH:
        raise InputRefused("depth", where)
    if isinstance(value, str):
        check_text(value, where)
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int):
        check_int(value, where)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InputRefused("number", where)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InputRefused("key", where)
            check_text(key, where)
            check_json(item, f"{where}.{key}", depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_json(item, f"{where}[{index}]", depth + 1)
    else:  # not a JSON type: only reachable from Python callers
        raise InputRefused("json", where)
    return value


def _refuse_constant(name):
    raise InputRefused("number", "body")


def parse_json(data):
    """The JSON document in ``data`` (bytes or text), checked. Raises
    :class:`InputRefused` (``json`` when it is not JSON at all)."""
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise InputRefused("depth", "body") from None
    except (ValueError, TypeError) as error:
        if isinstance(error, InputRefused):
            raise
        raise InputRefused("json", "body") from None
    return check_json(value)


def parse_id(text):
    """The record id written in ``text`` (ASCII digits, within range), or
    None."""
    if not isinstance(text, str) or not ID_RE.fullmatch(text.strip()):
        return None
    value = int(text)
    return value if value <= INT_MAX else None


def check_route_args(args):
    """Check the values a route's converters produced: integers, texts and
    the ids of records (``<model(...)>`` converters). Returns the name of an
    argument whose integer is out of range as ``InputRefused`` with reason
    ``integer_range`` (a 404: no record has that id)."""
    for name, value in args.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            check_int(value, name)
        elif isinstance(value, str):
            check_text(value, name, MAX_TEXT)
        elif hasattr(value, "_ids"):
            if not value._ids:
                # id 0 gives an empty recordset: /shop/category/0 reached
                # the framework's slug of no record (a 500)
                raise InputRefused("integer_range", name)
            for record_id in value._ids:
                if isinstance(record_id, int):
                    check_int(record_id, name)
                    if record_id <= 0:
                        raise InputRefused("integer_range", name)


def check_params(items):
    """Check the names and values of a query string or a form: ``items`` is
    an iterable of ``(name, value)`` texts."""
    for name, value in items:
        check_text(name, "", MAX_TEXT)
        if isinstance(value, str):
            check_text(value, name, MAX_TEXT)
