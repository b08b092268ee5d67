"""A real IMAP server for the mail tests: a throwaway Dovecot (Debian's `dovecot-imapd`, listed in
deps/debian-test.txt) on a free loopback port, in its own temporary directory, one per pytest
process (each xdist worker starts its own), stopped at the end of the session.

Any login works with the password `imap_server.password` ("secret"); every other password is
refused, as a real server refuses a wrong one. Mail lives in maildirs under the temporary
directory, one per login, so a test that takes a fresh login (`imap_server.new_user()`) has an
empty INBOX of its own and never sees another test's messages.

Fixtures (made available to the whole suite by tests/conftest.py):
- `imap_server`: the running server (session-scoped); `.append(user, raw)` puts a message into a
  user's INBOX over IMAP, as a mail server delivering it would; `.flags(user)` reads every
  message's flags back by UID; `.new_user()` a login nobody has used yet.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
PASSWORD = "secret"  # the throwaway server's only password

CONFIG = """\
base_dir = {dir}/run
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {dir}/dovecot.log
mail_location = maildir:{dir}/mail/%u
default_login_user = dovenull
default_internal_user = dovecot
default_internal_group = dovecot
first_valid_uid = 1
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={dir}/mail/%u
}}
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"Dovecot did not start listening on 127.0.0.1:{port}")
        time.sleep(0.1)


@dataclass
class ImapServer:
    host: str
    port: int
    directory: Path
    password: str = PASSWORD
    ssl_port: int = 0  # IMAPS (implicit TLS), when started with a certificate
    ca_file: str = ""  # the test CA that signed the server's certificate

    def new_user(self) -> str:
        return f"u{uuid.uuid4().hex[:12]}"

    def client(self, user: str):  # type: ignore[no-untyped-def]
        from imapclient import IMAPClient

        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        client.login(user, self.password)
        return client

    def append(
        self, user: str, raw: bytes, flags: Sequence[str] = (), folder: str = "INBOX"
    ) -> int:
        """Deliver `raw` into the user's folder (created when missing); returns its UID."""
        client = self.client(user)
        try:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            response = client.append(folder, raw, flags=tuple(flags))
            # "[APPENDUID <validity> <uid>] Append completed."
            text = response.decode() if isinstance(response, bytes) else str(response)
            return int(text.split("APPENDUID", 1)[1].split("]", 1)[0].split()[1])
        finally:
            client.logout()

    def flags(self, user: str, folder: str = "INBOX") -> dict[int, set[str]]:
        """Every message in the folder: UID → its flags (e.g. {"\\Seen"})."""
        client = self.client(user)
        try:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            fetched = client.fetch(uids, ["FLAGS"]) if uids else {}
            return {
                int(uid): {f.decode() if isinstance(f, bytes) else str(f) for f in data[b"FLAGS"]}
                for uid, data in fetched.items()
            }
        finally:
            client.logout()


def _certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate for 127.0.0.1 signed by it (openssl, from Debian)."""
    ca_key, ca, key, csr, cert = (
        directory / n for n in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem")
    )
    ext = directory / "san.ext"
    ext.write_text("subjectAltName = IP:127.0.0.1, DNS:localhost\n")
    for command in (
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
         "/CN=Servicedesk test CA", "-keyout", ca_key, "-out", ca],
        ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
         "-keyout", key, "-out", csr],
        ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
         "-days", "2", "-extfile", ext, "-out", cert],
    ):  # fmt: skip
        subprocess.run([OPENSSL, *map(str, command)], check=True, capture_output=True)  # noqa: S603
    return ca, cert, key


def start_dovecot(*, tls: bool = False) -> tuple[ImapServer, "subprocess.Popen[bytes]"]:
    """`tls`: also IMAPS on a port of its own and STARTTLS on the plain one, with a certificate
    from a throwaway CA (`ImapServer.ca_file`)."""
    # Not under pytest's tmp dir: that one is private to root, and Dovecot's own processes run as
    # the dovecot user, who must reach the maildirs.
    directory = Path(tempfile.mkdtemp(prefix="servicedesk-dovecot-"))
    directory.chmod(0o755)
    (directory / "mail").mkdir()
    (directory / "run").mkdir()
    shutil.chown(directory / "mail", "dovecot", "dovecot")
    port = _free_port()
    ssl_port, ca_file, ssl = 0, "", "ssl = no"
    if tls:
        ca, cert, key = _certificates(directory)
        ssl_port, ca_file = _free_port(), str(ca)
        ssl = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}"
    conf = directory / "dovecot.conf"
    conf.write_text(
        CONFIG.format(dir=directory, port=port, password=PASSWORD, ssl=ssl, ssl_port=ssl_port)
    )
    # In the foreground (-F), as our own child: stopping it is terminating that process, and
    # nothing outlives the session.
    process = subprocess.Popen(  # noqa: S603
        [DOVECOT, "-F", "-c", str(conf)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_listening(port)
    except RuntimeError:
        log_file = directory / "dovecot.log"
        log = log_file.read_text() if log_file.exists() else ""
        stop_dovecot(process)
        raise RuntimeError(f"Dovecot did not start on port {port}:\n{log[-2000:]}") from None
    server = ImapServer(
        host="127.0.0.1", port=port, directory=directory, ssl_port=ssl_port, ca_file=ca_file
    )
    return server, process


def stop_dovecot(process: "subprocess.Popen[bytes]") -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _serve(tls: bool) -> Iterator[ImapServer]:
    if not os.path.exists(DOVECOT):
        pytest.skip("dovecot is not installed (deps/debian-test.txt: dovecot-imapd)")
    server, process = start_dovecot(tls=tls)
    try:
        yield server
    finally:
        stop_dovecot(process)
        shutil.rmtree(server.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    yield from _serve(tls=False)


@pytest.fixture(scope="session")
def imap_tls_server() -> Iterator[ImapServer]:
    """The same with IMAPS (`ssl_port`) and STARTTLS (`port`), certificate for 127.0.0.1 from a
    throwaway CA (`ca_file`)."""
    yield from _serve(tls=True)
