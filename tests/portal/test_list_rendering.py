"""The filter panel's widgets (their markup in core/widgets/): escaped, the choice marked, validated
like Django's own."""

import datetime as dt

import pytest
from django import forms

from servicedesk.core.forms import QuickDateInput, QuickSelect


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
