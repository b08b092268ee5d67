"""Secrets the database keeps that must be read back (an IMAP password, a web form's captcha
secret, a webhook's signing secret): encrypted with Fernet, so a database dump alone gives none
of them away; and tokens that are only ever compared (hashed).

One key for the installation, from the environment: ENCRYPTION_KEY, else MAIL_SECRET_KEY (its
earlier name, still read), else SECRET_KEY. Each use derives its own Fernet key from it with its
own salt (`purpose`): a value encrypted for one use does not decrypt as another's. Old keys stay
readable through the fallbacks (ENCRYPTION_KEY_FALLBACKS, MAIL_SECRET_KEY_FALLBACKS or
SECRET_KEY_FALLBACKS, whichever goes with the key in use); a key rotated without them makes the
stored values unreadable: `decrypt` then raises `SecretUnreadableError` and the person who set
the secret sets it again. docs/decisions/0029-webhooks.md says why one key and not one per use.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

# The salt mail has always used (this module was servicedesk/mail/crypto.py): IMAP passwords and
# the web forms' captcha secrets stored before the move stay readable.
MAIL = "servicedesk.mail.mailbox-secret"
# A webhook's signing secret (servicedesk.webhooks).
WEBHOOKS = "servicedesk.webhooks.signing-secret"


class SecretUnreadableError(Exception):
    """The stored secret was encrypted with a key this installation no longer has."""


def _fernet(secret: str, purpose: str) -> Fernet:
    key = hashlib.pbkdf2_hmac("sha256", secret.encode(), purpose.encode(), 100_000)
    return Fernet(base64.urlsafe_b64encode(key))


# Deriving a key takes ~50 ms (PBKDF2): once per process, key and purpose.
_cache: dict[tuple[str, str], Fernet] = {}


def _cached(secret: str, purpose: str) -> Fernet:
    if (secret, purpose) not in _cache:
        _cache[secret, purpose] = _fernet(secret, purpose)
    return _cache[secret, purpose]


def _secrets() -> list[str]:
    """The key in use, then the older ones still read (read on each call: tests change them)."""
    for name in ("ENCRYPTION_KEY", "MAIL_SECRET_KEY"):
        main = str(getattr(settings, name, "") or "")
        if main:
            return [main, *getattr(settings, f"{name}_FALLBACKS", [])]
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def encrypt(plain: str, *, purpose: str) -> str:
    return _cached(_secrets()[0], purpose).encrypt(plain.encode()).decode("ascii")


def decrypt(token: str, *, purpose: str) -> str:
    box = MultiFernet([_cached(secret, purpose) for secret in _secrets()])
    try:
        return box.decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError) as error:
        raise SecretUnreadableError(str(error) or "invalid token") from error


def token_hash(token: str) -> str:
    """A token's hash: SHA-256 is enough, tokens are long and random."""
    return hashlib.sha256(token.encode()).hexdigest()


def masked(plain: str) -> str:
    """What a settings page may show of a secret: nothing but that it is set."""
    return "••••••" if plain else ""
