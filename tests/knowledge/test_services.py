"""Knowledge-base services: versions (who, when, what), restore, status changes, the RU/EN
link, files through the ticket upload checks, feedback, deflections and ticket links."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.knowledge import services
from servicedesk.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleVersion,
    Category,
    Deflection,
    TicketArticle,
)
from servicedesk.tickets.models import TicketEvent
from tests.conftest import PNG, World
from tests.factories import TicketFactory
from tests.knowledge.articles import editor, make_article, make_category

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def test_a_new_article_is_a_draft_with_version_one() -> None:
    by = editor()
    article = services.article_save(article=None, by=by, title="  Принтер  ", body="Текст")
    assert (article.status, article.version, article.title, article.author) == (
        "draft",
        1,
        "Принтер",
        by,
    )
    version = ArticleVersion.objects.get(article=article)
    assert (version.number, version.title, version.body, version.changed_by) == (
        1,
        "Принтер",
        "Текст",
        by,
    )


def test_a_content_change_makes_a_version_and_other_changes_do_not() -> None:
    article = make_article("Title", body="one", status="draft")
    second = services.article_save(
        article=article, by=editor(), title="Title", body="two", note="typo"
    )
    assert second.version == 2
    third = services.article_save(
        article=second, by=editor(), title="Title", body="two", visibility="internal"
    )
    assert third.version == 2
    assert list(ArticleVersion.objects.filter(article=article).values_list("number", "body")) == [
        (2, "two"),
        (1, "one"),
    ]
    assert ArticleVersion.objects.get(article=article, number=2).note == "typo"


def test_a_save_from_a_stale_editor_is_refused_and_changes_nothing() -> None:
    article = make_article("Title", body="one", status="draft")
    services.article_save(article=article, by=editor(), title="Title", body="two")
    with pytest.raises(ApplicationError) as caught:
        services.article_save(
            article=article, by=editor(), title="Title", body="three", expected_version=1
        )
    assert caught.value.code == ErrorCode.CONFLICT
    assert Article.objects.get(pk=article.pk).body == "two"
    assert ArticleVersion.objects.filter(article=article).count() == 2


def test_an_empty_title_and_companies_without_companies_are_refused() -> None:
    with pytest.raises(ApplicationError):
        services.article_save(article=None, by=editor(), title="  ")
    with pytest.raises(ApplicationError):
        services.article_save(article=None, by=editor(), title="x", visibility="companies")
    assert not Article.objects.exists()


def test_restore_makes_the_old_text_a_new_version() -> None:
    article = make_article("First title", body="first")
    services.article_save(article=article, by=editor(), title="Second title", body="second")
    restored = services.article_restore_version(article=article, number=1, by=editor())
    assert (restored.version, restored.title, restored.body) == (3, "First title", "first")
    latest = ArticleVersion.objects.get(article=article, number=3)
    assert latest.body == "first"
    assert "1" in latest.note
    # The history is kept whole.
    assert ArticleVersion.objects.filter(article=article).count() == 3
    with pytest.raises(ApplicationError):
        services.article_restore_version(article=article, number=99, by=editor())


def test_publish_sets_the_date_once_and_archive_keeps_it() -> None:
    article = make_article("x", status="draft")
    assert article.published_at is None
    published = services.article_publish(article=article, by=editor())
    first = published.published_at
    assert published.status == "published" and first is not None
    archived = services.article_archive(article=article, by=editor())
    assert (archived.status, archived.published_at) == ("archived", first)
    again = services.article_publish(article=article, by=editor())
    assert again.published_at == first
    assert services.article_unpublish(article=article, by=editor()).status == "draft"


def test_translations_link_both_ways_and_relink_cleanly() -> None:
    ru = make_article("Принтер", language="ru")
    en = make_article("Printer", language="en")
    other_en = make_article("Printer 2", language="en")
    services.article_link_translation(article=ru, translation=en, by=editor())
    assert Article.objects.get(pk=ru.pk).translation_id == en.pk
    assert Article.objects.get(pk=en.pk).translation_id == ru.pk
    services.article_link_translation(article=ru, translation=other_en, by=editor())
    assert Article.objects.get(pk=en.pk).translation_id is None
    assert Article.objects.get(pk=other_en.pk).translation_id == ru.pk
    with pytest.raises(ApplicationError):
        services.article_link_translation(
            article=ru, translation=make_article("Другой"), by=editor()
        )
    services.article_link_translation(article=ru, translation=None, by=editor())
    assert not Article.objects.filter(translation__isnull=False).exists()


def test_changing_the_language_breaks_the_translation_link() -> None:
    ru = make_article("Принтер", language="ru")
    en = make_article("Printer", language="en")
    services.article_link_translation(article=ru, translation=en, by=editor())
    services.article_save(article=en, by=editor(), title="Printer", language="ru")
    assert not Article.objects.filter(translation__isnull=False).exists()


def test_files_go_through_the_ticket_upload_checks() -> None:
    article = make_article("x")
    good = services.article_attachment_add(
        article=article,
        upload=SimpleUploadedFile("shot.png", PNG, content_type="image/png"),
        by=editor(),
        inline=True,
    )
    assert (good.name, good.is_image, good.inline, good.content_type) == (
        "shot.png",
        True,
        True,
        "image/png",
    )
    bad = [
        SimpleUploadedFile("evil.exe", b"MZ" + b"\0" * 100),  # not an accepted type
        SimpleUploadedFile("fake.png", b"<script>alert(1)</script>"),  # not PNG bytes
        SimpleUploadedFile("empty.txt", b""),
    ]
    for upload in bad:
        with pytest.raises(ApplicationError) as caught:
            services.article_attachment_add(article=article, upload=upload, by=editor())
        assert caught.value.code == ErrorCode.BAD_FILE
    with pytest.raises(ApplicationError):  # only images go into the text
        services.article_attachment_add(
            article=article,
            upload=SimpleUploadedFile("notes.txt", b"plain text"),
            by=editor(),
            inline=True,
        )
    assert list(ArticleAttachment.objects.values_list("name", flat=True)) == ["shot.png"]


def test_category_paths_follow_moves() -> None:
    root = make_category("Hardware")
    child = make_category("Printers", root)
    leaf = make_category("Laser", child)
    assert (root.path, child.path, leaf.path) == (
        f"{root.pk}/",
        f"{root.pk}/{child.pk}/",
        f"{root.pk}/{child.pk}/{leaf.pk}/",
    )
    other = make_category("Office")
    child.parent = other
    services.category_save(child)
    leaf.refresh_from_db()
    assert leaf.path == f"{other.pk}/{child.pk}/{leaf.pk}/"
    # A category cannot go inside its own subtree.
    child.refresh_from_db()
    child.parent = leaf
    with pytest.raises(ValidationError) as caught:
        services.category_save(child)
    assert list(caught.value.message_dict) == ["parent"]
    assert Category.objects.get(pk=child.pk).parent_id == other.pk


def test_a_category_with_articles_is_not_deleted() -> None:
    category = make_category("Busy")
    make_article("x", category=category)
    with pytest.raises(ApplicationError):
        services.category_delete(category=category)
    assert Category.objects.filter(pk=category.pk).exists()
    empty = make_category("Empty")
    services.category_delete(category=empty)
    assert not Category.objects.filter(pk=empty.pk).exists()


def test_feedback_and_deflections_are_recorded(world: World) -> None:
    article = make_article("x")
    services.feedback_add(
        article=article, user=world.users["cust_a"], helpful=False, comment="Не\u200bпомогло"
    )
    from django.contrib.auth.models import AnonymousUser

    services.feedback_add(article=article, user=AnonymousUser(), helpful=True)
    assert list(ArticleFeedback.objects.values_list("user_id", "helpful", "comment")) == [
        (None, True, ""),
        (world.users["cust_a"].pk, False, "Непомогло"),
    ]
    services.deflection_record(user=world.users["cust_a"], article=article, subject="Принтер")
    assert list(Deflection.objects.values_list("user_id", "article_id", "subject")) == [
        (world.users["cust_a"].pk, article.pk, "Принтер")
    ]


def test_attaching_an_article_to_a_ticket(world: World) -> None:
    ticket = TicketFactory(company=world.companies["A"])
    article = make_article("Как заменить картридж", visibility="customers")
    link = services.ticket_article_attach(
        ticket=ticket, article=article, by=world.users["engineer"]
    )
    again = services.ticket_article_attach(
        ticket=ticket, article=article, by=world.users["engineer"]
    )
    assert link.pk == again.pk
    events = list(
        TicketEvent.objects.filter(ticket=ticket).values_list("kind", "new_value", "is_public")
    )
    assert events == [("article_attached", "Как заменить картридж", True)]


@pytest.mark.parametrize(
    ("visibility", "status", "company"),
    [
        ("internal", "published", None),
        ("public", "draft", None),
        ("public", "archived", None),
        ("companies", "published", "B"),
    ],
)
def test_an_article_the_customer_cannot_read_is_not_attached(
    world: World, visibility: str, status: str, company: str | None
) -> None:
    ticket = TicketFactory(company=world.companies["A"])
    article = make_article(
        "x",
        visibility=visibility,
        status=status,
        companies=[world.companies[company]] if company else None,
    )
    with pytest.raises(ApplicationError):
        services.ticket_article_attach(ticket=ticket, article=article, by=world.users["engineer"])
    assert not TicketArticle.objects.exists()
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_a_customer_cannot_attach(world: World) -> None:
    ticket = TicketFactory(company=world.companies["A"])
    with pytest.raises(ApplicationError):
        services.ticket_article_attach(
            ticket=ticket, article=make_article("x"), by=world.users["cust_a"]
        )
    assert not TicketArticle.objects.exists()


def test_delete_unlinks_the_translation() -> None:
    ru = make_article("Принтер", language="ru")
    en = make_article("Printer", language="en")
    services.article_link_translation(article=ru, translation=en, by=editor())
    services.article_delete(article=en, by=editor())
    assert Article.objects.get(pk=ru.pk).translation_id is None
