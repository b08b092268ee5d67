"""Every page is ready for a strict Content Security Policy (`script-src 'self'`): no script runs
from the HTML itself. Behaviour lives in files under static/js; data for it goes in data-
attributes or `json_script` (a `<script type="application/json">` is data, never run).

Each page a person can open — public, sign-in, portal, back office, and the htmx fragments
swapped into them — is rendered for someone allowed to see it, with enough in the database for
its optional parts (messages, a survey, a temporary password, a resolved ticket) to show; the
test fails on an inline `<script>`, an `on…=` handler, an `hx-on` attribute or a `javascript:`
address. A second test keeps the list whole: a new URL name must be added here, or named below
as not being an HTML page."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from servicedesk.accounts.models import AccessRequest, Invitation, User
from servicedesk.accounts.services import access_request_create
from servicedesk.accounts.tokens import invitation_token
from servicedesk.acts.building import act_view
from servicedesk.acts.services import Reader, act_dispute, act_issue, act_submit
from servicedesk.conversations.services import message_post
from servicedesk.conversations.surveys import survey_token
from servicedesk.customers.models import WorkType
from servicedesk.mail.models import OutboundMessage
from servicedesk.notifications.models import Notification
from servicedesk.sla.models import ServiceCalendar, SlaRule
from servicedesk.tickets.models import Status, Ticket
from servicedesk.works.services import EngineerLine, MaterialLine, WorkData, work_add
from tests.conftest import PNG, World, login
from tests.conversations.test_surveys import criteria, resolved_ticket
from tests.factories import ServiceCalendarFactory, SlaRuleFactory, TicketFactory
from tests.mail.test_outbound_page import row

pytestmark = pytest.mark.django_db


class InlineScriptFinder(HTMLParser):
    """Collects what a strict CSP would refuse to run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _value in attrs}
        if tag == "script" and "src" not in names:
            kind = (dict(attrs).get("type") or "").strip().lower()
            if kind != "application/json":
                self.found.append(f"inline <script> ({self.getpos()[0]}: {attrs})")
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"<{tag} {name}=…> (line {self.getpos()[0]})")
            if value and "javascript:" in value.replace(" ", "").lower():
                self.found.append(f"<{tag} {name}={value!r}> (line {self.getpos()[0]})")

    handle_startendtag = handle_starttag


def inline_script(html: str) -> list[str]:
    finder = InlineScriptFinder()
    finder.feed(html)
    finder.close()
    return finder.found


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<script type="text/javascript">alert(1)</script>',
        '<script type="module">import "x";</script>',
        '<button onclick="go()">Go</button>',
        '<body onload="go()">',
        '<a href="javascript:go()">Go</a>',
        '<a href=" JavaScript: go()">Go</a>',
        '<form hx-on:submit="go()"></form>',
        '<form hx-on::after-request="go()"></form>',
    ],
)
def test_the_finder_finds_what_a_strict_csp_refuses(html: str) -> None:
    assert inline_script(html)


@pytest.mark.parametrize(
    "html",
    [
        '<script src="/static/js/app.js" defer></script>',
        '<script id="data" type="application/json">{"a": 1}</script>',
        '<button data-onload="x" data-print>Print</button>',
        "<p>Say javascript: in a sentence</p>",
    ],
)
def test_the_finder_lets_files_and_data_through(html: str) -> None:
    assert inline_script(html) == []


# --- The pages ---------------------------------------------------------------------------------


@dataclass
class Scene:
    """The world plus what makes the optional parts of pages show."""

    world: World
    ticket: Ticket  # company A, resolved (the survey card), with a message and a note
    notification: dict[str, Notification]
    access_request: AccessRequest
    calendar: ServiceCalendar
    rule: SlaRule
    outbound: OutboundMessage
    invitation_token: str
    extra: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def scene(world: World, media: Any) -> Scene:
    criteria()
    ticket = resolved_ticket(world, number="00007001", subject="Boiler leaks")
    message_post(by=world.users["cust_a"], ticket=ticket, body="It drips again.")
    message_post(by=world.users["engineer"], ticket=ticket, body="Part ordered.")
    message_post(by=world.users["engineer"], ticket=ticket, body="Seal size 12.", internal=True)
    # The customer's message reopened it: resolved again, for the survey card and link.
    # On the HQ boiler: its equipment pages show the ticket and its works.
    Ticket.objects.filter(pk=ticket.pk).update(
        status=Status.RESOLVED, equipment=world.equipment["eq_a_hq"]
    )
    ticket.refresh_from_db()
    # Someone who must choose a new password before anything else.
    User.objects.filter(pk=world.users["cust_b"].pk).update(must_change_password=True)
    TicketFactory(company=world.companies["A"], contact=world.users["cust_a"], subject="Open one")
    # A completed work with a material and a photo, for the Works tab and its forms.
    work = work_add(
        by=world.users["dispatcher"],
        ticket=ticket,
        data=WorkData(
            work_type=WorkType.objects.get(code="repair"),
            engineers=[
                EngineerLine(
                    world.users["engineer"],
                    timezone.now() - dt.timedelta(hours=2),
                    timezone.now() - dt.timedelta(hours=1),
                    hourly_rate=Decimal(500),
                )
            ],
            materials=[
                MaterialLine(name="Seal", quantity=Decimal(1), unit="pcs", price=Decimal(9))
            ],
            internal_note="Staff only.",
        ),
        photos=[SimpleUploadedFile("before.png", PNG, content_type="image/png")],
    )
    act = act_issue(by=world.users["dispatcher"], ticket=ticket)  # the «Акт» tab and pages
    # A first version disputed, the second awaiting signature: every act page has something.
    first = act_view(act, ticket, language="ru", time_zone=settings.TIME_ZONE)
    assert first is not None
    reader = Reader(user=world.users["cust_a"], language="ru", time_zone=settings.TIME_ZONE)
    act_dispute(reader=reader, ticket=ticket, version=1, seen_hash=first.hash, comment="No.")
    act_submit(by=world.users["dispatcher"], ticket=ticket)
    # The dispute put the ticket back in progress: resolved again, for the survey.
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.RESOLVED)
    ticket.refresh_from_db()
    invited = User.objects.create(full_name="Invited Person", email="invited@example.test")
    invitation = Invitation.objects.create(
        user=invited,
        channel=Invitation.Channel.EMAIL,
        expires_at=ticket.created_at.replace(year=ticket.created_at.year + 1),
    )
    return Scene(
        world=world,
        ticket=ticket,
        notification={
            key: Notification.objects.create(
                user=world.users[key],
                kind=Notification.Kind.STATUS_CHANGED,
                ticket=ticket,
                data={"old": Status.IN_PROGRESS, "new": Status.RESOLVED},
            )
            for key in ("cust_a", "dispatcher")
        },
        access_request=access_request_create(
            full_name="Ann Newcomer", company_name="Alphacorp", email="ann@example.test"
        ),
        calendar=ServiceCalendarFactory(),
        rule=SlaRuleFactory(),
        outbound=row(),
        invitation_token=invitation_token(invitation.pk, invitation.nonce),
        extra={
            "work": work,
            **_knowledge(world),
            **_mail(world),
            **_passport(world),
            **_webhooks(world),
        },
    )


def _knowledge(world: World) -> dict[str, Any]:
    """A published public article in a category, with an image, a video, a related article
    and two versions; attached to nothing (the «Статьи» tab is checked empty and full elsewhere)."""
    from servicedesk.knowledge import services as kb
    from servicedesk.knowledge.models import Category

    by = world.users["dispatcher"]
    category = kb.category_save(Category(name="Printers"))
    other = kb.article_save(article=None, by=by, title="Toner", body="Replace it.")
    article = kb.article_save(
        article=None,
        by=by,
        title="Printer does not print",
        summary="Check the cable.",
        body="# Steps\n\n1. Cable\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ",
        category=category,
        visibility="public",
        related=[other],
    )
    image = kb.article_attachment_add(
        article=article,
        upload=SimpleUploadedFile("shot.png", PNG, content_type="image/png"),
        by=by,
        inline=True,
    )
    article = kb.article_save(
        article=article,
        by=by,
        title=article.title,
        summary=article.summary,
        body=article.body + f"\n\n![shot](/kb/files/{image.pk}/?inline=1)",
        category=category,
        visibility="public",
        related=[other],
    )
    kb.article_publish(article=article, by=by)
    kb.article_publish(article=other, by=by)
    return {"article": article, "category": category}


def _passport(world: World) -> dict[str, Any]:
    """Alphacorp's QR template (registration and filing without an account allowed), and a
    retired token."""
    from servicedesk.customers.models import Criticality, PassportTemplate, TicketType
    from servicedesk.customers.passport import passport_token_rotate

    PassportTemplate.objects.create(
        company=world.companies["A"],
        ticket_type=TicketType.objects.filter(is_active=True).first(),
        criticality=Criticality.objects.filter(is_active=True).first(),
        allow_anonymous=True,
    )
    drill = world.equipment["eq_a_nosite"]
    old = drill.passport_token
    passport_token_rotate(obj=drill)
    return {"retired_token": old}


def passport(s: "Scene") -> list[Any]:
    return [s.world.equipment["eq_a_hq"].passport_token]


def article(s: "Scene") -> list[Any]:
    return [s.extra["article"].pk]


def _webhooks(world: World) -> dict[str, Any]:
    """A webhook with a delivery whose answer and payload carry markup, for its pages."""
    from servicedesk.webhooks.models import Webhook, WebhookDelivery

    webhook = Webhook.objects.create(
        owner=world.users["admin"],
        name="<script>alert(1)</script> ERP",
        url="https://93.184.216.34/hook",
        events=["ticket.created"],
    )
    delivery = WebhookDelivery.objects.create(
        webhook=webhook,
        event="ticket.created",
        payload={"subject": "<script>alert(2)</script>"},
        response_code=500,
        response_excerpt="<script>alert(3)</script>",
        error="<script>alert(4)</script>",
    )
    return {"webhook": webhook, "delivery": delivery}


def _mail(world: World) -> dict[str, Any]:
    """A mailbox with a sender row and a held email, for the incoming mail pages."""
    from servicedesk.mail.inbound import inbound_receive
    from servicedesk.mail.models import Mailbox, SenderRule

    mailbox = Mailbox.objects.create(name="Support", address="support@desk.example.test")
    rule = SenderRule.objects.create(
        mailbox=mailbox,
        pattern="*@alpha.example",
        company=world.companies["A"],
        extract=[{"field": "site", "source": "body", "pattern": r"Site: (\S+)"}],
    )
    raw = (
        b"From: Stranger <x@nowhere.example>\r\nTo: support@desk.example.test\r\n"
        b"Subject: Help\r\nMessage-ID: <held@nowhere.example>\r\n\r\n"
        b"<script>alert(1)</script> Please help.\r\n"
    )
    held = inbound_receive(mailbox=mailbox, raw=raw, source="pipe")
    return {"mailbox": mailbox, "sender": rule, "held": held}


@dataclass(frozen=True)
class Page:
    name: str
    who: str  # a world user's key, or "anonymous"
    args: Callable[[Scene], list[Any]] = lambda s: []
    query: str = ""
    htmx: bool = False
    follow: bool = False  # the page is reached through a redirect (it keeps a token)
    status: int = 200
    variant: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}[{self.who}{'-htmx' if self.htmx else ''}{self.variant}]"


def number(s: Scene) -> list[Any]:
    return [s.ticket.number]


def webform_obj(s: Scene) -> Any:
    from servicedesk.customers.models import Criticality, TicketType
    from servicedesk.intake.models import CaptchaProvider, WebForm

    if "webform" not in s.extra:
        s.extra["webform"] = WebForm.objects.create(
            name="Site form",
            company=s.world.companies["A"],
            ticket_type=TicketType.objects.filter(is_active=True).first(),
            criticality=Criticality.objects.filter(is_active=True).first(),
            captcha_provider=CaptchaProvider.TURNSTILE,
            captcha_site_key="site-key",
            allowed_origins="https://www.example.test",
        )
    return s.extra["webform"]


def webform_key(s: Scene) -> str:
    return str(webform_obj(s).key)


def guest_token(s: Scene) -> str:
    """A working status link: a guest (no password) of company A and their ticket."""
    from servicedesk.intake.links import guest_link_get_or_create, guest_link_token
    from tests.factories import MembershipFactory

    guest = MembershipFactory(company=s.world.companies["A"], sees_all_tickets=False).user
    guest.set_unusable_password()
    guest.save()
    ticket = TicketFactory(company=s.world.companies["A"], contact=guest, subject="Guest's")
    message_post(by=s.world.users["engineer"], ticket=ticket, body="We come tomorrow.")
    return guest_link_token(guest_link_get_or_create(ticket, guest))


PAGES = [
    # Public and signing in
    Page("home", "anonymous", follow=True),
    Page("account_login", "anonymous"),
    Page("account_reset_password", "anonymous"),
    Page("account_reset_password_done", "anonymous"),
    Page("account_reset_password_from_key", "anonymous", lambda s: ["0", "bad-key"]),
    Page("account_reset_password_from_key_done", "anonymous"),
    Page("account_signup", "anonymous"),
    Page("account_inactive", "anonymous"),
    Page("access:access_request", "anonymous"),
    Page("access:access_request_sent", "anonymous"),
    Page("access:invitation_open", "anonymous", lambda s: [s.invitation_token], follow=True),
    Page("access:invitation_invalid", "anonymous"),
    Page("survey", "anonymous", lambda s: [survey_token(s.ticket)], follow=True),
    Page("survey_thanks", "anonymous"),
    Page("survey_invalid", "anonymous", status=404),
    # Everyone signed in
    Page("account_logout", "cust_a"),
    Page("account_change_password", "cust_a"),
    Page("account_reauthenticate", "admin"),
    Page("usersessions_list", "cust_a"),
    Page("mfa_index", "admin"),
    Page("accounts:profile", "cust_a"),
    Page("accounts:profile", "dispatcher"),
    Page("accounts:notification_settings", "cust_a"),
    Page("accounts:api_tokens", "cust_a"),
    Page("accounts:api_tokens", "dispatcher"),
    Page("api:openapi-view", "anonymous"),
    Page("accounts:password_required", "cust_b"),
    # The portal
    Page("portal:tickets", "cust_a"),
    Page("portal:tickets", "cust_a", query="?q=Boiler", htmx=True),
    Page("portal:ticket_new", "cust_a"),
    Page("portal:ticket_new", "cust_a", query="?clone=00007001", variant="-clone"),
    Page("portal:ticket_form_options", "cust_a", query="?company={company}", htmx=True),
    Page("portal:product_search", "cust_a", query="?q=pri", htmx=True),
    Page("portal:ticket_suggest", "cust_a", query="?subject=Boiler+leaks", htmx=True),
    Page("portal:ticket_created", "cust_a", number),
    Page("portal:ticket_detail", "cust_a", number),
    Page("portal:ticket_messages_earlier", "cust_a", number, htmx=True),
    Page("portal:ticket_messages_poll", "cust_a", number, htmx=True),
    Page("portal:ticket_print", "cust_a", number),
    Page("portal:ticket_act", "cust_a", number),
    Page("portal:ticket_act_version", "cust_a", lambda s: [s.ticket.number, 1]),
    Page("portal:notifications", "cust_a"),
    Page("portal:companies", "cust_a"),
    Page("portal:acts_batch", "cust_a", query="?company={company}&period_from=2026-01-01"),
    Page("portal:analytics", "cust_a"),
    Page("portal:equipment_detail", "cust_a", lambda s: [s.ticket.equipment_id]),
    Page("portal:messages", "cust_a"),
    Page("portal:pulse", "cust_a", htmx=True),
    Page("portal:colleague_access", "cust_a"),
    # The back office
    Page("backoffice:dashboard", "dispatcher"),
    Page("backoffice:dashboard", "engineer"),
    Page("backoffice:messages", "dispatcher"),
    Page("backoffice:pulse", "dispatcher", htmx=True),
    Page("backoffice:people_import", "admin"),
    Page("backoffice:people", "admin"),
    Page("backoffice:people", "admin", query="?kind=employees", htmx=True),
    Page("backoffice:person_new", "admin"),
    Page(
        "backoffice:membership_scope_options",
        "admin",
        query="?prefix=memberships-0&company={company}",
        htmx=True,
    ),
    Page("backoffice:person_detail", "admin", lambda s: [s.world.users["cust_a"].pk]),
    Page("backoffice:person_edit", "admin", lambda s: [s.world.users["cust_a"].pk]),
    Page("backoffice:person_temporary_password", "admin", lambda s: [s.world.users["cust_a"].pk]),
    Page("backoffice:audit_log", "admin"),
    Page("backoffice:api_tokens", "admin"),
    Page("backoffice:access_requests", "dispatcher"),
    Page("backoffice:access_request_detail", "dispatcher", lambda s: [s.access_request.pk]),
    Page(
        "backoffice:access_request_scope_options",
        "dispatcher",
        lambda s: [s.access_request.pk],
        query="?company={company}",
        htmx=True,
    ),
    Page("backoffice:tickets", "dispatcher"),
    Page("backoffice:tickets", "dispatcher", query="?q=Boiler", htmx=True),
    Page("backoffice:queue_company_options", "dispatcher", query="?q=Alpha", htmx=True),
    Page("backoffice:ticket_new", "dispatcher"),
    Page("backoffice:ticket_form_options", "dispatcher", query="?company={company}", htmx=True),
    Page("backoffice:product_search", "dispatcher", query="?q=pri", htmx=True),
    Page("backoffice:ticket_created", "dispatcher", number),
    Page("backoffice:ticket_detail", "dispatcher", number),
    Page("backoffice:ticket_detail", "engineer", number),
    Page("backoffice:ticket_kb", "engineer", number, htmx=True),
    Page("backoffice:kb_pick", "dispatcher", query="?q=zzz-no-such-title", htmx=True),
    Page("backoffice:ticket_messages_earlier", "dispatcher", number, htmx=True),
    Page("backoffice:ticket_messages_poll", "dispatcher", number, htmx=True),
    Page("backoffice:ticket_works", "dispatcher", number),
    Page("backoffice:ticket_works", "engineer", number),
    Page("backoffice:equipment_list", "engineer"),
    Page("backoffice:equipment_detail", "engineer", lambda s: [s.ticket.equipment_id]),
    Page("backoffice:reports", "dispatcher"),
    Page("backoffice:work_new", "dispatcher", number),
    Page("backoffice:work_edit", "dispatcher", lambda s: [s.ticket.number, s.extra["work"].pk]),
    Page("backoffice:notifications", "dispatcher"),
    Page("backoffice:sla_calendars", "admin"),
    Page("backoffice:sla_calendar_new", "admin"),
    Page("backoffice:sla_calendar_detail", "admin", lambda s: [s.calendar.pk]),
    Page("backoffice:sla_calendar_edit", "admin", lambda s: [s.calendar.pk]),
    Page("backoffice:sla_rules", "admin"),
    Page("backoffice:sla_rule_new", "admin"),
    Page("backoffice:sla_rule_edit", "admin", lambda s: [s.rule.pk]),
    Page("backoffice:outbound_mail", "admin"),
    Page("backoffice:webhooks", "admin"),
    Page("backoffice:webhook_new", "admin"),
    Page("backoffice:webhook_detail", "admin", lambda s: [s.extra["webhook"].pk]),
    Page("backoffice:webhook_delivery", "admin", lambda s: [s.extra["delivery"].pk]),
    Page("backoffice:mail_health", "admin"),
    Page("backoffice:inbound_mail", "admin"),
    Page("backoffice:inbound_detail", "admin", lambda s: [s.extra["held"].pk]),
    Page("backoffice:mailboxes", "admin"),
    Page("backoffice:mailbox_new", "admin"),
    Page("backoffice:mailbox_edit", "admin", lambda s: [s.extra["mailbox"].pk]),
    Page("backoffice:sender_new", "admin", lambda s: [s.extra["mailbox"].pk]),
    Page("backoffice:sender_edit", "admin", lambda s: [s.extra["sender"].pk]),
    Page("backoffice:act_settings", "admin"),
    Page("backoffice:ticket_act", "dispatcher", number),
    Page("backoffice:acts_batch", "dispatcher"),
    Page(
        "backoffice:acts_batch",
        "dispatcher",
        query="?company={company}&period_from=2026-01-01&period_to=2026-12-31",
        variant="-preview",
    ),
    Page("backoffice:ticket_act_sign", "engineer", number),
    Page("backoffice:ticket_act_version", "dispatcher", lambda s: [s.ticket.number, 1]),
    # The knowledge base: public pages, the portal's, the back office's
    Page("kb:index", "anonymous"),
    Page("kb:index", "anonymous", query="?q=printer", variant="-search"),
    Page("kb:article", "anonymous", article),
    Page("portal:kb", "cust_a"),
    Page("portal:kb", "cust_a", query="?q=printer", variant="-search"),
    Page("portal:kb_article", "cust_a", article),
    Page("portal:ticket_articles", "cust_a", number, htmx=True),
    Page("backoffice:kb", "dispatcher"),
    Page("backoffice:kb", "engineer"),
    Page("backoffice:kb_new", "dispatcher"),
    Page("backoffice:kb_detail", "engineer", article),
    Page("backoffice:kb_edit", "dispatcher", article),
    Page("backoffice:kb_versions", "dispatcher", article),
    Page("backoffice:kb_version", "dispatcher", lambda s: [s.extra["article"].pk, 2]),
    Page("backoffice:kb_categories", "dispatcher"),
    Page("backoffice:kb_category_new", "dispatcher"),
    Page("backoffice:kb_category_edit", "dispatcher", lambda s: [s.extra["category"].pk]),
    Page("backoffice:kb_report", "dispatcher"),
    # Filing without an account: the web form, its frame, a guest's status link
    Page("webform", "anonymous", lambda s: [webform_key(s)]),
    Page("webform_embed", "anonymous", lambda s: [webform_key(s)]),
    Page("guest_status", "anonymous", lambda s: [guest_token(s)]),
    Page("guest_status", "anonymous", lambda s: ["not-a-token"], status=404, variant="-bad"),
    Page("backoffice:webforms", "admin"),
    Page("backoffice:webform_new", "admin"),
    Page("backoffice:webform_edit", "admin", lambda s: [webform_obj(s).pk]),
    # The equipment passport by QR (servicedesk/web/passport.py) and its back-office pages
    Page("passport:equipment", "anonymous", passport),
    Page("passport:equipment", "cust_a", passport),
    Page("passport:equipment", "engineer", passport),
    Page(
        "passport:equipment", "anonymous", lambda s: ["no-such-token"], status=404, variant="-404"
    ),
    Page(
        "passport:equipment",
        "anonymous",
        lambda s: [s.extra["retired_token"]],
        status=410,
        variant="-retired",
    ),
    Page("passport:site", "anonymous", lambda s: [s.world.sites["a_hq"].passport_token]),
    Page("passport:site", "cust_a", lambda s: [s.world.sites["a_hq"].passport_token]),
    Page("passport:file", "anonymous", passport),
    Page("passport:file", "cust_a", passport),
    Page("passport:file", "cust_eq", passport),
    Page("passport:file", "dispatcher", passport),
    Page("passport:filed", "cust_a", lambda s: [*passport(s), s.ticket.number]),
    Page("passport:confirm", "anonymous", passport, follow=True),
    Page("passport:join", "cust_eq", passport),
    Page("passport:guest", "anonymous", passport),
    Page("backoffice:equipment_passport_rotate", "dispatcher", lambda s: [s.ticket.equipment_id]),
    # Django's admin, as the provider's administrator sees it
    Page("admin:index", "admin"),
    Page("admin:tickets_ticket_changelist", "admin"),
    Page("admin:tickets_ticket_change", "admin", lambda s: [s.ticket.pk]),
]

# URL names that answer with something other than an HTML page: an action (POST only), a
# redirect, a file, or a page of another project's (allauth) that this product switches off.
NOT_PAGES = {
    "healthz": "plain text",
    "favicon": "an image",
    "accounts:set_language": "POST only",
    "accounts:api_token_revoke": "POST only",
    "backoffice:api_token_revoke": "POST only",
    "backoffice:webhook_secret": "POST only",
    "backoffice:webhook_ping": "POST only",
    "backoffice:webhook_pause": "POST only",
    "backoffice:webhook_resume": "POST only",
    "backoffice:webhook_delete": "POST only",
    "backoffice:webhook_resend": "POST only",
    "account_email": "email management is switched off (one address, set by staff)",
    "account_email_verification_sent": "email verification is switched off",
    "account_confirm_email": "email verification is switched off",
    "account_set_password": "redirects, but for people registered from a passport (tested there)",
    "account_confirm_login_code": "login by code is switched off",
    "access:invitation_accept": "reached from invitation_open, checked there",
    "mfa_authenticate": "only within a sign-in in progress",
    "mfa_activate_totp": "asks to reauthenticate first (account_reauthenticate is checked)",
    "mfa_reauthenticate": "only with TOTP set up",
    "mfa_deactivate_totp": "only with TOTP set up",
    "mfa_view_recovery_codes": "only with TOTP set up",
    "mfa_generate_recovery_codes": "only with TOTP set up",
    "mfa_download_recovery_codes": "a text file",
    "portal:ticket_attachment": "a file",
    "backoffice:webform_preview": "POST only (an htmx fragment of webform_edit)",
    "portal:ticket_attachments_add": "POST only",
    "portal:ticket_deflect": "POST only (its buttons are on ticket_suggest)",
    "backoffice:ticket_kb_attach": "POST only (its buttons are on ticket_kb)",
    "portal:ticket_follow": "POST only",
    "portal:ticket_message": "POST only",
    "portal:ticket_accept": "POST only",
    "portal:ticket_survey": "POST only",
    "portal:ticket_pdf": "a PDF",
    "portal:ticket_act_pdf": "a PDF",
    "backoffice:ticket_act_pdf": "a PDF",
    "backoffice:ticket_act_issue": "POST only (its form is on ticket_works)",
    "backoffice:ticket_act_reopen": "POST only (its form is on ticket_works)",
    "backoffice:ticket_act_submit": "POST only (its form is on ticket_works)",
    "backoffice:ticket_act_version_pdf": "a PDF",
    "portal:ticket_act_version_pdf": "a PDF",
    "portal:ticket_act_sign": "POST only (its form is on ticket_act)",
    "portal:ticket_act_dispute": "POST only (its form is on ticket_act)",
    "portal:notifications_read": "POST only",
    "portal:notification_open": "a redirect to the ticket",
    "portal:messages_read_all": "POST only",
    "backoffice:messages_read_all": "POST only",
    "backoffice:people_import_apply": "POST only",
    "backoffice:people_import_done": "a redirect without an import just done",
    "backoffice:people_import_template": "a CSV/XLSX file",
    "backoffice:people_export": "a CSV/XLSX file",
    "backoffice:person_invite": "POST only",
    "backoffice:person_convert": "POST only (its form is on person_detail)",
    "backoffice:person_role": "POST only (its form is on person_detail)",
    "backoffice:person_deactivate": "POST only",
    "backoffice:person_reactivate": "POST only",
    "backoffice:access_request_approve": "POST only",
    "backoffice:access_request_reject": "POST only",
    "backoffice:ticket_bulk": "POST only",
    "backoffice:ticket_assign": "POST only",
    "backoffice:ticket_move": "POST only",
    "backoffice:ticket_transition": "POST only",
    "backoffice:ticket_message": "POST only",
    "backoffice:ticket_attachment": "a file",
    "backoffice:ticket_edit": "POST only",
    "backoffice:ticket_guest_link_revoke": "POST only (its form is on ticket_detail)",
    "backoffice:ticket_guest_link_send": "POST only (its form is on ticket_detail)",
    "backoffice:work_delete": "POST only (its form is on ticket_works)",
    "backoffice:work_photo": "an image",
    "backoffice:notifications_read": "POST only",
    "backoffice:notification_open": "a redirect to the ticket",
    "backoffice:sla_holiday_add": "POST only",
    "backoffice:sla_holiday_import": "POST only",
    "backoffice:sla_holiday_delete": "POST only",
    "backoffice:outbound_retry": "POST only",
    "backoffice:act_settings_sample": "a PDF",
    "backoffice:acts_batch_pdf": "a PDF (or the acts_batch page with its message)",
    "backoffice:acts_batch_xlsx": "a workbook (or the acts_batch page with its message)",
    "portal:acts_batch_pdf": "a PDF (or the acts_batch page with its message)",
    "portal:acts_batch_xlsx": "a workbook (or the acts_batch page with its message)",
    "mail:inbound_webhook": "POST only (raw MIME from a mail provider, with its token)",
    "kb:feedback": "POST only (its form is on kb:article)",
    "kb:file": "a file",
    "kb:sitemap": "XML",
    "portal:kb_feedback": "POST only (its form is on portal:kb_article)",
    "backoffice:kb_preview": "POST only (an htmx fragment of kb_edit)",
    "backoffice:kb_upload": "POST only (JSON)",
    "backoffice:kb_file_add": "POST only",
    "backoffice:kb_file_delete": "POST only",
    "backoffice:kb_delete": "POST only",
    "backoffice:kb_status": "POST only",
    "backoffice:kb_version_restore": "POST only",
    "backoffice:kb_category_delete": "POST only",
    "backoffice:mailbox_test": "POST only (an htmx fragment)",
    "backoffice:mailbox_test_new": "POST only (an htmx fragment)",
    "backoffice:mailbox_token": "POST only",
    "backoffice:sender_move": "POST only",
    "backoffice:sender_delete": "POST only",
    "backoffice:sender_test": "POST only (an htmx fragment)",
    "backoffice:inbound_raw": "a file (the original email)",
    "backoffice:inbound_reprocess": "POST only",
    "backoffice:inbound_reject": "POST only",
    "backoffice:inbound_ticket": "POST only",
    "passport:photo": "an image",
    "passport:qr": "an image (SVG or PNG)",
    "passport:register": "POST only (its form is on passport:file)",
    "backoffice:equipment_labels": "a PDF",
    "backoffice:equipment_photo": "an image",
    "backoffice:equipment_photo_upload": "POST only (its form is on equipment_detail)",
}


def url_names() -> set[str]:
    """Every named URL outside Django's admin (whose pages are Django's own)."""
    names: set[str] = set()

    def walk(resolver: URLResolver, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                walk(pattern, f"{namespace}{inner}:" if inner else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver(), "")
    # The REST API's operations answer JSON (or a file), not pages; its docs page is checked.
    return {name for name in names if not name.startswith(("admin:", "api:"))}


def test_every_url_name_is_checked_or_said_not_to_be_a_page() -> None:
    checked = {page.name for page in PAGES}
    assert url_names() - checked - set(NOT_PAGES) == set()
    assert set(NOT_PAGES) - url_names() == set()
    assert checked & set(NOT_PAGES) == set()


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.id)
def test_no_script_runs_from_the_html(scene: Scene, page: Page) -> None:
    # Given someone allowed to see the page (the admin reauthenticates without a second factor)
    client = Client(headers={"accept-language": "en"})
    if page.who != "anonymous":
        login(client, scene.world.users[page.who])
    url = reverse(page.name, args=page.args(scene)) + page.query.format(
        company=scene.world.companies["A"].pk
    )
    headers = {"HX-Request": "true"} if page.htmx else {}

    # When they open it
    response = client.get(url, headers=headers, follow=page.follow)

    # Then it is an HTML page, and nothing in it is script to run
    assert response.status_code == page.status, (url, response.status_code)
    assert response["content-type"].startswith("text/html")
    html = response.content.decode()
    assert html.strip()
    assert inline_script(html) == []


def test_the_temporary_password_once_shown_runs_no_inline_script(scene: Scene) -> None:
    # Given an administrator on a customer's «Temporary password» page
    client = login(Client(headers={"accept-language": "en"}), scene.world.users["admin"])
    url = reverse("backoffice:person_temporary_password", args=[scene.world.users["cust_a"].pk])

    # When they issue the password (the page that shows it, with its «Copy» button)
    response = client.post(url)

    # Then the copying is the static file's, not the page's
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="password"' in html
    assert 'id="copy-password"' in html
    assert "js/people.js" in html
    assert inline_script(html) == []
