"""People import and export — being written; every view here is replaced before this lands."""

from django.http import HttpRequest, HttpResponse


def people_import(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def people_import_template(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def people_export(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError
