"""The busiest staff pages are kept whole for each person until anything
they show is written (core.pagecache.cache_staff_page, core.changes):

- every way of writing moves its tables' generation on (save, update(),
  bulk_create, many-to-many, delete, raw SQL), once at the write and once
  after commit; sessions and sign-in attempts do not;
- each kept page reads no table outside the groups it is kept under, so no
  write it could show goes unnoticed (checked on the demo area, with the
  figures' own cache empty so every read happens);
- a kept page is used only by the same person, carries that visitor's own
  CSRF token, never outlives a change (new feedback, a role taken away), is
  never kept with messages to show, and is never used while Redis cannot
  say whether anything changed;
- a page served from it costs one query (the person; the session is read
  from its cached copy), whatever the volume.

tests/stack/test_staff_page_cache.py shows the same across gunicorn's
processes on the production stack.
"""

import os
import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, reset_queries, transaction
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core import changes
from core.models import Membership, Role, Theme, User
from core.pagecache import TOKEN_SLOT
from feedback.models import Feedback
from tests.core.factories import OrganisationFactory, staff_user
from tests.feedback.factories import FeedbackFactory

# Real commits: a generation moves on when a write is committed.
pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
TABLE = re.compile(r'(?:FROM|JOIN)\s+"([a-z0-9_]+)"')


@pytest.fixture(autouse=True)
def staff_cache(settings):
    caches["staff_pages"].clear()
    settings.STAFF_PAGE_CACHE_SECONDS = 300
    yield
    caches["staff_pages"].clear()


def _kept_views(resolver=None, prefix="") -> dict[str, tuple[str, ...]]:
    """Every address whose view is kept, from the resolver, with its groups."""
    found = {}
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            found.update(_kept_views(entry, namespace))
        elif isinstance(entry, URLPattern):
            groups = getattr(entry.callback, "staff_page_groups", None)
            if groups:
                found[prefix + entry.name] = groups
    return found


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _generation(group):
    return changes.generations([group])[group]


# --- What moves a generation on ----------------------------------------------------------


def test_every_way_of_writing_moves_its_group_on_and_only_its_group():
    org = OrganisationFactory()
    item = FeedbackFactory(organisation=org)
    theme = Theme.objects.create(name="Transport", slug="transport")

    def moves(*groups, related=()):
        before = changes.generations()
        yield
        after = changes.generations()
        moved = {g for g in changes.GROUPS if after[g] != before[g]}
        assert set(groups) <= moved <= {*groups, *related}

    writes = [
        (lambda: FeedbackFactory(organisation=org), ("feedback",)),  # INSERT
        (lambda: Feedback.objects.filter(pk=item.pk).update(status="closed"), ("feedback",)),
        (lambda: Feedback.objects.bulk_create([Feedback(
            reference="FB-2026-99990", tracking_token="t" * 40, organisation=org,
            received_on=item.received_on, response_due_on=item.response_due_on,
            respondent="parent_carer")]), ("feedback",)),
        (lambda: item.themes.add(theme), ("feedback",)),  # the many-to-many table
        (lambda: Theme.objects.filter(pk=theme.pk).update(description="Buses"), ("core",)),
        # Deleting also clears what points at it (actions' and charters' links).
        (lambda: Feedback.objects.filter(reference="FB-2026-99990").delete(),
         ("feedback", "actionplan", "charter")),
    ]
    for write, groups in writes:
        check = moves(groups[0], related=groups[1:])
        next(check)
        write()
        with pytest.raises(StopIteration):
            next(check)

    with connection.cursor() as cursor:  # raw SQL, as a migration might write
        check = moves("actionplan")
        next(check)
        cursor.execute("UPDATE actionplan_action SET title = title WHERE id < 0")
        with pytest.raises(StopIteration):
            next(check)

    # A page view's session and a sign-in attempt change nothing shown.
    check = moves()
    next(check)
    session = SessionStore()
    session["seen_at"] = 1
    session.save()
    with pytest.raises(StopIteration):
        next(check)


def test_statements_are_read_as_reads_writes_or_anything():
    assert changes.groups_written_by('SELECT 1 FROM "feedback_feedback"') == ()
    assert changes.groups_written_by('SAVEPOINT "s1"') == ()
    assert changes.groups_written_by('INSERT INTO "reports_report" ("title") VALUES (%s)') \
        == ("reports",)
    assert changes.groups_written_by('UPDATE "core_job" SET "state" = %s') == ("jobs",)
    assert changes.groups_written_by('DELETE FROM "django_session" WHERE 1') == ()
    assert changes.groups_written_by('UPDATE "otp_totp_totpdevice" SET x = 1') == ("other",)
    # Anything not plainly a read or a one-table write could change anything.
    assert changes.groups_written_by("WITH x AS (DELETE FROM a RETURNING *) SELECT 1") \
        == changes.GROUPS
    assert changes.groups_written_by("ALTER TABLE feedback_feedback ADD x int") == changes.GROUPS


def test_a_write_moves_the_generation_on_once_when_its_transaction_commits():
    org = OrganisationFactory()
    start = _generation("feedback")
    with transaction.atomic():
        FeedbackFactory(organisation=org)
        FeedbackFactory(organisation=org)
        assert _generation("feedback") == start  # nothing another process can see yet
    assert _generation("feedback") == start + 1  # once, however many rows

    with pytest.raises(RuntimeError), transaction.atomic():
        FeedbackFactory(organisation=org)
        raise RuntimeError
    assert _generation("feedback") == start + 1  # nothing was committed


def test_no_page_is_kept_from_inside_a_transaction(officer):
    client = _signed_in(officer)
    url = reverse("staff:feedback:inbox")
    with transaction.atomic():
        for _ in range(2):
            assert client.get(url).get("X-Page-Cache") is None
    client.get(url)
    assert client.get(url).get("X-Page-Cache") == "hit"


# --- Which tables each kept page reads ---------------------------------------------------


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # load_demo refuses to run on a production-like site
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.DEBUG = False


# Every kept page, as each kind of person sees it, plain and filtered.
VISITS = {
    "staff:home": [("officer", ""), ("board", ""), ("admin", ""), ("forum.chair", "")],
    "staff:feedback:inbox": [
        ("officer", ""), ("officer", "?status=&channel=web_form&q=transport"),
        ("officer", "?status=open&overdue=on&assigned=me"), ("admin", "?status=closed&page=2")],
    "staff:actionplan:action_list": [
        ("officer", ""), ("officer", "?plan=&overdue=on"), ("board", "")],
    "staff:actionplan:dashboard": [("board", ""), ("board", "?plan="), ("officer", "")],
}


def test_each_kept_page_reads_no_table_outside_its_groups(demo):
    kept = _kept_views()
    assert set(kept) == set(VISITS), "every kept page is visited here"
    for name, visits in VISITS.items():
        for person, query in visits:
            client = _signed_in(User.objects.get(email=f"{person}@demo.example"))
            caches["derived"].clear()  # the dashboard's kept figures: read afresh
            caches["staff_pages"].clear()
            reset_queries()  # (after loading the demo the log is full: nothing would be captured)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse(name) + query)
            assert response.status_code == 200, (name, person, query)
            assert response.get("X-Page-Cache") is None
            read = {table for q in queries.captured_queries for table in TABLE.findall(q["sql"])}
            assert {"django_session", "core_user"} < read, "the page's reads were captured"
            outside = {t for t in read if changes.group_of(t) not in (None, *kept[name])}
            assert not outside, (name, query, outside)


# --- Who gets a kept page, and when ------------------------------------------------------


@pytest.fixture
def officer():
    return staff_user(Role.OFFICER)


def test_the_second_look_is_kept_and_costs_one_query_with_the_visitors_own_token(
        officer, django_assert_num_queries):
    FeedbackFactory.create_batch(3, organisation=officer.memberships.get().organisation)
    url = reverse("staff:feedback:inbox")
    first, second = _signed_in(officer), _signed_in(officer)  # two browsers, one person
    made = first.get(url)
    assert made.get("X-Page-Cache") is None
    with django_assert_num_queries(1):  # the person (the session is read from its cached copy)
        kept = second.get(url)
    assert kept.get("X-Page-Cache") == "hit"
    assert kept["Cache-Control"] == made["Cache-Control"]  # never stored by a browser
    html = kept.content.decode()
    assert TOKEN_SLOT.decode() not in html
    tokens = TOKEN.findall(html)
    assert tokens and {_unmask_cipher_token(t) for t in tokens} == {
        second.cookies["csrftoken"].value}
    assert TOKEN.sub("", html) == TOKEN.sub("", made.content.decode())
    # The kept page's sign-out form works with the token it carries.
    signed_out = Client(enforce_csrf_checks=True)
    signed_out.cookies = second.cookies
    assert signed_out.post(reverse("logout"),
                           {"csrfmiddlewaretoken": tokens[0]}).status_code == 302


def test_the_count_of_queries_of_a_kept_page_does_not_grow_with_volume(
        officer, django_assert_num_queries):
    client = _signed_in(officer)
    url = reverse("staff:feedback:inbox")
    for volume in (5, 200):
        FeedbackFactory.create_batch(volume, organisation=officer.memberships.get().organisation)
        client.get(url)
        with django_assert_num_queries(1):  # the person (the session: its cached copy)
            assert client.get(url).get("X-Page-Cache") == "hit"


def test_new_feedback_shows_at_once(officer):
    client = _signed_in(officer)
    org = officer.memberships.get().organisation
    url = reverse("staff:feedback:inbox")
    client.get(url)
    assert client.get(url).get("X-Page-Cache") == "hit"
    FeedbackFactory(organisation=org, reference="FB-2026-77777")
    fresh = client.get(url)
    assert fresh.get("X-Page-Cache") is None
    assert "FB-2026-77777" in fresh.content.decode()


def test_another_person_never_gets_my_page(officer):
    mine = FeedbackFactory(organisation=officer.memberships.get().organisation)
    other = staff_user(Role.OFFICER)
    url = reverse("staff:feedback:inbox")
    client = _signed_in(officer)
    client.get(url)
    assert mine.reference in client.get(url).content.decode()
    theirs = _signed_in(other).get(url)
    assert theirs.get("X-Page-Cache") is None
    assert mine.reference not in theirs.content.decode()


def test_a_role_taken_away_is_not_outlived_by_a_kept_page(officer):
    client = _signed_in(officer)
    url = reverse("staff:feedback:inbox")
    client.get(url)
    assert client.get(url).get("X-Page-Cache") == "hit"
    Membership.objects.filter(user=officer).delete()
    assert client.get(url).status_code == 403


def test_a_page_with_messages_to_show_is_neither_served_nor_kept(officer, rf):
    client = _signed_in(officer)
    url = reverse("staff:feedback:inbox")
    client.get(url)
    storage = CookieStorage(rf.get("/"))
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Reply sent")])
    shown = client.get(url)
    assert shown.get("X-Page-Cache") is None
    assert "Reply sent" in shown.content.decode()
    again = client.get(url)  # the message was shown once and is gone
    assert again.get("X-Page-Cache") == "hit"
    assert "Reply sent" not in again.content.decode()


def test_nothing_kept_is_used_while_redis_cannot_say_what_changed(officer):
    client = _signed_in(officer)
    url = reverse("staff:feedback:inbox")
    client.get(url)
    assert client.get(url).get("X-Page-Cache") == "hit"
    unreachable = {"BACKEND": "core.cache.FailSoftRedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                   "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    from django.conf import settings
    with override_settings(CACHES={**settings.CACHES, "derived": unreachable}):
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200
            assert response.get("X-Page-Cache") is None
