"""The typed audit trail: audit_record's verbs, and the staff page that
browses them (/staff/audit/)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.audit import Verb, verb_label
from core.models import AuditEvent, Role, Theme
from core.services import audit_record
from tests.conftest import assert_accessible, sign_in
from tests.core.factories import OrganisationFactory, ThemeFactory, staff_user

pytestmark = pytest.mark.django_db
URL = "/staff/audit/"


@pytest.fixture
def org():
    return OrganisationFactory(name="Testshire County Council")


# --- audit_record and the enum ----------------------------------------------------------

def test_audit_record_takes_a_verb_or_its_value_and_refuses_anything_else():
    theme = ThemeFactory()
    assert audit_record(actor=None, verb=Verb.THEME_ADDED, target=theme).verb == "theme.added"
    assert audit_record(actor=None, verb="theme.added", target=theme).verb == "theme.added"
    with pytest.raises(ValueError):
        audit_record(actor=None, verb="theme created", target=theme)
    assert AuditEvent.objects.count() == 2


def test_verb_values_are_one_style_and_labels_are_sentences():
    for verb in Verb:
        obj, _, what = verb.value.partition(".")
        assert obj and what and verb.value == verb.value.lower() and " " not in verb.value
        assert verb.label[0].isupper() and not verb.label.endswith(".")
    assert len(set(Verb.labels)) == len(Verb.labels)
    assert verb_label("report.drafted") == "Report drafted"
    assert verb_label("something old") == "something old"


def test_the_data_migration_maps_the_old_free_text_verbs():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("core.migrations.0004_audit_verbs")
    theme = ThemeFactory()
    old = [("created", "core.theme"), ("created", "actionplan.plan"), ("report in_review", "x"),
           ("commitment moved", "charter.charter"), ("progress_updated", "actionplan.action"),
           ("volume seeded", "volume"), ("something unknown", "x")]
    for verb, target_type in old:
        AuditEvent.objects.create(verb=verb, target_type=target_type, target_id=str(theme.pk))
    migration.forwards(apps, None)
    assert list(AuditEvent.objects.order_by("id").values_list("verb", flat=True)) == [
        "theme.added", "plan.created", "report.submitted", "charter.item_moved",
        "action.progress_updated", "volume.seeded", "something unknown"]
    # Every value the migration writes is a Verb.
    assert {new for _, _, new in migration.MAPPING} <= set(Verb.values)


def test_sharing_feedback_with_another_organisation_is_audited(org):
    from feedback.models import Feedback
    from feedback.services import feedback_set_themes, feedback_submit

    officer = staff_user(Role.OFFICER, org)
    partner, other = OrganisationFactory(name="Testshire NHS"), OrganisationFactory(name="School")
    feedback = feedback_submit(channel=Feedback.Channel.EMAIL, what_went_well="", rating=None,
                               even_better_if="Words", about_organisation=org)
    feedback_set_themes(acting_user=officer, feedback=feedback, themes=[],
                        shared_with=[partner, other])
    feedback_set_themes(acting_user=officer, feedback=feedback, themes=[], shared_with=[other])
    events = AuditEvent.objects.filter(target_id=str(feedback.pk),
                                       verb__in=[Verb.FEEDBACK_SHARED, Verb.FEEDBACK_UNSHARED])
    assert sorted(events.values_list("verb", "data__organisation")) == sorted([
        (Verb.FEEDBACK_SHARED, partner.pk), (Verb.FEEDBACK_SHARED, other.pk),
        (Verb.FEEDBACK_UNSHARED, partner.pk)])
    assert all(e.actor == officer for e in events)
    assert "Words" not in str(list(AuditEvent.objects.values_list("summary", "data")))


# --- the page: who may see it -----------------------------------------------------------

def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("role", "status"), [
    (Role.ADMINISTRATOR, 200), (Role.OFFICER, 403), (Role.APPROVER, 403),
    (Role.BOARD_MEMBER, 403)])
def test_only_administrators_see_the_audit_trail(client, org, role, status):
    client.force_login(staff_user(role, org))
    assert client.get(URL).status_code == status


def test_a_person_with_no_role_is_refused(client):
    from tests.core.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403


def test_another_organisations_administrator_sees_the_partnership_wide_trail(client, org):
    """The decision (docs/audit.md): the trail is the partnership's, so an
    administrator of any partner sees changes to every organisation's objects."""
    officer = staff_user(Role.OFFICER, org)
    theme = ThemeFactory(name="Waiting times")
    audit_record(actor=officer, verb=Verb.THEME_ADDED, target=theme, summary=theme.name)
    audit_record(actor=officer, verb=Verb.ORGANISATION_SETTINGS_CHANGED, target=org,
                 summary=org.name)
    client.force_login(staff_user(Role.ADMINISTRATOR, OrganisationFactory(name="Elsewhere")))
    html = client.get(URL).content.decode()
    assert "Waiting times" in html and "Testshire County Council" in html
    assert "Organisation settings changed" in html and "Theme added" in html


def test_the_navigation_offers_the_trail_to_administrators_only(client, org):
    client.force_login(staff_user(Role.ADMINISTRATOR, org))
    assert 'href="/staff/audit/"' in client.get("/staff/").content.decode()
    client.force_login(staff_user(Role.OFFICER, org))
    assert 'href="/staff/audit/"' not in client.get("/staff/").content.decode()


# --- the page: filters ------------------------------------------------------------------

@pytest.fixture
def trail(org):
    """Four events by two people on two objects over three days."""
    ann = staff_user(Role.OFFICER, org, first_name="Ann", last_name="Able")
    bob = staff_user(Role.APPROVER, org, first_name="Bob", last_name="Best")
    first, second = ThemeFactory(name="Alpha theme"), ThemeFactory(name="Beta theme")
    now = timezone.now()
    events = [
        audit_record(actor=ann, verb=Verb.THEME_ADDED, target=first, summary="Alpha theme"),
        audit_record(actor=bob, verb=Verb.THEME_ADDED, target=second, summary="Beta theme"),
        audit_record(actor=ann, verb=Verb.ORGANISATION_SETTINGS_CHANGED, target=org,
                     summary="Org settings", data={"changed": ["replies_need_approval"]}),
        audit_record(actor=None, verb=Verb.REPORT_PUBLISHED, target=first, summary="By the portal"),
    ]
    for days_ago, event in zip((3, 2, 1, 0), events, strict=True):
        AuditEvent.objects.filter(pk=event.pk).update(created_at=now - timedelta(days=days_ago))
    return {"ann": ann, "bob": bob, "first": first, "second": second, "now": now}


def _summaries(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    return [s for s in ("Alpha theme", "Beta theme", "Org settings", "By the portal")
            if f'<span class="govuk-body-s">{s}</span>' in html]


@pytest.fixture
def admin_client(client, org):
    client.force_login(staff_user(Role.ADMINISTRATOR, org))
    return client


def test_the_trail_is_newest_first_and_names_who_what_and_the_changed_fields(admin_client, trail):
    html = admin_client.get(URL).content.decode()
    order = [html.index(s) for s in ("By the portal", "Org settings", "Beta theme", "Alpha theme")]
    assert order == sorted(order)
    assert "Ann Able" in html and "Bob Best" in html and "The portal" in html
    assert "changed: replies_need_approval" in html
    assert "Report published" in html


def test_filter_by_person(admin_client, trail):
    assert _summaries(admin_client, actor=trail["ann"].pk) == ["Alpha theme", "Org settings"]


def test_filter_by_verb(admin_client, trail):
    assert _summaries(admin_client, verb=Verb.THEME_ADDED) == ["Alpha theme", "Beta theme"]


def test_filter_by_object(admin_client, trail):
    assert _summaries(admin_client, target_type="core.theme", target_id=trail["first"].pk) == [
        "Alpha theme", "By the portal"]
    assert _summaries(admin_client, target_type="core.organisation") == ["Org settings"]


def test_filter_by_date_range(admin_client, trail):
    day = (trail["now"] - timedelta(days=2)).astimezone(timezone.get_current_timezone())
    to = day + timedelta(days=1)
    assert _summaries(admin_client, date_from_0=day.day, date_from_1=day.month,
                      date_from_2=day.year, date_to_0=to.day, date_to_1=to.month,
                      date_to_2=to.year) == ["Beta theme", "Org settings"]


@pytest.mark.parametrize("params", [
    {"date_from_0": "31", "date_from_1": "2", "date_from_2": "2026"},
    {"date_from_0": "x", "date_from_1": "", "date_from_2": ""},
    {"actor": "not-a-number"}, {"actor": "99999999999999999999"}, {"verb": "deleted everything"},
    {"target_type": "auth.nothing"}, {"target_id": "x" * 500}, {"page": "-1"}, {"page": "x"},
    {"date_from_0": "2", "date_from_1": "1", "date_from_2": "2027",
     "date_to_0": "1", "date_to_1": "1", "date_to_2": "2027"},
])
def test_bad_filters_are_shown_as_errors_not_500(admin_client, trail, params):
    response = admin_client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    if not set(params) <= {"page"}:
        assert "govuk-error-summary" in html and "<title>Error: " in html


def test_a_filter_that_is_wrong_keeps_what_was_typed(admin_client, trail):
    html = admin_client.get(URL, {"date_from_0": "31", "date_from_1": "2", "date_from_2": "2026",
                                  "target_id": "42"}).content.decode()
    assert "The date from must be a real date" in html
    assert 'value="31"' in html and 'value="42"' in html


def test_the_page_has_a_pinned_query_count_that_does_not_grow(admin_client, trail,
                                                               django_assert_num_queries):
    with django_assert_num_queries(5) as first:
        admin_client.get(URL)
    for n in range(60):
        audit_record(actor=staff_user(Role.OFFICER, OrganisationFactory()), verb=Verb.THEME_ADDED,
                     target=ThemeFactory(), data={"changed": ["name"], "n": n})
    with django_assert_num_queries(len(first.captured_queries)):
        response = admin_client.get(URL)
    assert response.context["page"].paginator.count == 64
    with django_assert_num_queries(len(first.captured_queries)):
        admin_client.get(URL, {"page": 2, "verb": Verb.THEME_ADDED})


def test_the_page_never_shows_more_than_fifty_events(admin_client, trail):
    theme = Theme.objects.first()
    AuditEvent.objects.bulk_create([AuditEvent(verb=Verb.THEME_ADDED, target_type="core.theme",
                                               target_id=str(theme.pk)) for _ in range(120)])
    response = admin_client.get(URL)
    assert len(response.context["page"].object_list) == 50
    assert len(admin_client.get(URL, {"page": 3}).context["page"].object_list) == 24


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_audit_trail_is_accessible_with_and_without_errors(page, org):
    staff_user(Role.ADMINISTRATOR, org, email="admin@council.example")
    audit_record(actor=None, verb=Verb.THEME_ADDED, target=ThemeFactory(), summary="A theme")
    sign_in(page, "admin@council.example")
    page.goto(URL)
    assert_accessible(page, "audit trail")
    page.goto(URL + "?date_from_0=31&date_from_1=2&date_from_2=2026")
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "audit trail with a wrong date")


def test_edits_record_the_names_of_the_changed_fields_only(org):
    from core.services import organisation_settings_update

    admin = staff_user(Role.ADMINISTRATOR, org)
    organisation_settings_update(acting_user=admin, organisation=org, replies_need_approval=True)
    organisation_settings_update(acting_user=admin, organisation=org, replies_need_approval=True)
    first, second = AuditEvent.objects.filter(
        verb=Verb.ORGANISATION_SETTINGS_CHANGED).order_by("id")
    assert first.data["changed"] == ["replies_need_approval"] and second.data["changed"] == []


def test_report_edits_and_item_moves_are_audited_with_what_changed():
    from reports import services
    from tests.reports.factories import draft_report, make_people

    org, officer, _ = make_people()
    report = draft_report(org=org, author=officer, items=2)
    services.report_update(acting_user=officer, report=report, title="A new title",
                           summary=report.summary)
    edited = AuditEvent.objects.get(verb=Verb.REPORT_EDITED)
    assert edited.data["changed"] == ["title"] and edited.actor == officer
    first, second = report.items.order_by("position")
    services.item_move(acting_user=officer, item=second, direction=-1)
    services.item_move(acting_user=officer, item=second, direction=-1)  # already first: no event
    moved = AuditEvent.objects.get(verb=Verb.REPORT_ITEM_MOVED)
    assert moved.target_id == str(report.pk) and moved.data == {"item": second.pk,
                                                                "direction": -1}
