"""An issued act tells the ticket's customers — bell and email with links to the act and its
PDF, each in their language — and nobody of another company."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from servicedesk.acts.services import act_issue
from servicedesk.customers.models import WorkType
from servicedesk.notifications.models import Notification
from servicedesk.works.services import EngineerLine, WorkData, work_add
from tests.acts.test_rendering import flat, needs_poppler, pdf_text
from tests.mail_server import text_part
from tests.notifications.conftest import mail_to, working_ticket

pytestmark = pytest.mark.django_db


@needs_poppler
def test_an_issued_act_tells_the_customers(cast, smtp_email, commit, tmp_path):
    ticket = working_ticket(cast)
    start = timezone.now() - dt.timedelta(hours=2)
    work_add(
        by=cast.engineer,
        ticket=ticket,
        data=WorkData(
            work_type=WorkType.objects.get(code="repair"),
            engineers=[
                EngineerLine(
                    cast.engineer, start, start + dt.timedelta(hours=1), hourly_rate=Decimal(500)
                )
            ],
        ),
    )
    act = commit(act_issue, by=cast.dispatcher, ticket=ticket)

    received = mail_to(smtp_email)
    assert sorted(received) == ["clara@gamma.test", "ruslan@gamma.test"]  # not staff, not Sam
    english = received["clara@gamma.test"][0]
    assert english["Subject"] == "[#00001234] Act of completed work ready: Boiler is cold"
    body = text_part(english)
    assert f"act of completed work № {act.number}" in body.lower()
    assert "/portal/tickets/00001234/act/" in body and "/portal/tickets/00001234/act/pdf/" in body
    assert "Акт выполненных работ" in text_part(received["ruslan@gamma.test"][0])
    # The PDF rides along, in each one's language.
    for address, words in (
        ("clara@gamma.test", "Accepted by"),
        ("ruslan@gamma.test", "Акт принял"),
    ):
        (pdf,) = [
            part
            for part in received[address][0].walk()
            if part.get_content_type() == "application/pdf"
        ]
        assert pdf.get_filename() == f"act-{act.number}.pdf"
        data = pdf.get_payload(decode=True)
        assert data.startswith(b"%PDF")
        assert words in flat(pdf_text(data, tmp_path))
    assert sorted(
        Notification.objects.filter(ticket=ticket).values_list("user__email", "kind")
    ) == [
        ("clara@gamma.test", Notification.Kind.ACT_READY),
        ("ruslan@gamma.test", Notification.Kind.ACT_READY),
    ]
