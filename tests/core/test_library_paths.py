"""Sessions, the signed-in person, the CSP header and the caches go through
the libraries' own code: Django's database sessions and ModelBackend's user
read, django-csp's middleware, Django's RedisCache wrapped only at its public
methods. Nothing in the portal overrides or reads their private names."""

import datetime
import inspect
import re
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_backends
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.backends import EmailBackend
from core.cache import FailSoftRedisCache
from core.models import Role, User
from tests.core.factories import staff_user

ROOT = Path(__file__).resolve().parents[2]
# Private names of Django's session, auth and Redis cache code and of django-csp
# that the portal once overrode or read.
PRIVATE = re.compile(r"_get_session_from_db|_csp_(config|update|replace|exempt)"
                     r"|CheckableLazyObject|_csp_nonce_post_response|\._cache\.get_client")
# Django's Redis client internals: used in core/cache.py only, where the HTTP
# benchmark shows the difference (its docstring gives the figures).
CACHE_PRIVATE = re.compile(r"_get_connection_pool|\._class\b|\._client\(")


def _portal_sources():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "node_modules", "tests", "bench"} or "migrations" in parts:
            continue
        yield path


def test_settings_name_the_libraries_own_classes():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    assert import_module(settings.SESSION_ENGINE).SessionStore is cached_db.SessionStore
    # Its copies live in the fail-soft cache: with Redis down the database answers.
    assert settings.SESSION_CACHE_ALIAS == "derived"
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
    # The person is read by ModelBackend's own get_user; only Django's model
    # permissions (unused: the portal's are rules) are switched off.
    assert EmailBackend.get_user is ModelBackend.get_user
    assert EmailBackend.authenticate is ModelBackend.authenticate
    own = {name for name, _ in inspect.getmembers(EmailBackend, inspect.isfunction)
           if name in vars(EmailBackend)}
    assert own == {"get_user_permissions", "get_group_permissions"}
    # The fail-soft cache defines public methods only.
    assert all(not name.startswith("_") or name == "_soft" or name.startswith("__")
               for name in vars(FailSoftRedisCache))
    assert issubclass(FailSoftRedisCache, RedisCache)


def test_no_portal_module_touches_their_private_names():
    offenders = [str(path.relative_to(ROOT)) for path in _portal_sources()
                 if PRIVATE.search(path.read_text())]
    assert offenders == []
    cache_internals = [str(path.relative_to(ROOT)) for path in _portal_sources()
                       if CACHE_PRIVATE.search(path.read_text())]
    assert cache_internals == ["core/cache.py"]
    assert "benchmark" in import_module("core.cache").__doc__
    assert not (ROOT / "core" / "sessions.py").exists()


@pytest.mark.django_db
def test_a_session_is_read_from_its_copy_or_in_one_query_and_expires(
        django_assert_num_queries):
    store = cached_db.SessionStore()
    store["seen_at"] = 1234
    store.save()
    with django_assert_num_queries(0):  # the copy in the cache
        assert cached_db.SessionStore(store.session_key).load() == {"seen_at": 1234}
    caches["derived"].delete(store.cache_key)  # evicted, or Redis down: the database
    with django_assert_num_queries(1):
        assert cached_db.SessionStore(store.session_key).load() == {"seen_at": 1234}
    caches["derived"].delete(store.cache_key)
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1))
    expired = cached_db.SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None


@pytest.mark.django_db
def test_the_person_is_read_in_one_query(django_assert_num_queries):
    person = staff_user(Role.OFFICER, first_name="Asha", last_name="Patel")
    backend = next(b for b in get_backends() if isinstance(b, EmailBackend))
    with django_assert_num_queries(1):
        mine = backend.get_user(str(person.pk))  # as the session keeps it
    assert model_to_dict(mine) == model_to_dict(User.objects.get(pk=person.pk))
    assert backend.get_user("999999") is None
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert backend.get_user(str(person.pk)) is None


@pytest.mark.django_db
def test_a_signed_in_page_and_signing_out_work_through_them():
    person = staff_user(Role.OFFICER)
    client = Client()
    client.force_login(person)
    assert type(client.session) is cached_db.SessionStore
    assert client.session[SESSION_KEY] == str(person.pk)
    assert client.get(reverse("staff:home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("staff:home")).status_code == 302  # to sign in


@pytest.mark.django_db
def test_a_sign_out_that_cannot_delete_the_sessions_copy_ends_every_session_of_that_person(
        settings):
    """Signing out deletes the session's row and its cached copy. If Redis
    cannot be reached, the fail-soft cache lets the copy's deletion fail
    quietly; a copy that outlives the outage must then open nothing for
    whoever holds the cookie (core.signals): the person's session
    generation moves on and Django's own check refuses the copy."""
    person = staff_user(Role.OFFICER)
    client, holder = Client(), Client()
    client.force_login(person)
    holder.cookies = client.cookies  # someone else with the same cookie
    assert holder.get(reverse("staff:home")).status_code == 200
    session_key = client.session.session_key
    key = client.session.cache_key
    copy = caches["derived"].get(key)
    assert copy is not None

    # The plain cache (which says when it fails) at an address nothing answers.
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0", "OPTIONS": {"socket_connect_timeout": 1}}}
    client.post(reverse("logout"))
    person.refresh_from_db()
    assert person.session_generation == 1
    caches["derived"].set(key, copy)  # the copy Redis kept through its outage
    response = holder.get(reverse("staff:home"))
    assert response.status_code == 302 and "sign-in" in response["Location"]

    # Without the generation moved on, the same copy would have opened the page.
    User.objects.filter(pk=person.pk).update(session_generation=0)
    caches["derived"].set(key, copy)
    again = Client()
    again.cookies[settings.SESSION_COOKIE_NAME] = session_key
    assert again.get(reverse("staff:home")).status_code == 200


@pytest.mark.django_db
def test_signing_out_with_the_cache_up_leaves_the_persons_other_sessions():
    person = staff_user(Role.OFFICER)
    laptop, phone = Client(), Client()
    laptop.force_login(person)
    phone.force_login(person)
    laptop.post(reverse("logout"))
    assert laptop.get(reverse("staff:home")).status_code == 302
    assert phone.get(reverse("staff:home")).status_code == 200
    person.refresh_from_db()
    assert person.session_generation == 0
