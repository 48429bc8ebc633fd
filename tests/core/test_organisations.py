"""Partner organisations, their administrators and their own settings:
who may do what, what is audited, what the code reads, and query counts."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from core.audit import Verb
from core.models import AuditEvent, Membership, Organisation, Role, User
from tests.core.factories import OrganisationFactory, staff_user

pytestmark = pytest.mark.django_db

ROLES = [Role.OFFICER, Role.APPROVER, Role.BOARD_MEMBER, Role.ADMINISTRATOR]


@pytest.fixture
def lead():
    return OrganisationFactory(name="Testshire County Council", is_partnership_lead=True)


@pytest.fixture
def forum():
    return OrganisationFactory(name="Testshire Parent Carer Forum",
                               kind=Organisation.Kind.PARENT_CARER_FORUM)


def partnership_pages(org):
    return [reverse("staff:organisations"), reverse("staff:organisation-add"),
            reverse("staff:organisation-edit", args=[org.pk]),
            reverse("staff:organisation-administrator", args=[org.pk])]


def test_anonymous_visitors_are_sent_to_sign_in(client, lead, forum):
    for url in [*partnership_pages(forum),
                reverse("staff:organisation-settings", args=[forum.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in/" in response["Location"], url
        assert client.post(url).status_code == 302
    assert client.get(reverse("account")).status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_only_partnership_administrators_manage_organisations(client, lead, forum, role):
    # Every role in the lead organisation except administrator, and every
    # role (administrator too) in another organisation, is refused.
    for org in (lead, forum):
        client.force_login(staff_user(role, org))
        allowed = role == Role.ADMINISTRATOR and org == lead
        for url in partnership_pages(forum):
            assert client.get(url).status_code == (200 if allowed else 403), (role, org, url)
        if not allowed:
            response = client.post(reverse("staff:organisation-add"), {
                "name": "Sneaky", "kind": "provider", "area": "Testshire"})
            assert response.status_code == 403
    assert not Organisation.objects.filter(name="Sneaky").exists()


@pytest.mark.parametrize("role", ROLES)
def test_an_organisations_settings_are_for_its_administrators(client, lead, forum, role):
    other = OrganisationFactory(name="Elsewhere Trust")
    url = reverse("staff:organisation-settings", args=[forum.pk])
    client.force_login(staff_user(role, forum))
    assert client.get(url).status_code == (200 if role == Role.ADMINISTRATOR else 403)
    # An administrator of another (non-lead) organisation is refused, and
    # cannot change it by posting either.
    client.force_login(staff_user(Role.ADMINISTRATOR, other))
    assert client.get(url).status_code == 403
    assert client.post(url, {"response_working_days": "3"}).status_code == 403
    forum.refresh_from_db()
    assert forum.response_working_days is None
    # A partnership administrator may, to get a partner going.
    client.force_login(staff_user(Role.ADMINISTRATOR, lead))
    assert client.get(url).status_code == 200
    assert client.get(reverse("staff:organisation-settings", args=[999999])).status_code == 404


def test_partnership_administrator_adds_a_partner_and_its_administrator(
        client, lead, django_capture_on_commit_callbacks):
    admin = staff_user(Role.ADMINISTRATOR, lead)
    client.force_login(admin)
    response = client.post(reverse("staff:organisation-add"), {
        "name": "Testshire Young Voices", "kind": "young_people", "area": "Testshire",
        "public_name": "", "website": "young.example"})
    new = Organisation.objects.get(name="Testshire Young Voices")
    assert response["Location"] == reverse("staff:organisation-administrator", args=[new.pk])
    assert new.website == "https://young.example" and not new.is_partnership_lead
    assert AuditEvent.objects.filter(verb=Verb.ORGANISATION_ADDED, actor=admin,
                                     target_id=str(new.pk)).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:organisation-administrator", args=[new.pk]), {
            "email": "Chair@Young.example", "first_name": "Kim", "last_name": "Lee"})
    chair = User.objects.get(email="chair@young.example")
    assert Membership.objects.filter(user=chair, organisation=new, role=Role.ADMINISTRATOR).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["chair@young.example"]
    assert AuditEvent.objects.filter(verb=Verb.ROLE_GIVEN, actor=admin).exists()


def test_organisation_add_errors_keep_what_was_typed(client, lead):
    OrganisationFactory(name="Testshire Forum", area="Testshire")
    client.force_login(staff_user(Role.ADMINISTRATOR, lead))
    response = client.post(reverse("staff:organisation-add"), {"name": "", "area": "Testshire",
                                                               "website": "not a url"})
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("name", "kind", "website"):
        assert f'href="#id_{field}' in html, field
    assert 'value="Testshire"' in html
    # The same name in the same area (any case) is refused on the name field.
    response = client.post(reverse("staff:organisation-add"), {
        "name": "testshire forum", "kind": "voluntary", "area": "Testshire"})
    assert response.status_code == 400
    assert "There is already an organisation with that name" in response.content.decode()


def test_edit_is_audited_with_changed_field_names_and_refuses_a_stale_page(client, lead, forum):
    admin = staff_user(Role.ADMINISTRATOR, lead)
    client.force_login(admin)
    url = reverse("staff:organisation-edit", args=[forum.pk])
    data = {"name": forum.name, "kind": forum.kind, "area": forum.area,
            "public_name": "Testshire PCF", "website": "", "lock_version": forum.lock_version}
    assert client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(verb=Verb.ORGANISATION_EDITED)
    assert event.data == {"changed": ["public_name"]}
    response = client.post(url, {**data, "public_name": "Stale"})
    assert response.status_code == 400
    assert "Someone else changed this" in response.content.decode()
    assert 'value="Stale"' in response.content.decode()
    forum.refresh_from_db()
    assert forum.public_name == "Testshire PCF"


def test_forum_administrator_changes_its_own_settings(client, forum):
    admin = staff_user(Role.ADMINISTRATOR, forum)
    client.force_login(admin)
    url = reverse("staff:organisation-settings", args=[forum.pk])
    response = client.post(url, {
        "public_name": "Testshire PCF", "website": "https://pcf.example",
        "replies_need_approval": "on", "response_working_days": "10",
        "contact_retention_days": "30", "lock_version": forum.lock_version})
    assert response.status_code == 302
    forum.refresh_from_db()
    assert (forum.response_days, forum.retention_days, forum.display_name) == (
        10, 30, "Testshire PCF")
    event = AuditEvent.objects.get(verb=Verb.ORGANISATION_SETTINGS_CHANGED)
    assert sorted(event.data["changed"]) == sorted(
        ["public_name", "website", "replies_need_approval", "response_working_days",
         "contact_retention_days"])
    # Out of range: the error summary links to the field and nothing typed is lost.
    response = client.post(url, {"response_working_days": "0", "contact_retention_days": "99999",
                                 "public_name": "Kept", "lock_version": forum.lock_version})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_response_working_days"' in html
    assert 'href="#id_contact_retention_days"' in html and 'value="Kept"' in html


@override_settings(FEEDBACK_RESPONSE_WORKING_DAYS=20, FEEDBACK_CONTACT_RETENTION_DAYS=90)
def test_code_reads_the_organisations_own_values_with_the_environment_as_default(forum):
    from feedback import services as feedback_services

    other = OrganisationFactory(name="Default Trust")
    monday = date(2026, 3, 2)
    assert forum.response_days == 20 and forum.retention_days == 90
    forum.response_working_days, forum.contact_retention_days = 5, 10
    forum.save()
    assert feedback_services.response_due(monday, forum) == date(2026, 3, 9)
    assert feedback_services.response_due(monday, other) == feedback_services.response_due(monday)
    fb = feedback_services.feedback_submit(what_went_well="x", about_organisation=forum,
                                           wants_contact=True, contact_email="a@b.example")
    assert (fb.response_due_on - fb.received_on).days < 10

    # Retention: the forum keeps contact details for 10 days after closing,
    # the other organisation for the default 90.
    from feedback.models import Feedback

    def closed(org, days_ago):
        f = feedback_services.feedback_submit(what_went_well="y", about_organisation=org,
                                              wants_contact=True, contact_email="c@d.example")
        Feedback.objects.filter(pk=f.pk).update(
            status=Feedback.Status.CLOSED, closed_at=timezone.now() - timedelta(days=days_ago))
        return f

    short, long_kept = closed(forum, 11), closed(other, 11)
    feedback_services.retention_apply()
    short.refresh_from_db()
    long_kept.refresh_from_db()
    assert short.contact_email == "" and long_kept.contact_email == "c@d.example"


def test_account_page_saves_name_and_approval_email_choice(client, forum):
    person = staff_user(Role.APPROVER, forum)
    client.force_login(person)
    url = reverse("account")
    html = client.get(url).content.decode()
    assert "Change your password" in html and "One e-mail a day" in html
    response = client.post(url, {"first_name": "", "last_name": "Ng", "approval_email": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_first_name"' in html and 'href="#id_approval_email' in html
    assert 'value="Ng"' in html
    assert client.post(url, {"first_name": "Ana", "last_name": "Ng",
                             "approval_email": "daily"}).status_code == 302
    person.refresh_from_db()
    assert (person.first_name, person.approval_email) == ("Ana", "daily")
    event = AuditEvent.objects.get(verb=Verb.ACCOUNT_EDITED)
    assert "approval_email" in event.data["changed"]


def test_organisations_page_query_count_is_pinned(client, lead, django_assert_num_queries):
    client.force_login(staff_user(Role.ADMINISTRATOR, lead))
    url = reverse("staff:organisations")
    client.get(url)
    with django_assert_num_queries(4) as first:
        client.get(url)
    for n in range(8):
        staff_user(Role.ADMINISTRATOR, OrganisationFactory(name=f"Partner {n}"))
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(url).content.decode().count("Add an administrator<") == 9


def test_settings_and_account_query_counts_are_pinned(client, forum, django_assert_num_queries):
    client.force_login(staff_user(Role.ADMINISTRATOR, forum))
    url = reverse("staff:organisation-settings", args=[forum.pk])
    client.get(url)
    with django_assert_num_queries(3):
        client.get(url)
    client.get(reverse("account"))
    with django_assert_num_queries(3):
        client.get(reverse("account"))
