"""Token bucket of the partner API: plain arithmetic, the caller stores it.

A bucket holds at most ``capacity`` tokens and gains ``rate`` tokens a
second; each request takes one. A full bucket lets a client send
``capacity`` requests at once, then ``rate`` a second on average.
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    tokens: float  # what the bucket holds after this request
    retry_after: int  # seconds until a token is available (0 when allowed)


def take(tokens, elapsed, capacity, rate):
    """Take one token from a bucket that held ``tokens`` ``elapsed`` seconds
    ago (``tokens`` None: a new, full bucket)."""
    if capacity < 1 or rate <= 0:
        raise ValueError("a bucket needs a capacity of 1 or more and a rate above 0")
    if tokens is None:
        tokens = capacity
    tokens = min(capacity, tokens + max(0.0, elapsed) * rate)
    if tokens >= 1:
        return Decision(True, tokens - 1, 0)
    return Decision(False, tokens, max(1, math.ceil((1 - tokens) / rate)))
