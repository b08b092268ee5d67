"""A real HTTP receiver on 127.0.0.1 (http.server in a thread) that records each request and
answers from a script (e.g. 500, 500, then 200), verifying signatures with the documented
algorithm (servicedesk/webhooks/signing.py's VERIFY_EXAMPLE, run as a receiver would)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from servicedesk.webhooks.signing import VERIFY_EXAMPLE


def verifier() -> Callable[..., bool]:
    """The documented verification function, as a receiver would paste it."""
    namespace: dict[str, Any] = {}
    exec(VERIFY_EXAMPLE, namespace)  # noqa: S102 (our own documented example)
    return namespace["verify"]  # type: ignore[no-any-return]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    host: str
    port: int
    secret: str = ""
    answers: list[int] = field(default_factory=list)  # used up in order; then 200
    redirect_to: str = ""
    requests: list[Received] = field(default_factory=list)
    signature_ok: list[bool] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def events(self) -> list[str]:
        return [r.headers["X-Servicedesk-Event"] for r in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(host="127.0.0.1", port=0)
    verify = verifier()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            headers = dict(self.headers.items())
            with state.lock:
                state.requests.append(Received(self.path, headers, body))
                if state.secret:
                    state.signature_ok.append(verify(state.secret, headers, body))
                status = state.answers.pop(0) if state.answers else 200
            if state.redirect_to:
                self.send_response(302)
                self.send_header("Location", state.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            answer = json.dumps({"ok": status < 300, "status": status}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def local_allowed(settings: Any) -> None:
    """The test's receiver is on 127.0.0.1 at a random port: allowed by the setting."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_PORTS = []


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run a service as a page would: its on-commit work (the tasks, run at once by Huey in
    tests, and the tasks those queue) happens when it returns."""

    def run(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run
