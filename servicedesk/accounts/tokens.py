"""Invitation links: a signed token naming an invitation and its nonce.

Nothing secret is stored in the database (a leaked table gives no usable links); a token that is
empty, altered or truncated fails the signature and is indistinguishable from an expired, used
or revoked one.
"""

from django.core import signing

_SALT = "servicedesk.accounts.invitation"


def invitation_token(invitation_id: int, nonce: str) -> str:
    return signing.dumps([invitation_id, nonce], salt=_SALT)


def invitation_token_parse(token: str) -> tuple[int, str] | None:
    try:
        invitation_id, nonce = signing.loads(token, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(invitation_id, int) or not isinstance(nonce, str):
        return None
    return invitation_id, nonce
