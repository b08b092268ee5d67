"""Access requests — being written; every view here is replaced before this lands."""

from django.http import HttpRequest, HttpResponse


def access_request_list(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def access_request_detail(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError
