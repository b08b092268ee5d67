"""Small interface helpers shared by the portal and the back office."""

from typing import Any

from django import forms, template
from django.urls import reverse
from django.utils.html import conditional_escape

register = template.Library()


@register.inclusion_tag("core/_nav_item.html", takes_context=True)
def nav_item(
    context: Any, url_name: str, icon: str, label: str, section: str, badge: int | None = None
) -> dict[str, Any]:
    """A link of the left menu; `badge`: a count shown beside it (core/_nav_badge.html)."""
    return {
        "href": reverse(url_name),
        "icon": icon,
        "label": label,
        "section": section,
        "badge": badge,
        "active": context.get("section") == section,
    }


_INPUT_CLASS = {
    forms.CheckboxInput: "form-check-input",
    forms.RadioSelect: "form-check-input",
    forms.CheckboxSelectMultiple: "form-check-input",
    forms.Select: "form-select",
    forms.SelectMultiple: "form-select",
}


@register.inclusion_tag("core/_field.html")
def field(bound_field: forms.BoundField, **attrs: Any) -> dict[str, Any]:
    """A form field with its label, an optional ⓘ tooltip (the field's help text, shown on click
    and hidden by a click anywhere else), its errors and Bootstrap styling."""
    widget = bound_field.field.widget
    css = next((c for kind, c in _INPUT_CLASS.items() if isinstance(widget, kind)), "form-control")
    if bound_field.errors:
        css += " is-invalid"
    widget_attrs = {"class": css, **attrs}
    if bound_field.help_text:
        widget_attrs["aria-describedby"] = f"{bound_field.auto_id}_help"
    return {
        "field": bound_field,
        "widget": bound_field.as_widget(attrs=widget_attrs),
        "is_check": isinstance(widget, forms.CheckboxInput),
        # Plain help text is escaped; help text that is already HTML (Django's password rules
        # are a list) stays HTML. Bootstrap's sanitiser cleans it again in the popover.
        "help_html": conditional_escape(bound_field.help_text),
    }


@register.filter
def top_errors(form: forms.BaseForm) -> list[str]:
    """What a form refused that no visible field shows: its own errors, and those of hidden
    fields (e.g. a role the editor may not give, posted by hand), named by their label."""
    errors = [str(error) for error in form.non_field_errors()]
    for bound in form.hidden_fields():
        errors += [f"{bound.label}: {error}" for error in bound.errors]
    return errors
