"""`bin/serve` (what `make run` starts): the web server stays up when the background worker dies,
and the worker is started again."""

import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.mail_server import free_port

BASE_DIR = Path(__file__).resolve().parents[2]
PGREP = shutil.which("pgrep") or "pgrep"  # Debian's procps (deps/debian-test.txt)


def _workers(supervisor: int) -> list[int]:
    found = subprocess.run(  # noqa: S603
        [PGREP, "-P", str(supervisor), "-f", "run_huey"],
        capture_output=True,
        text=True,
        check=False,
    )
    return [int(pid) for pid in found.stdout.split()]


def _wait_for(check, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_the_site_stays_up_and_the_worker_comes_back_when_it_dies(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "true",
        "PORT": str(port),
        "VAR_DIR": str(tmp_path / "var"),
        "WORKER_RESTART_SECONDS": "0.2",
    }
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"):
        env.pop(name, None)
    serve = subprocess.Popen(  # noqa: S603
        [str(BASE_DIR / "bin" / "serve")],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _wait_for(lambda: _healthy(port))
        supervisor = _wait_for(lambda: [p for p in _children(serve.pid) if _workers(p)])[0]
        [first] = _workers(supervisor)
        # When the worker dies
        os.kill(first, signal.SIGKILL)
        # Then a new one runs, and the site answered all along
        second = _wait_for(lambda: [p for p in _workers(supervisor) if p != first])
        assert second and _healthy(port)
        assert serve.poll() is None
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=30)
    assert b"the background worker stopped" in serve.stderr.read()


def _children(pid: int) -> list[int]:
    found = subprocess.run(  # noqa: S603
        [PGREP, "-P", str(pid)],
        capture_output=True,
        text=True,
        check=False,
    )
    return [int(child) for child in found.stdout.split()]
