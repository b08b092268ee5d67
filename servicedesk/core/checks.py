from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register(deploy=True)
def secret_key_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Refuse to run a non-debug instance with the public development key."""
    if not settings.DEBUG and settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is the public development key while DEBUG is off.",
                hint="Set the SECRET_KEY environment variable to a long random value "
                "(python -c 'import secrets; print(secrets.token_urlsafe(50))').",
                id="servicedesk.E001",
            )
        ]
    return []


def refuse_to_start_if_insecure() -> None:
    """Called by the WSGI/ASGI entry points: a web process never serves with the public key."""
    from django.core.exceptions import ImproperlyConfigured

    errors = secret_key_check()
    if errors:
        raise ImproperlyConfigured(f"{errors[0].msg} {errors[0].hint}")
