"""How many SQL queries a request ran, in the `X-Bench-Queries` response header (bench.settings
only). bench/run.py reads it to report queries per request for each kind of page."""

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse

HEADER = "X-Bench-Queries"


class QueryCountMiddleware:
    """First in the chain, so the session, the user and every other middleware's queries count."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counter(execute: Any, sql: Any, params: Any, many: Any, context: Any) -> Any:
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        wrappers = [connections[alias].execute_wrapper(counter) for alias in connections]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        response[HEADER] = str(count)
        return response
