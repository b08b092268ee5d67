"""Every change to the knowledge base. Keyword-only, in a transaction; each article change
keeps the search index in step by calling `search.index_article` in the same transaction
(never a signal: bulk paths would skip it and the flow would be invisible).

Versions: every save that changes the title, summary or text moves `Article.version` on and
stores an `ArticleVersion` (who, when, a note); restoring an old version is such a save.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.knowledge import search
from servicedesk.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleStatus,
    ArticleVersion,
    ArticleViewDay,
    Category,
    Deflection,
    TicketArticle,
    Visibility,
)
from servicedesk.tickets import events
from servicedesk.tickets.uploads import UploadRejectedError, check_upload

if TYPE_CHECKING:
    from servicedesk.accounts.models import User
    from servicedesk.customers.models import Company, Product
    from servicedesk.tickets.models import Ticket

COMMENT_MAX = 2000


def clean_text(text: str) -> str:
    """Line ends normalised, control and zero-width characters dropped (as messages do)."""
    from servicedesk.conversations.services import clean_body

    return clean_body(text or "")


# --- Categories ----------------------------------------------------------------------------------


@transaction.atomic
def category_save(category: Category) -> Category:
    """Validate and save a category, keeping its materialised path and its descendants' in
    step (as customers.services.site_save does for sites)."""
    category.full_clean()
    old_path = category.path
    category.save()
    new_path = f"{category.parent.path if category.parent else ''}{category.pk}/"
    if new_path != old_path:
        Category.objects.filter(pk=category.pk).update(path=new_path)
        if old_path:
            Category.objects.filter(path__startswith=old_path).exclude(pk=category.pk).update(
                path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
            )
        category.path = new_path
    return category


@transaction.atomic
def category_delete(*, category: Category) -> None:
    """Only an empty category goes: its articles and subcategories would lose their place."""
    if category.children.exists() or category.articles.exists():
        raise ApplicationError(
            _("The category is not empty: move its articles and subcategories first."),
            code=ErrorCode.CONFLICT,
        )
    category.delete()


# --- Articles ------------------------------------------------------------------------------------


def _version_add(article: Article, by: User | None, note: str) -> ArticleVersion:
    return ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        summary=article.summary,
        body=article.body,
        changed_by=by,
        changed_at=timezone.now(),
        note=note[:255],
    )


@transaction.atomic
def article_save(
    *,
    article: Article | None,
    by: User,
    title: str,
    summary: str = "",
    body: str = "",
    language: str = "ru",
    category: Category | None = None,
    visibility: str = Visibility.CUSTOMERS,
    products: Iterable[Product] | None = None,
    companies: Iterable[Company] | None = None,
    related: Iterable[Article] | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Article:
    """Create an article (a draft, version 1) or change one; a change of its title, summary or
    text makes a new version. `expected_version` refuses a save from a stale editor."""
    title = clean_text(title)[:255]
    if not title:
        raise ApplicationError(
            _("The article needs a title."), code=ErrorCode.INVALID, field="title"
        )
    summary = clean_text(summary)[:500]
    body = clean_text(body)
    companies = list(companies or [])
    if visibility == Visibility.COMPANIES and not companies:
        raise ApplicationError(
            _("Choose the companies that read the article."),
            code=ErrorCode.INVALID,
            field="companies",
        )
    creating = article is None
    if article is None:
        article = Article(author=by, version=1)
        changed = True
    else:
        article = Article.objects.select_for_update().get(pk=article.pk)
        if expected_version is not None and article.version != expected_version:
            raise ApplicationError(
                _("Someone changed this article meanwhile. Reload the page to see the change."),
                code=ErrorCode.CONFLICT,
            )
        changed = (article.title, article.summary, article.body) != (title, summary, body)
        if changed:
            article.version += 1
    if article.translation_id is not None and article.language != language:
        # The linked version is in the other language: a change of language breaks the link.
        _unlink(article)
    article.title, article.summary, article.body = title, summary, body
    article.language = language
    article.category = category
    article.visibility = visibility
    article.save()
    article.products.set(list(products or []))
    article.companies.set(companies if visibility == Visibility.COMPANIES else [])
    if related is not None:
        article.related.set([a for a in related if a.pk != article.pk])
    if changed:
        _version_add(article, by, note or (_("Created") if creating else ""))
    search.index_article(article)
    return article


def _set_status(article: Article, status: str) -> Article:
    article = Article.objects.select_for_update().get(pk=article.pk)
    article.status = status
    fields = ["status", "updated_at"]
    if status == ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
        fields.append("published_at")
    article.save(update_fields=fields)
    search.index_article(article)
    return article


@transaction.atomic
def article_publish(*, article: Article, by: User) -> Article:
    return _set_status(article, ArticleStatus.PUBLISHED)


@transaction.atomic
def article_archive(*, article: Article, by: User) -> Article:
    return _set_status(article, ArticleStatus.ARCHIVED)


@transaction.atomic
def article_unpublish(*, article: Article, by: User) -> Article:
    """Back to a draft: readers no longer see it; the editor keeps working on it."""
    return _set_status(article, ArticleStatus.DRAFT)


@transaction.atomic
def article_restore_version(*, article: Article, number: int, by: User) -> Article:
    """The title, summary and text of version `number` become the article's again, as a new
    version (history is never rewritten)."""
    old = ArticleVersion.objects.filter(article=article, number=number).first()
    if old is None:
        raise ApplicationError(_("There is no such version."), code=ErrorCode.INVALID)
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if (locked.title, locked.summary, locked.body) == (old.title, old.summary, old.body):
        return locked
    locked.version += 1
    locked.title, locked.summary, locked.body = old.title, old.summary, old.body
    locked.save(update_fields=["title", "summary", "body", "version", "updated_at"])
    _version_add(locked, by, _("Restored version %(number)s") % {"number": number})
    search.index_article(locked)
    return locked


@transaction.atomic
def article_delete(*, article: Article, by: User) -> None:
    article_id = article.pk
    _unlink(article)
    article.delete()
    search.unindex_article(article_id)


def _unlink(article: Article) -> None:
    Article.objects.filter(translation=article).update(translation=None)
    if article.translation_id is not None:
        Article.objects.filter(pk=article.pk).update(translation=None)
        article.translation = None


@transaction.atomic
def article_link_translation(*, article: Article, translation: Article | None, by: User) -> Article:
    """Link the Russian and English versions of the same article (both point at each other);
    None unlinks. Each article has at most one translation: older links are dropped."""
    if translation is not None:
        if translation.pk == article.pk or translation.language == article.language:
            raise ApplicationError(
                _("A translation is an article in the other language."),
                code=ErrorCode.INVALID,
                field="translation",
            )
        _unlink(translation)
    _unlink(article)
    if translation is not None:
        Article.objects.filter(pk=article.pk).update(translation=translation)
        Article.objects.filter(pk=translation.pk).update(translation=article)
    article.refresh_from_db()
    return article


@transaction.atomic
def article_attachment_add(
    *, article: Article, upload: UploadedFile[bytes], by: User, inline: bool = False
) -> ArticleAttachment:
    """A file for the article, checked as ticket files are (tickets/uploads.py). `inline`:
    an image dropped into the text (only images may be)."""
    try:
        checked = check_upload(upload)
    except UploadRejectedError as error:
        raise ApplicationError(str(error), code=ErrorCode.BAD_FILE, field="file") from error
    if inline and not checked.is_image:
        raise ApplicationError(
            _("“%(name)s” is not an image.") % {"name": checked.name},
            code=ErrorCode.BAD_FILE,
            field="file",
        )
    attachment = ArticleAttachment(
        article=article,
        name=checked.name,
        size=checked.size,
        content_type=checked.content_type,
        is_image=checked.is_image,
        inline=inline,
        uploaded_by=by,
        created_at=timezone.now(),
    )
    attachment.file.save(checked.name, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def article_attachment_delete(*, attachment: ArticleAttachment, by: User) -> None:
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def article_viewed(*, article: Article) -> None:
    """One more view: the article's all-time counter and today's (for the report's periods).
    Two UPDATEs, no lock, no version; the day's first view inserts its row, and of two first
    views at once the second counts through the UPDATE."""
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)
    day = timezone.localdate()
    today = ArticleViewDay.objects.filter(article_id=article.pk, day=day)
    if today.update(views=F("views") + 1):
        return
    try:
        with transaction.atomic():
            ArticleViewDay.objects.create(article_id=article.pk, day=day, views=1)
    except IntegrityError:
        today.update(views=F("views") + 1)


# --- Readers -------------------------------------------------------------------------------------


@transaction.atomic
def feedback_add(
    *, article: Article, user: Any, helpful: bool, comment: str = ""
) -> ArticleFeedback:
    """«Была ли статья полезна?». `user` may be anonymous (the public view)."""
    signed_in = bool(getattr(user, "is_authenticated", False))
    return ArticleFeedback.objects.create(
        article=article,
        user=user if signed_in else None,
        helpful=helpful,
        comment=clean_text(comment)[:COMMENT_MAX],
    )


@transaction.atomic
def deflection_record(*, user: Any, article: Article, subject: str = "") -> Deflection:
    """«Это решило мою проблему»: the customer gave up the ticket they were writing."""
    signed_in = bool(getattr(user, "is_authenticated", False))
    return Deflection.objects.create(
        user=user if signed_in else None, article=article, subject=clean_text(subject)[:255]
    )


@transaction.atomic
def ticket_article_attach(*, ticket: Ticket, article: Article, by: User) -> TicketArticle:
    """Attach an article to a ticket for its customer (the «Статьи» tab). Only a published
    article the customer may read is attached; attaching twice changes nothing."""
    if not by.is_provider_staff:
        raise ApplicationError(_("Only staff attach articles."), code=ErrorCode.FORBIDDEN)
    if article.status != ArticleStatus.PUBLISHED or article.visibility == Visibility.INTERNAL:
        raise ApplicationError(
            _("Only a published article for customers can be attached."),
            code=ErrorCode.INVALID,
        )
    if (
        article.visibility == Visibility.COMPANIES
        and not article.companies.filter(pk=ticket.company_id).exists()
    ):
        raise ApplicationError(
            _("The ticket's company may not read this article."), code=ErrorCode.INVALID
        )
    link, created = TicketArticle.objects.get_or_create(
        ticket=ticket, article=article, defaults={"attached_by": by}
    )
    if created:
        events.article_attached(ticket, by, article.title)
    return link


@transaction.atomic
def ticket_article_detach(*, ticket: Ticket, article: Article, by: User) -> None:
    if not by.is_provider_staff:
        raise ApplicationError(_("Only staff attach articles."), code=ErrorCode.FORBIDDEN)
    TicketArticle.objects.filter(ticket=ticket, article=article).delete()
