"""The knowledge base's pages: the back office (who may do what, the editor, versions, files,
categories, the report), the portal and the public pages (feedback, search input of any
shape, bounded queries)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from servicedesk.knowledge import services
from servicedesk.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleVersion,
    ArticleViewDay,
    Category,
    Deflection,
    SearchQuery,
)
from tests.conftest import PNG, World, login
from tests.knowledge.articles import editor, make_article, make_category

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def _as(world: World, key: str) -> Client:
    return login(Client(), world.users[key])


# --- Who may do what -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "reads", "edits", "report"),
    [
        ("admin", True, True, True),
        ("dispatcher", True, True, True),
        ("engineer", True, False, False),
        ("cust_a", False, False, False),
    ],
)
def test_back_office_roles(world: World, who: str, reads: bool, edits: bool, report: bool) -> None:
    article = make_article("Internal note", visibility="internal")
    client = _as(world, who)
    expect = {True: 200, False: 404}
    assert client.get(reverse("backoffice:kb")).status_code == expect[reads]
    assert (
        client.get(reverse("backoffice:kb_detail", args=[article.pk])).status_code == expect[reads]
    )
    assert client.get(reverse("backoffice:kb_edit", args=[article.pk])).status_code == expect[edits]
    assert client.get(reverse("backoffice:kb_report")).status_code == expect[report]
    response = client.post(reverse("backoffice:kb_status", args=[article.pk, "archive"]))
    assert response.status_code == (302 if edits else 404)
    assert Article.objects.get(pk=article.pk).status == ("archived" if edits else "published")


def test_an_engineer_reads_internal_articles_but_sees_no_edit_button(world: World) -> None:
    article = make_article("Internal note", visibility="internal", body="**secret** steps")
    page = _as(world, "engineer").get(reverse("backoffice:kb_detail", args=[article.pk]))
    html = page.content.decode()
    assert "<strong>secret</strong>" in html
    assert 'data-testid="kb-edit"' not in html


# --- The editor ----------------------------------------------------------------------------------


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Принтер не печатает",
        "summary": "Проверьте кабель",
        "body": "# Шаги\n\n1. Кабель",
        "language": "ru",
        "visibility": "customers",
        "note": "",
    }
    data.update(overrides)
    return data


def test_writing_an_article_from_new_to_published(world: World) -> None:
    client = _as(world, "dispatcher")
    response = client.post(reverse("backoffice:kb_new"), _form())
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:kb_edit", args=[article.pk])
    assert (article.status, article.version, article.author) == (
        "draft",
        1,
        world.users["dispatcher"],
    )
    client.post(
        reverse("backoffice:kb_edit", args=[article.pk]),
        _form(body="# Шаги\n\n1. Кабель\n2. Бумага", note="бумага", version=1),
    )
    article.refresh_from_db()
    assert article.version == 2
    assert ArticleVersion.objects.get(article=article, number=2).note == "бумага"
    client.post(reverse("backoffice:kb_status", args=[article.pk, "publish"]))
    article.refresh_from_db()
    assert article.status == "published"
    assert (
        _as(world, "cust_b").get(reverse("portal:kb_article", args=[article.pk])).status_code == 200
    )


def test_a_bad_form_keeps_what_was_typed(world: World) -> None:
    client = _as(world, "dispatcher")
    response = client.post(
        reverse("backoffice:kb_new"), _form(title="", body="Длинный текст, который жалко")
    )
    assert response.status_code == 200
    assert "Длинный текст, который жалко" in response.content.decode()
    assert not Article.objects.exists()
    response = client.post(reverse("backoffice:kb_new"), _form(visibility="companies"))
    assert response.status_code == 200
    assert not Article.objects.exists()


def test_a_stale_editor_gets_a_message_and_loses_nothing(world: World) -> None:
    article = make_article("Title", body="one", status="draft")
    services.article_save(article=article, by=editor(), title="Title", body="two")
    response = _as(world, "dispatcher").post(
        reverse("backoffice:kb_edit", args=[article.pk]),
        _form(title="Title", body="my long edit", version=1),
    )
    assert response.status_code == 200
    assert "my long edit" in response.content.decode()
    assert Article.objects.get(pk=article.pk).body == "two"


def test_the_translation_is_linked_from_the_editor(world: World) -> None:
    ru = make_article("Принтер", language="ru", status="draft")
    en = make_article("Printer", language="en")
    _as(world, "dispatcher").post(
        reverse("backoffice:kb_edit", args=[ru.pk]),
        _form(title="Принтер", translation=en.pk, version=1),
    )
    assert Article.objects.get(pk=en.pk).translation_id == ru.pk
    page = _as(world, "cust_a").get(reverse("portal:kb_article", args=[en.pk])).content.decode()
    assert "kb-translation" not in page  # the Russian one is still a draft
    services.article_publish(article=ru, by=editor())
    page = _as(world, "cust_a").get(reverse("portal:kb_article", args=[en.pk])).content.decode()
    assert reverse("portal:kb_article", args=[ru.pk]) in page


def test_the_editor_picks_related_articles_by_title_not_from_a_list_of_all(
    world: World, django_assert_max_num_queries: Any
) -> None:
    # Given an article with one related article, among 30 others
    article = make_article("Принтер не печатает", status="draft")
    linked = make_article("Замена картриджа")
    for n in range(30):
        make_article(f"Статья {n}")
    article.related.set([linked])
    client = _as(world, "dispatcher")
    # When the editor opens it: the chosen one is a chip, no option lists the other articles
    with django_assert_max_num_queries(25):
        page = client.get(reverse("backoffice:kb_edit", args=[article.pk])).content.decode()
    assert 'data-testid="kb-picker-chip"' in page and "Замена картриджа" in page
    assert f'name="related" value="{linked.pk}"' in page
    assert "Статья 7" not in page and "Статья 29" not in page
    # And a search finds articles by title, never the edited one, archived ones, or
    # (for the translation) one in the same language
    english = make_article("Printer does not print", language="en")
    archived = make_article("Принтер старый", status="archived")

    def pick(**params: str) -> str:
        url = reverse("backoffice:kb_pick")
        return client.get(url, params, HTTP_HX_REQUEST="true").content.decode()

    other = make_article("Принтер в бухгалтерии")
    related = pick(q="принт", kind="related", exclude=str(article.pk))
    assert f'data-kb-pick="{other.pk}"' in related  # any case, Cyrillic too
    assert f'data-kb-pick="{article.pk}"' not in related
    assert f'data-kb-pick="{archived.pk}"' not in related
    translation = pick(q="Print", kind="translation", exclude=str(article.pk), language="en")
    assert 'data-testid="kb-pick-none"' in translation
    translation = pick(q="Print", kind="translation", exclude=str(article.pk), language="ru")
    assert f'data-kb-pick="{english.pk}"' in translation
    assert pick(q="").strip() == "" and "'" not in pick(q="' OR 1=1 --")
    # Saving keeps the picked articles (the chips' hidden inputs)
    client.post(
        reverse("backoffice:kb_edit", args=[article.pk]),
        _form(title="Принтер не печатает", related=[linked.pk, english.pk], version=1),
    )
    assert set(article.related.all()) == {linked, english}


def test_only_editors_search_the_picker(world: World) -> None:
    make_article("Внутренняя статья", visibility="internal")
    url = reverse("backoffice:kb_pick")
    for who in ("cust_a", "engineer"):
        response = _as(world, who).get(url, {"q": "Внутр"})
        assert response.status_code in (302, 403, 404)
        assert "Внутренняя статья" not in response.content.decode()


def test_preview_renders_the_markdown(world: World) -> None:
    response = _as(world, "dispatcher").post(
        reverse("backoffice:kb_preview"), {"body": "**жирный**"}, HTTP_HX_REQUEST="true"
    )
    assert "<strong>жирный</strong>" in response.content.decode()
    assert _as(world, "engineer").post(reverse("backoffice:kb_preview")).status_code == 404


def test_a_dropped_image_is_stored_and_its_markdown_returned(world: World) -> None:
    article = make_article("x", status="draft")
    client = _as(world, "dispatcher")
    response = client.post(
        reverse("backoffice:kb_upload", args=[article.pk]),
        {"file": SimpleUploadedFile("Снимок [1].png", PNG, content_type="image/png")},
    )
    attachment = ArticleAttachment.objects.get()
    url = f"/kb/files/{attachment.pk}/?inline=1"
    assert response.json() == {"url": url, "markdown": f"![Снимок 1]({url})"}
    assert attachment.inline and attachment.is_image
    image = client.get(url)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    refused = client.post(
        reverse("backoffice:kb_upload", args=[article.pk]),
        {"file": SimpleUploadedFile("x.png", b"not an image", content_type="image/png")},
    )
    assert refused.status_code == 400 and refused.json()["error"]
    assert ArticleAttachment.objects.count() == 1


def test_files_are_added_and_deleted(world: World) -> None:
    article = make_article("x")
    client = _as(world, "dispatcher")
    client.post(
        reverse("backoffice:kb_file_add", args=[article.pk]),
        {"files": [SimpleUploadedFile("manual.pdf", b"%PDF-1.4\n" + b"0" * 100)]},
    )
    attachment = ArticleAttachment.objects.get()
    assert (attachment.name, attachment.inline) == ("manual.pdf", False)
    page = Client().get(reverse("kb:article", args=[article.pk])).content.decode()
    assert "manual.pdf" in page
    client.post(reverse("backoffice:kb_file_delete", args=[article.pk, attachment.pk]))
    assert not ArticleAttachment.objects.exists()


def test_versions_show_a_diff_and_restore(world: World) -> None:
    article = make_article("Title", body="line one\nline two")
    services.article_save(
        article=article, by=editor(), title="Title", body="line one\nline 2", note="fix"
    )
    client = _as(world, "dispatcher")
    listing = client.get(reverse("backoffice:kb_versions", args=[article.pk])).content.decode()
    assert listing.count('data-testid="kb-version-row"') == 2
    diff = client.get(reverse("backoffice:kb_version", args=[article.pk, 2])).content.decode()
    assert '<span class="kb-diff-del">-line two</span>' in diff
    assert '<span class="kb-diff-add">+line 2</span>' in diff
    client.post(reverse("backoffice:kb_version_restore", args=[article.pk, 1]))
    article.refresh_from_db()
    assert (article.version, article.body) == (3, "line one\nline two")
    assert (
        _as(world, "engineer")
        .post(reverse("backoffice:kb_version_restore", args=[article.pk, 2]))
        .status_code
        == 404
    )
    assert Article.objects.get(pk=article.pk).version == 3


def test_categories_are_managed(world: World) -> None:
    client = _as(world, "dispatcher")
    client.post(reverse("backoffice:kb_category_new"), {"name": "Оборудование", "position": 1})
    root = Category.objects.get()
    client.post(
        reverse("backoffice:kb_category_new"),
        {"name": "Принтеры", "parent": root.pk, "position": 1},
    )
    child = Category.objects.get(name="Принтеры")
    assert child.path == f"{root.pk}/{child.pk}/"
    page = client.get(reverse("backoffice:kb_categories")).content.decode()
    assert "Оборудование" in page and "Принтеры" in page
    # Not inside itself.
    response = client.post(
        reverse("backoffice:kb_category_edit", args=[root.pk]),
        {"name": "Оборудование", "parent": child.pk, "position": 1},
    )
    assert response.status_code == 200
    root.refresh_from_db()
    assert root.parent_id is None


# --- The report ----------------------------------------------------------------------------------


def test_the_report_counts_and_exports(world: World) -> None:
    read = make_article('=HYPERLINK("x")')  # a formula-looking title is exported as text
    never = make_article("Никто не читал")
    for _ in range(3):  # read three times today, through the pages' service
        services.article_viewed(article=read)
    long_ago = timezone.localdate() - dt.timedelta(days=40)
    ArticleViewDay.objects.create(article=read, day=long_ago, views=4)
    Article.objects.filter(pk=read.pk).update(views=7)
    services.feedback_add(article=read, user=world.users["cust_a"], helpful=True)
    services.feedback_add(article=read, user=world.users["cust_b"], helpful=False)
    services.deflection_record(user=world.users["cust_a"], article=read, subject="s")
    SearchQuery.objects.create(text="факс", results=0, source="portal")
    SearchQuery.objects.create(text="факс", results=0, source="suggest")
    SearchQuery.objects.create(text="принтер", results=3, source="portal")
    client = _as(world, "dispatcher")
    page = client.get(reverse("backoffice:kb_report")).content.decode()
    assert 'data-testid="kb-deflections">1<' in page
    assert 'data-testid="kb-views">3<' in page  # the last 30 days' views, not the 7 of all time
    longer = client.get(reverse("backoffice:kb_report"), {"days": 90}).content.decode()
    assert 'data-testid="kb-views">7<' in longer
    missed = page.split('data-testid="kb-report-missed"', 1)[1].split("</table>", 1)[0]
    assert "факс" in missed and "принтер" not in missed
    never_list = page.split('data-testid="kb-report-never"', 1)[1].split("</ul>", 1)[0]
    assert never.title in never_list and "HYPERLINK" not in never_list
    response = client.get(reverse("backoffice:kb_report"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    title, _status, *figures = rows[1]
    assert (title, figures) == ('\'=HYPERLINK("x")', ["3", "7", "1", "1", "1"])
    assert ["факс", "2"] in rows


# --- Portal and public pages ---------------------------------------------------------------------


def test_feedback_from_the_portal_with_a_comment(world: World) -> None:
    article = make_article("x", visibility="customers")
    response = _as(world, "cust_a").post(
        reverse("portal:kb_feedback", args=[article.pk]),
        {"helpful": "no", "comment": "Не хватает схемы"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="kb-feedback-thanks"' in response.content.decode()
    assert list(ArticleFeedback.objects.values_list("helpful", "comment", "user_id")) == [
        (False, "Не хватает схемы", world.users["cust_a"].pk)
    ]
    bad = _as(world, "cust_a").post(reverse("portal:kb_feedback", args=[article.pk]), {})
    assert bad.status_code == 400
    assert ArticleFeedback.objects.count() == 1


def test_public_feedback_is_rate_limited_per_address(world: World, settings: Any) -> None:
    # Given a public article and a limit of two answers an hour from one address
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "kb_feedback": "2/h/ip"}
    article = make_article("x", visibility="public")
    url = reverse("kb:feedback", args=[article.pk])
    visitor = Client()
    answers = [
        visitor.post(url, {"helpful": "yes", "comment": f"№{n}"}, HTTP_HX_REQUEST="true")
        for n in range(3)
    ]
    # Then the first two are recorded, the third is refused with the reason and what was typed
    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[2].content.decode()
    assert 'data-testid="kb-feedback-limited"' in refused and "№2" in refused
    assert sorted(ArticleFeedback.objects.values_list("comment", flat=True)) == ["№0", "№1"]


def test_views_are_counted_for_readers_not_for_staff(world: World) -> None:
    article = make_article("x")
    Client().get(reverse("kb:article", args=[article.pk]))
    _as(world, "cust_a").get(reverse("portal:kb_article", args=[article.pk]))
    _as(world, "dispatcher").get(reverse("backoffice:kb_detail", args=[article.pk]))
    assert Article.objects.get(pk=article.pk).views == 2
    # ... and by day, for the report's periods
    assert list(ArticleViewDay.objects.values_list("article", "day", "views")) == [
        (article.pk, timezone.localdate(), 2)
    ]


@pytest.mark.parametrize(
    "query",
    [
        '"принтер',
        "принтер' OR 1=1 --",
        "'; DROP TABLE knowledge_article; --",
        "NEAR(a b) AND NOT * ^ :",
        "%_\\",
        "a" * 5000,
        "\x00\u200b",
        "<script>alert(1)</script>",
        "   ",
    ],
)
def test_search_input_of_any_shape_answers(world: World, query: str) -> None:
    make_article("Принтер не печатает", visibility="public")
    for client, url in (
        (Client(), reverse("kb:index")),
        (_as(world, "cust_a"), reverse("portal:kb")),
    ):
        response = client.get(url, {"q": query})
        assert response.status_code == 200, url
        assert "<script>alert(1)</script>" not in response.content.decode()
    assert Article.objects.count() == 1


def test_bad_filters_are_dropped(world: World) -> None:
    make_article("Принтер")
    response = Client().get(
        reverse("kb:index"), {"category": "abc", "product": "999999", "language": "xx", "page": "z"}
    )
    assert response.status_code == 200
    assert "Принтер" in response.content.decode()


def test_browsing_by_category_includes_subcategories() -> None:
    root = make_category("Оборудование")
    child = make_category("Принтеры", root)
    make_article("В корне", category=root)
    make_article("В подкатегории", category=child)
    make_article("Без категории")
    page = Client().get(reverse("kb:index"), {"category": root.pk}).content.decode()
    assert "В корне" in page and "В подкатегории" in page and "Без категории" not in page
    page = Client().get(reverse("kb:index"), {"category": child.pk}).content.decode()
    assert "В корне" not in page and "В подкатегории" in page


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm: sessions, caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("who", "url_name"),
    [
        ("anonymous", "kb:index"),
        ("cust_a", "portal:kb"),
        ("dispatcher", "backoffice:kb"),
        ("dispatcher", "backoffice:kb_report"),
    ],
)
def test_list_pages_run_a_bounded_number_of_queries(world: World, who: str, url_name: str) -> None:
    client = Client() if who == "anonymous" else _as(world, who)
    url = reverse(url_name)
    category = make_category("Оборудование")
    make_article("first", category=category)
    few = _queries(client, url)
    for i in range(30):
        make_article(f"article {i}", category=make_category(f"c{i}", category))
    for article in Article.objects.all()[:10]:
        services.feedback_add(article=article, user=world.users["cust_a"], helpful=True)
        services.deflection_record(user=world.users["cust_a"], article=article)
    assert _queries(client, url) == few
    assert Deflection.objects.count() == 10


def test_the_article_page_runs_a_bounded_number_of_queries(world: World) -> None:
    client = _as(world, "cust_a")
    article = make_article("host")
    url = reverse("portal:kb_article", args=[article.pk])
    few = _queries(client, url)
    article.related.set([make_article(f"r{i}") for i in range(10)])
    for i in range(5):
        services.article_attachment_add(
            article=article,
            upload=SimpleUploadedFile(f"{i}.png", PNG, content_type="image/png"),
            by=editor(),
        )
    assert _queries(client, url) == few
