"""«Наша компания»: the provider's requisites and the acts' numbering and VAT, for
administrators ("acts.manage_settings"; anyone else gets 404, as on the other settings pages),
with a sample act to see them on paper."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from servicedesk.accounts.decorators import AuthenticatedHttpRequest
from servicedesk.acts.rendering import render_act_pdf
from servicedesk.acts.sample import sample_act
from servicedesk.acts.selectors import our_company
from servicedesk.acts.services import our_company_save
from servicedesk.backoffice.acts.forms import OurCompanyForm
from servicedesk.backoffice.people.common import people_view

settings_view = people_view("acts.manage_settings")


@settings_view
def act_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    company = our_company()
    data = request.POST if request.method == "POST" else None
    form = OurCompanyForm(data, instance=company)
    if data is not None and form.is_valid():
        try:
            our_company_save(by=request.user, company=form.save(commit=False))
        except ValidationError as error:  # pragma: no cover (the form checks the same)
            form.add_error(None, error)
        else:
            messages.success(request, _("The settings have been saved."))
            return redirect("backoffice:act_settings")
    return render(
        request,
        "backoffice/acts/settings.html",
        {"section": "act_settings", "form": form, "company": company},
    )


@settings_view
@require_GET
def act_settings_sample(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A made-up act with the saved requisites and settings, in the reader's language."""
    content = sample_act(
        our_company(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        day=timezone.localdate(),
        time_zone=settings.TIME_ZONE,
    )
    response = HttpResponse(render_act_pdf(content), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="act-sample.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
