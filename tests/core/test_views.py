import pytest
from django.core import mail
from django.urls import reverse

from core.models import AuditEvent, Role, ServiceArea, Theme
from tests.core.factories import TEST_PASSWORD, ThemeFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db


def test_home_page_says_we_are_listening(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"We are listening" in response.content


@pytest.mark.parametrize("path", ["/accessibility/", "/privacy/", "/cookies/"])
def test_footer_pages_exist(client, path):
    assert client.get(path).status_code == 200


def test_unknown_address_gets_the_portal_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"govuk-template" in response.content


def test_pages_send_a_content_security_policy_without_inline_scripts(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_sign_in_with_email_and_password(client):
    user = staff_user(Role.OFFICER)
    response = client.post(reverse("login"), {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:home")


def test_wrong_password_shows_a_gds_error_and_keeps_the_email(client):
    user = staff_user(Role.OFFICER)
    response = client.post(reverse("login"), {"username": user.email, "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter a correct e-mail address and password" in html
    assert f'value="{user.email}"' in html
    assert "<title>Error: " in html


def test_password_guessing_is_locked_out(client, settings):
    user = staff_user(Role.OFFICER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": user.email, "password": "guess"},
                    REMOTE_ADDR="10.0.0.9")
    response = client.post(reverse("login"), {"username": user.email, "password": TEST_PASSWORD},
                           REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert b"too many times" in response.content


def test_password_reset_sends_a_link_by_email(client):
    user = UserFactory()
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/staff/account/reset/" in mail.outbox[0].body


def test_sign_out_is_a_post(client):
    client.force_login(staff_user(Role.OFFICER))
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("staff:home")).status_code == 302


def test_administrator_adds_a_theme_and_it_is_audited(client):
    admin = staff_user(Role.ADMINISTRATOR)
    client.force_login(admin)
    response = client.post(reverse("staff:list-add"),
                           {"kind": "theme", "name": "Transport", "description": "Buses"})
    assert response.status_code == 302
    theme = Theme.objects.get(name="Transport")
    event = AuditEvent.objects.get(target_type="core.theme", target_id=str(theme.pk))
    assert event.actor == admin and event.verb == "created"


def test_adding_a_duplicate_shows_the_error_and_keeps_what_was_typed(client):
    ThemeFactory(name="Transport")
    client.force_login(staff_user(Role.ADMINISTRATOR))
    response = client.post(reverse("staff:list-add"),
                           {"kind": "theme", "name": "transport", "description": "Kept text"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is already a theme called transport" in html
    assert "Kept text" in html
    assert ServiceArea.objects.count() == 0


def test_lists_page_query_count_is_pinned(client, django_assert_num_queries):
    # session, user, roles, themes, service areas. (No model-permission
    # look-ups: core.backends.EmailBackend does not use them.)
    client.force_login(staff_user(Role.OFFICER))
    ThemeFactory()
    with django_assert_num_queries(5):
        client.get(reverse("staff:lists"))
    ThemeFactory.create_batch(30)
    with django_assert_num_queries(5):
        client.get(reverse("staff:lists"))


def test_impossible_dates_get_a_gov_uk_message():
    from core.forms import GdsDateField

    field = GdsDateField(label="Due", required_message="Enter the due date",
                         invalid_message="The due date must be a real date")
    from django import forms as django_forms

    with pytest.raises(django_forms.ValidationError) as error:
        field.clean(["31", "2", "2026"])
    assert error.value.messages == ["The due date must be a real date"]


def test_client_address_behind_a_load_balancer(rf, settings):
    from core.http import client_address

    request = rf.get("/", REMOTE_ADDR="10.0.0.2",
                     HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")  # first is the client's claim
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_address(request) == "10.0.0.2"  # fewer hops than expected: don't guess


def test_a_service_area_gets_its_easy_read_name_and_picture(client):
    client.force_login(staff_user(Role.ADMINISTRATOR))
    page = client.get(reverse("staff:list-add")).content.decode()
    assert "Name on the easy-read form" in page  # revealed under "A service area"
    response = client.post(reverse("staff:list-add"), {
        "kind": "service_area", "name": "Home to school transport",
        "easy_read_name": "Getting to school, like a bus or taxi", "picture": "transport"})
    assert response.status_code == 302
    area = ServiceArea.objects.get(name="Home to school transport")
    assert (area.easy_read_name, area.picture) == ("Getting to school, like a bus or taxi",
                                                   "transport")
