"""Gates for the two audiences. Anonymous users go to the login page; a signed-in user without
the audience's permission gets 404 (a customer never learns that the back office exists), except
staff opening the portal, who are sent to the back office.

Views behind these gates annotate their request as `AuthenticatedHttpRequest` (django-stubs'
pattern for a request known to carry a signed-in user) instead of casting `request.user`."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.middleware import HtmxDetails

from servicedesk.accounts.models import User

View = Callable[..., HttpResponse]


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind `portal_view`, `backoffice_view` or another login gate: its
    user is a signed-in `User`, and django-htmx's middleware has added `htmx`. A type for the
    checker only: Django still builds a plain HttpRequest."""

    user: User
    htmx: HtmxDetails


def portal_view(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        # Staff first: the admin role holds every permission, "portal.access" included.
        if request.user.has_perm("backoffice.access"):
            return redirect("backoffice:dashboard")
        if request.user.has_perm("portal.access"):
            return view(request, *args, **kwargs)
        raise Http404

    return wrapper


def backoffice_view(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("backoffice.access"):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
