"""One HTTP POST to a checked target (guard.Target), with the standard library: the connection
goes to the address the guard checked, with the URL's host in the Host header and, for https,
in SNI and the certificate check. Redirects are not followed. The answer is read up to
RESPONSE_MAX_BYTES, within the timeout."""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from servicedesk.webhooks.guard import Target

RESPONSE_MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    milliseconds: int
    body: bytes
    location: str = ""


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST `body`; the answer, or OSError / http.client.HTTPException on a network failure
    (refused, timed out, TLS)."""
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(target, timeout)
    else:
        connection = _PinnedHTTPConnection(target, timeout)
    started = time.monotonic()
    deadline = started + timeout
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        chunks: list[bytes] = []
        size = 0
        while size < RESPONSE_MAX_BYTES:
            if time.monotonic() > deadline:
                raise TimeoutError("the answer took longer than the timeout")
            chunk = response.read1(min(8192, RESPONSE_MAX_BYTES - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        elapsed = int((time.monotonic() - started) * 1000)
        return Answer(
            status=response.status,
            milliseconds=elapsed,
            body=b"".join(chunks),
            location=response.getheader("Location") or "",
        )
    finally:
        connection.close()
