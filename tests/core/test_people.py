"""Administrators give people roles, and set their organisation's options."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from core.audit import Verb
from core.models import AuditEvent, Membership, Role, User
from tests.conftest import assert_accessible, sign_in
from tests.core.factories import OrganisationFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganisationFactory(name="Testshire County Council")


@pytest.mark.parametrize(("role", "status"), [
    (Role.ADMINISTRATOR, 200), (Role.OFFICER, 403), (Role.APPROVER, 403),
    (Role.BOARD_MEMBER, 403)])
def test_only_administrators_manage_people(client, org, role, status):
    client.force_login(staff_user(role, org))
    assert client.get(reverse("staff:people")).status_code == status
    assert client.get(reverse("staff:person-add")).status_code == status


def test_a_new_person_gets_a_role_and_a_link_to_set_a_password(
        client, org, django_capture_on_commit_callbacks):
    admin = staff_user(Role.ADMINISTRATOR, org)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:person-add"), {
            "email": "New.Officer@Council.example", "first_name": "Nia", "last_name": "Evans",
            "organisation": org.pk, "role": "officer"})
    assert response.status_code == 302
    user = User.objects.get(email="new.officer@council.example")
    assert not user.has_usable_password()
    assert Membership.objects.filter(user=user, organisation=org, role="officer").exists()
    assert len(mail.outbox) == 1 and "/staff/account/reset/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(verb=Verb.ROLE_GIVEN, actor=admin).exists()
    # The link works: they choose a password and can sign in.
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line)
    # The address's path (splitting at the port broke whenever the token
    # itself held "8000").
    path = urlsplit(re.search(r"https?://\S+", link).group(0)).path
    client.logout()
    form_page = client.get(path, follow=True)
    response = client.post(form_page.request["PATH_INFO"], {
        "new_password1": "a-long-new-password-2026", "new_password2": "a-long-new-password-2026"})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).check_password("a-long-new-password-2026")
    signed_in = client.post(reverse("login"), {"username": "new.officer@council.example",
                                               "password": "a-long-new-password-2026"})
    assert signed_in["Location"] == reverse("staff:home")


def test_an_existing_person_just_gets_the_role(client, org, django_capture_on_commit_callbacks):
    client.force_login(staff_user(Role.ADMINISTRATOR, org))
    existing = UserFactory(email="sam@council.example")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:person-add"), {
            "email": "sam@council.example", "first_name": "Sam", "last_name": "Hughes",
            "organisation": org.pk, "role": "approver"})
    assert existing.memberships.get().role == "approver"
    assert mail.outbox == []


def test_errors_keep_what_was_typed(client, org):
    client.force_login(staff_user(Role.ADMINISTRATOR, org))
    response = client.post(reverse("staff:person-add"), {"email": "nope", "first_name": "Nia"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter an e-mail address in the correct format" in html and 'value="Nia"' in html


def test_roles_can_be_removed_but_not_your_own_administrator_role(client, org):
    admin = staff_user(Role.ADMINISTRATOR, org)
    officer = staff_user(Role.OFFICER, org)
    client.force_login(admin)
    url = reverse("staff:role-remove", args=[officer.memberships.get().pk])
    assert f'href="{url}"' in client.get(reverse("staff:people")).content.decode()
    page = client.get(url).content.decode()
    assert officer.memberships.exists()  # asking removes nothing
    assert "Are you sure you want to remove" in page and "You cannot undo this." in page
    assert "will no longer be officer in" in page
    client.post(url)
    assert not officer.memberships.exists()
    client.post(reverse("staff:role-remove", args=[admin.memberships.get().pk]))
    assert admin.memberships.exists()


def test_another_organisations_people_are_out_of_reach(client, org):
    admin = staff_user(Role.ADMINISTRATOR, org)
    outsider = staff_user(Role.OFFICER, OrganisationFactory(name="Elsewhere Trust"))
    client.force_login(admin)
    assert outsider.email not in client.get(reverse("staff:people")).content.decode()
    url = reverse("staff:role-remove", args=[outsider.memberships.get().pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404 and outsider.memberships.exists()


def test_settings_turn_on_reply_approval(client, org):
    client.force_login(staff_user(Role.ADMINISTRATOR, org))
    client.post(reverse("staff:organisation-settings", args=[org.pk]),
                {"replies_need_approval": "on", "lock_version": org.lock_version})
    org.refresh_from_db()
    assert org.replies_need_approval is True


def test_people_page_query_count_is_pinned(client, org, django_assert_num_queries):
    client.force_login(staff_user(Role.ADMINISTRATOR, org))
    with django_assert_num_queries(4) as first:
        client.get(reverse("staff:people"))
    for _ in range(10):
        staff_user(Role.OFFICER, org)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("staff:people"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_people_pages_are_accessible(page, org):
    staff_user(Role.ADMINISTRATOR, org, email="admin@council.example")
    staff_user(Role.OFFICER, org)
    sign_in(page, "admin@council.example")
    page.goto("/staff/people/")
    assert_accessible(page, "people")
    page.goto("/staff/people/add/")
    assert_accessible(page, "add a person")
    page.get_by_role("button", name="Add person").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "add a person with errors")


def test_role_removal_confirmation_query_count_is_pinned(client, org,
                                                         django_assert_num_queries):
    client.force_login(staff_user(Role.ADMINISTRATOR, org))
    url = reverse("staff:role-remove", args=[staff_user(Role.OFFICER, org).memberships.get().pk])
    client.get(url)
    with django_assert_num_queries(3):
        client.get(url)
