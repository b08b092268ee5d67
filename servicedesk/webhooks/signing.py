"""How a delivery is signed, and how a receiver checks it (docs/decisions/0029-webhooks.md).

The signature is HMAC-SHA256, keyed with the webhook's secret, over the bytes
``<timestamp>.<body>`` — the X-Servicedesk-Timestamp header (Unix seconds), a dot, and the
request's body exactly as received — hex-encoded in ``X-Servicedesk-Signature: v1=<hex>``. The
receiver computes the same, compares in constant time, and refuses timestamps older than a few
minutes (a replayed request). `VERIFY_EXAMPLE` is shown on each webhook's page."""

from __future__ import annotations

import hashlib
import hmac
import time

SCHEME = "v1"
TOLERANCE_SECONDS = 300

VERIFY_EXAMPLE = '''import hashlib, hmac, time

def verify(secret: str, headers, body: bytes, tolerance: int = 300) -> bool:
    """headers: the request's headers; body: its raw bytes, before any JSON parsing."""
    timestamp = headers["X-Servicedesk-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False  # too old (or from the future): a replay
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    given = [
        part.removeprefix("v1=")
        for part in headers["X-Servicedesk-Signature"].split(",")
        if part.strip().startswith("v1=")
    ]
    return any(hmac.compare_digest(expected, g.strip()) for g in given)
'''


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Servicedesk-Signature header's value."""
    digest = hmac.new(
        secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return f"{SCHEME}={digest}"


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    header: str,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does (the same as VERIFY_EXAMPLE), for tests and for Python receivers."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    if age > tolerance:
        return False
    expected = signature(secret, timestamp, body).removeprefix(f"{SCHEME}=")
    given = [
        part.strip().removeprefix(f"{SCHEME}=")
        for part in header.split(",")
        if part.strip().startswith(f"{SCHEME}=")
    ]
    return any(hmac.compare_digest(expected, value) for value in given)
