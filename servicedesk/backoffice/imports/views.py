"""People import (upload → preview → apply → summary), the template, and the export.

Between the preview and the apply the rows live in the session (server-side: the database
session backend), never in the page: what is applied is what was uploaded, checked again.
"""

import secrets
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicedesk.accounts import imports
from servicedesk.accounts.decorators import backoffice_view
from servicedesk.accounts.models import Role, User
from servicedesk.accounts.selectors import PeopleKind, user_list
from servicedesk.backoffice.imports.forms import PeopleImportForm
from servicedesk.core.errors import ApplicationError
from servicedesk.core.forms import pk_or_none

PENDING = "people_import"
DONE = "people_import_done"
PREVIEW_PAGE_SIZE = 100
SHOWN_IN_SUMMARY = 200
FILTERS = ("all", imports.ERROR, imports.CREATE, imports.UPDATE, imports.UNCHANGED)


def _requires(permission: str) -> Callable[[Callable[..., HttpResponseBase]], Any]:
    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.has_perm(permission):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 -- backoffice_view let only staff in
    return user


def _pending(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("user") != request.user.pk:
        return None
    return pending


# --- Import ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@backoffice_view
@_requires("accounts.import_people")
def people_import(request: HttpRequest) -> HttpResponse:
    """GET: the upload form, and the preview of the file uploaded last. POST: a new file."""
    if request.method == "POST":
        request.session.pop(PENDING, None)
        form = PeopleImportForm(request.POST, request.FILES)
        if form.is_valid():
            request.session[PENDING] = {
                "user": request.user.pk,
                "token": secrets.token_urlsafe(12),
                "file": form.cleaned_data["file"].name[:200],
                "format": form.file_format,
                "encoding": form.encoding,
                "invite": form.cleaned_data["send_invitations"],
                "rows": form.rows,
                "actions": [],
            }
            return redirect("backoffice:people_import")
        return render(request, "backoffice/imports/people_import.html", _context(form=form))
    pending = _pending(request)
    if pending is None:
        return render(request, "backoffice/imports/people_import.html", _context())
    form = PeopleImportForm(initial={"send_invitations": pending["invite"]})
    plan = imports.import_plan(pending["rows"], by=_user(request))
    # What the person saw last is what the apply must find again.
    if pending["actions"] != plan.actions:
        pending["actions"] = plan.actions
        request.session.modified = True
    return render(
        request,
        "backoffice/imports/people_import.html",
        _context(form=form, pending=pending, plan=plan, request=request),
    )


def _context(
    *,
    form: PeopleImportForm | None = None,
    pending: dict[str, Any] | None = None,
    plan: imports.ImportPlan | None = None,
    request: HttpRequest | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "section": "people",
        "form": form or PeopleImportForm(),
        "columns": imports.headers(),
        "pending": pending,
        "plan": plan,
    }
    if plan is not None and request is not None and pending is not None:
        shown = request.GET.get("show", "all")
        shown = shown if shown in FILTERS else "all"
        rows = plan.rows if shown == "all" else [r for r in plan.rows if r.action == shown]
        context["shown"] = shown
        context["counts"] = plan.counts
        context["page"] = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
        new = [r for r in plan.rows if r.action == imports.CREATE]
        customers = sum(1 for r in new if r.role == Role.CUSTOMER)
        context["invitations"] = customers if pending["invite"] else 0
        context["new_employees"] = len(new) - customers
    return context


@require_POST
@backoffice_view
@_requires("accounts.import_people")
def people_import_apply(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None or request.POST.get("token") != pending["token"]:
        messages.error(
            request, _("This preview is out of date: the import was applied or replaced.")
        )
        return redirect("backoffice:people_import")
    if "discard" in request.POST:
        request.session.pop(PENDING, None)
        messages.info(request, _("The uploaded file was discarded; nothing was imported."))
        return redirect("backoffice:people_import")
    try:
        result = imports.people_import_apply(
            by=_user(request),
            rows=pending["rows"],
            previewed_actions=pending["actions"],
            send_invitations=bool(pending["invite"]),
            file_name=pending["file"],
            request=request,
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect("backoffice:people_import")
    request.session.pop(PENDING, None)
    request.session[DONE] = {
        "user": request.user.pk,
        "file": pending["file"],
        "created": [u.pk for u in result.created],
        "updated": [u.pk for u in result.updated],
        "unchanged": result.unchanged,
        "invited": result.invited,
    }
    return redirect("backoffice:people_import_done")


@require_GET
@backoffice_view
@_requires("accounts.import_people")
def people_import_done(request: HttpRequest) -> HttpResponse:
    done = request.session.get(DONE)
    if not isinstance(done, dict) or done.get("user") != request.user.pk:
        return redirect("backoffice:people_import")
    shown_ids = (done["created"] + done["updated"])[: SHOWN_IN_SUMMARY * 2]
    people = User.objects.in_bulk(shown_ids)
    return render(
        request,
        "backoffice/imports/people_import_done.html",
        {
            "section": "people",
            "done": done,
            "created": [people[pk] for pk in done["created"][:SHOWN_IN_SUMMARY] if pk in people],
            "updated": [people[pk] for pk in done["updated"][:SHOWN_IN_SUMMARY] if pk in people],
            "more_created": max(0, len(done["created"]) - SHOWN_IN_SUMMARY),
            "more_updated": max(0, len(done["updated"]) - SHOWN_IN_SUMMARY),
        },
    )


# --- Template and export -------------------------------------------------------------------------


def _file_format(request: HttpRequest) -> str:
    file_format = request.GET.get("format", "csv")
    if file_format not in ("csv", "xlsx"):
        raise Http404
    return file_format


def _in_language(language: str, rows: Iterable[Any]) -> Iterator[Any]:
    """Keep the page's language while a streamed response is written after the view."""
    with translation.override(language):
        yield from rows


def _download(
    request: HttpRequest, rows: Iterable[list[str]], *, name: str, file_format: str
) -> HttpResponseBase:
    language = translation.get_language() or "en"
    filename = f"{name}-{timezone.localdate():%Y-%m-%d}.{file_format}"
    if file_format == "xlsx":
        sheet = _("People")
        return FileResponse(
            imports.xlsx_file(rows, title=sheet),
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    # Russian Excel reads ";"-separated CSV; the import accepts ";", "," and tabs.
    delimiter = ";" if language.startswith("ru") else ","
    response = StreamingHttpResponse(
        _in_language(language, imports.csv_lines(rows, delimiter=delimiter)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@backoffice_view
@_requires("accounts.import_people")
def people_import_template(request: HttpRequest) -> HttpResponseBase:
    file_format = _file_format(request)
    return _download(
        request, imports.export_rows(None), name="people-template", file_format=file_format
    )


@require_GET
@backoffice_view
@_requires("accounts.view_people")
def people_export(request: HttpRequest) -> HttpResponseBase:
    """The People list as a file, with the list's filters (the same query parameters)."""
    file_format = _file_format(request)
    kind = request.GET.get("kind", PeopleKind.CUSTOMERS)
    kind = kind if kind in (PeopleKind.CUSTOMERS, PeopleKind.EMPLOYEES) else PeopleKind.CUSTOMERS
    company = request.GET.get("company", "")
    users = user_list(
        kind=kind,
        q=request.GET.get("q", "")[:200],
        role=request.GET.get("role", ""),
        company_id=pk_or_none(company),
        status=request.GET.get("status", ""),
        order=request.GET.get("order", "full_name"),
    )
    return _download(
        request, imports.export_rows(users), name=f"people-{kind}", file_format=file_format
    )
