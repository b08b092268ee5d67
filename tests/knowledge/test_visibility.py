"""Visibility of every kind never leaks: the list, the article page, search, related articles,
files, the sitemap, the public view and the ticket's «Статьи» tab, for every kind of reader
(docs/decisions/XXXX-knowledge-base.md). Company-restricted articles are the tenant line."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from servicedesk.knowledge import services
from servicedesk.knowledge.models import Article, TicketArticle
from servicedesk.knowledge.search import search_articles
from tests.conftest import PNG, World, login
from tests.factories import TicketFactory
from tests.knowledge.articles import editor, make_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

KINDS = ("public", "customers", "companies_a", "companies_b", "internal", "draft", "archived")


@pytest.fixture
def kb(world: World) -> dict[str, Article]:
    a, b = world.companies["A"], world.companies["B"]
    made = {
        "public": make_article("zeta-public printer"),
        "customers": make_article("zeta-customers printer", visibility="customers"),
        "companies_a": make_article(
            "zeta-companies-a printer", visibility="companies", companies=[a]
        ),
        "companies_b": make_article(
            "zeta-companies-b printer", visibility="companies", companies=[b]
        ),
        "internal": make_article("zeta-internal printer", visibility="internal"),
        "draft": make_article("zeta-draft printer", status="draft"),
        "archived": make_article("zeta-archived printer", status="archived"),
    }
    return made


# Which kinds each reader may read in the portal or the public view (published only there).
READS = {
    "anonymous": {"public"},
    "cust_none": {"public", "customers"},
    "cust_a": {"public", "customers", "companies_a"},
    "cust_eq": {"public", "customers", "companies_a"},  # a listed membership in A still is A's
    "cust_b": {"public", "customers", "companies_b"},
    "cust_ab": {"public", "customers", "companies_a", "companies_b"},
    "cust_inactive": {"public"},
}
STAFF_READS = set(KINDS)


@pytest.mark.parametrize("reader", sorted(READS))
def test_visible_to_matches_the_table(world: World, kb: dict[str, Article], reader: str) -> None:
    visible = set(Article.objects.visible_to(world.user(reader)).values_list("pk", flat=True))
    assert visible == {kb[k].pk for k in READS[reader]}


@pytest.mark.parametrize("reader", ["admin", "dispatcher", "engineer"])
def test_staff_see_every_article(world: World, kb: dict[str, Article], reader: str) -> None:
    visible = set(Article.objects.visible_to(world.user(reader)).values_list("pk", flat=True))
    assert visible == {a.pk for a in kb.values()}


def test_an_inactive_staff_member_sees_public_only(world: World, kb: dict[str, Article]) -> None:
    visible = set(
        Article.objects.visible_to(world.users["inactive_engineer"]).values_list("pk", flat=True)
    )
    assert visible == {kb["public"].pk}


def _portal(world: World, reader: str) -> Client:
    return login(Client(), world.users[reader])


@pytest.mark.parametrize("reader", ["cust_a", "cust_b", "cust_ab", "cust_none"])
def test_portal_list_and_pages_show_only_readable_articles(
    world: World, kb: dict[str, Article], reader: str
) -> None:
    client = _portal(world, reader)
    listing = client.get("/portal/kb/").content.decode()
    for kind, article in kb.items():
        readable = kind in READS[reader]
        assert (article.title in listing) is readable, kind
        response = client.get(f"/portal/kb/{article.pk}/")
        assert response.status_code == (200 if readable else 404), kind


@pytest.mark.parametrize("reader", ["cust_a", "cust_b", "cust_none"])
def test_portal_search_shows_only_readable_articles(
    world: World, kb: dict[str, Article], reader: str
) -> None:
    page = _portal(world, reader).get("/portal/kb/", {"q": "printer"}).content.decode()
    for kind, article in kb.items():
        assert (article.title in page) is (kind in READS[reader]), kind


@pytest.mark.parametrize("reader", sorted(READS))
def test_search_interface_never_returns_unreadable_articles(
    world: World, kb: dict[str, Article], reader: str
) -> None:
    hits = search_articles(world.user(reader), "printer", limit=50)
    assert {h.article_id for h in hits} <= {kb[k].pk for k in READS[reader]}


def test_related_articles_are_filtered_by_the_reader(world: World, kb: dict[str, Article]) -> None:
    host = kb["public"]
    host.related.set([a for k, a in kb.items() if k != "public"])
    page = _portal(world, "cust_b").get(f"/portal/kb/{host.pk}/").content.decode()
    related = page.split('data-testid="kb-related"', 1)[1] if "kb-related" in page else ""
    for kind, article in kb.items():
        if kind == "public":
            continue
        assert (article.title in related) is (kind in READS["cust_b"]), kind
    public = Client().get(f"/kb/{host.pk}/").content.decode()
    assert "kb-related" not in public  # only the host itself is public


@pytest.mark.parametrize("reader", ["anonymous", "cust_a", "cust_b", "engineer"])
def test_files_follow_their_article(world: World, kb: dict[str, Article], reader: str) -> None:
    files = {
        kind: services.article_attachment_add(
            article=article,
            upload=SimpleUploadedFile(f"{kind}.png", PNG, content_type="image/png"),
            by=editor(),
        )
        for kind, article in kb.items()
    }
    client = Client() if reader == "anonymous" else login(Client(), world.users[reader])
    allowed = STAFF_READS if reader == "engineer" else READS[reader]
    for kind, attachment in files.items():
        response = client.get(f"/kb/files/{attachment.pk}/")
        assert response.status_code == (200 if kind in allowed else 404), kind


def test_sitemap_lists_public_published_articles_only(kb: dict[str, Article]) -> None:
    xml = Client().get("/sitemap.xml").content.decode()
    assert f"/kb/{kb['public'].pk}/" in xml
    for kind, article in kb.items():
        if kind != "public":
            assert f"/kb/{article.pk}/" not in xml, kind


@pytest.mark.parametrize("reader", ["anonymous", "cust_ab", "admin"])
def test_public_view_shows_public_articles_whoever_asks(
    world: World, kb: dict[str, Article], reader: str
) -> None:
    """The public pages are the anonymous view even for a signed-in reader (one cacheable,
    indexable page); the portal is where a customer reads the rest."""
    client = Client() if reader == "anonymous" else login(Client(), world.users[reader])
    listing = client.get("/kb/").content.decode()
    searched = client.get("/kb/", {"q": "printer"}).content.decode()
    for kind, article in kb.items():
        public = kind == "public"
        assert (article.title in listing) is public, kind
        assert (article.title in searched) is public, kind
        assert client.get(f"/kb/{article.pk}/").status_code == (200 if public else 404), kind


def test_public_feedback_only_on_public_articles(kb: dict[str, Article]) -> None:
    client = Client()
    for kind, article in kb.items():
        response = client.post(f"/kb/{article.pk}/feedback/", {"helpful": "yes"})
        assert response.status_code == (200 if kind == "public" else 404), kind
    assert list(Article.objects.filter(feedback__isnull=False)) == [kb["public"]]


def test_ticket_articles_tab_shows_only_what_the_customer_may_read(
    world: World, kb: dict[str, Article]
) -> None:
    ticket = TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])
    # Links made directly: the service refuses unreadable ones (tested elsewhere); the tab
    # must hold even if a link exists (an article narrowed after it was attached).
    for article in kb.values():
        TicketArticle.objects.create(ticket=ticket, article=article, attached_by=editor())
    page = _portal(world, "cust_a").get(f"/portal/tickets/{ticket.number}/").content.decode()
    tab = page.split('data-testid="tab-articles"', 1)[1].split("</section>", 1)[0]
    for kind, article in kb.items():
        assert (article.title in tab) is (kind in READS["cust_a"]), kind
    # Another company's customer cannot open the tab at all.
    response = _portal(world, "cust_b").get(f"/portal/tickets/{ticket.number}/articles/")
    assert response.status_code == 404


def test_portal_feedback_refused_on_unreadable_article(
    world: World, kb: dict[str, Article]
) -> None:
    client = _portal(world, "cust_b")
    response = client.post(f"/portal/kb/{kb['companies_a'].pk}/feedback/", {"helpful": "no"})
    assert response.status_code == 404
    assert not kb["companies_a"].feedback.exists()


def test_the_public_page_is_indexable_and_names_its_translation(kb: dict[str, Article]) -> None:
    en = make_article("zeta-public printer EN", language="en", summary="Paper & cover")
    services.article_link_translation(article=kb["public"], translation=en, by=editor())
    html = Client().get(f"/kb/{en.pk}/").content.decode()
    assert '<meta name="description" content="Paper &amp; cover">' in html
    assert f'<link rel="canonical" href="http://testserver/kb/{en.pk}/">' in html
    assert f'hreflang="ru" href="http://testserver/kb/{kb["public"].pk}/"' in html
    assert "noindex" not in html
    # A translation the visitor may not read is not named.
    services.article_link_translation(article=kb["customers"], translation=en, by=editor())
    html = Client().get(f"/kb/{en.pk}/").content.decode()
    assert "hreflang" not in html
