"""The API's test helpers: a token for any user and a client that sends it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from servicedesk.accounts.models import ApiTokenScope
from servicedesk.accounts.services import api_token_create


class ApiClient:
    """The test client with `Authorization: Bearer <token>` and JSON bodies."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.secret = secret

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        result = dict(headers or {})
        if self.secret is not None:
            result.setdefault("Authorization", f"Bearer {self.secret}")
        return result

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def _send(self, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return getattr(self.client, method)(
            path, data, content_type="application/json", headers=self._headers(headers)
        )

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._send("post", path, {} if body is None else body, headers)

    def patch(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._send("patch", path, {} if body is None else body, headers)

    def put(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._send("put", path, {} if body is None else body, headers)

    def delete(self, path: str, **headers: str) -> Any:
        return self.client.delete(path, headers=self._headers(headers))

    def multipart(self, path: str, data: dict[str, Any], **headers: str) -> Any:
        return self.client.post(path, data, headers=self._headers(headers))


def token_for(user: Any, scope: str = ApiTokenScope.READ_WRITE) -> str:
    return api_token_create(user=user, name="test", scope=scope).secret


@pytest.fixture
def api_for() -> Callable[..., ApiClient]:
    def make(user: Any, scope: str = ApiTokenScope.READ_WRITE) -> ApiClient:
        return ApiClient(token_for(user, scope) if user is not None else None)

    return make


def error_of(response: Any) -> dict[str, Any]:
    """The error body, checked to have the documented shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    assert isinstance(body["error"]["code"], str)
    assert isinstance(body["error"]["message"], str)
    return dict(body["error"])
