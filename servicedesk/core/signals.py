"""Connecting a receiver to the saves and deletes of several models at once."""

from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save


def on_change(receiver: Callable[..., Any], *models: type[Model], uid: str) -> None:
    """Call `receiver` (a signal receiver) whenever a row of one of `models` is saved or
    deleted. `uid` names the connection (each model's is told apart by its label)."""
    for model in models:
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}-save-{model._meta.label}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-del-{model._meta.label}")
