"""Sending SMS through a pluggable backend, chosen by settings.SMS_BACKEND.

`send_sms(to, text)` is what the rest of the code calls. Backends:
- FileBackend (default): one file per message in settings.SMS_FILE_PATH, for development.
- ConsoleBackend: prints the message.
- HttpGatewayBackend: POSTs JSON {"to", "text", "sender"} to settings.SMS_GATEWAY_URL with
  "Authorization: Bearer <SMS_GATEWAY_TOKEN>"; any 2xx answer is success, anything else raises
  SmsError so that the background task retries.
"""

import json
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsError(Exception):
    pass


class SmsBackend(Protocol):
    def send(self, to: str, text: str) -> None: ...


class ConsoleBackend:
    def send(self, to: str, text: str) -> None:
        sys.stdout.write(f"SMS to {to}: {text}\n")


class FileBackend:
    def send(self, to: str, text: str) -> None:
        directory = Path(settings.SMS_FILE_PATH)
        directory.mkdir(parents=True, exist_ok=True)
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.txt"
        (directory / name).write_text(f"To: {to}\n\n{text}\n", encoding="utf-8")


class HttpGatewayBackend:
    def send(self, to: str, text: str) -> None:
        url = settings.SMS_GATEWAY_URL
        if not url.startswith(("https://", "http://")):
            raise SmsError("SMS_GATEWAY_URL is not an http(s) URL.")
        body = json.dumps({"to": to, "text": text, "sender": settings.SMS_SENDER}).encode()
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
            },
        )
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=settings.SMS_GATEWAY_TIMEOUT
            ) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            raise SmsError(f"SMS gateway answered {error.code}.") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsError(f"SMS gateway unreachable: {error}.") from error
        if not 200 <= status < 300:
            raise SmsError(f"SMS gateway answered {status}.")


def get_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def send_sms(to: str, text: str) -> None:
    get_backend().send(to, text)
