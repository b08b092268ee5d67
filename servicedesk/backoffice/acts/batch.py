"""«Акты» in the back office: the batch acts («Сервисный акт», «Бухгалтерский акт») of a customer
for a period, for those who hold "acts.print_batch" (administrators and dispatchers; anyone else
gets 404, as on the other pages behind a permission). The page and the files are web.batch_acts'."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from servicedesk.backoffice.people.common import people_view
from servicedesk.web import batch_acts

batch_view = people_view("acts.print_batch")
TEMPLATE = "backoffice/acts/batch.html"
EXTRA = {"section": "acts_batch"}


@batch_view
@require_GET
def acts_batch(request: HttpRequest) -> HttpResponse:
    return batch_acts.batch_page(
        request, template=TEMPLATE, download_url=reverse("backoffice:acts_batch"), extra=EXTRA
    )


@batch_view
@require_GET
def acts_batch_file(request: HttpRequest, file_format: str) -> HttpResponse:
    return batch_acts.batch_download(
        request,
        file_format,
        template=TEMPLATE,
        download_url=reverse("backoffice:acts_batch"),
        extra=EXTRA,
    )
