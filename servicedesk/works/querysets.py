"""The scoping layer for completed works: who may see them, decided here only.

Works are the provider's own record of what its staff did (hours, rates, internal notes): the
provider's staff see every work of every ticket (they see every ticket); customers see none of
them, whatever tickets they see — what reaches a customer is the act made from the works, which
the acts app shows. Anyone else sees nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models

if TYPE_CHECKING:
    from servicedesk.works.models import CompletedWork  # noqa: F401 (string in the base class)


class CompletedWorkQuerySet(models.QuerySet["CompletedWork"]):
    def visible_to(self, user: Any) -> Self:
        if not (getattr(user, "is_authenticated", False) and user.is_active):
            return self.none()
        if getattr(user, "is_provider_staff", False):
            return self
        return self.none()
