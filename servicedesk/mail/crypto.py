"""Secrets a mailbox keeps: the IMAP password (encrypted, readable back by the poller) and the
inbound webhook's token (hashed, only ever compared).

The encryption key is derived from MAIL_SECRET_KEY when set, else from SECRET_KEY, so a
database dump alone never gives away a mailbox password. Rotating SECRET_KEY (without a
MAIL_SECRET_KEY) makes stored passwords unreadable: `decrypt` then raises `SecretUnreadableError`
and the admin enters the password again. Fallback keys (MAIL_SECRET_KEY_FALLBACKS,
SECRET_KEY_FALLBACKS) are tried for reading.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

_KEY_SALT = b"servicedesk.mail.mailbox-secret"


class SecretUnreadableError(Exception):
    """The stored secret was encrypted with a key this installation no longer has."""


def _fernet(secret: str) -> Fernet:
    key = hashlib.pbkdf2_hmac("sha256", secret.encode(), _KEY_SALT, 100_000)
    return Fernet(base64.urlsafe_b64encode(key))


_cache: dict[str, Fernet] = {}


def _cached(secret: str) -> Fernet:
    if secret not in _cache:
        _cache[secret] = _fernet(secret)
    return _cache[secret]


def _secrets() -> list[str]:
    main = str(getattr(settings, "MAIL_SECRET_KEY", "") or "")
    if main:
        return [main, *getattr(settings, "MAIL_SECRET_KEY_FALLBACKS", [])]
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def encrypt(plain: str) -> str:
    return _cached(_secrets()[0]).encrypt(plain.encode()).decode("ascii")


def decrypt(token: str) -> str:
    box = MultiFernet([_cached(secret) for secret in _secrets()])
    try:
        return box.decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError) as error:
        raise SecretUnreadableError(str(error) or "invalid token") from error


def token_hash(token: str) -> str:
    """A webhook token's hash: SHA-256 is enough, tokens are long and random."""
    return hashlib.sha256(token.encode()).hexdigest()


def masked(plain: str) -> str:
    """What a settings page may show of a secret: nothing but that it is set."""
    return "••••••" if plain else ""
