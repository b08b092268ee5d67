"""«Акты» in the portal: the customer's batch acts («Сервисный акт», «Бухгалтерский акт») for a
period, over the tickets they may see whose act the provider has issued (acts.batch). The page
and the files are web.batch_acts'."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from servicedesk.accounts.decorators import portal_view
from servicedesk.web import batch_acts

TEMPLATE = "portal/acts/batch.html"
EXTRA = {"section": "acts_batch", "only_issued": True}


@portal_view
@require_GET
def acts_batch(request: HttpRequest) -> HttpResponse:
    return batch_acts.batch_page(
        request, template=TEMPLATE, download_url=reverse("portal:acts_batch"), extra=EXTRA
    )


@portal_view
@require_GET
def acts_batch_file(request: HttpRequest, file_format: str) -> HttpResponse:
    return batch_acts.batch_download(
        request,
        file_format,
        template=TEMPLATE,
        download_url=reverse("portal:acts_batch"),
        extra=EXTRA,
    )
