"""Forms of the back office's knowledge base: the article editor, categories, the list's
filters and the report's period."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from servicedesk.customers.models import Company, Product
from servicedesk.knowledge.models import (
    Article,
    ArticleStatus,
    Category,
    Language,
    Visibility,
)


class ArticlePicker(forms.Widget):
    """Articles chosen by searching their titles, not from a list of every article (10,000
    of them made a page of 10,000 options twice): the chosen ones as chips with hidden inputs,
    and a search box whose results (`kb_pick`, htmx) add to them (static/js/kb-editor.js)."""

    template_name = "backoffice/knowledge/_article_picker.html"

    def __init__(self, *, multiple: bool, kind: str, attrs: dict[str, Any] | None = None):
        super().__init__(attrs)
        self.multiple, self.kind = multiple, kind
        self.exclude: int | None = None  # the article being edited

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if self.multiple:
            return data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        return data.get(name)

    def format_value(self, value: Any) -> list[str]:
        values = value if isinstance(value, (list, tuple)) else [value]
        return [str(getattr(v, "pk", v)) for v in values if v not in (None, "")]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        ids = [int(v) for v in context["widget"]["value"] if v.isdigit()]
        titles = dict(Article.objects.filter(pk__in=ids).values_list("pk", "title")) if ids else {}
        context["widget"].update(
            chosen=[(pk, titles[pk]) for pk in ids if pk in titles],
            multiple=self.multiple,
            kind=self.kind,
            exclude=self.exclude or "",
            url=reverse("backoffice:kb_pick"),
        )
        return context


class CategoryChoiceField(forms.ModelChoiceField[Category]):
    def label_from_instance(self, obj: Category) -> str:
        return "— " * obj.depth + obj.name


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=500,
        required=False,
        help_text=_("One or two sentences shown in lists and search results."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        help_text=_(
            "Markdown: # headings, **bold**, lists, tables, links. Drop an image onto the text "
            "to upload it. A video link from YouTube, Vimeo, Rutube or VK Video alone on its "
            "line becomes a player."
        ),
        widget=forms.Textarea(attrs={"rows": 18, "class": "font-monospace kb-editor-body"}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    category = CategoryChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    visibility = forms.ChoiceField(label=_("Who reads it"), choices=Visibility.choices)
    companies = forms.ModelMultipleChoiceField(
        label=_("Companies"),
        queryset=Company.objects.filter(is_active=True).order_by("name"),
        required=False,
        help_text=_("For «selected companies» only."),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Products"),
        queryset=Product.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    related = forms.ModelMultipleChoiceField(
        label=_("Related articles"),
        queryset=Article.objects.none(),
        required=False,
        widget=ArticlePicker(multiple=True, kind="related"),
    )
    translation = forms.ModelChoiceField(
        label=_("Translation"),
        queryset=Article.objects.none(),
        required=False,
        help_text=_("The same article in the other language."),
        widget=ArticlePicker(multiple=False, kind="translation"),
    )
    note = forms.CharField(
        label=_("What changed"),
        max_length=255,
        required=False,
        help_text=_("Kept with the version, for whoever reads the history."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, article: Article | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = Article.objects.exclude(status=ArticleStatus.ARCHIVED).order_by("title")
        if article is not None:
            others = others.exclude(pk=article.pk)
        self.fields["related"].queryset = others  # type: ignore[attr-defined]
        language = (self.data.get("language") if self.is_bound else None) or (
            article.language if article else Language.RU
        )
        self.fields["translation"].queryset = others.exclude(  # type: ignore[attr-defined]
            language=language
        )
        for name in ("related", "translation"):
            self.fields[name].widget.exclude = article.pk if article else None

    @classmethod
    def initial_for(cls, article: Article) -> dict[str, Any]:
        return {
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "language": article.language,
            "category": article.category_id,
            "visibility": article.visibility,
            "companies": list(article.companies.all()),
            "products": list(article.products.all()),
            "related": list(article.related.all()),
            "translation": article.translation_id,
            "version": article.version,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("visibility") == Visibility.COMPANIES and not data.get("companies"):
            self.add_error("companies", _("Choose the companies that read the article."))
        return data


class CategoryForm(forms.ModelForm[Category]):
    parent = CategoryChoiceField(
        label=_("Parent category"), queryset=Category.objects.all(), required=False
    )

    class Meta:
        model = Category
        fields = ["name", "parent", "position"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parent"].queryset = Category.objects.exclude(  # type: ignore[attr-defined]
                path__startswith=self.instance.path
            )


class ArticleFilterForm(forms.Form):
    q = forms.CharField(label=_("Title"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *ArticleStatus.choices], required=False
    )
    visibility = forms.ChoiceField(
        label=_("Who reads it"),
        choices=[("", _("Anyone")), *Visibility.choices],
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("Any language")), *Language.choices], required=False
    )
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class ReportForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        choices=[
            (7, _("7 days")),
            (30, _("30 days")),
            (90, _("90 days")),
            (365, _("a year")),
        ],
        required=False,
        empty_value=None,
    )
