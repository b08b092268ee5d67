from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.notifications.models import Digest, Event
from servicedesk.notifications.preferences import Choices, digest_modes, event_label, events_for


class NotificationSettingsForm(forms.Form):
    """The grid event × channel (email, in the app) and the digest of message emails, for the
    events that concern the person."""

    digest = forms.ChoiceField(
        label=_("Emails about new messages"), choices=Digest.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        self.events: list[Event] = events_for(user)
        choices = Choices([user.pk], self.events)
        initial: dict[str, Any] = {
            "digest": digest_modes([user.pk]).get(user.pk, Digest.IMMEDIATELY)
        }
        for event in self.events:
            email, in_app = choices.get(user.pk, event)
            initial[f"email_{event}"], initial[f"in_app_{event}"] = email, in_app
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for event in self.events:
            label = event_label(event, user)
            self.fields[f"email_{event}"] = forms.BooleanField(
                required=False, label=_("%(event)s by email") % {"event": label}
            )
            self.fields[f"in_app_{event}"] = forms.BooleanField(
                required=False, label=_("%(event)s in the app") % {"event": label}
            )

    def rows(self) -> list[tuple[Event, str, Any, Any]]:
        return [
            (event, event_label(event, self.user), self[f"email_{event}"], self[f"in_app_{event}"])
            for event in self.events
        ]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        data = self.cleaned_data
        return {
            str(event): (bool(data[f"email_{event}"]), bool(data[f"in_app_{event}"]))
            for event in self.events
        }
