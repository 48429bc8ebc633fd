"""The capped paginator: staff lists count at most a thousand rows more than
the page asked for, so the count costs the same however many rows match."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Theme
from core.pagination import CappedPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def themes(db):
    Theme.objects.bulk_create([Theme(name=f"Paged {i:03}", slug=f"paged-{i:03}")
                               for i in range(60)])
    return Theme.objects.filter(name__startswith="Paged ").order_by("name")


def test_under_the_cap_the_count_is_exact(themes):
    page = CappedPaginator(themes, 25, cap=100).get_page(1)
    assert (page.paginator.count, page.paginator.is_capped, page.paginator.num_pages) == (60, False, 3)
    assert page.paginator.shown_count == 60


def test_over_the_cap_it_says_more_than_and_counts_with_a_limit(themes):
    with CaptureQueriesContext(connection) as captured:
        page = CappedPaginator(themes, 10, cap=20).get_page(1)
        assert page.paginator.is_capped and page.paginator.shown_count == 20
    count_sql = [q["sql"] for q in captured if "COUNT(" in q["sql"].upper()]
    assert count_sql and "LIMIT 21" in count_sql[0]
    assert page.has_next() and [t.name for t in page][0] == "Paged 000"


def test_every_page_stays_reachable_beyond_the_cap(themes):
    paginator = CappedPaginator(themes, 10, cap=20)
    page = paginator.get_page(6)  # rows 51 to 60, past the cap of 20
    assert [t.name for t in page] == [f"Paged {i:03}" for i in range(50, 60)]
    assert not page.has_next()
    page = CappedPaginator(themes, 10, cap=20).get_page(3)
    assert page.has_next()  # page 4 exists although only 20 were "counted"
    assert CappedPaginator(themes, 10, cap=20).get_page("nonsense").number == 1
    assert CappedPaginator(themes, 10, cap=20).get_page(999).number == 6


# The links _pagination.html shows, as its template conditions chose them
# before page_links worked them out once (first, last, two either side, gaps).
def _links_as_the_template_chose(current: int, last: int) -> list[tuple[int, str]]:
    links = []
    for number in range(1, last + 1):
        if number == current:
            links.append((number, "current"))
        elif number == 1 or number == last or (number >= current - 2 and number <= current + 2):
            links.append((number, "link"))
        elif number == 2 or number == last - 1:
            links.append((number, "gap"))
    return links


@pytest.mark.parametrize("last", [1, 2, 3, 5, 7, 41])
def test_page_links_are_those_the_template_chose(last):
    from django.core.paginator import Paginator

    from core.templatetags.portal import page_links

    paginator = Paginator(range(last * 10), 10)
    for current in range(1, last + 1):
        assert page_links(paginator.page(current)) == _links_as_the_template_chose(current, last)


@pytest.mark.parametrize("text", ["", "short", "é" * 140, "e\u0301" * 100, "x" * 141, "y" * 500,
                                  "“quoted” words " * 20, "cafe\u0301 " * 30])
@pytest.mark.parametrize("length", [140, 1, 0])
def test_excerpt_is_truncatechars(text, length):
    from django.template.defaultfilters import truncatechars

    from core.templatetags.portal import excerpt

    assert excerpt(text, length) == truncatechars(text, length)


@pytest.mark.parametrize("name", ["staff:feedback:detail", "staff:actionplan:action_detail"])
@pytest.mark.parametrize("pk", [1, 42, 987654321, "7"])
def test_pk_url_is_the_address_url_gives(name, pk):
    from django.urls import reverse

    from core.templatetags.portal import pk_url

    assert pk_url(name, pk) == reverse(name, args=[pk])


def test_pk_url_refuses_an_address_without_one_pk():
    from core.templatetags.portal import pk_url

    with pytest.raises(Exception):  # noqa: B017,PT011 # NoReverseMatch or ValueError
        pk_url("staff:home", 1)
