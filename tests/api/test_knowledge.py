"""Knowledge base over the API: every kind of visibility for every kind of reader, in the list,
the search and the article; a draft, archived, internal or another company's article is 404
like a missing one; the list at a fixed number of queries."""

from __future__ import annotations

import pytest

from tests.api.conftest import error_of
from tests.knowledge.articles import make_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def kb(world):
    a, b = world.companies["A"], world.companies["B"]
    return {
        "public": make_article("zeta-public printer", body="Press **reset**."),
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


SEES = {
    "cust_a": {"public", "customers", "companies_a"},
    "cust_b": {"public", "customers", "companies_b"},
    "engineer": {"public", "customers", "companies_a", "companies_b", "internal"},
}


def kinds(kb, ids):
    by_id = {article.pk: kind for kind, article in kb.items()}
    return {by_id[pk] for pk in ids}


@pytest.mark.parametrize("role", sorted(SEES))
def test_list_search_and_detail_honour_visibility(world, kb, api_for, role):
    api = api_for(world.users[role])
    listed = api.get("/api/v1/kb/articles", {"limit": 100}).json()["items"]
    assert kinds(kb, [a["id"] for a in listed]) == SEES[role]
    found = api.get("/api/v1/kb/articles", {"q": "printer"}).json()["items"]
    assert kinds(kb, [a["id"] for a in found]) == SEES[role]
    for kind, article in kb.items():
        response = api.get(f"/api/v1/kb/articles/{article.pk}")
        if kind in SEES[role]:
            assert response.status_code == 200
        else:
            missing = api.get("/api/v1/kb/articles/999999")
            assert response.status_code == missing.status_code == 404, kind
            assert response.json() == missing.json()
            assert error_of(response)["code"] == "not_found"


def test_an_article_has_its_markdown_and_html(world, kb, api_for):
    body = api_for(world.users["cust_a"]).get(f"/api/v1/kb/articles/{kb['public'].pk}").json()
    assert body["body"] == "Press **reset**."
    assert "<strong>reset</strong>" in body["html"]


def test_the_list_pages_at_a_fixed_query_count(world, kb, api_for, django_assert_max_num_queries):
    api = api_for(world.users["engineer"])
    with django_assert_max_num_queries(7):
        first = api.get("/api/v1/kb/articles", {"limit": 2}).json()
    seen = [a["id"] for a in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = api.get("/api/v1/kb/articles", {"limit": 2, "cursor": cursor}).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 5
