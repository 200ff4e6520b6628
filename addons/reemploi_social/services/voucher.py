"""Referral vouchers: codes, the attempts window and retention dates.

Plain Python, no ORM: the models call these functions.
"""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo.addons.reemploi_market.services import ratelimit

# No 0/O, 1/I/L: a code read aloud or copied from paper is not mistaken.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
GROUPS = (4, 4, 2)  # K7QF-2M9X-PQ
ANONYMOUS_PREFIX = "ANON-"

# At most this many failed attempts per user and per IP address in the
# window; the next ones are refused without looking at the code.
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)

DEFAULT_RETENTION_MONTHS = 24


def generate_code():
    """A new random code, formatted in groups (31^10 ≈ 8·10^14 codes)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return format_code(raw)


def normalize(typed):
    """The code as typed, upper case, without spaces nor dashes."""
    return re.sub(r"[^0-9A-Z]", "", (typed or "").upper())


def format_code(typed):
    """``k7qf 2m9x pq`` → ``K7QF-2M9X-PQ``; a code of another length is
    returned normalised, without dashes (it matches no voucher)."""
    raw = normalize(typed)
    if len(raw) != CODE_LENGTH:
        return raw
    parts, start = [], 0
    for size in GROUPS:
        parts.append(raw[start : start + size])
        start += size
    return "-".join(parts)


def code_hint(typed):
    """What the attempt log keeps of a code in clear: its last 3 characters."""
    raw = normalize(typed)
    return "…" + raw[-3:] if raw else ""


def code_digest(key, typed):
    """A keyed hash of the code as typed (normalised): the log tells two
    attempts on the same code apart without holding a usable code."""
    return hmac.new(key.encode(), normalize(typed).encode(), hashlib.sha256).hexdigest()


def check_failures(failures, now, limit=MAX_FAILURES, window=WINDOW):
    """Whether one more attempt is allowed after the ``failures``
    (datetimes of the failed attempts of one user, or of one address): at
    most ``limit`` in any ``window`` (ratelimit.sliding_window)."""
    return ratelimit.sliding_window(failures, now, limit, window)


def retention_cutoff(today, months):
    """Records whose last date is before this day are anonymised."""
    if months < 1:
        raise ValueError("the retention period is at least one month")
    return today - relativedelta(months=months)


def anonymous_code(record_id):
    return f"{ANONYMOUS_PREFIX}{record_id}"
