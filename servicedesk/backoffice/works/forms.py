"""The completed work form: the work (type, comment, internal note, photos) and two formsets,
its engineers and its materials. Each row is checked by the same rules the services apply
(works/validation.py), so that a message stands beside the value at fault; the services check
everything again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from servicedesk.accounts.models import User
from servicedesk.core.errors import ApplicationError
from servicedesk.core.money import PRICE_MAX, QUANTITY_MAX, RATE_MAX
from servicedesk.customers.models import WorkType
from servicedesk.customers.reference import reference_rows
from servicedesk.web.ticket_form.fields import DataSelect, MultipleFileField, TextField
from servicedesk.works import validation
from servicedesk.works.models import COMMENT_MAX_LENGTH, CompletedWork, Material, Unit
from servicedesk.works.services import EngineerLine, MaterialLine, WorkData
from servicedesk.works.templatetags.works import money

ENGINEERS_PREFIX = "engineers"
MATERIALS_PREFIX = "materials"
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _raise(error: ApplicationError) -> None:
    raise forms.ValidationError(str(error.message), code=str(error.code))


def _checked(form: forms.Form, check: Any, *args: Any, **kwargs: Any) -> Any:
    """`check(...)`'s result, or its refusal added to the form beside the field it names."""
    try:
        return check(*args, **kwargs)
    except ApplicationError as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, str(error.message))
        return None


def _style(form: forms.BaseForm) -> None:
    """Bootstrap's small controls on a row's fields (the rows are drawn by hand)."""
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", f"{css} {css}-sm")


def mark_invalid(*forms_: forms.BaseForm) -> None:
    """Bootstrap's red border on the fields a form refused."""
    for form in forms_:
        for name in form.errors:
            if name in form.fields:
                widget = form.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


# --- Choices -----------------------------------------------------------------------------------


@dataclass
class Choices:
    """What the form offers, read once per request: the active work types (and the work's own,
    even retired), the people who can be engineers of a work (and the work's own), the active
    materials (and the work's own)."""

    work_types: dict[int, WorkType]
    engineers: dict[int, User]
    materials: dict[int, Material]

    @classmethod
    def load(cls, work: CompletedWork | None = None) -> Choices:
        kept_engineers: set[int] = set()
        kept_materials: set[int] = set()
        kept_type = None
        if work is not None:
            kept_type = work.work_type_id
            kept_engineers = {line.engineer_id for line in work.engineers.all()}
            kept_materials = {line.material_id for line in work.materials.all() if line.material_id}
        types = reference_rows(WorkType)[WorkType]
        people = User.objects.filter(role__in=sorted(validation.ENGINEER_ROLES)).filter(
            is_active=True
        ) | User.objects.filter(pk__in=sorted(kept_engineers))
        materials = Material.objects.filter(is_active=True) | Material.objects.filter(
            pk__in=sorted(kept_materials)
        )
        return cls(
            work_types={pk: row for pk, row in types.items() if row.is_active or pk == kept_type},
            engineers={p.pk: p for p in people.order_by("full_name", "pk")},
            materials={m.pk: m for m in materials.order_by("sort_order", "name_ru", "pk")},
        )


# --- The work ----------------------------------------------------------------------------------


class WorkForm(forms.Form):
    work_type = forms.TypedChoiceField(
        label=_("Work type"),
        coerce=int,
        empty_value=None,
        error_messages={"required": _("Choose the work type.")},
    )
    comment = TextField(
        label=_("Comment"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the act of completed work."),
    )
    internal_note = TextField(
        label=_("Internal note"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For staff only: never shown to the customer, never on the act."),
    )
    photos = MultipleFileField(label=_("Add photos"), required=False)
    photos_remove = forms.TypedMultipleChoiceField(
        label=_("Remove photos"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, choices: Choices, work: CompletedWork | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        fields: Any = self.fields
        fields["work_type"].choices = [
            ("", "—"),
            *((pk, f"{row.name} — {money(row.price)}") for pk, row in choices.work_types.items()),
        ]
        self.fields["photos"].widget.attrs["accept"] = "image/*"
        if work is not None:
            fields["photos_remove"].choices = [(p.pk, p.name) for p in work.photos.all()]
        else:
            del self.fields["photos_remove"]

    def clean_work_type(self) -> WorkType:
        chosen = self.choices.work_types.get(self.cleaned_data["work_type"] or 0)
        if chosen is None:
            raise forms.ValidationError(_("Choose the work type."))
        return chosen


# --- Engineers ---------------------------------------------------------------------------------


class EngineerForm(forms.Form):
    engineer = forms.TypedChoiceField(
        label=pgettext_lazy("completed work", "Engineer"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=DataSelect,
    )
    hourly_rate = forms.DecimalField(
        label=_("Rate/hour"),
        required=False,
        min_value=Decimal(0),
        max_value=RATE_MAX,
        decimal_places=2,
        max_digits=12,
        help_text=_("Empty: the rate on the engineer's card."),
    )
    started_at = forms.DateTimeField(label=_("Start"), required=False, widget=DATETIME_WIDGET)
    finished_at = forms.DateTimeField(label=_("End"), required=False, widget=DATETIME_WIDGET)

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        field: Any = self.fields["engineer"]
        field.choices = [("", "—"), *((pk, p.full_name) for pk, p in choices.engineers.items())]
        # The card's rate comes with the option: the page puts it in an empty rate (works.js).
        field.widget.option_data = {
            str(pk): {"data-rate": str(p.hourly_rate)}
            for pk, p in choices.engineers.items()
            if p.hourly_rate is not None
        }
        self.fields["hourly_rate"].widget.attrs.update({"step": "0.01", "min": "0"})
        _style(self)

    def is_blank(self) -> bool:
        """Nothing given in the row (a spare row): not a line, not an error."""
        data = getattr(self, "cleaned_data", {})
        return all(data.get(name) is None for name in ("engineer", "hourly_rate", *_PERIOD))

    def clean_engineer(self) -> User | None:
        pk = self.cleaned_data["engineer"]
        if pk is None:
            return None
        person = self.choices.engineers.get(pk)
        if person is None:
            raise forms.ValidationError(_("Choose an engineer."))
        return person

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors or self.is_blank():
            return cleaned
        person = cleaned.get("engineer")
        if person is None:
            self.add_error("engineer", _("Choose an engineer."))
        elif cleaned.get("hourly_rate") is None and person.hourly_rate is None:
            self.add_error(
                "hourly_rate",
                _("%(name)s's card has no rate: give it here.") % {"name": person.full_name},
            )
        _checked(
            self, validation.check_period, cleaned.get("started_at"), cleaned.get("finished_at")
        )
        return cleaned

    def line(self) -> EngineerLine:
        data = self.cleaned_data
        return EngineerLine(
            engineer=data["engineer"],
            hourly_rate=data.get("hourly_rate"),
            started_at=data["started_at"],
            finished_at=data["finished_at"],
        )


_PERIOD = ("started_at", "finished_at")


class _RowsFormSet(forms.BaseFormSet[Any]):
    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        self.choices = choices
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "choices": self.choices}

    def rows(self) -> list[Any]:
        """The rows to save, in their order: not removed, not left blank."""
        return [
            form
            for form in self.forms
            if not form.cleaned_data.get("DELETE") and not form.is_blank()
        ]


class BaseEngineerFormSet(_RowsFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        try:
            validation.check_engineers([form.cleaned_data["engineer"] for form in self.rows()])
        except ApplicationError as error:
            _raise(error)

    def lines(self) -> list[EngineerLine]:
        return [form.line() for form in self.rows()]


EngineerFormSet = cast(
    type[BaseEngineerFormSet],
    formset_factory(
        EngineerForm,
        formset=BaseEngineerFormSet,
        extra=0,
        can_delete=True,
        max_num=validation.ENGINEERS_MAX,
        validate_max=True,
    ),
)


# --- Materials ---------------------------------------------------------------------------------


class MaterialForm(forms.Form):
    material = forms.TypedChoiceField(
        label=_("From the list"), coerce=int, empty_value=None, required=False, widget=DataSelect
    )
    name = forms.CharField(
        label=pgettext_lazy("material", "Name"),
        required=False,
        max_length=validation.NAME_MAX_LENGTH,
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        required=False,
        max_value=QUANTITY_MAX,
        decimal_places=3,
        max_digits=12,
    )
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    price = forms.DecimalField(
        label=_("Price"),
        required=False,
        min_value=Decimal(0),
        max_value=PRICE_MAX,
        decimal_places=2,
        max_digits=12,
        help_text=_("Per unit. Empty with a material of the list: the list's price."),
    )

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        field: Any = self.fields["material"]
        field.choices = [
            ("", _("— typed in —")),
            *((pk, m.name) for pk, m in choices.materials.items()),
        ]
        # The list's unit and price come with the option: the page fills the row (works.js).
        field.widget.option_data = {
            str(pk): {"data-unit": m.unit, "data-price": str(m.price), "data-name": m.name}
            for pk, m in choices.materials.items()
        }
        cast(forms.ChoiceField, self.fields["unit"]).choices = [("", "—"), *Unit.choices]
        self.fields["quantity"].widget.attrs.update({"step": "0.001", "min": "0.001"})
        self.fields["price"].widget.attrs.update({"step": "0.01", "min": "0"})
        _style(self)

    def clean_material(self) -> Material | None:
        pk = self.cleaned_data["material"]
        if pk is None:
            return None
        chosen = self.choices.materials.get(pk)
        if chosen is None:
            raise forms.ValidationError(_("Choose one of the list."))
        return chosen

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) not in (None, "") for name in _MATERIAL_VALUES)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors or self.is_blank():
            return cleaned
        listed: Material | None = cleaned.get("material")
        name = cleaned.get("name") or (listed.name if listed else "")
        unit = cleaned.get("unit") or (listed.unit if listed else "")
        price = cleaned.get("price")
        if price is None and listed is not None:
            price = listed.price
        _checked(self, validation.check_material_name, name)
        _checked(self, validation.check_quantity, cleaned.get("quantity"))
        _checked(self, validation.check_unit, unit)
        _checked(self, validation.check_price, price)
        return cleaned

    def line(self) -> MaterialLine:
        data = self.cleaned_data
        return MaterialLine(
            material=data.get("material"),
            name=data.get("name") or "",
            quantity=data["quantity"],
            unit=data.get("unit") or "",
            price=data.get("price"),
        )


_MATERIAL_VALUES = ("material", "name", "quantity", "price")


class BaseMaterialFormSet(_RowsFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        try:
            validation.check_materials_count(len(self.rows()))
        except ApplicationError as error:
            _raise(error)

    def lines(self) -> list[MaterialLine]:
        return [form.line() for form in self.rows()]


MaterialFormSet = cast(
    type[BaseMaterialFormSet],
    formset_factory(
        MaterialForm,
        formset=BaseMaterialFormSet,
        extra=0,
        can_delete=True,
        max_num=validation.MATERIALS_MAX,
        validate_max=True,
    ),
)


def work_data(form: WorkForm, engineers: Iterable[EngineerLine], materials: Any) -> WorkData:
    return WorkData(
        work_type=form.cleaned_data["work_type"],
        engineers=list(engineers),
        materials=list(materials),
        comment=form.cleaned_data.get("comment") or "",
        internal_note=form.cleaned_data.get("internal_note") or "",
    )
