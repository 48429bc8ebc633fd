"""The mechanism itself (directory.plainwords), on hand-written HTML, and
what it costs a page: no query beyond one cached read of the glossary."""

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from core import changes
from directory.models import GlossaryTerm
from directory.plainwords import BODY, CACHE_KEY, glossary, write_out
from tests.directory.plainwords_check import problems

pytestmark = pytest.mark.django_db

TERMS = {"SEND": "special educational needs and disabilities",
         "SENDIASS": "special educational needs and disabilities information, advice and "
                     "support service",
         "EHCP": "education, health and care plan"}


@pytest.fixture
def terms():
    for abbreviation, term in TERMS.items():
        GlossaryTerm.objects.create(abbreviation=abbreviation, term=term, meaning="…")
    caches["derived"].delete(CACHE_KEY)


def page(main: str) -> str:
    return f"<html><head><title>SEND</title></head><body><header>SEND</header><main>{main}</main></body></html>"


def test_the_first_use_is_written_out_with_a_link_and_later_uses_stay_short(terms):
    html = write_out(page("<p>Ask SENDIASS about SEND.</p><p>SEND again; two EHCPs.</p>"))
    assert html.count("special educational needs and disabilities (<a") == 1
    assert ('special educational needs and disabilities information, advice and support '
            'service (<a class="govuk-link" href="/jargon-buster/#term-sendiass">SENDIASS</a>)'
            in html)
    assert "<p>SEND again; two education, health and care plans (<a" in html
    assert html.startswith("<html><head><title>SEND</title></head><body><header>SEND</header>")
    assert problems(html, TERMS) == []


def test_headings_stay_short_and_one_used_only_in_a_heading_is_said_in_full_after_it(terms):
    html = write_out(page("<h1>Tell us about SEND services</h1><p>It takes two minutes.</p>"
                          "<h2>Your EHCP</h2><p>Your EHCP is reviewed.</p>"))
    assert "<h1>Tell us about SEND services</h1><p class=\"govuk-body-s app-plain-words\">" \
           "In full: special educational needs and disabilities (<a" in html
    assert "<h2>Your EHCP</h2><p>Your education, health and care plan (<a" in html
    assert problems(html, TERMS) == []
    # A heading inside a legend (GOV.UK's question pages): said after the legend.
    html = write_out(page('<fieldset><legend><h1>Your SEND</h1></legend><input></fieldset>'))
    assert "</h1></legend><p class" in html


def test_typed_text_links_and_words_already_in_full_are_respected(terms):
    html = write_out(page('<a href="/x">Contact SENDIASS</a><textarea>my EHCP</textarea>'
                          '<p>special educational needs and disabilities (SEND) and SEND</p>'))
    assert ('<a href="/x">Contact special educational needs and disabilities information, '
            'advice and support service (SENDIASS)</a>') in html  # no link inside a link
    assert "<textarea>my EHCP</textarea>" in html
    assert "(SEND) and SEND</p>" in html and "disabilities (special" not in html
    assert "send" not in write_out(page("<p>We send letters.</p>")).split("<main>")[1].lower() \
        .replace("we send letters", "")


def test_a_pdf_is_written_out_over_its_body(terms):
    html = "<html><body><h1>Report</h1><p>SEND</p></body></html>"
    assert "special educational needs and disabilities (<a class=\"govuk-link\" " \
           "href=\"https://x.example/jargon-buster/#term-send\">SEND</a>)" in write_out(
               html, region=BODY, glossary_url="https://x.example/jargon-buster/")


def test_public_pages_only_and_at_most_one_cached_read(terms, django_assert_num_queries,
                                                       settings):
    client = Client()
    client.get(reverse("directory:glossary"))  # the glossary is now cached
    assert caches["derived"].get(CACHE_KEY) is not None
    # The glossary page is one query (its entries); writing out adds none.
    with django_assert_num_queries(1):
        html = client.get(reverse("directory:glossary")).content.decode()
    assert problems(html, TERMS) == []
    # The same page again (as the public page cache serves it): the same words.
    from datetime import date

    from directory import services
    from directory.forms import GlossaryTermForm
    from tests.core.factories import OrganisationFactory

    services.profile_save(acting_user=None, organisation=OrganisationFactory(), name="Ann",
                          role="Teacher", part="education", about="Ann is the SENCO.",
                          work_email="", work_phone="", photo_alt="",
                          consent_given_on=date(2026, 1, 5), consent_how="Form")
    for _ in range(2):
        assert "Ann is the SENCO." in client.get(reverse("directory:who-we-are")).content.decode()
    # After an edit the next page reads the new glossary, though the page is the same.

    form = GlossaryTermForm({"abbreviation": "SENCO",
                             "term": "special educational needs co-ordinator", "meaning": "…"})
    assert form.is_valid()
    services.glossary_save(acting_user=None, form=form)
    changes.move_on(("directory",))  # what its commit does outside this test's transaction
    assert "SENCO" in glossary().entries
    assert "Ann is the special educational needs co-ordinator (<a" in client.get(
        reverse("directory:who-we-are")).content.decode()


def test_staff_pages_are_left_as_they_are(terms):
    from core.models import Role
    from tests.core.factories import staff_user

    client = Client()
    client.force_login(staff_user(Role.OFFICER))
    html = client.get(reverse("staff:directory:glossary")).content.decode()
    assert "special educational needs and disabilities (<a" not in html


def test_a_kept_page_served_gzipped_is_written_out_too(terms, settings):
    """Browsers ask for gzip, and the public page cache keeps a compressed copy
    (core.pagecache): the words are written out on it as on the plain page."""
    import gzip

    GlossaryTerm.objects.create(abbreviation="NHS", term="National Health Service",
                                meaning="…")
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    client = Client()
    path = "/"  # the home page, kept, says "NHS" in its body
    plain = client.get(path).content.decode()
    assert "National Health Service (<a" in plain
    for _ in range(2):  # made, then served from the cache
        response = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
        assert response["Content-Encoding"] == "gzip"
        html = gzip.decompress(response.content).decode()
        assert "National Health Service (<a" in html
        assert problems(html, {**TERMS, "NHS": "National Health Service"}) == []
    assert response.get("X-Page-Cache") == "hit"


def test_a_kept_page_with_a_form_is_written_out_once_not_for_each_visitor(
        terms, settings, django_assert_num_queries):
    """The feedback form carries each visitor's CSRF token, so no two answers
    are the same bytes: it is written out as it is made, before the page
    cache keeps it, and served to the next visitor without the glossary
    being read again. A change to the glossary makes it anew."""
    import re

    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    path = reverse("feedback:give")
    first = Client().get(path)
    assert first.get("X-Page-Cache") is None  # made
    assert "special educational needs and disabilities (<a" in first.content.decode()

    tokens = set()
    for _ in range(2):
        with django_assert_num_queries(0):  # (this conftest wrapper reads the glossary first)
            caches["derived"].delete(CACHE_KEY)  # a read of the glossary would put it back
            response = Client().get(path)
        assert caches["derived"].get(CACHE_KEY) is None
        assert response.get("X-Page-Cache") == "hit"
        html = response.content.decode()
        assert "special educational needs and disabilities (<a" in html
        assert problems(html, TERMS) == []
        tokens.add(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1))
    assert len(tokens) == 2  # each visitor their own token, in the same written-out page

    GlossaryTerm.objects.filter(abbreviation="SEND").update(
        term="special educational needs and/or disabilities")
    changes.move_on(("directory",))  # what its commit does outside this test's transaction
    response = Client().get(path)
    assert response.get("X-Page-Cache") is None
    assert "special educational needs and/or disabilities (<a" in response.content.decode()
