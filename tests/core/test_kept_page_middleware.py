"""core.pagecache.KeptPageMiddleware: a kept public page, for a visitor with
no session, is answered before sessions, CSRF, authentication, messages, CSP
and the plain-words step run, with the very headers they gave the page when
it was made. Everything it cannot decide alone goes down the whole stack."""

import gzip
import re

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import pagecache
from tests.actionplan.factories import ActionFactory, PlanFactory, PriorityFactory
from tests.reports.factories import make_people, published_report

pytestmark = pytest.mark.django_db
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
# Differ between two answers of the same page by design.
PER_ANSWER = {"set-cookie", "x-page-cache", "content-length"}


@pytest.fixture(autouse=True)
def page_cache():
    from django.core.cache import cache

    cache.clear()
    pagecache._declared_paths.clear()
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=600):
        yield
    cache.clear()
    pagecache._declared_paths.clear()


@pytest.fixture
def world():
    org, officer, approver = make_people()
    report = published_report(org=org, author=officer, approver=approver)
    plan = PlanFactory(is_published=True)
    ActionFactory(priority=PriorityFactory(plan=plan), is_public=True)
    return {"report": report, "plan": plan, "officer": officer}


def _served_early(response) -> bool:
    """Whether the answer came from KeptPageMiddleware: SessionMiddleware,
    below it, gives every request it sees a session."""
    return not hasattr(response.wsgi_request, "session")


def _headers(response) -> dict:
    return {k.lower(): v for k, v in response.items() if k.lower() not in PER_ANSWER}


def _pages(world) -> list[str]:
    return ["/", "/charter/", reverse("reports:index"), reverse("reports:feed"),
            reverse("actionplan:plan", args=[world["plan"].slug]),
            reverse("reports:detail", args=[world["report"].slug]),  # a form's token
            reverse("feedback:give"),  # a form's token
            "/api/actions/", "/api/reports/", "/api/actions.csv", "/open-data/"]


def test_a_kept_page_is_answered_before_the_stack_with_the_headers_the_stack_gave_it(world):
    for path in _pages(world):
        made = Client().get(path)
        assert made.status_code == 200 and not _served_early(made), path
        with CaptureQueriesContext(connection) as queries:
            kept = Client().get(path)
        assert kept.status_code == 200 and kept["X-Page-Cache"] == "hit", path
        assert _served_early(kept), path
        assert len(queries) == 0, path
        # The same page, with every header the middleware below gave it when made:
        # CSP, X-Frame-Options, Vary, its type, the open data's validators…
        assert _headers(kept) == _headers(made), path
        assert "content-security-policy" in _headers(kept), path
        assert kept["X-Frame-Options"] == "DENY", path
        assert int(kept["Content-Length"]) == len(kept.content), path
        if b'name="csrfmiddlewaretoken"' not in made.content:
            assert kept.content == made.content, path


def test_a_gzipped_kept_page_has_the_same_headers_and_its_own_validator(world):
    for path in ("/", "/api/actions/", "/api/actions.csv"):
        made = Client().get(path)
        zipped = Client().get(path, **GZIP)
        assert _served_early(zipped) and zipped["Content-Encoding"] == "gzip", path
        assert gzip.decompress(zipped.content) == made.content, path
        expected = dict(_headers(made), **{"content-encoding": "gzip"})
        if "etag" in expected:
            expected["etag"] = expected["etag"][:-1] + '-gzip"'
            assert zipped["ETag"] != made["ETag"]
        assert _headers(zipped) == expected, path


def test_a_first_visitor_answered_early_gets_a_token_that_posts(world):
    from django.middleware.csrf import _unmask_cipher_token

    from core.models import ServiceArea
    from feedback.models import Feedback

    area = ServiceArea.objects.create(name="Home to school transport", slug="transport")
    Client().get(reverse("feedback:give"))  # made
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(reverse("feedback:give"))
    assert _served_early(page)
    secret = visitor.cookies["csrftoken"].value  # set by the early answer
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1][:64]
    assert _unmask_cipher_token(token) == secret
    assert "cookie" in page["Vary"].lower()
    posted = visitor.post(reverse("feedback:give"), {
        "csrfmiddlewaretoken": token, "service_areas": area.pk,
        "what_went_well": "Early answers still post.",
        "even_better_if": "Nothing.", "rating": "4", "respondent": "parent_carer",
        "consent_to_quote": "no", "wants_contact": "no"})
    assert posted.status_code == 302
    assert Feedback.objects.filter(what_went_well="Early answers still post.").exists()


def test_what_the_middleware_cannot_decide_goes_down_the_whole_stack(world, client):
    for _ in range(2):
        Client().get("/api/actions/")
        Client().get("/")
    etag = Client().get("/api/actions/")["ETag"]

    # A conditional request: the open data's view answers 304.
    not_modified = Client().get("/api/actions/", HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not _served_early(not_modified)

    # A session cookie: the whole stack decides (here, a signed-in officer's own page).
    client.force_login(world["officer"])
    signed_in = client.get("/")
    assert not _served_early(signed_in) and signed_in.get("X-Page-Cache") is None

    # A POST, and a NUL byte in a declared parameter, on a kept address.
    assert not _served_early(Client().post("/", {}))
    nul = Client().get(reverse("reports:index") + "?q=%00")
    assert nul.status_code == 400 and not _served_early(nul)

    # A host the portal does not serve is refused as before.
    assert Client().get("/", HTTP_HOST="elsewhere.example").status_code == 400

    # The page cache turned off.
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=0):
        off = Client().get("/")
        assert off.status_code == 200 and not _served_early(off)


def test_the_addresses_it_knows_are_bounded(world, monkeypatch):
    monkeypatch.setattr(pagecache, "MAX_DECLARED_PATHS", 3)
    for n in range(20):
        Client().get(f"/reports/no-such-report-{n}/")  # a 404: never noted
        Client().get(reverse("reports:detail", args=[world["report"].slug]))
        Client().get("/charter/")
        Client().get(f"/api/reports/?page={n}")
        Client().get("/")
        assert len(pagecache._declared_paths) <= 3
    with override_settings(ROOT_URLCONF="sendportal.urls"):
        assert pagecache._declared_paths == {}


def test_a_flood_of_unknown_addresses_notes_nothing(world):
    Client().get("/charter/")
    for n in range(50):
        assert Client().get(f"/reports/no-such-report-{n}/").status_code == 404
    assert set(pagecache._declared_paths) == {"/charter/"}


def test_a_process_that_never_made_the_page_answers_it_early_after_one_look(world):
    """Another web process made and kept the page: this one notes the
    address on its first look (a kept answer through the whole stack)."""
    Client().get("/charter/")  # made and kept ("another process")
    pagecache._declared_paths.clear()  # this process has noted nothing
    first = Client().get("/charter/")
    assert first["X-Page-Cache"] == "hit" and not _served_early(first)
    assert _served_early(Client().get("/charter/"))


# --- Staff pages (KeptStaffPageMiddleware) -------------------------------------------------

STAFF_PAGES = ("staff:home", "staff:feedback:inbox", "staff:actionplan:action_list",
               "staff:actionplan:dashboard")


@pytest.fixture
def staff_cache(settings):
    from django.core.cache import caches

    caches["staff_pages"].clear()
    pagecache._declared_staff_paths.clear()
    settings.STAFF_PAGE_CACHE_SECONDS = 300
    yield
    caches["staff_pages"].clear()
    pagecache._declared_staff_paths.clear()


def _staff_early(response) -> bool:
    """Answered by KeptStaffPageMiddleware: the URL was never resolved."""
    return response.wsgi_request.resolver_match is None


@pytest.mark.django_db(transaction=True)  # real commits move the generations on
def test_a_kept_staff_page_is_answered_before_the_resolver_with_its_headers(staff_cache):
    from django.middleware.csrf import _unmask_cipher_token

    from core.models import Role
    from tests.core.factories import OrganisationFactory, staff_user

    officer = staff_user(Role.OFFICER, OrganisationFactory())
    client = Client()
    client.force_login(officer)
    for name in STAFF_PAGES:
        path = reverse(name)
        made = client.get(path)
        assert made.status_code == 200 and not _staff_early(made), name
        with CaptureQueriesContext(connection) as queries:
            kept = client.get(path)
        assert kept.status_code == 200 and kept["X-Page-Cache"] == "hit", name
        assert _staff_early(kept), name
        assert len(queries) <= 1, name  # the person, read by Django's own backend
        assert _headers(kept) == _headers(made), name
        assert "no-store" in kept["Cache-Control"] and kept["X-Frame-Options"] == "DENY", name
        assert int(kept["Content-Length"]) == len(kept.content), name
        secret = client.cookies["csrftoken"].value
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"',
                            kept.content.decode())
        assert all(_unmask_cipher_token(t) == secret for t in tokens), name


@pytest.mark.django_db(transaction=True)
def test_a_kept_staff_page_is_never_answered_to_anyone_else_or_past_the_checks(staff_cache):
    from core.models import Role
    from core.two_factor import SESSION_KEY
    from tests.core.factories import OrganisationFactory, staff_user

    org = OrganisationFactory()
    officer, other = staff_user(Role.OFFICER, org), staff_user(Role.OFFICER, OrganisationFactory())
    inbox = reverse("staff:feedback:inbox")
    client = Client()
    client.force_login(officer)
    client.get(inbox)
    assert _staff_early(client.get(inbox))

    # Someone else: their own page, made for them.
    theirs = Client()
    theirs.force_login(other)
    first = theirs.get(inbox)
    assert first.status_code == 200 and first.get("X-Page-Cache") is None

    # A second step owed: TwoFactorMiddleware, above, sends them to it.
    session = client.session
    session[SESSION_KEY] = "code"
    session.save()
    owed = client.get(inbox)
    assert owed.status_code == 302
    assert owed["Location"].startswith(reverse("two-factor") + "?next=")

    # Signed out: sent to sign in, never the kept page.
    client.logout()
    out = client.get(inbox)
    assert out.status_code == 302 and "sign-in" in out["Location"]

    # A NUL byte in the address: 400, as everywhere.
    client.force_login(officer)
    client.get(inbox)
    assert client.get(inbox + "?q=%00").status_code == 400


@pytest.mark.django_db(transaction=True)  # a committed write moves the generations on
def test_a_long_page_is_answered_from_the_process_while_its_generations_are_current(world):
    from django.core.cache import cache, caches
    from django.test import RequestFactory

    from core.models import ServiceArea

    caches["long_pages"].clear()
    with override_settings(LONG_PAGE_BYTES=1):  # every page counts as long here
        made = Client().get("/")
        kept = Client().get("/")
        assert _served_early(kept) and kept.content == made.content
        # The copy in Redis gone: this process still answers from its own, reading
        # only the generations.
        cache.delete(pagecache._key(RequestFactory().get("/")))
        held = Client().get("/")
        assert _served_early(held) and held.content == made.content
        # A write: the copy held here is never used again.
        ServiceArea.objects.create(name="Speech and language therapy", slug="salt")
        fresh = Client().get("/")
        assert fresh.get("X-Page-Cache") is None and not _served_early(fresh)
        assert _served_early(Client().get("/"))
    caches["long_pages"].clear()


def test_a_short_page_is_not_held_in_the_process(world):
    from django.core.cache import caches
    from django.test import RequestFactory

    caches["long_pages"].clear()
    Client().get("/charter/")
    assert _served_early(Client().get("/charter/"))
    key = pagecache._key(RequestFactory().get("/charter/"))
    assert caches["long_pages"].get(key) is None  # under LONG_PAGE_BYTES: Redis alone keeps it
    with override_settings(LONG_PAGE_BYTES=1):
        Client().get("/charter/")
        assert caches["long_pages"].get(key) is not None


def test_a_visitor_with_an_old_session_cookie_still_gets_and_makes_kept_pages(world):
    """Signed out, their browser still sends a session cookie: the whole stack
    decides, and the page cache's own look-up keeps and serves the page."""
    stale = Client()
    stale.cookies["sessionid"] = "a-session-that-ended"
    made = stale.get("/charter/")
    assert made.status_code == 200 and made.get("X-Page-Cache") is None
    kept = stale.get("/charter/")
    assert kept["X-Page-Cache"] == "hit" and not _served_early(kept)
