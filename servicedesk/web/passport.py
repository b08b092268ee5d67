"""The equipment passport by QR (`/p/<token>/`), for anyone holding the label's link.

- The passport: what the provider publishes for the equipment's type to anyone; the service
  history, open tickets and contracts to a signed-in person whose scope includes the piece (the
  scoping layer, `visible_to()`; staff see everything). A member of staff opening it records a
  scan (their presence at the equipment, tickets/presence.py).
- «Подать заявку»: a signed-in customer with the piece in scope files at once (origin QR); an
  anonymous visitor confirms an email address or phone number with a one-time code and becomes
  a customer who sees that one piece (accounts/services/self_registration.py), or, where the
  template allows, files without an account (the intake app).
- An address that already has an account gets a sign-in link instead of a code: the piece is
  added only after sign-in and an explicit confirmation (`passport_join`).

Every token that finds nothing counts against the visitor's address (core/limits.py, at the
rate ACCOUNT_RATE_LIMITS["passport_miss"] sets): guessing is slow. A rotated token gets a page
saying so, and opens nothing.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from allauth.core import ratelimit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from phonenumber_field.phonenumber import to_python as phone_parse

from servicedesk.accounts.models import User
from servicedesk.accounts.services import client_ip
from servicedesk.accounts.services.self_registration import (
    existing_account,
    passport_register,
    passport_scope_add,
)
from servicedesk.core import limits
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.core.mail import send_mail_template
from servicedesk.core.sms import send_sms
from servicedesk.customers import passport
from servicedesk.customers.access import sees_equipment
from servicedesk.customers.models import (
    Contract,
    Criticality,
    Equipment,
    PassportPublication,
    Site,
)
from servicedesk.tickets.models import Origin, Ticket
from servicedesk.tickets.presence import presence_scan_record
from servicedesk.tickets.services.create import TicketData, ticket_create
from servicedesk.tickets.uploads import UploadRejectedError, check_upload
from servicedesk.tickets.workflow import customer_status_label, staff_status_label

AUTH_BACKEND = "servicedesk.accounts.backends.EmailBackend"
SIGNUP = "passport_signup"  # the session key of a registration waiting for its code
CODE_TTL = timedelta(minutes=15)
CODE_ATTEMPTS = 5
HISTORY_SHOWN = 10
SUBJECT_MAX_LENGTH = 120


# --- Finding the passport ------------------------------------------------------------------


class _MissError(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _miss(request: HttpRequest, token: str) -> HttpResponse:
    """The answer for a token that opens nothing: "no longer valid" for a rotated one, else a
    plain "not found"; each counts against the visitor's address, and past the limit the
    answer is 429 whatever the token."""
    if not _consume_miss(request):
        return render(request, "customers/passport/limited.html", status=429)
    if passport.token_retired(token):
        return render(request, "customers/passport/retired.html", status=410)
    return render(request, "customers/passport/unknown.html", status=404)


def _consume_miss(request: HttpRequest) -> bool:
    """Count a token that opened nothing against the visitor's address; False past the limit
    "passport_miss" (ACCOUNT_RATE_LIMITS, e.g. "20/h/ip"). Counted here (core/limits.py, as
    the guest status links count theirs), since allauth's rate limits let every GET through
    and guessing is done by GET."""
    rate = limits.parse_rate(settings.ACCOUNT_RATE_LIMITS.get("passport_miss", ""))
    if rate is None:
        return True
    allowed, window = rate
    return limits.hit("passport_miss", client_ip(request) or "", window) <= allowed


def _equipment(request: HttpRequest, token: str) -> Equipment:
    equipment = passport.equipment_by_token(token)
    if equipment is None:
        raise _MissError(_miss(request, token))
    return equipment


def _handles_miss(view: Any) -> Any:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response: HttpResponse = view(request, *args, **kwargs)
        except _MissError as miss:
            response = miss.response
        response["Referrer-Policy"] = "same-origin"  # the token stays out of other sites' logs
        response["X-Robots-Tag"] = "noindex"
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if user.is_authenticated and user.is_active else None


def _ticket_rows(user: User, tickets: QuerySet[Ticket]) -> list[dict[str, Any]]:
    staff = user.is_provider_staff
    return [
        {
            "ticket": ticket,
            "status": staff_status_label(ticket.status)
            if staff
            else customer_status_label(ticket.status),
            "url": reverse(
                "backoffice:ticket_detail" if staff else "portal:ticket_detail",
                args=[ticket.number],
            ),
        }
        for ticket in tickets
    ]


# --- The passport ---------------------------------------------------------------------------


@never_cache
@require_GET
@_handles_miss
def passport_equipment(request: HttpRequest, token: str) -> HttpResponse:
    equipment = _equipment(request, token)
    user = _user(request)
    shown = passport.publication_for(equipment.equipment_type)
    in_scope = user is not None and sees_equipment(user, equipment)
    context: dict[str, Any] = {
        "equipment": equipment,
        "token": token,
        # A person whose scope includes the piece sees it in the portal anyway: every fact.
        "public": passport.public_fields(
            equipment, frozenset(PassportPublication.FIELDS) if in_scope else shown
        ),
        "in_scope": in_scope,
        "template": passport.template_for(equipment),
    }
    if in_scope and user is not None:
        tickets = (
            Ticket.objects.visible_to(user)
            .filter(equipment=equipment)
            .select_related("ticket_type")
            .order_by("-created_at", "-id")
        )
        context["open_tickets"] = _ticket_rows(user, tickets.open()[:HISTORY_SHOWN])
        context["history"] = _ticket_rows(user, tickets[:HISTORY_SHOWN])
        context["contracts"] = list(
            Contract.objects.visible_to(user)
            .filter(company_id=equipment.company_id)
            .covering(equipment=equipment)
            .order_by("-valid_from", "number")
        )
        context["today"] = timezone.localdate()
        if user.is_provider_staff:
            context["scanned"] = presence_scan_record(
                user=user, equipment=equipment, now=timezone.now()
            )
    return render(request, "customers/passport/equipment.html", context)


@never_cache
@require_GET
@_handles_miss
def passport_site(request: HttpRequest, token: str) -> HttpResponse:
    site = passport.site_by_token(token)
    if site is None:
        raise _MissError(_miss(request, token))
    user = _user(request)
    visible = Site.objects.visible_to(user).filter(pk=site.pk).exists() if user else False
    shown = passport.publication_for("")
    context: dict[str, Any] = {
        "site": site,
        "address": site.address if "address" in shown or visible else "",
        "in_scope": visible,
    }
    if visible and user is not None:
        context["equipment"] = list(
            Equipment.objects.visible_to(user)
            .filter(site__path__startswith=site.path, is_active=True)
            .order_by("name", "id")[:100]
        )
        tickets = (
            Ticket.objects.visible_to(user)
            .filter(site__path__startswith=site.path)
            .order_by("-created_at", "-id")
        )
        context["open_tickets"] = _ticket_rows(user, tickets.open()[:HISTORY_SHOWN])
    return render(request, "customers/passport/site.html", context)


@never_cache
@require_GET
@_handles_miss
def passport_photo(request: HttpRequest, token: str) -> HttpResponse | FileResponse:
    equipment = _equipment(request, token)
    user = _user(request)
    public = "photo" in passport.publication_for(equipment.equipment_type)
    if not equipment.photo or not (public or (user and sees_equipment(user, equipment))):
        raise Http404
    response = FileResponse(equipment.photo.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@require_GET
@_handles_miss
def passport_qr(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    """The passport's QR code (SVG or PNG) for the label: made from the live token only."""
    equipment = passport.equipment_by_token(token)
    obj: Equipment | Site | None = equipment or passport.site_by_token(token)
    if obj is None:
        raise _MissError(_miss(request, token))
    url = passport.passport_url(obj)
    if kind == "svg":
        response = HttpResponse(passport.qr_svg(url), content_type="image/svg+xml")
    else:
        response = HttpResponse(passport.qr_png(url), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="qr.{kind}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Filing ----------------------------------------------------------------------------------


class PassportTicketForm(forms.Form):
    description = forms.CharField(
        label=gettext_lazy("What happened?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "autofocus": True}),
    )


def _photos_check(request: HttpRequest) -> list[Any]:
    files = request.FILES.getlist("photos")
    for upload in files:
        try:
            info = check_upload(upload)
        except UploadRejectedError as error:
            raise ApplicationError(str(error), code=ErrorCode.BAD_FILE, field="photos") from error
        if not info.is_image:
            raise ApplicationError(
                _("“%(name)s” is not a photo.") % {"name": info.name},
                code=ErrorCode.BAD_FILE,
                field="photos",
            )
    return files


def _ticket_data(equipment: Equipment, description: str) -> TicketData:
    template = passport.template_for(equipment)
    if template is None:
        raise Http404
    criticality = template.criticality or (
        Criticality.objects.filter(is_active=True).order_by("-is_default", "sort_order").first()
    )
    if criticality is None:
        raise Http404
    first_line = next((line.strip() for line in description.splitlines() if line.strip()), "")
    subject = template.subject or f"{equipment.name}: {first_line}"
    if len(subject) > SUBJECT_MAX_LENGTH:
        subject = subject[: SUBJECT_MAX_LENGTH - 1].rstrip() + "…"
    return TicketData(
        subject=subject,
        description=description,
        ticket_type=template.ticket_type,
        criticality=criticality,
        company=equipment.company,
        site=equipment.site,
        equipment=equipment,
        work_type=template.work_type,
    )


def guest_filing_available() -> bool:
    """Filing without an account goes through the intake app (guest_ticket_create)."""
    return True


@never_cache
@require_http_methods(["GET", "POST"])
@_handles_miss
def passport_file(request: HttpRequest, token: str) -> HttpResponse:
    equipment = _equipment(request, token)
    template = passport.template_for(equipment)
    user = _user(request)
    context: dict[str, Any] = {"equipment": equipment, "token": token, "template": template}
    if template is None:
        return render(request, "customers/passport/file_closed.html", context)
    if user is None:
        context["guest"] = template.allow_anonymous and guest_filing_available()
        context["register_form"] = RegisterForm()
        return render(request, "customers/passport/file_start.html", context)
    if user.is_provider_staff:
        return render(request, "customers/passport/file_staff.html", context)
    if not sees_equipment(user, equipment):
        context["can_join"] = template.allow_self_registration
        return render(request, "customers/passport/file_not_in_scope.html", context)
    form = PassportTicketForm(request.POST or None, initial={"description": template.description})
    if request.method == "POST" and form.is_valid():
        try:
            files = _photos_check(request)
            ticket = ticket_create(
                by=user,
                data=_ticket_data(equipment, form.cleaned_data["description"]),
                origin=Origin.QR,
                files=files,
            )
        except ApplicationError as error:
            form.add_error(None, str(error.message))
        else:
            return redirect("passport:filed", token=token, number=ticket.number)
    context["form"] = form
    return render(request, "customers/passport/file.html", context)


@never_cache
@require_GET
@_handles_miss
def passport_filed(request: HttpRequest, token: str, number: str) -> HttpResponse:
    equipment = _equipment(request, token)
    user = _user(request)
    if user is None:
        return redirect("passport:equipment", token=token)
    ticket = Ticket.objects.visible_to(user).filter(number=number, equipment=equipment).first()
    if ticket is None:
        raise Http404
    return render(
        request,
        "customers/passport/filed.html",
        {
            "equipment": equipment,
            "token": token,
            "ticket": ticket,
            "status": customer_status_label(ticket.status),
            "has_password": user.has_usable_password(),
        },
    )


# --- Registering by a one-time code ------------------------------------------------------------


class RegisterForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Your name"), max_length=200)
    identifier = forms.CharField(
        label=gettext_lazy("Email or mobile phone"),
        max_length=254,
        help_text=gettext_lazy("We send a one-time code there to confirm it is yours."),
        widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot

    def clean_identifier(self) -> tuple[str, str]:
        raw = self.cleaned_data["identifier"].strip()
        if "@" in raw:
            try:
                validate_email(raw)
            except ValidationError:
                raise forms.ValidationError(_("Enter a valid email address.")) from None
            return ("email", raw.lower())
        number = phone_parse(raw)
        if number is None or not number.is_valid():
            raise forms.ValidationError(
                _("Enter an email address or a phone number in international format.")
            )
        return ("phone", number.as_e164)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


def _code_hash(token: str, identifier: str, code: str) -> str:
    return salted_hmac("passport-code", f"{token}\n{identifier}\n{code}").hexdigest()


def _absolute(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def _send(kind: str, identifier: str, equipment: Equipment, *, code: str, link: str) -> None:
    language = translation.get_language() or settings.LANGUAGE_CODE
    if kind == "email":
        prefix = "customers/email/passport_signin" if link else "customers/email/passport_code"
        send_mail_template(
            prefix,
            {"equipment": equipment, "code": code, "link": link, "ttl": CODE_TTL.seconds // 60},
            to=[identifier],
            language=language,
        )
        return
    if link:
        text = _("Servicedesk: you already have an account. Sign in to add %(name)s: %(link)s")
    else:
        text = _("Servicedesk: your code is %(code)s. It is valid for %(minutes)s minutes.")
    send_sms(
        identifier,
        text
        % {"name": equipment.name, "link": link, "code": code, "minutes": CODE_TTL.seconds // 60},
    )


@never_cache
@require_http_methods(["POST"])
@_handles_miss
def passport_register_start(request: HttpRequest, token: str) -> HttpResponse:
    equipment = _equipment(request, token)
    template = passport.template_for(equipment)
    if template is None or not template.allow_self_registration or _user(request):
        return redirect("passport:file", token=token)
    form = RegisterForm(request.POST)
    context: dict[str, Any] = {
        "equipment": equipment,
        "token": token,
        "template": template,
        "register_form": form,
        "guest": template.allow_anonymous and guest_filing_available(),
    }
    if not form.is_valid():
        return render(request, "customers/passport/file_start.html", context, status=400)
    kind, identifier = form.cleaned_data["identifier"]
    if not ratelimit.consume(request, action="passport_code", key=identifier):
        form.add_error(
            None, _("Too many attempts from here. Nothing was sent; wait a while and try again.")
        )
        return render(request, "customers/passport/file_start.html", context, status=429)
    if form.cleaned_data["website"]:  # a filled honeypot: the same answer, nothing sent
        return redirect("passport:confirm", token=token)
    email = identifier if kind == "email" else None
    phone = identifier if kind == "phone" else ""
    existing = existing_account(email=email, phone=phone) is not None
    code = f"{secrets.randbelow(10**6):06d}"
    link = ""
    if existing:
        # No code for an existing account: its owner signs in, then confirms the equipment.
        join = reverse("passport:join", args=[token])
        link = _absolute(reverse("account_login") + "?" + urlencode({"next": join}))
    try:
        _send(kind, identifier, equipment, code=code, link=link)
    except Exception:
        form.add_error(None, _("The message could not be sent. Check the address and try again."))
        return render(request, "customers/passport/file_start.html", context, status=502)
    request.session[SIGNUP] = {
        "token": token,
        "kind": kind,
        "identifier": identifier,
        "name": form.cleaned_data["full_name"],
        # An existing account's signup holds no code at all: nothing typed can match.
        "hash": "" if existing else _code_hash(token, identifier, code),
        "expires": (timezone.now() + CODE_TTL).isoformat(),
        "attempts": 0,
    }
    return redirect("passport:confirm", token=token)


@never_cache
@require_http_methods(["GET", "POST"])
@_handles_miss
def passport_register_confirm(request: HttpRequest, token: str) -> HttpResponse:
    equipment = _equipment(request, token)
    template = passport.template_for(equipment)
    signup = request.session.get(SIGNUP) or {}
    if template is None or not template.allow_self_registration or signup.get("token") != token:
        return redirect("passport:file", token=token)
    form = CodeForm(request.POST or None)
    context = {"equipment": equipment, "token": token, "form": form, "signup": signup}
    if request.method == "POST" and form.is_valid():
        expired = timezone.now().isoformat() > signup["expires"]
        signup["attempts"] += 1
        request.session[SIGNUP] = signup
        if signup["attempts"] > CODE_ATTEMPTS or expired:
            request.session.pop(SIGNUP, None)
            messages.error(request, _("The code has expired. Ask for a new one."))
            return redirect("passport:file", token=token)
        expected = signup["hash"]
        given = _code_hash(token, signup["identifier"], form.cleaned_data["code"])
        if not expected or not constant_time_compare(expected, given):
            form.add_error("code", _("This code is not right. Check the message and try again."))
            return render(request, "customers/passport/confirm.html", context, status=400)
        try:
            user = passport_register(
                equipment=equipment,
                full_name=signup["name"],
                email=signup["identifier"] if signup["kind"] == "email" else None,
                phone=signup["identifier"] if signup["kind"] == "phone" else "",
                language=translation.get_language() or "",
                request=request,
            )
        except ApplicationError as error:
            request.session.pop(SIGNUP, None)
            messages.error(request, str(error.message))
            return redirect("passport:file", token=token)
        request.session.pop(SIGNUP, None)
        login(request, user, backend=AUTH_BACKEND)
        messages.success(
            request,
            _("Welcome, %(name)s! Your account is ready; describe the problem below.")
            % {"name": user.full_name},
        )
        return redirect("passport:file", token=token)
    return render(request, "customers/passport/confirm.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@_handles_miss
def passport_join(request: HttpRequest, token: str) -> HttpResponse:
    """A signed-in person adds the scanned equipment to what they see: only after pressing
    the button on this page (never by following a link alone)."""
    equipment = _equipment(request, token)
    user = _user(request)
    if user is None:
        login_url = reverse("account_login") + "?" + urlencode({"next": request.path})
        return redirect(login_url)
    template = passport.template_for(equipment)
    if sees_equipment(user, equipment):
        return redirect("passport:file", token=token)
    if template is None or not template.allow_self_registration or not user.is_customer:
        raise Http404
    if request.method == "POST":
        passport_scope_add(user=user, equipment=equipment, request=request)
        messages.success(
            request, _("%(name)s is added to your account.") % {"name": equipment.name}
        )
        return redirect("passport:file", token=token)
    return render(request, "customers/passport/join.html", {"equipment": equipment, "token": token})


# --- Filing without an account (where the template allows) -----------------------------------


class GuestForm(PassportTicketForm):
    full_name = forms.CharField(label=gettext_lazy("Your name"), max_length=200, required=False)
    email = forms.CharField(
        label=gettext_lazy("Email"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Or an email: the ticket's number and status link are sent there."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("email") or "").strip() and not (data.get("phone") or "").strip():
            raise forms.ValidationError(
                _("Give an email address or a phone number: the ticket's status link goes there.")
            )
        return data


@never_cache
@require_http_methods(["GET", "POST"])
@_handles_miss
def passport_guest(request: HttpRequest, token: str) -> HttpResponse:
    """File without an account: the intake app's guest contact and status link (decision
    record on intake). The page shows the number and the link, unless the address belonged to
    a customer already (then the link went to that address only)."""
    from servicedesk.intake.services import CONFIRM_EMAIL, CONFIRM_SMS, guest_ticket_create

    equipment = _equipment(request, token)
    template = passport.template_for(equipment)
    if template is None or not template.allow_anonymous or _user(request) is not None:
        return redirect("passport:file", token=token)
    form = GuestForm(request.POST or None, initial={"description": template.description})
    context: dict[str, Any] = {"equipment": equipment, "token": token, "form": form}
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(request, action="passport_guest"):
            form.add_error(
                None,
                _("Too many tickets from here. Nothing was filed; wait a while and try again."),
            )
            return render(request, "customers/passport/guest.html", context, status=429)
        if form.cleaned_data["website"]:  # a filled honeypot: nothing filed
            return render(request, "customers/passport/guest.html", context, status=400)
        data = form.cleaned_data
        try:
            files = _photos_check(request)
            filing = guest_ticket_create(
                company=equipment.company,
                data=_ticket_data(equipment, data["description"]),
                name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                origin=Origin.QR,
                files=files,
                confirm_by=(CONFIRM_EMAIL, CONFIRM_SMS),
                only_equipment=equipment,
            )
        except ApplicationError as error:
            form.add_error(None, str(error.message))
        else:
            return render(
                request,
                "customers/passport/guest_filed.html",
                {
                    "equipment": equipment,
                    "token": token,
                    "ticket": filing.ticket,
                    "status": customer_status_label(filing.ticket.status),
                    "status_url": filing.status_url if filing.show_link else "",  # type: ignore[attr-defined]
                },
            )
    return render(request, "customers/passport/guest.html", context)
