"""Web forms for the provider's site (admins; anyone without "intake.manage_webforms" gets
404): the list with each form's submissions, and the settings page with a live preview of the
form as the visitor sees it (htmx, as typed, not saved) and the snippets to paste into a site."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest
from servicedesk.backoffice.people.common import people_view
from servicedesk.backoffice.webforms.forms import WebFormSettingsForm
from servicedesk.intake.captcha import WIDGETS
from servicedesk.intake.models import WEBFORM_FIELDS, WebForm
from servicedesk.intake.webforms import webform_save
from servicedesk.web.webform import VisitorForm, embed_snippets

webform_view = people_view("intake.manage_webforms")
PREVIEW_FIELDS = (
    "name",
    "title",
    "intro",
    "captcha_provider",
    "captcha_site_key",
    *tuple(f"field_{name}" for name in WEBFORM_FIELDS),
)


@webform_view
def webform_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    month_ago = timezone.now() - timedelta(days=30)
    webforms = (
        WebForm.objects.select_related("company")
        .annotate(
            submissions=Count("filings"),
            submissions_month=Count("filings", filter=Q(filings__created_at__gte=month_ago)),
        )
        .order_by("name", "pk")[:200]
    )
    return render(
        request,
        "backoffice/webforms/webform_list.html",
        {"section": "webforms", "webforms": webforms},
    )


def _preview_context(webform: WebForm) -> dict[str, Any]:
    return {
        "webform": webform,
        "form": VisitorForm(webform),
        "preview": True,
        "captcha": None,
        "error": "",
    }


def _page(
    request: AuthenticatedHttpRequest,
    webform: WebForm,
    form: WebFormSettingsForm,
    status: int = 200,
) -> HttpResponse:
    creating = webform.pk is None
    context: dict[str, Any] = {
        "section": "webforms",
        "webform": webform,
        "form": form,
        "creating": creating,
        "preview": _preview_context(_preview_instance(form, webform)),
        "captcha_widgets": sorted(WIDGETS),
    }
    if not creating:
        context["snippets"] = embed_snippets(request, webform)
        context["submissions"] = webform.filings.count()
    return render(request, "backoffice/webforms/webform_form.html", context, status=status)


def _preview_instance(form: WebFormSettingsForm, stored: WebForm) -> WebForm:
    """A form as typed (not saved): the stored one's values, then each field typed that is
    valid."""
    preview = WebForm(**{name: getattr(stored, name) for name in PREVIEW_FIELDS})
    if form.is_bound:
        form.is_valid()
        for name in PREVIEW_FIELDS:
            if name in getattr(form, "cleaned_data", {}):
                setattr(preview, name, form.cleaned_data[name])
    return preview


def _edit(request: AuthenticatedHttpRequest, webform: WebForm) -> HttpResponse:
    if request.method == "POST":
        form = WebFormSettingsForm(request.POST, instance=webform)
        if form.is_valid():
            saved = webform_save(
                webform=form.save(commit=False),
                captcha_secret=form.cleaned_data.get("captcha_secret") or None,
                clear=bool(form.cleaned_data.get("clear_captcha_secret")),
            )
            messages.success(request, _("The web form has been saved."))
            return redirect("backoffice:webform_edit", pk=saved.pk)
        return _page(request, webform, form, status=400)
    return _page(request, webform, WebFormSettingsForm(instance=webform))


@webform_view
def webform_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _edit(request, WebForm())


@webform_view
def webform_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(WebForm, pk=pk))


@webform_view
@require_POST
def webform_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The form as the visitor would see it with the settings as typed (htmx fragment)."""
    pk = request.POST.get("webform_pk", "")
    stored = get_object_or_404(WebForm, pk=int(pk)) if pk.isdigit() else WebForm()
    form = WebFormSettingsForm(request.POST, instance=WebForm(pk=stored.pk))
    context = _preview_context(_preview_instance(form, stored))
    return render(request, "backoffice/webforms/_preview.html", {"preview": context})
