"""The knowledge base: categories, articles (RU/EN versions linked), their versions,
attachments, feedback, search log, deflections and the articles attached to tickets.

Who may read an article is decided in `querysets.ArticleQuerySet.visible_to` only; state changes
go through `services.py` (which also keeps the search index in step, never a signal).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.core.models import TimeStampedModel
from servicedesk.knowledge.querysets import ArticleQuerySet, CategoryQuerySet


class Category(TimeStampedModel):
    """A heading of the knowledge base; categories nest. `path` is a materialised path of
    primary keys ("3/17/") kept by `services.category_save`, as `customers.Site` does."""

    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, blank=True, editable=False, db_index=True)
    position = models.PositiveIntegerField(_("position"), default=100)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path", "position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 1, 0)

    def clean(self) -> None:
        parent = self.parent
        if parent is None:
            return
        if self.pk and (parent.pk == self.pk or parent.path.startswith(self.path or "\0")):
            raise ValidationError({"parent": _("A category cannot be placed inside itself.")})


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public (no sign-in needed)")
    CUSTOMERS = "customers", _("All customers")
    COMPANIES = "companies", _("Selected companies")
    INTERNAL = "internal", _("Internal (provider staff)")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Language(models.TextChoices):
    RU = "ru", _("Russian")
    EN = "en", _("English")


class Article(TimeStampedModel):
    title = models.CharField(_("title"), max_length=255)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown."))
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.RU
    )
    # The other language's version of the same article; both sides point at each other
    # (services.article_link_translation keeps them in step).
    translation = models.ForeignKey(
        "self",
        verbose_name=_("translation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    products = models.ManyToManyField(
        "customers.Product", verbose_name=_("products"), blank=True, related_name="articles"
    )
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.CUSTOMERS
    )
    companies = models.ManyToManyField(
        "customers.Company",
        verbose_name=_("companies"),
        blank=True,
        related_name="articles",
        help_text=_("Who reads the article when its visibility is «selected companies»."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    related = models.ManyToManyField(
        "self", verbose_name=_("related articles"), blank=True, symmetrical=True
    )
    views = models.PositiveIntegerField(_("views"), default=0)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["title", "id"]
        indexes = [
            models.Index(fields=["status", "visibility"], name="kb_article_status_vis"),
            models.Index(fields=["category", "status"], name="kb_article_category"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class ArticleVersion(models.Model):
    """What an article said at one version: who saved it, when, and why (the note)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=255)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    body = models.TextField(_("text"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


def article_attachment_path(instance: ArticleAttachment, filename: str) -> str:
    # Never the uploaded name: a random one, in a dated folder. The name is kept in the row.
    return f"knowledge/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class ArticleAttachment(models.Model):
    """A file of an article: listed under it, or (images) shown in its body by a
    `/kb/files/<id>/` link. Read through the article's visibility, never directly."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=article_attachment_path, max_length=200)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    is_image = models.BooleanField(default=False)
    # An image dropped into the body is not listed among the article's files.
    inline = models.BooleanField(_("in the text"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("article file")
        verbose_name_plural = _("article files")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class ArticleViewDay(models.Model):
    """How many times an article was opened on one day (the provider's time zone): the
    report's views for any period. `Article.views` keeps the all-time count."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="view_days")
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("article views on a day")
        verbose_name_plural = _("article views by day")
        constraints = [
            models.UniqueConstraint(fields=["article", "day"], name="kb_view_day_unique")
        ]
        indexes = [models.Index(fields=["day"], name="kb_view_day_day")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}: {self.views}"


class ArticleFeedback(models.Model):
    """«Была ли статья полезна?»: yes or no, with an optional comment."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["article", "helpful"], name="kb_feedback_article")]

    def __str__(self) -> str:
        return f"{self.article_id}: {'+' if self.helpful else '-'}"


class SearchSource(models.TextChoices):
    PORTAL = "portal", _("Portal search")
    SUGGEST = "suggest", _("Suggestions on the ticket form")
    PUBLIC = "public", _("Public search")
    STAFF = "staff", _("Staff")


class SearchQuery(models.Model):
    """One search someone ran: what they looked for and how many results they got."""

    text = models.CharField(_("text"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    results = models.PositiveIntegerField(_("results"), default=0)
    source = models.CharField(
        _("source"), max_length=20, choices=SearchSource.choices, default=SearchSource.PORTAL
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("search query")
        verbose_name_plural = _("search queries")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text


class Deflection(models.Model):
    """«Это решило мою проблему»: a customer gave up a ticket draft because an article helped."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.subject}"


class TicketArticle(models.Model):
    """An article attached to a ticket (the customer sees it on the ticket's «Статьи» tab)."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="knowledge_articles"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="ticket_links")
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket article")
        verbose_name_plural = _("ticket articles")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "article"], name="kb_ticket_article_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} ↔ {self.article_id}"
