from django.contrib import admin

from servicedesk.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleVersion,
    Category,
    Deflection,
    SearchQuery,
    TicketArticle,
)


class ArticleVersionInline(admin.TabularInline[ArticleVersion, Article]):
    model = ArticleVersion
    extra = 0
    can_delete = False
    fields = ("number", "title", "changed_by", "changed_at", "note")
    readonly_fields = fields

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


class ArticleAttachmentInline(admin.TabularInline[ArticleAttachment, Article]):
    model = ArticleAttachment
    extra = 0
    fields = ("name", "size", "content_type", "inline", "uploaded_by", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    """For inspection; categories are edited in the back office (which keeps `path`)."""

    list_display = ("name", "parent", "path", "position")
    search_fields = ("name",)
    readonly_fields = ("path",)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    """For inspection and repairs; articles are written in the back office's editor, which
    keeps versions and the search index."""

    list_display = ("title", "language", "status", "visibility", "category", "version", "views")
    list_filter = ("status", "visibility", "language")
    search_fields = ("title", "summary")
    list_select_related = ("category",)
    raw_id_fields = ("translation", "category", "author", "related", "companies")
    readonly_fields = ("version", "views", "published_at")
    inlines = (ArticleAttachmentInline, ArticleVersionInline)


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(admin.ModelAdmin[ArticleFeedback]):
    list_display = ("article", "helpful", "user", "created_at")
    list_filter = ("helpful",)
    raw_id_fields = ("article", "user")


@admin.register(SearchQuery)
class SearchQueryAdmin(admin.ModelAdmin[SearchQuery]):
    list_display = ("text", "results", "source", "user", "created_at")
    list_filter = ("source",)
    search_fields = ("text",)
    raw_id_fields = ("user",)


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin[Deflection]):
    list_display = ("article", "subject", "user", "created_at")
    raw_id_fields = ("article", "user")


@admin.register(TicketArticle)
class TicketArticleAdmin(admin.ModelAdmin[TicketArticle]):
    list_display = ("ticket", "article", "attached_by", "created_at")
    raw_id_fields = ("ticket", "article", "attached_by")
