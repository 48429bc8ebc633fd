"""Role × page matrix: who may view, update, export and arrange meetings."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_role", "owner", "lead_officer", "lead_approver", "other_officer",
         "board_member", "administrator"]
STAFF = {"owner", "lead_officer", "lead_approver", "other_officer", "board_member",
         "administrator"}
UPDATERS = {"owner", "lead_officer", "lead_approver"}
WORKERS = {"owner", "lead_officer", "lead_approver", "other_officer", "administrator"}


def _client(client, world, role):
    if role != "anonymous":
        client.force_login(world["people"][role])
    return client


def _expect(role, allowed):
    if role == "anonymous":
        return 302
    return 200 if role in allowed else 403


PAGES = {
    # name: (url builder, who may)
    "action list": (lambda w: reverse("staff:actionplan:action_list"), STAFF),
    "action page": (lambda w: reverse("staff:actionplan:action_detail", args=[w["action"].pk]),
                    STAFF),
    "internal action page": (lambda w: reverse("staff:actionplan:action_detail",
                                               args=[w["internal"].pk]), STAFF),
    "dashboard": (lambda w: reverse("staff:actionplan:dashboard"), STAFF),
    "update form": (lambda w: reverse("staff:actionplan:action_update", args=[w["action"].pk]),
                    UPDATERS),
    "CSV export": (lambda w: reverse("staff:actionplan:export"), STAFF),
    "boards": (lambda w: reverse("staff:actionplan:board_list"), STAFF),
    "meeting page": (lambda w: reverse("staff:actionplan:meeting_detail",
                                       args=[w["meeting"].pk]), STAFF),
    "choose meeting actions": (lambda w: reverse("staff:actionplan:meeting_actions",
                                                 args=[w["meeting"].pk]), WORKERS),
    "add an action": (lambda w: reverse("staff:actionplan:action_create"), WORKERS),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_staff_page(client, world, role, page):
    url, allowed = PAGES[page]
    response = _client(client, world, role).get(url(world))
    assert response.status_code == _expect(role, allowed), (page, role)
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_who_may_record_progress(client, world, role):
    action = world["action"]
    response = _client(client, world, role).post(
        reverse("staff:actionplan:action_update", args=[action.pk]),
        {"status": "on_track", "percent": "55", "date_0": "2", "date_1": "1", "date_2": "2026",
         "narrative": "Developers recruited"})
    saved = action.updates.count() == 2
    if role in UPDATERS:
        assert response.status_code == 302 and saved
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        assert not saved


@pytest.mark.parametrize("role", ROLES)
def test_who_may_generate_a_board_pack(client, world, role, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = world["meeting"]
    response = _client(client, world, role).post(
        reverse("staff:actionplan:board_pack_generate", args=[meeting.pk]))
    meeting.refresh_from_db()
    if role in WORKERS:
        assert response.status_code == 302 and meeting.pack_state == "pending"
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        assert meeting.pack_state == "none"


def test_update_button_shows_only_for_those_who_may_update(client, world):
    url = reverse("staff:actionplan:action_detail", args=[world["action"].pk])
    for role in STAFF:
        client.force_login(world["people"][role])
        page = client.get(url).content.decode()
        assert ("Record progress" in page) == (role in UPDATERS), role


def test_owner_of_another_action_may_not_update_this_one(client, world):
    client.force_login(world["people"]["owner"])
    response = client.get(reverse("staff:actionplan:action_update", args=[world["internal"].pk]))
    assert response.status_code == 403


def test_public_page_is_open_to_everyone(client, world):
    assert client.get(reverse("actionplan:index")).status_code == 200
