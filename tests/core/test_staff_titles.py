"""Every staff page's title reads "Page – Staff area – Service – Area" with
each part once (issue 19: the staff home read "Staff area – Staff area – …").
Every page the accessibility crawl visits under /staff/, as its visitor."""

import html
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from tests.a11y.conftest import build_world, pages

TITLE = re.compile(r"<title>(.*?)</title>", re.S)


@pytest.mark.django_db
def test_every_staff_page_names_the_staff_area_once_in_its_title():
    world = build_world()
    clients: dict[str, Client] = {}
    wrong, seen = [], 0
    for who, name, path in pages(world):
        if who == "public" or not path.startswith("/staff/"):
            continue
        if who not in clients:
            clients[who] = Client()
            clients[who].force_login(get_user_model().objects.get(email=who))
        response = clients[who].get(path)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        seen += 1
        title = html.unescape(TITLE.search(response.content.decode()).group(1)).strip()
        parts = title.removeprefix("Error: ").split(" – ")
        if (title.count("Staff area") != 1 or len(parts) < 4 or not parts[0].strip()
                or parts[-3:] != ["Staff area", settings.SERVICE_NAME,
                                  settings.ORGANISATION_NAME]):
            wrong.append(f"{name} ({path}): {title!r}")
    assert seen > 40
    assert not wrong, "\n".join(wrong)
