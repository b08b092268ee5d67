"""Filing a ticket in the portal — being written; every view here is replaced before this lands."""

from django.http import HttpRequest, HttpResponse


def ticket_new(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def ticket_created(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def ticket_form_options(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def product_search(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError
