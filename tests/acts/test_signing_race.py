"""Two people sign the same act at the same moment, each through the real service in their own
thread and database connection: one signature is kept, the other is told who signed (SQLite
and PostgreSQL; on SQLite a file copy of the test database, as tests/tickets/
test_numbering_race.py explains)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

from servicedesk.accounts.models import User
from servicedesk.acts.building import act_content
from servicedesk.acts.content import content_hash
from servicedesk.acts.models import Act, ActVersion
from servicedesk.acts.services import Reader, act_issue, act_sign
from servicedesk.acts.signature import signature_png
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.tickets.models import Ticket
from tests.acts.test_signing import drawn
from tests.tickets.test_numbering_race import _file_copy_of_test_database, _in_own_connection
from tests.works.conftest import Works, works  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_of_two_signatures_at_once_one_wins(works: Works, tmp_path: Path) -> None:  # noqa: F811
    works.add()
    act = act_issue(by=works.dispatcher, ticket=works.ticket)
    content = act_content(act, works.ticket, language="ru", time_zone=settings.TIME_ZONE)
    assert content is not None
    seen = content_hash(content)
    signers = [works.world.users["cust_a"].pk, works.world.users["cust_ab"].pk]
    png = signature_png(drawn())
    database = _file_copy_of_test_database(tmp_path)
    barrier = threading.Barrier(2)

    def sign(user_id: int) -> str:
        user = User.objects.get(pk=user_id)
        ticket = Ticket.objects.select_related("company", "site", "equipment", "contract").get(
            pk=works.ticket.pk
        )
        reader = Reader(user=user, language="ru", time_zone=settings.TIME_ZONE)
        barrier.wait(timeout=30)
        try:
            act_sign(
                reader=reader,
                ticket=ticket,
                version=1,
                seen_hash=seen,
                name=f"Signer {user_id}",
                position="",
                signature_png=png,
            )
        except ApplicationError as error:
            return str(error.code)
        return "signed"

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(_in_own_connection, database, lambda u=u: sign(u)) for u in signers]
        outcomes = sorted(f.result(timeout=120) for f in futures)

    assert outcomes == sorted(["signed", str(ErrorCode.ACT_SIGNED)])
    if database is None:  # PostgreSQL: the rows are here to read
        assert ActVersion.objects.count() == 1
        assert Act.objects.get().state == Act.State.SIGNED
