"""What roles a person holds, looked up once per request.

Permission predicates (each app's rules.py) call these; the answer is cached on
the user object so a page that checks ten permissions makes one query.
"""

from collections.abc import Iterable

from .models import Membership, Role

_CACHE_ATTR = "_sendportal_roles"

# Roles that do the day-to-day work with families' feedback and actions.
WORKING_ROLES = frozenset({Role.OFFICER, Role.APPROVER, Role.ADMINISTRATOR})


def roles_by_organisation(user) -> dict[int, frozenset[str]]:
    """{organisation id: roles} for a signed-in person; {} for anyone else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        grouped: dict[int, set[str]] = {}
        for org_id, role in Membership.objects.filter(user=user).order_by().values_list(
            "organisation_id", "role"
        ):
            grouped.setdefault(org_id, set()).add(role)
        cached = {org_id: frozenset(roles) for org_id, roles in grouped.items()}
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user) -> None:
    """Drop the cached roles (after memberships change)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_role(user, roles: Iterable[str], organisation_id: int | None = None) -> bool:
    """Whether the person holds any of `roles`, in `organisation_id` if given."""
    wanted = frozenset(roles)
    held = roles_by_organisation(user)
    if organisation_id is not None:
        return bool(held.get(organisation_id, frozenset()) & wanted)
    return any(r & wanted for r in held.values())


def organisation_ids_with_role(user, roles: Iterable[str]) -> set[int]:
    """Ids of the organisations where the person holds any of `roles`: the one
    "organisations where I hold role X" lookup (`core.selectors.organisations_where`
    gives them as a queryset). Costs at most one query per user object."""
    wanted = frozenset(roles)
    return {org_id for org_id, held in roles_by_organisation(user).items() if held & wanted}
