"""The public web form for the provider's site: `/f/<key>/` as a page of its own and
`/f/<key>/embed/` for an iframe on the sites the form names (Content-Security-Policy
`frame-ancestors`; no X-Frame-Options for that view only), with its height told to the host page
(static/js/webform-frame.js → static/js/webform-embed.js).

The view checks the honeypot and the fields, then hands everything to
`intake.webforms.webform_submit` (limits, captcha, the ticket, the confirmation). A filled
honeypot gets the same "thank you" as a person, and nothing is stored or sent. A refusal keeps
what was typed (files must be chosen again: browsers never refill a file input).

No CSRF token: the form is for people without an account, usually inside another site's
iframe, where browsers do not send our cookies — there is no session a forged request could
ride on, and the limits count per client address whoever sends it (decision record on intake).
"""

from __future__ import annotations

from typing import Any

from allauth.core import ratelimit
from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from servicedesk.core.errors import ApplicationError
from servicedesk.customers.models import WorkType
from servicedesk.intake.captcha import WIDGETS
from servicedesk.intake.models import WEBFORM_FIELDS, FieldMode, WebForm
from servicedesk.intake.webforms import Submission, webform_submit
from servicedesk.tickets.services.create import DESCRIPTION_MAX_LENGTH
from servicedesk.web.guest import client_ip
from servicedesk.web.ticket_form.fields import MultipleFileField, MultipleFileInput, TextField

LABELS = {
    "name": gettext_lazy("Your name"),
    "phone": gettext_lazy("Phone"),
    "email": gettext_lazy("Email"),
    "company_name": gettext_lazy("Company"),
    "equipment_model": gettext_lazy("Equipment model"),
    "work_type": gettext_lazy("Work type"),
    "description": gettext_lazy("What happened?"),
    "files": gettext_lazy("Photos or files"),
}


class VisitorForm(forms.Form):
    """The fields the web form shows, required as its settings say. `website` is the honeypot
    (hidden from people by CSS, filled by robots)."""

    website = forms.CharField(required=False, max_length=200)

    def __init__(self, webform: WebForm, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.webform = webform
        for name in WEBFORM_FIELDS:
            mode = webform.mode(name)
            if mode == FieldMode.OFF:
                continue
            self.fields[name] = self._field(name, required=mode == FieldMode.REQUIRED)
        self.order_fields([*WEBFORM_FIELDS, "website"])

    def _field(self, name: str, *, required: bool) -> forms.Field:
        label = LABELS[name]
        if name == "email":
            return forms.EmailField(label=label, required=required, max_length=254)
        if name == "phone":
            return forms.CharField(
                label=label,
                required=required,
                max_length=40,
                widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            )
        if name == "work_type":
            return forms.ModelChoiceField(
                label=label,
                required=required,
                queryset=WorkType.objects.filter(is_active=True).order_by("sort_order", "pk"),
            )
        if name == "description":
            return TextField(
                label=label,
                required=required,
                max_length=DESCRIPTION_MAX_LENGTH - 1000,
                widget=forms.Textarea(attrs={"rows": 5}),
            )
        if name == "files":
            return MultipleFileField(
                label=label, required=required, widget=MultipleFileInput(attrs={"multiple": True})
            )
        autocomplete = {"name": "name", "company_name": "organization"}.get(name, "off")
        return forms.CharField(
            label=label,
            required=required,
            max_length=200,
            widget=forms.TextInput(attrs={"autocomplete": autocomplete}),
        )

    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def submission(self) -> Submission:
        data = self.cleaned_data
        return Submission(
            name=data.get("name") or "",
            email=data.get("email") or "",
            phone=data.get("phone") or "",
            company_name=data.get("company_name") or "",
            equipment_model=data.get("equipment_model") or "",
            work_type=data.get("work_type"),
            description=data.get("description") or "",
            files=list(data.get("files") or []),
        )


def _webform(key: str) -> WebForm:
    webform = (
        WebForm.objects.select_related("company", "ticket_type", "criticality", "work_type")
        .filter(key=key, is_active=True)
        .first()
    )
    if webform is None:
        raise Http404
    return webform


def embed_snippets(request: HttpRequest, webform: WebForm) -> dict[str, str]:
    """The iframe and the script tag an admin copies into their site."""
    frame_url = request.build_absolute_uri(reverse("webform_embed", args=[webform.key]))
    script_url = request.build_absolute_uri(
        settings.STATIC_URL.rstrip("/") + "/js/webform-embed.js"
    )
    context = {
        "frame_url": frame_url,
        "script_url": script_url,
        "title": webform.title or webform.name,
    }
    return {
        "page_url": request.build_absolute_uri(reverse("webform", args=[webform.key])),
        "frame_url": frame_url,
        "iframe": render_to_string("intake/snippet_iframe.html", context).strip(),
        "script": render_to_string("intake/snippet_script.html", context).strip(),
    }


def _captcha_csp(response: HttpResponse, webform: WebForm) -> None:
    widget = WIDGETS.get(webform.captcha_provider)
    if widget is None:
        return
    hosts = list(widget.hosts)
    response._csp_update = {  # type: ignore[attr-defined]
        "script-src": hosts,
        "frame-src": hosts,
        "connect-src": hosts,
        "style-src": hosts,
    }


def _frame_policy(response: HttpResponse, webform: WebForm) -> None:
    """Only the form's sites may frame the embeddable page (none: nobody)."""
    origins = [o for o in webform.origins() if o.startswith(("https://", "http://"))]
    response._csp_replace = {  # type: ignore[attr-defined]
        "frame-ancestors": origins or ["'none'"],
    }


def _render(
    request: HttpRequest,
    webform: WebForm,
    *,
    embed: bool,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    widget = WIDGETS.get(webform.captcha_provider)
    context = {
        "webform": webform,
        "embed": embed,
        "captcha": widget if webform.captcha_site_key else None,
        "frame_script": static("js/webform-frame.js"),
        **context,
    }
    response = render(request, template, context, status=status)
    _captcha_csp(response, webform)
    if embed:
        _frame_policy(response, webform)
    response["Referrer-Policy"] = "no-referrer"
    return response


def _form_view(request: HttpRequest, key: str, *, embed: bool) -> HttpResponse:
    webform = _webform(key)
    form = VisitorForm(webform, request.POST or None, request.FILES or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_robot():
            return _render(
                request, webform, embed=embed, template="intake/webform_sent.html",
                context={"filing": None},
            )  # fmt: skip
        if not ratelimit.consume(request, action="webform"):
            error = _("Too many requests from here. Nothing was sent; wait a while and try again.")
            status = 429
        else:
            widget = WIDGETS.get(webform.captcha_provider)
            answer = request.POST.get(widget.field, "") if widget else ""
            try:
                filing = webform_submit(
                    webform=webform, ip=client_ip(request), sub=form.submission(),
                    captcha_answer=answer,
                )  # fmt: skip
            except ApplicationError as failure:
                status = 429 if failure.code == "rate_limited" else 400
                if failure.field in form.fields and failure.field != "files":
                    form.add_error(failure.field, str(failure.message))
                else:
                    error = str(failure.message)
            else:
                return _render(
                    request, webform, embed=embed, template="intake/webform_sent.html",
                    context={"filing": filing},
                )  # fmt: skip
    elif request.method == "POST":
        status = 400
    return _render(
        request,
        webform,
        embed=embed,
        template="intake/webform_page.html",
        context={"form": form, "error": error},
        status=status,
    )


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def webform_page(request: HttpRequest, key: str) -> HttpResponse:
    return _form_view(request, key, embed=False)


@never_cache
@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def webform_embed(request: HttpRequest, key: str) -> HttpResponse:
    return _form_view(request, key, embed=True)
