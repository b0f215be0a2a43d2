"""HMAC-SHA256 signatures of webhook bodies, as receivers check them (design.md, "Webhooks").

The signed message is `"{timestamp}." + raw body`; the header value is `sha256=<hex digest>`:

    >>> sign("s3cret", 1758189600, b'{"event":"change.detected"}')[:7]
    'sha256='
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from monitor.timeutil import utc_now

#: Signatures older (or further in the future) than this many seconds are rejected by `verify`.
MAX_AGE_SECONDS = 300
PREFIX = "sha256="


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` + hex HMAC-SHA256 of `f"{timestamp}."` + `body`, keyed with `secret`."""
    message = f"{int(timestamp)}.".encode() + body
    return PREFIX + hmac.new(secret.encode("utf-8", "surrogateescape"), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: int | str, body: bytes, signature: str, *,
           max_age: float = MAX_AGE_SECONDS, now: datetime | float | None = None) -> bool:
    """True if `signature` is `sign(secret, timestamp, body)` and the timestamp is within `max_age` seconds
    of `now` (either side). The comparison takes constant time; malformed input is simply False."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if now is None:
        now = utc_now()
    current = now.timestamp() if isinstance(now, datetime) else float(now)
    if abs(current - ts) > max_age:
        return False
    expected = sign(secret, ts, body).encode("ascii")
    return hmac.compare_digest(expected, signature.encode("utf-8", "surrogateescape"))
