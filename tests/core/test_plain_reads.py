"""The session row and the signed-in person are read with one plain
statement each (core/sessions.py, core.backends.EmailBackend.get_user):
the same results as Django's own readers, in the same one query each."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoSessions
from django.contrib.sessions.models import Session
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.backends import EmailBackend
from core.models import Role, User
from core.sessions import SessionStore
from tests.core.factories import staff_user

pytestmark = pytest.mark.django_db


def test_the_session_reads_as_djangos_does(django_assert_num_queries):
    store = SessionStore()
    store["seen_at"] = 1234
    store.save()
    with django_assert_num_queries(1):
        mine = SessionStore(store.session_key).load()
    assert mine == DjangoSessions(store.session_key).load() == {"seen_at": 1234}

    # An expired session is none at all, and gets a new key when saved.
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    assert SessionStore("no-such-session-key").load() == {}


def test_the_person_reads_as_djangos_does(django_assert_num_queries):
    person = staff_user(Role.OFFICER, first_name="Asha", last_name="Patel")
    backend = EmailBackend()
    with django_assert_num_queries(1):
        mine = backend.get_user(str(person.pk))  # as the session keeps it
    theirs = User.objects.get(pk=person.pk)
    assert mine == theirs and mine._state.adding is False
    assert model_to_dict(mine) == model_to_dict(theirs)
    assert mine.password == theirs.password  # the session's hash is checked against it

    assert backend.get_user("999999") is None
    assert backend.get_user("not a number") is None
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert backend.get_user(str(person.pk)) is None


def test_a_signed_in_page_and_signing_out_work_through_them():
    person = staff_user(Role.OFFICER)
    client = Client()
    client.force_login(person)
    assert client.session[SESSION_KEY] == str(person.pk)
    assert client.get(reverse("staff:home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("staff:home")).status_code == 302  # to sign in
