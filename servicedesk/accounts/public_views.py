"""Public pages: invitations and access requests — being written; replaced before this lands."""

from django.http import HttpRequest, HttpResponse


def invitation_open(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def invitation_accept(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def invitation_invalid(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def access_request_new(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def access_request_sent(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError
