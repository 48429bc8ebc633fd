import pytest
from django.core import mail
from django.urls import reverse

from core.audit import Verb
from core.models import AuditEvent, Role, ServiceArea, Theme
from tests.core.factories import TEST_PASSWORD, ThemeFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db


def test_home_page_says_we_are_listening(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"We are listening" in response.content


@pytest.mark.parametrize("path", ["/accessibility/", "/privacy/", "/privacy/easy-read/", "/cookies/"])
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


def test_a_locked_account_stays_locked_from_other_addresses(client, settings):
    user = staff_user(Role.OFFICER)
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": user.email, "password": "guess"},
                    REMOTE_ADDR=f"10.0.0.{n + 1}")
    response = client.post(reverse("login"), {"username": user.email, "password": TEST_PASSWORD},
                           REMOTE_ADDR="192.0.2.50")
    assert response.status_code == 429


def test_one_address_guessing_many_accounts_is_locked_out(client, settings):
    users = [staff_user(Role.OFFICER) for _ in range(settings.AXES_FAILURE_LIMIT + 1)]
    for user in users[:-1]:
        client.post(reverse("login"), {"username": user.email, "password": "guess"},
                    REMOTE_ADDR="10.0.0.9")
    response = client.post(reverse("login"), {"username": users[-1].email,
                                               "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    # Another address is not affected.
    response = client.post(reverse("login"), {"username": users[-1].email,
                                              "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.1.9")
    assert response.status_code == 302


def test_password_guessing_is_locked_out(client, settings):
    user = staff_user(Role.OFFICER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": user.email, "password": "guess"},
                    REMOTE_ADDR="10.0.0.9")
    response = client.post(reverse("login"), {"username": user.email, "password": TEST_PASSWORD},
                           REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert b"too many times" in response.content


def test_password_reset_sends_a_link_by_email(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "http://127.0.0.1:8000/staff/account/reset/" in mail.outbox[0].body


def test_password_reset_is_limited_per_account_and_per_address(
        client, settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_RESET_PER_ACCOUNT_PER_HOUR = 2
    settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR = 2
    user = UserFactory()
    done = reverse("password_reset_done")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):  # from three addresses: the account's limit holds
            response = client.post(reverse("password_reset"), {"email": user.email},
                                   REMOTE_ADDR=f"192.0.2.{n + 1}")
            assert response.status_code == 302 and response["Location"] == done
    assert len(mail.outbox) == 2
    others = UserFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        for other in others:  # one address asking for many accounts
            response = client.post(reverse("password_reset"), {"email": other.email},
                                   REMOTE_ADDR="198.51.100.9")
            assert response.status_code == 302 and response["Location"] == done
        # An address with no account gets the same answer.
        response = client.post(reverse("password_reset"), {"email": "nobody@example.org"},
                               REMOTE_ADDR="198.51.100.10")
        assert response.status_code == 302 and response["Location"] == done
    assert len(mail.outbox) == 2 + 2  # the third account asked from that address got nothing


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
    assert event.actor == admin and event.verb == Verb.THEME_ADDED


def test_adding_a_duplicate_shows_the_error_and_keeps_what_was_typed(client):
    ThemeFactory(name="Transport")
    client.force_login(staff_user(Role.ADMINISTRATOR))
    response = client.post(reverse("staff:list-add"),
                           {"kind": "theme", "name": "transport", "description": "Kept text"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is already a theme called Transport" in html  # the one that exists
    assert "Kept text" in html
    assert ServiceArea.objects.count() == 0


def test_lists_page_query_count_is_pinned(client, django_assert_num_queries):
    # user, roles, themes, service areas; the session is read from its cached
    # copy. (No model-permission look-ups: core.backends.EmailBackend turns them off.)
    client.force_login(staff_user(Role.OFFICER))
    ThemeFactory()
    with django_assert_num_queries(4):
        client.get(reverse("staff:lists"))
    ThemeFactory.create_batch(30)
    with django_assert_num_queries(4):
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
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "203.0.113.9"  # the first address we do not trust
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_address(request) == "10.0.0.2"  # fewer hops than expected: don't guess


def test_client_address_ignores_forwarded_for_from_an_untrusted_connection(rf, settings):
    """Reaching gunicorn directly, a client cannot choose its own address."""
    from core.http import client_address

    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_address(request) == "198.51.100.7"
    settings.TRUSTED_PROXIES = []
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_address(request) == "10.0.0.2"


def test_client_address_walks_past_a_chain_of_trusted_proxies(rf, settings):
    from core.http import client_address

    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "192.0.2.1"]
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="10.0.0.2",
                     HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9, 192.0.2.1")
    assert client_address(request) == "203.0.113.9"
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_address(request) == "10.0.0.2"


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
