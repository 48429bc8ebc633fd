"""What roles a person holds, looked up once per request.

Permission predicates (each app's rules.py) call these; the answer is cached on
the user object so a page that checks ten permissions makes one query.
"""

from collections.abc import Iterable

from .models import Membership, Role

_CACHE_ATTR = "_sendportal_roles"
_LEAD_ATTR = "_sendportal_lead_orgs"

# Roles that do the day-to-day work with families' feedback and actions.
WORKING_ROLES = frozenset({Role.OFFICER, Role.APPROVER, Role.ADMINISTRATOR})


def roles_by_organisation(user) -> dict[int, frozenset[str]]:
    """{organisation id: roles} for a signed-in person; {} for anyone else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        grouped: dict[int, set[str]] = {}
        lead: set[int] = set()
        for org_id, role, is_lead in Membership.objects.filter(user=user).order_by().values_list(
            "organisation_id", "role", "organisation__is_partnership_lead"
        ):
            grouped.setdefault(org_id, set()).add(role)
            if is_lead:
                lead.add(org_id)
        cached = {org_id: frozenset(roles) for org_id, roles in grouped.items()}
        setattr(user, _CACHE_ATTR, cached)
        setattr(user, _LEAD_ATTR, frozenset(lead))
    return cached


def is_partnership_administrator(user) -> bool:
    """An administrator of the partnership's lead organisation: adds partner
    organisations and gives each its administrator."""
    held = roles_by_organisation(user)
    return any(Role.ADMINISTRATOR in held[org_id] for org_id in getattr(user, _LEAD_ATTR, ()))


def forget_roles(user) -> None:
    """Drop the cached roles (after memberships change)."""
    for attr in (_CACHE_ATTR, _LEAD_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


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
