"""The «Наша компания» settings form: the provider's requisites and the acts' settings."""

from __future__ import annotations

from typing import Any

from django import forms

from servicedesk.acts.models import OurCompany


class _Identifier(forms.CharField):
    """An ИНН, БИК or account number pasted with spaces («7707 083 893»): the spaces are
    dropped before its length is checked (so the input itself takes them)."""

    def to_python(self, value: Any) -> str:
        return "".join(str(super().to_python(value)).split()).upper()

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


_IDENTIFIERS = ("inn", "kpp", "bik", "settlement_account", "correspondent_account")


class OurCompanyForm(forms.ModelForm[OurCompany]):
    class Meta:
        model = OurCompany
        fields = [
            "name",
            "legal_name",
            "inn",
            "kpp",
            "address",
            "phone",
            "email",
            "bank_name",
            "bik",
            "settlement_account",
            "correspondent_account",
            "act_number_mask",
            "vat_mode",
            "vat_rate",
        ]
        field_classes = dict.fromkeys(_IDENTIFIERS, _Identifier)
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "inn": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "bik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "settlement_account": forms.TextInput(attrs={"inputmode": "numeric"}),
            "correspondent_account": forms.TextInput(attrs={"inputmode": "numeric"}),
            "vat_rate": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
        }
