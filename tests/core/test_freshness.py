"""One way to keep pages fresh (issue #22): every kept page, public or staff,
declares the groups of tables it reads and is used only while their
generations are unchanged (core.changes, core.pagecache).

- every kept public page (and open-data answer) reads no table outside the
  groups it declares (the staff pages' own check is in
  tests/core/test_staff_page_cache.py);
- for every kept page, each way of writing what it shows (a service, an
  edit through Django's admin form, raw SQL, a real worker) makes the next
  view fresh: one table of (page, write) below;
- bookkeeping (beat's heartbeat, audit events, jobs) never makes a kept
  staff page stale;
- no hand-placed invalidation call and no invalidation signal remains.
"""

import os
import re
import uuid
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, reset_queries
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actionplan import services as actionplan_services
from actionplan.models import Plan, Status
from charter.models import Charter
from core import changes
from core import tasks as core_tasks
from core.audit import Verb
from core.models import Job, Role, ServiceArea, User
from core.services import audit_record
from directory.plainwords import glossary
from feedback import services as feedback_services
from feedback.models import Feedback
from reports.models import Report
from tests.actionplan.factories import ActionFactory
from tests.conftest import WorkerProcess, _database_url_for_worker, wait_for
from tests.core.factories import staff_user
from tests.feedback.factories import FeedbackFactory
from tests.reports.factories import make_people, published_report

ROOT = Path(__file__).resolve().parents[2]
TABLE = re.compile(r'(?:FROM|JOIN)\s+"([a-z0-9_]+)"')


# --- What each kept public page reads -----------------------------------------------------


def _public_visits(report, charter, plan_slug):
    return ["/", reverse("reports:index"), reverse("reports:index") + "?q=survey&page=1",
            reverse("reports:feed"), reverse("reports:detail", args=[report.slug]),
            reverse("reports:version", args=[report.slug, report.version]),
            *([reverse("reports:series", args=[report.series.slug])] if report.series else []),
            reverse("actionplan:index"), reverse("actionplan:plan", args=[plan_slug]),
            reverse("charter:index"), reverse("charter:charter", args=[charter.slug]),
            reverse("feedback:give"), reverse("feedback:give-easy-read"),
            reverse("opendata:index"), reverse("opendata:docs"),
            "/api/reports/", f"/api/reports/{report.slug}/", "/api/actions/", "/api/charters/",
            f"/api/charters/{charter.slug}/", "/api/figures/", "/api/organisations/",
            "/api/themes/", "/api/service-areas/", "/api/csv-metadata.json",
            *(f"/api/{name}.csv" for name in _csv_names())]


def _csv_names():
    from opendata import tables

    return list(tables.BY_NAME)


@pytest.mark.django_db
def test_each_kept_public_page_reads_no_table_outside_its_groups(settings):
    settings.DEBUG = True  # load_demo refuses to run on a production-like site
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.DEBUG = False
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    report = Report.objects.filter(status=Report.Status.PUBLISHED).exclude(series=None).first()
    plan = Plan.objects.filter(is_published=True).first()
    visits = _public_visits(report, Charter.objects.first(), plan.slug)
    for url in visits:
        caches["derived"].clear()  # the home page's figures, forms, items: read afresh
        # The jargon buster's glossary is read by the plain-words middleware
        # around every public page, kept under its own group (`directory`).
        glossary()
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(url)
        assert response.status_code == 200, url
        groups = getattr(response.wsgi_request, "kept_page_groups", None)
        assert groups is not None, f"{url} is a kept page"
        read = {t for q in queries.captured_queries for t in TABLE.findall(q["sql"])}
        outside = {t for t in read if changes.group_of(t) not in (None, *groups)}
        assert not outside, (url, groups, outside)


# --- Each way of writing, on each kept page -----------------------------------------------


@pytest.fixture
def shared_redis():
    """The caches in a real Redis under a key prefix of the test's own, as in
    production: a worker started by the test is given the same."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail("REDIS_URL is needed: the generations are shared through Redis")
    prefix = f"test-{uuid.uuid4().hex}"
    store = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
             "KEY_PREFIX": prefix}
    derived = {**store, "BACKEND": "core.cache.FailSoftRedisCache"}
    from django.conf import settings

    with override_settings(CACHES={**settings.CACHES, "default": store, "derived": derived,
                                   "template_fragments": derived},
                           PUBLIC_PAGE_CACHE_SECONDS=600, STAFF_PAGE_CACHE_SECONDS=300):
        caches["staff_pages"].clear()
        yield {"TEST_CACHE_REDIS_URL": url, "TEST_CACHE_KEY_PREFIX": prefix}
        caches["default"].clear()
        caches["staff_pages"].clear()


class _Form(HTMLParser):
    """The fields of the admin's change form, as a browser would post them."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value") or "on")
                return
            self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def admin_edit(obj, **values):
    """Change `obj` through Django's admin change form, as a superuser would."""
    superuser = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        email="root@example.test", password="x")  # nosec B106 # a test's own account
    client = Client()
    client.force_login(superuser)
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    form = _Form()
    form.feed(client.get(url).content.decode())
    data = {**form.data, **{k: [v] for k, v in values.items()}, "_save": ["Save"]}
    data.pop("csrfmiddlewaretoken", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def world(shared_redis):
    org, officer, approver = make_people()
    report = published_report(org=org, author=officer, approver=approver,
                              title="Short breaks review")
    action = ActionFactory(is_public=True, title="Publish the short breaks statement",
                           lead_organisation=org)
    FeedbackFactory.create_batch(6, organisation=org)
    ServiceArea.objects.create(name="Short breaks", slug="short-breaks")
    return {"org": org, "officer": officer, "approver": approver, "report": report,
            "action": action, "board": staff_user(Role.BOARD_MEMBER, org)}


PAGES = {
    # name: (who looks: None for a visitor, or a key of `world`; the address)
    "home": (None, lambda w: reverse("home")),
    "archive": (None, lambda w: reverse("reports:index")),
    "feed": (None, lambda w: reverse("reports:feed")),
    "report": (None, lambda w: reverse("reports:detail", args=[w["report"].slug])),
    "plan": (None, lambda w: reverse("actionplan:index")),
    "give": (None, lambda w: reverse("feedback:give")),
    "api reports": (None, lambda w: "/api/reports/"),
    "api actions": (None, lambda w: "/api/actions/"),
    "actions csv": (None, lambda w: "/api/actions.csv"),
    "inbox": ("officer", lambda w: reverse("staff:feedback:inbox")),
    "action list": ("officer", lambda w: reverse("staff:actionplan:action_list") + "?plan="),
    "dashboard": ("board", lambda w: reverse("staff:actionplan:dashboard") + "?plan="),
    "staff home": ("officer", lambda w: reverse("staff:home")),
}


def _report_title_by_sql(w):
    sql("UPDATE reports_report SET title = %s WHERE id = %s", ["Short breaks, renamed",
                                                               w["report"].pk])
    return "Short breaks, renamed", "Short breaks review"


def _report_withdrawn(w):
    from reports import services

    services.report_withdraw(acting_user=w["officer"], report=w["report"],
                             reason="A figure was wrong.")
    return None, "Short breaks review"


def _organisation_by_admin(w):
    admin_edit(w["org"], name="Testshire Council, renamed")
    return "Testshire Council, renamed", None


def _service_area_by_admin(w):
    area = ServiceArea.objects.order_by("pk").first()
    admin_edit(area, name="Short breaks in the holidays")
    return "Short breaks in the holidays", None


def _progress_by_service(w):
    actionplan_services.action_update_progress(
        acting_user=w["officer"], action=w["action"], status=Status.OFF_TRACK, percent=10,
        narrative="Internal words", public_narrative="Delayed by the consultation.")
    return "Off track", None


def _action_title_by_admin(w):
    admin_edit(w["action"], title="Publish the respite statement")
    return "Publish the respite statement", "Publish the short breaks statement"


def _action_title_by_sql(w):
    sql("UPDATE actionplan_action SET title = %s WHERE id = %s",
        ["Publish the respite statement", w["action"].pk])
    return "Publish the respite statement", "Publish the short breaks statement"


def _feedback_by_service(w):
    item = feedback_services.feedback_submit(what_went_well="The new key worker listened.",
                                             about_organisation=w["org"])
    return item.reference, None


def _feedback_count_by_service(w):
    feedback_services.feedback_submit(what_went_well="The new key worker listened.",
                                      about_organisation=w["org"])
    return "of 7 pieces of feedback", "of 6 pieces of feedback"  # the loop's figures


def _feedback_by_sql(w):
    item = Feedback.objects.order_by("pk").first()
    sql("UPDATE feedback_feedback SET reference = %s WHERE id = %s", ["FB-2026-54321", item.pk])
    return "FB-2026-54321", None


WRITES = {
    "report title, raw SQL": _report_title_by_sql,
    "report withdrawn, service": _report_withdrawn,
    "organisation, admin form": _organisation_by_admin,
    "service area, admin form": _service_area_by_admin,
    "progress, service": _progress_by_service,
    "action title, admin form": _action_title_by_admin,
    "action title, raw SQL": _action_title_by_sql,
    "feedback, service": _feedback_by_service,
    "loop figures, service": _feedback_count_by_service,
    "feedback, raw SQL": _feedback_by_sql,
}

FRESH = [
    ("home", "report title, raw SQL"), ("archive", "report title, raw SQL"),
    ("feed", "report title, raw SQL"), ("report", "report title, raw SQL"),
    ("api reports", "report title, raw SQL"),
    ("archive", "report withdrawn, service"), ("home", "report withdrawn, service"),
    ("give", "organisation, admin form"), ("give", "service area, admin form"),
    ("report", "organisation, admin form"), ("staff home", "organisation, admin form"),
    ("plan", "progress, service"), ("api actions", "progress, service"),
    ("action list", "progress, service"), ("dashboard", "progress, service"),
    ("plan", "action title, admin form"), ("action list", "action title, admin form"),
    ("actions csv", "action title, raw SQL"), ("dashboard", "action title, raw SQL"),
    ("inbox", "feedback, service"), ("inbox", "feedback, raw SQL"),
    ("dashboard", "loop figures, service"),
]


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)  # real commits move the generations on
@pytest.mark.parametrize("page,write", FRESH, ids=[f"{p}: {w}" for p, w in FRESH])
def test_every_way_of_writing_makes_the_next_view_fresh(world, page, write):
    who, address = PAGES[page]
    client = Client()
    if who:
        client.force_login(world[who])
    url = address(world)
    client.get(url)
    kept = client.get(url)
    assert kept.status_code == 200 and kept.get("X-Page-Cache") == "hit"
    shows, gone = WRITES[write](world)
    response = client.get(url)
    assert response.get("X-Page-Cache") is None
    html = response.content.decode()
    assert shows is None or shows in html
    assert gone is None or gone not in html


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_pdf_link_shows_on_the_kept_report_page_once_the_worker_has_made_it(
        shared_redis, celery_broker):
    """The worker's write, in another process, moves the generation the web
    process reads: no call in the PDF task says anything changed."""
    org, officer, approver = make_people()
    report = published_report(org=org, author=officer, approver=approver)  # its job is queued
    url = reverse("reports:detail", args=[report.slug])
    pdf = reverse("reports:pdf", args=[report.slug, report.version])
    visitor = Client()
    assert pdf not in visitor.get(url).content.decode()
    kept = visitor.get(url)
    assert kept.get("X-Page-Cache") == "hit" and pdf not in kept.content.decode()

    worker = WorkerProcess(celery_broker.conf.broker_url, _database_url_for_worker(),
                           extra_env=shared_redis)
    worker.start()
    try:
        wait_for(lambda: Report.objects.filter(pk=report.pk, pdf_state="ready").exists(),
                 timeout=60)
    finally:
        worker.stop()
    after = visitor.get(url)
    assert after.get("X-Page-Cache") is None
    assert pdf in after.content.decode()


# --- Bookkeeping never makes a kept staff page stale --------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_heartbeats_audit_events_and_jobs_leave_kept_staff_pages_kept(world):
    staff = {name: page for name, page in PAGES.items() if page[0]}
    clients = {name: Client() for name in staff}
    for name, (who, _) in staff.items():  # signing in writes the person's last sign-in (core)
        clients[name].force_login(world[who])
    for name, (_, address) in staff.items():
        clients[name].get(address(world))  # the first look after signing in writes the session
        clients[name].get(address(world))
        assert clients[name].get(address(world)).get("X-Page-Cache") == "hit", name
    before = changes.generations()
    # What runs all day: beat's heartbeat, an audit event, a job queued and done.
    core_tasks.heartbeat("beat")
    audit_record(actor=world["officer"], verb=Verb.REPORT_SERIES_RENAMED,
                 target=world["report"], summary="bookkeeping only")
    Job.objects.filter(state=Job.State.PENDING).update(run_after=timezone.now() + timedelta(hours=1))
    after = changes.generations()
    moved = {group for group in changes.GROUPS if after[group] != before[group]}
    assert moved == {"heartbeat", "audit", "jobs"}
    for name, (_, address) in staff.items():
        assert clients[name].get(address(world)).get("X-Page-Cache") == "hit", name


# --- Nothing else decides -----------------------------------------------------------------


def test_no_hand_placed_invalidation_or_invalidation_signal_remains():
    code = [p for p in ROOT.rglob("*.py")
            if not {".venv", "node_modules", "tests", "migrations"} & set(p.parts)]
    assert len(code) > 50
    found = []
    for path in code:
        text = path.read_text()
        for pattern in (r"public_content_changed", r"data_changed\(", r"choices_changed",
                        r"actions_changed", r"(post_save|post_delete|m2m_changed)\.connect",
                        r"@receiver\((post_save|post_delete|m2m_changed)"):
            if re.search(pattern, text):
                found.append((str(path.relative_to(ROOT)), pattern))
    assert not found


def test_every_setting_the_cache_map_names_exists_and_every_cache_setting_is_in_it():
    from django.conf import settings

    text = (ROOT / "docs" / "caching.md").read_text()
    named = set(re.findall(r"`([A-Z][A-Z_]+_(?:SECONDS|ENTRIES|URL))", text))
    assert {"PUBLIC_PAGE_CACHE_SECONDS", "STAFF_PAGE_CACHE_SECONDS"} <= named
    assert not {name for name in named if not hasattr(settings, name)}
    cache_settings = {name for name in dir(settings)
                      if name.endswith(("CACHE_SECONDS", "CACHE_ENTRIES"))}
    assert cache_settings <= named, cache_settings - named
