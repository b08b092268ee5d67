"""Knowledge-base pages shared by the audiences, and the public (no sign-in) pages.

- `article_context` / `search_context` / `feedback_response`: what the portal's and the public
  article and search pages have in common (the portal adds its shell around them).
- The public pages under /kb/ show what an anonymous visitor may read — public, published
  articles — whoever is signed in, so they can be indexed and cached by anyone; the sitemap
  lists exactly those.
- /kb/files/<id>/: an article's file or image for whoever may read the article (the images in
  an article's text point here, whichever page shows it).
"""

from __future__ import annotations

from typing import Any

from allauth.core import ratelimit
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from servicedesk.customers.models import Product
from servicedesk.knowledge import selectors, services
from servicedesk.knowledge.access import access_article, access_article_file
from servicedesk.knowledge.models import Article, Category, Language
from servicedesk.knowledge.rendering import render_article
from servicedesk.knowledge.search import search_articles
from servicedesk.web.tickets import attachment_response

QUERY_MAX = 200
PER_PAGE = 20


class SearchForm(forms.Form):
    """The knowledge base's search box and filters (a GET form; bad values are dropped)."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=QUERY_MAX)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"), queryset=Category.objects.all(), required=False
    )
    product = forms.ModelChoiceField(
        label=gettext_lazy("Product"),
        queryset=Product.objects.filter(is_active=True),
        required=False,
        empty_label=gettext_lazy("All"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[("", gettext_lazy("Any language")), *Language.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and len(data.get("q", "")) > QUERY_MAX:
            # A query longer than the box allows is cut, not refused: people paste whole errors.
            data = data.copy()
            data["q"] = data["q"][:QUERY_MAX]
        super().__init__(data, *args, **kwargs)


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))],
        coerce=lambda v: v == "yes",
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=services.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _cleaned(form: SearchForm) -> dict[str, Any]:
    """The valid filters only: an unknown category or product is dropped, never an error."""
    form.is_valid()
    return {name: form.cleaned_data.get(name) for name in form.fields if name not in form.errors}


def search_context(
    request: HttpRequest, user: Any, *, source: str, article_url: str
) -> dict[str, Any]:
    """The search box, the categories, and either the results of a query or the articles of
    the chosen category and product, for `user` (anonymous on the public pages)."""
    form = SearchForm(request.GET)
    values = _cleaned(form)
    query = (values.get("q") or "").strip()
    category: Category | None = values.get("category")
    product: Product | None = values.get("product")
    language = values.get("language") or None
    context: dict[str, Any] = {
        "form": form,
        "query": query,
        "category": category,
        "product": product,
        "categories": selectors.category_counts(user),
        "article_url": article_url,
    }
    if query:
        context["hits"] = search_articles(
            user,
            query,
            limit=PER_PAGE * 2,
            category_id=category.pk if category else None,
            product_id=product.pk if product else None,
            language=language,
            source=source,
        )
    else:
        articles = selectors.reader_articles(
            user,
            category=category,
            product_id=product.pk if product else None,
            language=language,
        )
        context["page"] = Paginator(articles, PER_PAGE).get_page(request.GET.get("page"))
    return context


def article_context(request: HttpRequest, user: Any, article: Article) -> dict[str, Any]:
    """What an article's page shows `user`: the text, its files, the related articles and the
    translation they may read, and the feedback form."""
    rendered = render_article(article.body)
    return {
        "article": article,
        "body": rendered.html,
        "frame_origins": rendered.frame_origins,
        "files": selectors.article_files(article),
        "related": selectors.related_articles(user, article),
        "translation": selectors.translation_for(user, article),
        "products": list(article.products.all()),
        "feedback_form": FeedbackForm(),
    }


def allow_frames(response: HttpResponse, origins: tuple[str, ...]) -> HttpResponse:
    """Let the page embed the video players its article shows (django-csp's per-response
    update; the policy stays "no frames" elsewhere)."""
    if origins:
        response._csp_update = {"frame-src": list(origins)}  # type: ignore[attr-defined]
    return response


def feedback_response(
    request: HttpRequest, article: Article, *, limited: bool = False
) -> HttpResponse:
    """Record «Была ли статья полезна?» and answer with the thank-you fragment (htmx) or the
    article page's address. `limited`: the sender is over the rate limit — the form comes back
    as typed, with the reason, and nothing is recorded."""
    form = FeedbackForm(request.POST)
    if limited:
        form.is_valid()
        error = _("Too many answers from here. Nothing was recorded; wait a while and try again.")
        return render(
            request,
            "knowledge/_feedback.html",
            {"article": article, "feedback_form": form, "feedback_url": request.path,
             "feedback_error": error},
            status=429,
        )  # fmt: skip
    if form.is_valid():
        services.feedback_add(
            article=article,
            user=request.user,
            helpful=form.cleaned_data["helpful"],
            comment=form.cleaned_data["comment"],
        )
        return render(request, "knowledge/_feedback_thanks.html", {"article": article})
    return render(
        request,
        "knowledge/_feedback.html",
        {"article": article, "feedback_form": form, "feedback_url": request.path},
        status=400,
    )


# --- Public pages (/kb/) -------------------------------------------------------------------------


def _anonymous() -> AnonymousUser:
    return AnonymousUser()


@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    context = search_context(request, _anonymous(), source="public", article_url="kb:article")
    return render(request, "knowledge/public_index.html", context)


@require_GET
def public_article(request: HttpRequest, pk: int) -> HttpResponse:
    article = access_article(_anonymous(), pk)
    services.article_viewed(article=article)
    context = article_context(request, _anonymous(), article)
    context["feedback_url"] = reverse("kb:feedback", args=[article.pk])
    context["article_url"] = "kb:article"
    response = render(request, "knowledge/public_article.html", context)
    return allow_frames(response, context["frame_origins"])


@require_POST
def public_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone may answer on a public article: per client address, answers are rate-limited
    (KB_FEEDBACK_RATE_LIMIT) so a script cannot stuff the helpfulness figures."""
    article = access_article(_anonymous(), pk)
    limited = not ratelimit.consume(request, action="kb_feedback")
    return feedback_response(request, article, limited=limited)


@require_GET
def article_file(request: HttpRequest, pk: int) -> HttpResponse:
    """An article's file or image, for whoever may read the article (else 404)."""
    return attachment_response(request, access_article_file(request.user, pk))


class PublicArticleSitemap(Sitemap[Article]):
    """Public, published articles only: what an anonymous visitor may read."""

    changefreq = "weekly"
    limit = 5000

    def items(self) -> Any:
        return Article.objects.visible_to(_anonymous()).only("pk", "updated_at").order_by("pk")

    def location(self, item: Article) -> str:
        return reverse("kb:article", args=[item.pk])

    def lastmod(self, item: Article) -> Any:
        return item.updated_at


SITEMAPS = {"kb": PublicArticleSitemap}
