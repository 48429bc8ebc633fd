"""The one "organisations where this person holds role X" lookup
(core.roles.organisation_ids_with_role / core.selectors.organisations_where)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from core.models import Role
from core.roles import forget_roles, organisation_ids_with_role
from core.selectors import organisations_where

from .factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    user = UserFactory()
    council, nhs, charity = OrganisationFactory(), OrganisationFactory(), OrganisationFactory()
    MembershipFactory(user=user, organisation=council, role=Role.OFFICER)
    MembershipFactory(user=user, organisation=council, role=Role.ADMINISTRATOR)
    MembershipFactory(user=user, organisation=nhs, role=Role.APPROVER)
    OrganisationFactory()  # one they have nothing to do with
    MembershipFactory(organisation=charity, role=Role.OFFICER)  # someone else's role
    return user, council, nhs, charity


def test_only_the_organisations_where_the_role_is_held(person):
    user, council, nhs, _ = person
    assert organisation_ids_with_role(user, {Role.OFFICER}) == {council.pk}
    assert organisation_ids_with_role(user, {Role.APPROVER}) == {nhs.pk}
    assert organisation_ids_with_role(user, {Role.OFFICER, Role.APPROVER}) == {council.pk, nhs.pk}
    assert organisation_ids_with_role(user, {Role.BOARD_MEMBER}) == set()
    assert set(organisations_where(user, Role.OFFICER, Role.APPROVER)) == {council, nhs}
    assert list(organisations_where(user, Role.BOARD_MEMBER)) == []


def test_no_roles_asked_for_means_no_organisations(person):
    user, *_ = person
    assert organisation_ids_with_role(user, ()) == set()
    assert list(organisations_where(user)) == []


def test_a_person_without_memberships_has_none():
    assert organisation_ids_with_role(UserFactory(), Role.values) == set()


def test_anonymous_visitor_has_none_and_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert organisation_ids_with_role(AnonymousUser(), Role.values) == set()


def test_deactivated_person_keeps_memberships_but_holds_no_role(person):
    user, *_ = person
    user.is_active = False
    user.save()
    assert organisation_ids_with_role(user, Role.values) == set()
    assert list(organisations_where(user, *Role.values)) == []


def test_asking_repeatedly_costs_one_query_per_user(person, django_assert_num_queries):
    user, council, nhs, _ = person
    with django_assert_num_queries(1):
        for role in Role.values:
            organisation_ids_with_role(user, {role})
    # The organisations queryset costs only its own query once roles are known.
    with django_assert_num_queries(1):
        assert set(organisations_where(user, Role.OFFICER)) == {council}


def test_forget_roles_sees_a_new_membership(person):
    user, council, *_ = person
    assert organisation_ids_with_role(user, {Role.BOARD_MEMBER}) == set()
    MembershipFactory(user=user, organisation=council, role=Role.BOARD_MEMBER)
    forget_roles(user)
    assert organisation_ids_with_role(user, {Role.BOARD_MEMBER}) == {council.pk}
