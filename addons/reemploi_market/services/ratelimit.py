"""The rate limits of the suite: plain arithmetic, the caller stores what it
needs. Two policies, one answer (:class:`Decision`):

* :func:`take`, a token bucket (the partner API): a bucket holds at most
  ``capacity`` tokens and gains ``rate`` tokens a second; each request takes
  one. A full bucket lets a client send ``capacity`` requests at once, then
  ``rate`` a second on average.
* :func:`sliding_window`, at most ``limit`` events in any ``window`` (the
  failed attempts of a voucher code, of a user or an address).
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds to wait (0 when allowed)
    tokens: float | None = None  # a bucket's tokens after this request


def take(tokens, elapsed, capacity, rate):
    """Take one token from a bucket that held ``tokens`` ``elapsed`` seconds
    ago (``tokens`` None: a new, full bucket)."""
    if capacity < 1 or rate <= 0:
        raise ValueError("a bucket needs a capacity of 1 or more and a rate above 0")
    if tokens is None:
        tokens = capacity
    tokens = min(capacity, tokens + max(0.0, elapsed) * rate)
    if tokens >= 1:
        return Decision(True, 0, tokens=tokens - 1)
    return Decision(False, max(1, math.ceil((1 - tokens) / rate)), tokens=tokens)


def sliding_window(events, now, limit, window):
    """Whether one more event is allowed after ``events`` (datetimes): at
    most ``limit`` of them in any ``window`` (a timedelta). When the limit is
    reached, the wait ends when the oldest event that counts leaves the
    window."""
    recent = sorted(moment for moment in events if now - window < moment <= now)
    if len(recent) < limit:
        return Decision(True, 0)
    release = recent[len(recent) - limit] + window
    return Decision(False, max(1, math.ceil((release - now).total_seconds())))
