"""What every response of a signed-in person carries."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase


class PrivatePagesMiddleware:
    """A signed-in person's pages and files are never kept by a browser or a shared cache
    (`Cache-Control: no-store`): after signing out, Back or a proxy must not show them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response
