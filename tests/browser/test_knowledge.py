"""The knowledge base in a real browser (Russian, as the provider works): a dispatcher writes an
article — the preview follows the typing, an image dropped onto the text is uploaded and shown —
publishes it; a customer finds it in the portal's «База знаний», reads it with the image and the
video player, and says it helped; an anonymous visitor reads the public page. No Content-Security-
Policy violation on the way (page_for checks). Screenshots go to /tmp/shots-kb/ when
KB_SHOTS is set."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from servicedesk.knowledge.models import Article, ArticleAttachment, ArticleFeedback
from tests.browser.test_ticket_create import sign_in
from tests.factories import CompanyFactory, MembershipFactory, UserFactory
from tests.knowledge.articles import make_category

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# A 1×1 PNG, dropped onto the editor's text.
DROP_IMAGE = """([selector, name]) => {
  const bytes = Uint8Array.from(atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
  ), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "image/png" }));
  const target = document.querySelector(selector);
  for (const type of ["dragenter", "dragover", "drop"]) {
    const init = { bubbles: true, cancelable: true, dataTransfer: transfer };
    target.dispatchEvent(new DragEvent(type, init));
  }
}"""


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("KB_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_an_article_is_written_published_found_and_read(live_server, page_for):
    base = live_server.url
    # Given a dispatcher, a customer and a category
    dispatcher = UserFactory(dispatcher=True, full_name="Диспетчерова Дарья")
    customer = MembershipFactory(company=CompanyFactory(name="Альфа")).user
    category = make_category("Кассы")

    # When the dispatcher writes a new article
    page = page_for("ru-RU", width=1400, height=900)
    sign_in(page, base, dispatcher.email)
    page.goto(f"{base}/backoffice/kb/new/")
    form = page.get_by_test_id("kb-form")
    form.locator("input[name=title]").fill("Касса не печатает чек")
    form.locator("textarea[name=summary]").fill("Бумага, крышка, термоголовка.")
    form.locator("select[name=category]").select_option(str(category.pk))
    form.locator("select[name=visibility]").select_option("customers")
    body = page.get_by_test_id("kb-body-input")
    body.fill("## Что проверить\n\n1. **Чековая лента** на месте\n")
    # Then the preview follows the typing
    expect(page.get_by_test_id("kb-preview").locator("h2")).to_have_text("Что проверить")
    expect(page.get_by_test_id("kb-preview").locator("strong")).to_have_text("Чековая лента")
    page.get_by_test_id("kb-save").click()
    article = Article.objects.get()
    expect(page).to_have_url(f"{base}/backoffice/kb/{article.pk}/edit/")

    # When they drop an image onto the text and add a video link
    body.click()
    body.press("Control+End")  # the image goes where the cursor is
    page.evaluate(DROP_IMAGE, ["[data-testid=kb-body-input]", "лента.png"])
    expect(body).to_have_value(re.compile(r"на месте\n!\[лента\]\(/kb/files/\d+/\?inline=1\)\n$"))
    image_file = ArticleAttachment.objects.get()
    assert (image_file.article_id, image_file.inline) == (article.pk, True)
    body.type("\nhttps://vimeo.com/76979871\n")
    expect(page.get_by_test_id("kb-preview").locator("img")).to_have_count(1)
    expect(page.get_by_test_id("kb-preview").locator("iframe")).to_have_attribute(
        "src", "https://player.vimeo.com/video/76979871"
    )
    shot(page, "editor")
    page.get_by_test_id("kb-save").click()
    page.goto(f"{base}/backoffice/kb/{article.pk}/")
    page.get_by_test_id("kb-publish").click()
    expect(page.get_by_test_id("kb-status")).to_have_text("Опубликована")
    article.refresh_from_db()
    assert (article.status, article.version) == ("published", 2)

    # Then a customer finds it in the portal and reads it, the image and the player included
    reader = page_for("ru-RU", width=1280, height=900)
    sign_in(reader, base, customer.email)
    reader.goto(f"{base}/portal/kb/")
    expect(reader.get_by_test_id("main-menu")).to_contain_text("База знаний")
    reader.get_by_test_id("kb-q").fill("касса")
    reader.get_by_test_id("kb-search").click()
    expect(reader.get_by_test_id("kb-hit")).to_have_count(1)
    shot(reader, "portal-search")
    reader.get_by_test_id("kb-hit").get_by_role("link").click()
    expect(reader.get_by_test_id("kb-article-title")).to_have_text("Касса не печатает чек")
    image = reader.get_by_test_id("kb-body").locator("img")
    expect(image).to_have_count(1)
    # The page shows before its image has loaded: wait for the image, then check it decoded.
    reader.wait_for_function("img => img.complete", arg=image.element_handle())
    assert reader.evaluate("img => img.naturalWidth", image.element_handle()) == 1
    expect(reader.get_by_test_id("kb-body").locator("iframe")).to_have_count(1)
    reader.get_by_test_id("kb-feedback-comment").fill("Помогло, спасибо")
    reader.get_by_test_id("kb-helpful-yes").click()
    expect(reader.get_by_test_id("kb-feedback-thanks")).to_be_visible()
    shot(reader, "portal-article")
    assert list(ArticleFeedback.objects.values_list("helpful", "comment")) == [
        (True, "Помогло, спасибо")
    ]

    # And an anonymous visitor does not see it (customers only) until it is made public
    visitor = page_for("ru-RU")
    response = visitor.goto(f"{base}/kb/{article.pk}/")
    assert response is not None and response.status == 404
    Article.objects.filter(pk=article.pk).update(visibility="public")
    visitor.goto(f"{base}/kb/")
    expect(visitor.get_by_test_id("kb-item")).to_have_count(1)
    visitor.get_by_test_id("kb-item").get_by_role("link").click()
    expect(visitor.get_by_test_id("kb-article-title")).to_have_text("Касса не печатает чек")
    shot(visitor, "public-article")
    for p in (page, reader):
        assert p.console_errors == [], p.console_errors
    assert visitor.failed_responses == [f"404 {base}/kb/{article.pk}/"]
