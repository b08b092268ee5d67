"""Incoming mail settings for administrators: mailboxes (IMAP, pipe, webhook), «Test connection»,
the webhook's token (shown once), and each mailbox's allowed senders with their ticket template
and regular expressions, tested live. Anyone without "mail.manage_mailboxes" gets 404."""

import copy
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest
from servicedesk.backoffice.mail.forms import (
    FIELD_LABELS,
    ExtractFormSet,
    ExtractTestForm,
    MailboxForm,
    SenderRuleForm,
    extract_from,
    extract_initial,
)
from servicedesk.backoffice.people.common import people_view, wants_fragment
from servicedesk.mail.imap import imap_check
from servicedesk.mail.inbound import rule_extract
from servicedesk.mail.mailboxes import (
    mailbox_save,
    mailbox_webhook_token_new,
    mailbox_webhook_token_revoke,
    sender_rule_delete,
    sender_rule_move,
    sender_rule_save,
)
from servicedesk.mail.models import InboundMessage, Mailbox, SenderRule

mailbox_view = people_view("mail.manage_mailboxes")
State = InboundMessage.State


@mailbox_view
def mailbox_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    mailboxes = Mailbox.objects.annotate(
        senders=Count("rules", distinct=True),
    ).order_by("name", "pk")
    return render(
        request,
        "backoffice/mail/mailbox_list.html",
        {"section": "inbound_mail", "tab": "mailboxes", "mailboxes": mailboxes},
    )


def _settings_page(
    request: AuthenticatedHttpRequest,
    mailbox: Mailbox,
    form: MailboxForm,
    *,
    token: str = "",
    status: int = 200,
) -> HttpResponse:
    creating = mailbox.pk is None
    rules = (
        []
        if creating
        else list(
            SenderRule.objects.filter(mailbox=mailbox).select_related(
                "company", "ticket_type", "criticality", "work_type", "site", "equipment"
            )
        )
    )
    webhook_url = (
        ""
        if creating
        else request.build_absolute_uri(reverse("mail:inbound_webhook", args=[mailbox.pk]))
    )
    return render(
        request,
        "backoffice/mail/mailbox_form.html",
        {
            "section": "inbound_mail",
            "tab": "mailboxes",
            "mailbox": mailbox,
            "form": form,
            "creating": creating,
            "rules": rules,
            "token": token,
            "webhook_url": webhook_url,
        },
        status=status,
    )


def _mailbox_form(request: AuthenticatedHttpRequest, mailbox: Mailbox) -> HttpResponse:
    if request.method == "POST":
        form = MailboxForm(request.POST, instance=mailbox)
        if form.is_valid():
            saved = mailbox_save(
                mailbox=form.save(commit=False),
                password=form.cleaned_data.get("password") or None,
                clear=bool(form.cleaned_data.get("clear_password")),
            )
            messages.success(request, _("The mailbox has been saved."))
            return redirect("backoffice:mailbox_edit", pk=saved.pk)
        return _settings_page(request, mailbox, form, status=400)
    return _settings_page(request, mailbox, MailboxForm(instance=mailbox))


@mailbox_view
def mailbox_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _mailbox_form(request, Mailbox())


@mailbox_view
def mailbox_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _mailbox_form(request, get_object_or_404(Mailbox, pk=pk))


@mailbox_view
@require_POST
def mailbox_test(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """«Test connection» with the settings as typed (not saved): the typed password, or the
    stored one when none was typed."""
    stored = get_object_or_404(Mailbox, pk=pk) if pk else Mailbox()
    form = MailboxForm(request.POST, instance=copy.copy(stored))
    form.is_valid()
    data: dict[str, Any] = form.cleaned_data
    trial = copy.copy(stored)
    for name in ("imap_host", "imap_port", "imap_security", "imap_login", "imap_folder"):
        if data.get(name) not in (None, ""):
            setattr(trial, name, data[name])
    password = data.get("password") or None
    if not trial.imap_host or not trial.imap_login:
        ok, text = False, _("Enter the IMAP server and login first.")
    else:
        ok, text = imap_check(trial, password=password)
    context = {"ok": ok, "text": text}
    if wants_fragment(request):
        return render(request, "backoffice/mail/_connection_result.html", context)
    (messages.success if ok else messages.error)(request, text)
    return redirect("backoffice:mailbox_edit", pk=pk) if pk else redirect("backoffice:mailbox_new")


@mailbox_view
@require_POST
def mailbox_token(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A new webhook token, shown on this response only (just its hash is kept)."""
    mailbox = get_object_or_404(Mailbox, pk=pk)
    if request.POST.get("action") == "revoke":
        mailbox_webhook_token_revoke(mailbox=mailbox)
        messages.success(request, _("The webhook token has been revoked."))
        return redirect("backoffice:mailbox_edit", pk=pk)
    token = mailbox_webhook_token_new(mailbox=mailbox)
    response = _settings_page(request, mailbox, MailboxForm(instance=mailbox), token=token)
    response["Cache-Control"] = "no-store"
    return response


# --- Allowed senders ---------------------------------------------------------------------------


def _rule_page(
    request: AuthenticatedHttpRequest,
    rule: SenderRule,
    form: SenderRuleForm,
    formset: Any,
    *,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "backoffice/mail/rule_form.html",
        {
            "section": "inbound_mail",
            "tab": "mailboxes",
            "rule": rule,
            "mailbox": rule.mailbox,
            "form": form,
            "formset": formset,
            "test_form": ExtractTestForm(),
            "creating": rule.pk is None,
        },
        status=status,
    )


def _rule_form(request: AuthenticatedHttpRequest, rule: SenderRule) -> HttpResponse:
    if request.method == "POST":
        form = SenderRuleForm(request.POST, instance=rule)
        formset = ExtractFormSet(request.POST, prefix="extract")
        if form.is_valid() and formset.is_valid():
            saved = form.save(commit=False)
            saved.extract = extract_from(formset)
            sender_rule_save(rule=saved)
            messages.success(request, _("The sender row has been saved."))
            return redirect("backoffice:mailbox_edit", pk=rule.mailbox_id)
        return _rule_page(request, rule, form, formset, status=400)
    return _rule_page(
        request,
        rule,
        SenderRuleForm(instance=rule),
        ExtractFormSet(initial=extract_initial(rule), prefix="extract"),
    )


@mailbox_view
def rule_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox, pk=pk)
    return _rule_form(request, SenderRule(mailbox=mailbox))


@mailbox_view
def rule_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _rule_form(
        request, get_object_or_404(SenderRule.objects.select_related("mailbox"), pk=pk)
    )


@mailbox_view
@require_POST
def rule_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(SenderRule, pk=pk)
    sender_rule_move(rule=rule, up=request.POST.get("direction") == "up")
    return redirect(reverse("backoffice:mailbox_edit", args=[rule.mailbox_id]) + "#senders")


@mailbox_view
@require_POST
def rule_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(SenderRule, pk=pk)
    mailbox_id = rule.mailbox_id
    sender_rule_delete(rule=rule)
    messages.success(request, _("The sender row has been deleted."))
    return redirect(reverse("backoffice:mailbox_edit", args=[mailbox_id]) + "#senders")


@mailbox_view
@require_POST
def rule_test(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The live test on the sender row's page (htmx): the expressions as typed, run by the same
    function the pipeline uses (mail.inbound.rule_extract) on the sample subject and text."""
    formset = ExtractFormSet(request.POST, prefix="extract")
    formset.is_valid()
    errors = [
        f"{i}: {error}"
        for i, form in enumerate(formset.forms, start=1)
        for error in form.errors.get("pattern", [])
        if form.has_changed()
    ]
    sample = ExtractTestForm(request.POST)
    sample.is_valid()
    subject = sample.cleaned_data.get("sample_subject", "")
    body = sample.cleaned_data.get("sample_body", "")
    found = rule_extract(extract_from(formset), subject, body)
    labels = {name: str(label) for name, label in FIELD_LABELS.items()}
    rows = [(labels.get(name, name), value) for name, value in found.items()]
    return render(
        request,
        "backoffice/mail/_extract_result.html",
        {"rows": rows, "errors": errors, "tried": bool(subject or body)},
    )
