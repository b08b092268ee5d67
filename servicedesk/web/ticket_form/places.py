"""The ticket form's site/equipment choice: the rows of the place tree (`place_options`), the
field that accepts an offered place (`PlaceChoiceField`) and the picker that shows them as a
list of radio rows (`PlacePicker`).

A list of radios rather than a select: a select's options are one line each and are cut at
the edge of a phone's screen («Кондиционер серверной (DK-2024…»); a radio row's label wraps,
so every name and serial number is read in full. Without JavaScript every row is shown and the
form posts `place` as a select did; static/js/ticket_form.js adds the search that narrows the
rows as one types.
"""

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from servicedesk.customers.models import Equipment, Site
from servicedesk.web.ticket_form.fields import ChoicesWhenShown

# The place picker's values: a site ("s12") or a piece of equipment ("e40").
SITE_PREFIX = "s"
EQUIPMENT_PREFIX = "e"
# Equipment beneath its site in a one-line select (the back office's ticket edit form).
EQUIPMENT_MARK = "\u2022 "
# Rows are indented by their depth in the tree up to this many levels (static/css/app.css);
# deeper ones stay at this indent, so that a deep tree still fits a phone.
MAX_INDENT = 6


@dataclass(frozen=True)
class PlaceOption:
    """A row of the place picker: a site or a piece of equipment (`kind`), or no place (the
    empty value, kind ""). `details` make the small line beneath the name (a site's address;
    a piece of equipment's model and serial number); `path` is the site's materialised path
    (for equipment: its site's), by which the search keeps a match's sites visible."""

    name: str
    details: tuple[str, ...] = ()
    kind: str = ""
    depth: int = 0
    path: str = ""

    def __str__(self) -> str:
        return f"{self.name} ({' · '.join(self.details)})" if self.details else self.name


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _by_name(name: str) -> tuple[Any, ...]:
    """A name's sort key as a person reads it: any case, ё as е, numbers by value
    («Магазин №2» before «Магазин №10»)."""
    parts = re.split(r"(\d+)", name.casefold().replace("ё", "е"))
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts)


def site_option(site: Site, depth: int, parent: Site | None = None) -> PlaceOption:
    """A site's row; its address is shown unless it is its parent site's (a floor of a
    building)."""
    address = _one_line(site.address)
    shown = address and (parent is None or address != _one_line(parent.address))
    return PlaceOption(
        name=site.name,
        details=(address,) if shown else (),
        kind="site",
        depth=depth,
        path=site.path,
    )


def equipment_option(item: Equipment, depth: int, site: Site | None) -> PlaceOption:
    serial = f"{_('S/N')} {item.serial_number}" if item.serial_number else ""
    return PlaceOption(
        name=item.name,
        details=tuple(part for part in (item.model.strip(), serial) if part),
        kind="equipment",
        depth=depth,
        path=site.path if site is not None else "",
    )


def _site_tree(sites: Sequence[Site]) -> list[tuple[Site, int]]:
    """The sites in tree order, each with its depth among the sites listed: a site comes
    before the sites inside it, and sites side by side are in the order of their names. A
    site whose parent is not listed (the person does not see it) stands at the top."""
    listed = {site.pk: site for site in sites}
    inside: dict[int | None, list[Site]] = {}
    for site in sites:
        inside.setdefault(site.parent_id if site.parent_id in listed else None, []).append(site)
    for children in inside.values():
        children.sort(key=lambda site: (_by_name(site.name), site.pk))
    tree: list[tuple[Site, int]] = []
    stack = [(site, 0) for site in reversed(inside.get(None, []))]
    while stack:
        site, depth = stack.pop()
        tree.append((site, depth))
        stack += [(child, depth + 1) for child in reversed(inside.get(site.pk, []))]
    return tree


def place_options(sites: Sequence[Site], equipment: Sequence[Equipment]) -> list[tuple[str, Any]]:
    """The place tree as the picker's choices, in the order shown: "not specified", then each
    site (in tree order, `_site_tree`) with its equipment beneath it, by name, then the
    equipment without a site or on a site not listed."""
    choices: list[tuple[str, Any]] = [("", PlaceOption(name=_("Not specified")))]
    by_site: dict[int | None, list[Equipment]] = {}
    for item in sorted(equipment, key=lambda item: (_by_name(item.name), item.pk)):
        by_site.setdefault(item.site_id, []).append(item)
    listed = {site.pk: site for site in sites}
    for site, depth in _site_tree(sites):
        parent = listed.get(site.parent_id) if site.parent_id is not None else None
        choices.append((f"{SITE_PREFIX}{site.pk}", site_option(site, depth, parent)))
        choices += [
            (f"{EQUIPMENT_PREFIX}{item.pk}", equipment_option(item, depth + 1, site))
            for item in by_site.pop(site.pk, [])
        ]
    loose = sorted(
        (item for items in by_site.values() for item in items),
        key=lambda item: (_by_name(item.name), item.pk),
    )
    choices += [(f"{EQUIPMENT_PREFIX}{item.pk}", equipment_option(item, 0, None)) for item in loose]
    return choices


class PlaceChoiceField(forms.ChoiceField):
    """The site or equipment choice: a value is accepted if it names an offered place, and the
    tree of options is made only when the picker is shown (`offer`): an accepted POST never
    builds it (≈ 0.4 ms for a company with a few sites, more with a big estate)."""

    offered: frozenset[str] = frozenset()

    def offer(self, values: Iterable[str], make: Callable[[], list[tuple[str, Any]]]) -> None:
        self.offered = frozenset(values)
        self.choices = ChoicesWhenShown(functools.cache(make))  # made once, when first shown

    def valid_value(self, value: Any) -> bool:
        return str(value) in self.offered


_ICONS = {"site": "bi-building", "equipment": "bi-hdd"}

_ROW = (
    '<label class="place-row" data-place-row data-kind="{}" data-depth="{}" data-path="{}">'
    '<input type="radio" class="form-check-input" name="{}" value="{}" id="{}"{}>'
    '<span class="place-text"><span class="place-name">{}{}</span>{}</span></label>'
)


class PlacePicker(forms.RadioSelect):
    """The places as a group of radio rows, each label wrapping in full: the name, and beneath
    it in small type the detail; sites with their equipment beneath them, indented by depth.
    The choices' labels are `PlaceOption`s; a plain text label is shown as a name.

    The group (`role="radiogroup"`, with the widget's attributes) is named by the page's
    element `<id>_label`; when the field has errors (Django marks it `aria-invalid`) it is
    styled `is-invalid` and described by the page's `<id>_error`.

    Written by one loop here rather than a template per option (a big estate has hundreds)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        group = self.build_attrs(self.attrs, attrs)
        base_id = group.pop("id", None) or f"id_{name}"
        group.setdefault("aria-labelledby", f"{base_id}_label")
        if group.get("aria-invalid"):
            group["class"] = " ".join(filter(None, (group.get("class"), "is-invalid")))
            group.setdefault("aria-describedby", f"{base_id}_error")
        chosen = self._chosen(value)
        rows = format_html_join(
            "",
            _ROW,
            (
                self._row_args(name, f"{base_id}_{index}", choice, label, choice == chosen)
                for index, (choice, label) in enumerate(
                    ("" if choice is None else str(choice), label) for choice, label in self.choices
                )
            ),
        )
        return format_html(
            '<div id="{}" role="radiogroup"{}>{}</div>', base_id, flatatt(group), rows
        )

    @staticmethod
    def _chosen(value: Any) -> str:
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        return "" if value is None else str(value)

    @staticmethod
    def _row_args(name: str, row_id: str, value: str, label: Any, checked: bool) -> tuple[Any, ...]:
        option = label if isinstance(label, PlaceOption) else PlaceOption(name=str(label))
        icon = _ICONS.get(option.kind)
        return (
            option.kind,
            min(option.depth, MAX_INDENT),
            option.path,
            name,
            value,
            row_id,
            SafeString(" checked") if checked else "",
            format_html('<i class="bi {} me-1" aria-hidden="true"></i>', icon) if icon else "",
            option.name,
            format_html(
                '<span class="place-detail">{}</span>',
                format_html_join(" · ", "<span>{}</span>", ((part,) for part in option.details)),
            )
            if option.details
            else "",
        )
