"""`access_work(user, ticket, work_id)` and `access_photo(...)`: the work (or its photo) if the
user may see it, else 404 — the same 404 for a customer, for another ticket's work and for one
that does not exist."""

from typing import Any

from django.db.models import Prefetch
from django.http import Http404

from servicedesk.tickets.models import Ticket
from servicedesk.works.models import CompletedWork, WorkEngineer, WorkMaterial, WorkPhoto


def access_work(user: Any, ticket: Ticket, work_id: int) -> CompletedWork:
    work = (
        CompletedWork.objects.visible_to(user)
        .filter(ticket=ticket, pk=work_id)
        .prefetch_related(
            Prefetch("engineers", queryset=WorkEngineer.objects.select_related("engineer")),
            Prefetch("materials", queryset=WorkMaterial.objects.select_related("material")),
            "photos",
        )
        .first()
    )
    if work is None:
        raise Http404
    work.ticket = ticket
    return work


def access_photo(user: Any, ticket: Ticket, work_id: int, photo_id: int) -> WorkPhoto:
    photo = (
        WorkPhoto.objects.filter(
            pk=photo_id,
            work_id=work_id,
            work__ticket=ticket,
            work__in=CompletedWork.objects.visible_to(user),
        )
        .select_related("work")
        .first()
    )
    if photo is None:
        raise Http404
    return photo
