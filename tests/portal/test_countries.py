"""The country list reads as a list in the reader's language: sorted by the name shown, names in
the nominative (issue 22)."""

from django.utils import translation

from servicedesk.web.ticket_form.fields import country_choices


def _names(language: str) -> list[str]:
    with translation.override(language):
        return [name for code, name in country_choices() if code]


def test_russian_names_are_sorted_as_russian_and_nominative() -> None:
    names = _names("ru")
    assert names[0] == "Россия"  # the country listed first in settings
    rest = names[1:]
    assert rest == sorted(rest, key=lambda n: n.replace("ё", "е").casefold())
    assert rest.index("Бурунди") < rest.index("Вьетнам") < rest.index("Камбоджа")
    for nominative in ("Либерия", "Мьянма", "Новая Каледония"):
        assert nominative in names
    assert not {"Либерии", "Мьянмы", "Новой Каледонии"} & set(names)


def test_english_names_are_sorted_as_english() -> None:
    names = _names("en")[1:]
    assert names == sorted(names, key=str.casefold)
    assert "Liberia" in names and "Myanmar" in names
