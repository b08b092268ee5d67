"""The optional captcha of a web form: the provider's widget on the page, and the server-side
check of its answer against the provider's verification URL (settings.CAPTCHA_VERIFY_URLS).

Each provider's widget posts its answer in its own field and is checked the same way: a POST of
the secret, the answer and the visitor's address; the answer is a JSON object saying success.
Anything else — no answer, a refusal, a provider that cannot be reached or answers nonsense —
is a failure: the form is not sent (the visitor tries again), nothing is stored.
"""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from servicedesk.intake.models import CaptchaProvider

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Widget:
    script: str  # the provider's script for the page
    css_class: str  # the element the script turns into the widget
    field: str  # the POST field its answer arrives in
    hosts: tuple[str, ...]  # what the page's Content-Security-Policy must allow


WIDGETS: dict[str, Widget] = {
    CaptchaProvider.YANDEX: Widget(
        "https://smartcaptcha.yandexcloud.net/captcha.js",
        "smart-captcha",
        "smart-token",
        ("https://smartcaptcha.yandexcloud.net",),
    ),
    CaptchaProvider.HCAPTCHA: Widget(
        "https://js.hcaptcha.com/1/api.js",
        "h-captcha",
        "h-captcha-response",
        ("https://hcaptcha.com", "https://*.hcaptcha.com"),
    ),
    CaptchaProvider.TURNSTILE: Widget(
        "https://challenges.cloudflare.com/turnstile/v0/api.js",
        "cf-turnstile",
        "cf-turnstile-response",
        ("https://challenges.cloudflare.com",),
    ),
}


def verify_url(provider: str) -> str:
    return str(settings.CAPTCHA_VERIFY_URLS[provider])


def captcha_verify(*, provider: str, secret: str, answer: str, ip: str, site_key: str = "") -> bool:
    """Does the provider confirm `answer` (the widget's token)? False on any doubt."""
    if provider not in WIDGETS or not answer or not secret:
        return False
    url = verify_url(provider)
    if not url.startswith(("https://", "http://")):
        return False
    if provider == CaptchaProvider.YANDEX:
        fields = {"secret": secret, "token": answer, "ip": ip}
    else:
        fields = {"secret": secret, "response": answer, "remoteip": ip}
        if provider == CaptchaProvider.HCAPTCHA and site_key:
            fields["sitekey"] = site_key
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=urllib.parse.urlencode(fields).encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=float(settings.CAPTCHA_VERIFY_TIMEOUT)
        ) as response:
            body = json.loads(response.read(65536).decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        logger.warning("Captcha check at %s failed: %s", url, error)
        return False
    if not isinstance(body, dict):
        return False
    if provider == CaptchaProvider.YANDEX:
        return body.get("status") == "ok"
    return body.get("success") is True
