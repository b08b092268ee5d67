"""The list's hand-built HTML must say what Django's own formatting and widgets would."""

import datetime as dt

import pytest
from django import forms
from django.utils import dateformat, translation
from hypothesis import given
from hypothesis import strategies as st

from servicedesk.core.forms import QuickDateInput, QuickSelect
from servicedesk.portal.tickets.list import date_formatter

FORMATS = ["d.m.Y H:i", "d.m.Y", "m/d/Y P", "Y-m-d H:i:s", "j E Y", "d/m/y", r"d \d m"]


@given(
    value=st.datetimes(
        min_value=dt.datetime(1900, 1, 1),  # noqa: DTZ001 (naive bounds: hypothesis wants them)
        max_value=dt.datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.just(dt.UTC),
    ),
    django_format=st.sampled_from(FORMATS),
    language=st.sampled_from(["ru", "en"]),
)
def test_date_formatter_matches_django(
    value: dt.datetime, django_format: str, language: str
) -> None:
    with translation.override(language):
        assert date_formatter(django_format)(value) == dateformat.format(value, django_format)


def test_quick_select_escapes_and_marks_the_choice() -> None:
    widget = QuickSelect(attrs={"class": "form-select"})
    widget.choices = [("", "Any"), (1, "<b>Pump & Co</b>"), (2, '"quoted"')]
    html = widget.render("company", 1, attrs={"id": "id_company"})
    assert html.startswith('<select name="company" class="form-select" id="id_company">')
    assert '<option value="1" selected>&lt;b&gt;Pump &amp; Co&lt;/b&gt;</option>' in html
    assert '<option value="2">&quot;quoted&quot;</option>' in html
    assert '<option value="">Any</option>' in html
    assert "<b>" not in html


@pytest.mark.parametrize("value", ["2026-03-04", dt.date(2026, 3, 4)])
def test_quick_date_input_keeps_the_value(value: object) -> None:
    html = QuickDateInput(attrs={"class": "x"}).render("from", value, attrs={"id": "id_from"})
    assert html == '<input type="date" name="from" value="2026-03-04" class="x" id="id_from">'


def test_quick_date_input_escapes_a_bad_value() -> None:
    html = QuickDateInput().render("from", '"><script>', attrs=None)
    assert "<script>" not in html and "&quot;&gt;&lt;script&gt;" in html


def test_quick_widgets_validate_like_django() -> None:
    class F(forms.Form):
        pick = forms.TypedChoiceField(
            choices=[("", "-"), (1, "a")],
            coerce=int,
            required=False,
            empty_value=None,
            widget=QuickSelect,
        )

    assert F({"pick": "1"}).is_valid()
    assert not F({"pick": "999"}).is_valid()
