"""Gates and small helpers shared by the People pages.

Every page needs the back office plus a permission; a missing permission is a 404, never a
redirect, so nobody learns what exists. Actions on a person also need
`accounts.manage_user` for that person (dispatchers: customers only).
"""

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.paginator import Page
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django_htmx.middleware import HtmxDetails

from servicedesk.accounts.decorators import backoffice_view
from servicedesk.accounts.models import Membership, User
from servicedesk.core.errors import ApplicationError

View = Callable[..., HttpResponse]


def people_view(perm: str = "accounts.view_people") -> Callable[[View], View]:
    """Back office, and `perm` (404 without it)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_perm(perm):
                raise Http404
            return view(request, *args, **kwargs)

        return backoffice_view(wrapper)

    return decorator


def person_or_404(pk: int) -> User:
    return get_object_or_404(
        User.objects.select_related("registered_from").prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("company").prefetch_related(
                    "sites", "equipment"
                ),
            )
        ),
        pk=pk,
    )


def person_action(methods: Sequence[str] = ("POST",)) -> Callable[[View], View]:
    """A view acting on the person `pk`: the viewer must be allowed to manage them (else 404),
    and the request must use one of `methods` (else 405). The view gets the person."""

    def decorator(view: View) -> View:
        @people_view()
        @wraps(view)
        def wrapper(request: HttpRequest, pk: int) -> HttpResponse:
            person = person_or_404(pk)
            if not request.user.has_perm("accounts.manage_user", person):
                raise Http404
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, person)

        return wrapper

    return decorator


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request that swaps part of the page (a history restore wants the whole page)."""
    htmx: HtmxDetails | None = getattr(request, "htmx", None)
    return bool(htmx) and not (htmx and htmx.history_restore_request)


def elided_range(page: Page[Any]) -> list[int | str]:
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


def report(request: HttpRequest, error: ApplicationError) -> None:
    messages.error(request, str(error.message))
