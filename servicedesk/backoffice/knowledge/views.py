"""«База знаний» in the back office: the list, the editor (live preview, images dropped into
the text), versions (a diff against the one before, restore), files, categories and the
provider's report.

Every member of staff reads ("knowledge.read"), internal articles and drafts included;
administrators and dispatchers write ("knowledge.edit") and read the report
("knowledge.view_report"). Anyone else gets 404.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest
from servicedesk.accounts.imports import neutralise
from servicedesk.backoffice.knowledge.forms import (
    ArticleFilterForm,
    ArticleForm,
    CategoryForm,
    ReportForm,
)
from servicedesk.backoffice.people.common import elided_range, people_view
from servicedesk.core.errors import ApplicationError
from servicedesk.knowledge import selectors, services
from servicedesk.knowledge.access import access_article
from servicedesk.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleStatus,
    Category,
    Language,
)
from servicedesk.knowledge.rendering import render_article
from servicedesk.web.knowledge import allow_frames

PER_PAGE = 25
read_view = people_view("knowledge.read")
edit_view = people_view("knowledge.edit")
report_view = people_view("knowledge.view_report")

# The players an article may embed (knowledge/rendering.py): the editor's preview shows them.
PLAYER_ORIGINS = (
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
    "https://rutube.ru",
    "https://vk.com",
)


def _article(request: AuthenticatedHttpRequest, pk: int) -> Article:
    return access_article(request.user, pk, published_only=False)


@read_view
@require_GET
def kb_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ArticleFilterForm(request.GET)
    form.is_valid()
    data = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    category = data.get("category")
    articles = selectors.staff_articles(
        query=(data.get("q") or "").strip(),
        status=data.get("status") or "",
        visibility=data.get("visibility") or "",
        language=data.get("language") or "",
        category_id=category.pk if category else None,
    )
    page = Paginator(articles, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/knowledge/list.html",
        {"section": "kb", "form": form, "page": page, "elided_range": elided_range(page)},
    )


@read_view
@require_GET
def kb_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    rendered = render_article(article.body)
    response = render(
        request,
        "backoffice/knowledge/detail.html",
        {
            "section": "kb",
            "article": article,
            "body": rendered.html,
            "files": list(article.attachments.all()),
            "related": list(article.related.all()),
            "products": list(article.products.all()),
            "companies": list(article.companies.all()),
            "versions_count": article.versions.count(),
            "feedback": selectors.article_feedback_counts(article),
        },
    )
    return allow_frames(response, rendered.frame_origins)


@transaction.atomic  # the text and the translation link are saved together, or neither
def _apply(
    request: AuthenticatedHttpRequest, form: ArticleForm, article: Article | None
) -> Article:
    data = form.cleaned_data
    saved = services.article_save(
        article=article,
        by=request.user,
        title=data["title"],
        summary=data["summary"],
        body=data["body"],
        language=data["language"],
        category=data["category"],
        visibility=data["visibility"],
        products=data["products"],
        companies=data["companies"],
        related=data["related"],
        note=data["note"],
        expected_version=data.get("version") if article is not None else None,
    )
    if saved.translation_id != (data["translation"].pk if data["translation"] else None):
        saved = services.article_link_translation(
            article=saved, translation=data["translation"], by=request.user
        )
    return saved


def _editor(
    request: AuthenticatedHttpRequest, form: ArticleForm, article: Article | None
) -> HttpResponse:
    body = form["body"].value() or ""
    rendered = render_article(body)
    response = render(
        request,
        "backoffice/knowledge/form.html",
        {
            "section": "kb",
            "form": form,
            "article": article,
            "preview": rendered.html,
            "files": list(article.attachments.all()) if article else [],
        },
    )
    return allow_frames(response, PLAYER_ORIGINS)


@edit_view
@require_http_methods(["GET", "POST"])
def kb_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ArticleForm(request.POST)
        if form.is_valid():
            try:
                article = _apply(request, form, None)
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("The article has been saved as a draft."))
                return redirect("backoffice:kb_edit", pk=article.pk)
    else:
        form = ArticleForm(initial={"visibility": "customers", "language": "ru"})
    return _editor(request, form, None)


@edit_view
@require_http_methods(["GET", "POST"])
def kb_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    if request.method == "POST":
        form = ArticleForm(request.POST, article=article)
        if form.is_valid():
            try:
                article = _apply(request, form, article)
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("The article has been saved."))
                return redirect("backoffice:kb_edit", pk=article.pk)
    else:
        form = ArticleForm(initial=ArticleForm.initial_for(article), article=article)
    return _editor(request, form, article)


@edit_view
@require_POST
def kb_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The live preview: the text as readers will see it (htmx, while the editor types)."""
    rendered = render_article(request.POST.get("body", ""))
    return render(request, "backoffice/knowledge/_preview.html", {"preview": rendered.html})


PICK_LIMIT = 12


@edit_view
@require_GET
def kb_pick(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An ArticlePicker's search (htmx): articles not archived whose titles hold what was
    typed, the edited article left out; for a translation, only the other language's."""
    q = request.GET.get("q", "").strip()[:100]
    articles = Article.objects.none()
    if q:
        articles = Article.objects.exclude(status=ArticleStatus.ARCHIVED).filter(title__icontains=q)
        exclude = request.GET.get("exclude", "")
        if exclude.isdigit():
            articles = articles.exclude(pk=int(exclude))
        language = request.GET.get("language", "")
        if request.GET.get("kind") == "translation" and language in Language.values:
            articles = articles.exclude(language=language)
    return render(
        request,
        "backoffice/knowledge/_article_pick_results.html",
        {"articles": articles.order_by("title", "pk")[:PICK_LIMIT], "q": q},
    )


@edit_view
@require_POST
def kb_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An image dropped into the text: checked as ticket files are, stored with the article;
    answers the markdown that shows it (JSON), or the reason it was refused (400)."""
    article = _article(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"error": _("Choose a file.")}, status=400)
    try:
        attachment = services.article_attachment_add(
            article=article, upload=upload, by=request.user, inline=True
        )
    except ApplicationError as error:
        return JsonResponse({"error": str(error)}, status=400)
    url = reverse("kb:file", args=[attachment.pk]) + "?inline=1"
    alt = attachment.name.rsplit(".", 1)[0].replace("[", "").replace("]", "")
    return JsonResponse({"url": url, "markdown": f"![{alt}]({url})"})


@edit_view
@require_POST
def kb_file_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    uploads = request.FILES.getlist("files")
    if not uploads:
        messages.error(request, _("Choose a file."))
    for upload in uploads:
        try:
            services.article_attachment_add(article=article, upload=upload, by=request.user)
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("“%(name)s” added.") % {"name": upload.name})
    return redirect(reverse("backoffice:kb_edit", args=[article.pk]) + "#files")


@edit_view
@require_POST
def kb_file_delete(request: AuthenticatedHttpRequest, pk: int, file_pk: int) -> HttpResponse:
    article = _article(request, pk)
    attachment = get_object_or_404(ArticleAttachment, pk=file_pk, article=article)
    services.article_attachment_delete(attachment=attachment, by=request.user)
    messages.success(request, _("The file has been deleted."))
    return redirect(reverse("backoffice:kb_edit", args=[article.pk]) + "#files")


_STATUS_ACTIONS = {
    "publish": services.article_publish,
    "archive": services.article_archive,
    "unpublish": services.article_unpublish,
}


@edit_view
@require_POST
def kb_status(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    article = _article(request, pk)
    if action not in _STATUS_ACTIONS:
        raise Http404
    _STATUS_ACTIONS[action](article=article, by=request.user)
    messages.success(
        request,
        {
            "publish": _("The article has been published."),
            "archive": _("The article has been archived."),
            "unpublish": _("The article is a draft again."),
        }[action],
    )
    return redirect("backoffice:kb_detail", pk=article.pk)


@edit_view
@require_POST
def kb_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    services.article_delete(article=article, by=request.user)
    messages.success(request, _("The article has been deleted."))
    return redirect("backoffice:kb")


# --- Versions ------------------------------------------------------------------------------------


@read_view
@require_GET
def kb_versions(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    page = Paginator(selectors.article_versions(article), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/knowledge/versions.html",
        {"section": "kb", "article": article, "page": page},
    )


def _diff(old: str, new: str) -> list[tuple[str, str]]:
    """Lines of a unified diff with their kind: "add", "del", "hunk" or "same"."""
    rows = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        rows.append((kind, line))
    return rows


@read_view
@require_GET
def kb_version(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    article = _article(request, pk)
    version = get_object_or_404(article.versions.select_related("changed_by"), number=number)
    previous = article.versions.filter(number__lt=number).order_by("-number").first()
    before = previous or version
    changes = {
        "title": _diff(before.title, version.title) if previous else [],
        "summary": _diff(before.summary, version.summary) if previous else [],
        "body": _diff(before.body, version.body) if previous else [],
    }
    return render(
        request,
        "backoffice/knowledge/version.html",
        {
            "section": "kb",
            "article": article,
            "version": version,
            "previous": previous,
            "changes": changes,
            "current": version.number == article.version,
        },
    )


@edit_view
@require_POST
def kb_version_restore(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    article = _article(request, pk)
    try:
        article = services.article_restore_version(article=article, number=number, by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Version %(number)s has been restored as version %(new)s.")
            % {"number": number, "new": article.version},
        )
    return redirect("backoffice:kb_versions", pk=article.pk)


# --- Categories ----------------------------------------------------------------------------------


@edit_view
@require_GET
def kb_categories(request: AuthenticatedHttpRequest) -> HttpResponse:
    categories = list(Category.objects.all())
    counts = selectors.category_article_counts()
    return render(
        request,
        "backoffice/knowledge/categories.html",
        {
            "section": "kb",
            "rows": [(c, counts.get(c.pk, 0)) for c in categories],
        },
    )


def _category_form(request: AuthenticatedHttpRequest, category: Category) -> HttpResponse:
    creating = category.pk is None
    form = CategoryForm(request.POST if request.method == "POST" else None, instance=category)
    if request.method == "POST" and form.is_valid():
        services.category_save(form.save(commit=False))
        messages.success(request, _("The category has been saved."))
        return redirect("backoffice:kb_categories")
    return render(
        request,
        "backoffice/knowledge/category_form.html",
        {"section": "kb", "form": form, "category": category, "creating": creating},
    )


@edit_view
@require_http_methods(["GET", "POST"])
def kb_category_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _category_form(request, Category())


@edit_view
@require_http_methods(["GET", "POST"])
def kb_category_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _category_form(request, get_object_or_404(Category, pk=pk))


@edit_view
@require_POST
def kb_category_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(Category, pk=pk)
    try:
        services.category_delete(category=category)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The category has been deleted."))
    return redirect("backoffice:kb_categories")


# --- Report --------------------------------------------------------------------------------------


def _period(
    request: AuthenticatedHttpRequest,
) -> tuple[ReportForm, int, dt.datetime, dt.datetime]:
    form = ReportForm(request.GET)
    days = (form.cleaned_data.get("days") if form.is_valid() else None) or 30
    end = timezone.now()
    return form, days, end - dt.timedelta(days=days), end


@report_view
@require_GET
def kb_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, days, start, end = _period(request)
    report = selectors.knowledge_report(start, end)
    if request.GET.get("format") == "csv":
        return _report_csv(report)
    return render(
        request,
        "backoffice/knowledge/report.html",
        {
            "section": "kb",
            "form": form,
            "days": days,
            "report": report,
            "start": start,
            "end": end,
        },
    )


def _report_csv(report: selectors.KnowledgeReport) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Article"),
            _("Status"),
            _("Views"),
            _("Views, all time"),
            _("Helpful"),
            _("Not helpful"),
            _("Deflections"),
        ]
    )
    for row in report.articles:
        writer.writerow(
            [
                neutralise(row.article.title),
                row.article.get_status_display(),
                row.views,
                row.article.views,
                row.helpful,
                row.unhelpful,
                row.deflections,
            ]
        )
    writer.writerow([])
    writer.writerow([_("Searches with no results"), _("Times")])
    for missed in report.missed:
        writer.writerow([neutralise(missed.text), missed.times])
    writer.writerow([])
    writer.writerow([_("Articles never viewed")])
    for article in report.never_viewed:
        writer.writerow([neutralise(article.title)])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="knowledge-report.csv"'
    return response
