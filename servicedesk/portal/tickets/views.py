"""Ticket lists and the ticket page in the portal — being written; every view here is replaced before this lands."""

from django.http import HttpRequest, HttpResponse


def ticket_list(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def ticket_detail(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def ticket_attachment(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def ticket_attachments_add(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def ticket_follow(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def ticket_print(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def ticket_pdf(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError
