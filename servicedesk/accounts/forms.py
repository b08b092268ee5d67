from typing import Any, cast

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from servicedesk.accounts.models import User
from servicedesk.customers.models import Company


class ProfileForm(forms.ModelForm[User]):
    """What a person may change about themselves. Email, role and companies are the provider's."""

    class Meta:
        model = User
        fields = ("full_name", "phone", "position", "language", "time_zone")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs["placeholder"] = "+7 912 345-67-89"


class IdentifierForm(forms.Form):
    """“Send me a new link”: the email address or phone number the invitation went to."""

    identifier = forms.CharField(
        label=_("Email or phone"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )


class TemporaryPasswordChangeForm(SetPasswordForm):  # type: ignore[type-arg]
    """A new password after a temporary one: Django's rules, and not the temporary one again."""

    def clean_new_password1(self) -> str:
        password: str = self.cleaned_data["new_password1"]
        if password and self.user.check_password(password):
            raise forms.ValidationError(
                _("Choose a new password, not the temporary one."), code="password_reused"
            )
        return password


class _PersonForm(forms.Form):
    """Who should get access: shared by the public request and the colleague request."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = PhoneNumberField(
        label=_("Phone"),
        required=False,
        help_text=_("International format, e.g. +7 912 345-67-89."),
    )
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    comment = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs["placeholder"] = "+7 912 345-67-89"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        has_error = "email" in self.errors or "phone" in self.errors
        if not has_error and not cleaned.get("email") and not cleaned.get("phone"):
            raise forms.ValidationError(
                _("Give an email address or a phone number."), code="no_address"
            )
        return cleaned

    def person_data(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "full_name": data["full_name"],
            "email": data.get("email") or "",
            "phone": str(data.get("phone") or ""),
            "position": data.get("position") or "",
            "comment": data.get("comment") or "",
        }


class AccessRequestForm(_PersonForm):
    """The public “Request access” form. `website` is a honeypot: hidden from people by CSS,
    filled in by robots."""

    company_name = forms.CharField(label=_("Company"), max_length=300)
    website = forms.CharField(label=_("Website"), required=False, max_length=200)

    field_order = ("full_name", "email", "phone", "company_name", "position", "comment")

    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class ColleagueAccessForm(_PersonForm):
    """A portal user asks access for a colleague of one of their own companies."""

    company = forms.ModelChoiceField(
        label=_("Company"), queryset=Company.objects.none(), empty_label=None
    )

    field_order = ("company", "full_name", "email", "phone", "position", "comment")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[Company]", self.fields["company"])
        # Only the requester's own companies: a foreign id is "not one of the choices".
        field.queryset = Company.objects.visible_to(user).filter(is_active=True).order_by("name")


class ApiTokenForm(forms.Form):
    """A new personal API token: its name, access and (optional) expiry date."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, e.g. «1C integration»."),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=[("read", _("Read only")), ("read_write", _("Read and write"))],
        initial="read",
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: never expires (revoke it when no longer needed)."),
    )
