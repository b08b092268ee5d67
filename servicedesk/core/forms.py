"""Small helpers shared by the portal's and the back office's forms."""

from typing import Any

from django.db import models


def pk_or_none(value: Any) -> int | None:
    """A primary key from a model instance, a number or its text; None for anything else."""
    if isinstance(value, models.Model):
        return int(value.pk)
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
