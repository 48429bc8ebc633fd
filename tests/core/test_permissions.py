"""Who may open which staff page. Every address under /staff/ is covered by
the first test automatically, so a new page cannot forget its permission."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.models import Role, Theme
from tests.core.factories import OrganisationFactory, staff_user

pytestmark = pytest.mark.django_db

SAMPLE_ARGS = {"int": "999999", "slug": "no-such-thing", "str": "no-such-thing",
               "uuid": str(uuid.uuid4()), "path": "no/such/thing"}


def _staff_paths(patterns=None, prefix=""):
    """Every concrete address under /staff/, with sample values for parameters."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _staff_paths(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and route.startswith("staff/"):
            path = route
            for name, converter in entry.pattern.converters.items():
                kind = type(converter).__name__.replace("Converter", "").lower()
                path = path.replace(f"<{kind}:{name}>", SAMPLE_ARGS.get(kind, "x"))
            path = path.replace("<uidb64>", "MQ").replace("<token>", "set-password")
            if "<" not in path:
                yield "/" + path


STAFF_PATHS = sorted(set(_staff_paths()))
ACCOUNT_PATHS = {p for p in STAFF_PATHS if p.startswith("/staff/account/")}


def test_the_walk_finds_the_staff_pages():
    assert "/staff/" in STAFF_PATHS
    assert "/staff/lists/" in STAFF_PATHS
    assert "/staff/account/sign-in/" in ACCOUNT_PATHS


@pytest.mark.parametrize("path", sorted(set(STAFF_PATHS) - ACCOUNT_PATHS))
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302, path
    assert response["Location"].startswith(reverse("login") + "?next="), path


@pytest.mark.parametrize(
    ("role", "home", "lists", "add"),
    [
        (Role.OFFICER, 200, 200, 403),
        (Role.APPROVER, 200, 200, 403),
        (Role.BOARD_MEMBER, 200, 403, 403),
        (Role.ADMINISTRATOR, 200, 200, 200),
    ],
)
def test_role_matrix_for_core_staff_pages(client, role, home, lists, add):
    client.force_login(staff_user(role))
    assert client.get(reverse("staff:home")).status_code == home
    assert client.get(reverse("staff:lists")).status_code == lists
    assert client.get(reverse("staff:list-add")).status_code == add


def test_a_person_with_no_role_cannot_open_the_staff_area(client):
    from tests.core.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("staff:home")).status_code == 403


def test_a_board_member_cannot_post_to_an_administrator_page(client):
    client.force_login(staff_user(Role.BOARD_MEMBER))
    response = client.post(reverse("staff:list-add"), {"kind": "theme", "name": "Sneaky"})
    assert response.status_code == 403
    assert not Theme.objects.filter(name="Sneaky").exists()


def test_roles_in_another_organisation_still_count_only_for_that_person(client):
    org = OrganisationFactory()
    officer = staff_user(Role.OFFICER, org)
    other_board = staff_user(Role.BOARD_MEMBER, OrganisationFactory())
    client.force_login(other_board)
    assert client.get(reverse("staff:lists")).status_code == 403
    client.force_login(officer)
    assert client.get(reverse("staff:lists")).status_code == 200


def test_the_403_page_is_the_portal_page(client):
    client.force_login(staff_user(Role.BOARD_MEMBER))
    response = client.get(reverse("staff:lists"))
    assert b"You cannot see this page" in response.content
