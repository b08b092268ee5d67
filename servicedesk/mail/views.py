"""The inbound webhook: a mail provider (Mailgun, Postmark, SendGrid's raw mode…) POSTs the raw
MIME message to /mail/inbound/<mailbox id>/ with the mailbox's token in an
`Authorization: Bearer <token>` header. The body is the message itself (or, from a form post,
its `message`/`body-mime` field). Token compared in constant time, size limited, CSRF-exempt
(no cookies are involved). 200: stored (whatever became of it); 401, 404, 413, 400 otherwise —
a provider retries on 5xx only, and storage errors give one.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from servicedesk.mail.inbound import inbound_receive
from servicedesk.mail.models import InboundMessage, Mailbox


def _token(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _space, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("X-Mailbox-Token", "").strip()


@csrf_exempt
@require_POST
def inbound_webhook(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    mailbox = Mailbox.objects.filter(pk=mailbox_id, is_active=True).first()
    # The same answer for a missing mailbox and a wrong token: nothing to probe.
    if mailbox is None or not mailbox.check_webhook_token(_token(request)):
        return JsonResponse({"error": "unauthorized"}, status=401)
    limit = int(settings.MAIL_INBOUND_MAX_BYTES)
    length = int(request.headers.get("Content-Length") or 0)
    if length > limit + 64 * 1024:
        return JsonResponse({"error": "too large"}, status=413)
    content_type = request.content_type or ""
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        upload = request.FILES.get("message")
        if upload is not None:
            raw = upload.read(limit + 1)
        else:
            raw = (request.POST.get("body-mime") or request.POST.get("message") or "").encode()
    else:
        raw = request.body
    if not raw.strip():
        return JsonResponse({"error": "empty"}, status=400)
    if len(raw) > limit:
        return JsonResponse({"error": "too large"}, status=413)
    message = inbound_receive(mailbox=mailbox, raw=raw, source=InboundMessage.Source.WEBHOOK)
    return JsonResponse({"id": message.pk, "state": message.state, "reason": message.reason})
