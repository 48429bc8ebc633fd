"""Named permissions for the staff area. Each is built from small predicates;
views ask `user.has_perm("core.…")`, never about roles directly."""

import rules

from .models import Role
from .roles import WORKING_ROLES, acts_as_administrator_for, has_role, roles_by_organisation
from .roles import is_partnership_administrator as _is_partnership_administrator


@rules.predicate
def is_staff_member(user) -> bool:
    return bool(roles_by_organisation(user))


@rules.predicate
def is_working_officer(user) -> bool:
    """Officers, approvers and administrators: people who handle the work."""
    return has_role(user, WORKING_ROLES)


@rules.predicate
def is_approver(user) -> bool:
    return has_role(user, {Role.APPROVER})


@rules.predicate
def is_board_member(user) -> bool:
    return has_role(user, {Role.BOARD_MEMBER})


@rules.predicate
def is_administrator(user) -> bool:
    return has_role(user, {Role.ADMINISTRATOR})


rules.add_perm("core.access_staff_area", is_staff_member)
rules.add_perm("core.view_lists", is_working_officer)
rules.add_perm("core.manage_lists", is_administrator)
rules.add_perm("core.view_audit", is_administrator)
rules.add_perm("core.manage_people", is_administrator)
rules.add_perm("core.manage_jobs", is_administrator)


@rules.predicate
def is_partnership_administrator(user) -> bool:
    return _is_partnership_administrator(user)


@rules.predicate
def administers(user, organisation) -> bool:
    return organisation is not None and has_role(user, {Role.ADMINISTRATOR}, organisation.pk)


@rules.predicate
def administers_owner(user, obj) -> bool:
    """For an object that belongs to one organisation (its `organisation_id`):
    an administrator of THAT organisation, or a partnership administrator
    while the partnership lets its lead act for partners. An administrator
    of another organisation is not one (issue 19)."""
    return obj is not None and acts_as_administrator_for(user, getattr(obj, "organisation_id", None))


# Partner organisations: partnership administrators add and edit them and
# give each its administrator; each organisation's administrators (and the
# partnership's) change its settings.
rules.add_perm("core.manage_organisations", is_partnership_administrator)
rules.add_perm("core.change_organisation_settings", administers | is_partnership_administrator)
