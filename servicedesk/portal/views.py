"""The customer portal's pages. Sections whose capability has not landed yet say so plainly."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext

from servicedesk.accounts.decorators import portal_view
from servicedesk.accounts.forms import ColleagueAccessForm
from servicedesk.accounts.models import AccessRequest, User
from servicedesk.accounts.services import access_request_create
from servicedesk.core.errors import ApplicationError
from servicedesk.customers.selectors import company_list_for_user

RECENT_REQUESTS = 10


@portal_view
def companies(request: HttpRequest) -> HttpResponse:
    """The customer's companies with the sites, equipment and contracts they may see."""
    return render(
        request,
        "portal/companies.html",
        {
            "companies": company_list_for_user(request.user),
            "today": timezone.localdate(),
            "section": "companies",
        },
    )


@portal_view
def colleague_access_request(request: HttpRequest) -> HttpResponse:
    """A customer asks the service team to let a colleague into the portal, for one of the
    requester's own companies. The request waits for staff like a public one."""
    user = request.user
    if not isinstance(user, User) or not user.has_perm("portal.request_colleague_access"):
        raise Http404
    form = ColleagueAccessForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        company = form.cleaned_data["company"]
        try:
            person = form.person_data()
            access_request_create(
                full_name=person["full_name"],
                email=person["email"],
                phone=person["phone"],
                position=person["position"],
                comment=person["comment"],
                company_name=company.name,
                company=company,
                requested_by=user,
                language=user.language or translation.get_language() or "",
                request=request,
            )
        except ApplicationError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                gettext(
                    "Your request for %(name)s is sent. The service team will invite them "
                    "once it is approved."
                )
                % {"name": form.cleaned_data["full_name"]},
            )
            return redirect("portal:colleague_access")
    recent = (
        AccessRequest.objects.filter(requested_by=user)
        .select_related("company")
        .order_by("-created_at")[:RECENT_REQUESTS]
    )
    return render(
        request,
        "portal/colleague_access.html",
        {"form": form, "recent": recent, "section": "colleagues"},
    )
