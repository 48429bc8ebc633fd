"""County scale: seed_volume, query counts that do not grow with the volume,
and cached public pages that never outlive what they show."""

import os
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from actionplan import services as actionplan_services
from actionplan.models import Action, Plan, Status
from core import changes
from core import demo as core_demo
from core.models import User
from feedback.models import Feedback
from reports import services, volume
from reports.models import Report, ReportItem
from reports.selectors import HOME_FIGURES_KEY
from tests.reports.factories import make_people, published_report

pytestmark = pytest.mark.django_db

TINY = volume.Volume(feedback=60, actions=12, big_plan_actions=5, reports=3, pulse_answers=20,
                     measures=4, values_per_measure=5)
TEN_TIMES = volume.Volume(feedback=600, actions=120, big_plan_actions=50, reports=30,
                          pulse_answers=200, measures=40, values_per_measure=50)


@pytest.fixture
def demo_people(db):
    core_demo.load()
    return {email.split("@")[0]: User.objects.get(email=email)
            for email in ("officer@demo.example", "board@demo.example")}


def test_seed_volume_writes_a_realistic_volume_once(demo_people):
    call_command("seed_volume", scale=0.001)
    feedback = Feedback.objects.all()
    assert feedback.count() == 100
    answered = feedback.filter(responded_at__isnull=False).count()
    assert 50 <= answered <= 90  # about 70 %
    assert feedback.filter(replies__state="published").distinct().count() == answered
    assert not feedback.filter(themes=None).exists()
    years = {d.year for d in feedback.values_list("received_on", flat=True)}
    assert len(years) >= 4  # five years of history
    assert Action.objects.count() == 10
    assert Report.objects.filter(status=Report.Status.PUBLISHED, items__isnull=False).exists()
    from django.db import connection

    with connection.cursor() as cursor:  # analysed: the planner does not guess
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'feedback_feedback'")
        assert cursor.fetchone()[0] >= 100
    with pytest.raises(CommandError, match="already seeded"):
        call_command("seed_volume", scale=0.001)
    call_command("seed_volume", scale=0.001, if_empty=True)  # reused, nothing added
    assert Feedback.objects.count() == 100


def test_seed_is_reproducible(demo_people):
    volume.seed(TINY, seed=7)
    first = list(Feedback.objects.order_by("id").values_list("received_on", "status",
                                                             "tracking_digest"))
    ReportItem.objects.filter(report__slug__startswith="volume-report-7-").delete()
    Report.objects.filter(slug__startswith="volume-report-7-").delete()
    Plan.objects.filter(slug__startswith="volume-plan-7-").delete()
    Feedback.objects.all().delete()
    volume.seed(TINY, seed=7)
    again = list(Feedback.objects.order_by("id").values_list("received_on", "status",
                                                             "tracking_digest"))
    assert first == again


PAGES = [
    ("home", None, "/"),
    ("archive", None, "/reports/?kind=annual_survey"),
    ("search", None, "/reports/?q=transport"),
    ("public plan", None, "/action-plan/"),
    ("inbox", "officer", "/staff/feedback/?status="),
    ("dashboard", "board", "/staff/action-plan/dashboard/"),
    ("staff home", "officer", "/staff/"),
    ("action list", "officer", "/staff/action-plan/"),
    ("action list, any plan", "officer", "/staff/action-plan/?plan="),
]


@pytest.mark.postgres
@pytest.mark.parametrize("name,who,path", PAGES, ids=[p[0] for p in PAGES])
def test_query_count_does_not_grow_with_the_volume(client, demo_people, name, who, path,
                                                   django_assert_num_queries):
    """The same number of queries at a volume and at ten times it."""
    if who:
        client.force_login(demo_people[who])
    volume.seed(TINY, seed=1)
    client.get(path)  # sessions and other first-request work
    # The home page's figures and the dashboard's are measured as computed,
    # not from the cache (tests/actionplan/test_dashboard_cache.py for that).
    cache.delete(HOME_FIGURES_KEY)
    changes.move_on()  # the test's writes are never committed
    # The archive's filter form comes from the cache; when it is rendered
    # afresh its years are read too (one query more): a bound, not an exact count.
    exact = name not in ("archive", "search")
    with django_assert_num_queries(EXPECTED[name], exact=exact) as small:
        assert client.get(path).status_code == 200
    volume.seed(TEN_TIMES, seed=2)
    assert Feedback.objects.count() >= 660
    cache.delete(HOME_FIGURES_KEY)
    changes.move_on()  # the test's writes are never committed
    with django_assert_num_queries(EXPECTED[name] if not exact else len(small.captured_queries),
                                   exact=exact):
        assert client.get(path).status_code == 200


# The archive also lists the years and publishers it filters on; the dashboard
# looks up the plan it opens on.
# The action list opens on the person's plan like the dashboard (+2: the plan
# looked up and validated); with "Any plan" it has no priority filter to fill.
# The public plan reads its page's public measures, their values and targets (+3);
# the dashboard its measures, their targets, and the listed ones' values and targets (+4).
# The home page's and the dashboard's figures include the loop's (three queries).
# The staff pages read the session from its cached copy, not a query.
EXPECTED = {"home": 6, "archive": 6, "search": 6, "public plan": 7, "inbox": 10,
            "dashboard": 21, "staff home": 6, "action list": 9, "action list, any plan": 6}


# --- The page cache, on the real Redis ----------------------------------------------------


@pytest.fixture
def redis_page_cache():
    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL is needed for the page cache test")
        pytest.skip("REDIS_URL is not set")
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": url, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    caches["derived"] = {**caches["default"], "BACKEND": "core.cache.FailSoftRedisCache"}
    caches["template_fragments"] = caches["derived"]
    # The process's own caches (kept staff pages, long public pages) as the settings name them.
    caches.update({name: cfg for name, cfg in settings.CACHES.items() if name not in caches})
    with override_settings(CACHES=caches, PUBLIC_PAGE_CACHE_SECONDS=600):
        from django.core.cache import cache

        cache.close()
        yield cache


def _get(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response, response.content.decode()


@pytest.mark.django_db(transaction=True)  # real commits move the generations on
def test_cached_pages_never_show_what_was_withdrawn_or_replaced(
        client, redis_page_cache, django_capture_on_commit_callbacks):
    org, officer, approver = make_people()
    with django_capture_on_commit_callbacks(execute=True):
        first = published_report(org=org, author=officer, approver=approver,
                                 title="Short breaks review")
    pages = [reverse("home"), reverse("reports:index"), reverse("reports:feed")]
    for path in pages:
        assert "Short breaks review" in _get(client, path)[1]
        response, _ = _get(client, path)
        assert response.get("X-Page-Cache") == "hit", path  # served from Redis

    # Publishing: the new report appears at once on every cached page.
    with django_capture_on_commit_callbacks(execute=True):
        published_report(org=org, author=officer, approver=approver, title="Transport changes")
    for path in pages:
        response, html = _get(client, path)
        assert response.get("X-Page-Cache") is None
        assert "Transport changes" in html and "Short breaks review" in html

    # Editing, as a new version: the old title is gone from every page.
    with django_capture_on_commit_callbacks(execute=True):
        new = services.report_new_version(acting_user=officer, report=first)
        services.report_update(acting_user=officer, report=new, title="Short breaks, revised",
                               summary=new.summary)
        services.report_submit(acting_user=officer, report=new)
        services.report_approve(acting_user=approver, report=new)
        services.report_publish(acting_user=officer, report=new)
    for path in pages:
        html = _get(client, path)[1]
        assert "Short breaks, revised" in html and "Short breaks review" not in html

    # Withdrawing: gone from the archive, home page and feed.
    _get(client, reverse("reports:index"))
    with django_capture_on_commit_callbacks(execute=True):
        services.report_withdraw(acting_user=officer, report=Report.objects.get(pk=new.pk),
                                 reason="A figure was wrong.")
    for path in pages:
        assert "Short breaks, revised" not in _get(client, path)[1], path


@pytest.mark.django_db(transaction=True)  # real commits move the generations on
def test_cached_plan_page_follows_progress_updates(client, redis_page_cache,
                                                    django_capture_on_commit_callbacks):
    from tests.actionplan.factories import ActionFactory

    action = ActionFactory(is_public=True, title="Publish the short breaks statement")
    officer = make_people()[1]
    path = reverse("actionplan:index")
    assert "Publish the short breaks statement" in _get(client, path)[1]
    assert _get(client, path)[0].get("X-Page-Cache") == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        actionplan_services.action_update_progress(
            acting_user=officer, action=action, status=Status.AT_RISK, percent=40,
            narrative="Internal words", public_narrative="Delayed by the consultation.")
    assert "Delayed by the consultation." in _get(client, path)[1]


def test_signed_in_people_are_never_served_or_stored_a_cached_page(client, redis_page_cache):
    org, officer, approver = make_people()
    client.force_login(officer)
    for _ in range(2):
        response = client.get(reverse("home"))
        assert response.get("X-Page-Cache") is None
    client.logout()
    from django.core.cache import cache

    assert not any(True for _ in cache._cache.get_client().scan_iter(
        f"{cache.key_prefix}:*public-page:*"))
    # A page with a POST form is cached only with each visitor's own token put
    # in (tests/reports/test_page_cache_forms.py); signed in, never.
    client.force_login(officer)
    client.get(reverse("feedback:give"))
    assert client.get(reverse("feedback:give")).get("X-Page-Cache") is None


@pytest.mark.django_db(transaction=True)  # real commits move the generations on
def test_report_page_items_come_from_the_cache_until_something_changes(
        client, django_assert_num_queries):
    from tests.actionplan.factories import ActionFactory

    org, officer, approver = make_people()
    report = published_report(org=org, author=officer, approver=approver)
    action = ActionFactory(is_public=True, title="Rewrite the Local Offer pages")
    item = report.items.first()
    item.actions.add(action)
    Report.objects.filter(pk=report.pk).update(updated_at=report.updated_at)
    url = reverse("reports:detail", args=[report.slug])
    client.get(url)
    # The report and its versions (items from the cache), the loop's figures (three).
    with django_assert_num_queries(5):
        html = client.get(url).content.decode()
    assert "Finding information 0" in html and "Rewrite the Local Offer pages" in html

    # An action's live status is part of an item: a progress update shows at once.
    actionplan_services.action_update_progress(
        acting_user=officer, action=action, status=Status.OFF_TRACK, percent=10,
        narrative="Internal words")
    assert "Off track (red)" in client.get(url).content.decode()

    # Withdrawing takes the report down: the notice shows, never the cached items.
    services.report_withdraw(acting_user=officer, report=report, reason="A figure was wrong.")
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 410
    assert "This report has been withdrawn" in html and "Finding information 0" not in html
