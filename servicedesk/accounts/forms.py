from typing import Any

from django import forms

from servicedesk.accounts.models import User


class ProfileForm(forms.ModelForm[User]):
    """What a person may change about themselves. Email, role and companies are the provider's."""

    class Meta:
        model = User
        fields = ("full_name", "phone", "position", "language", "time_zone")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs["placeholder"] = "+7 912 345-67-89"
