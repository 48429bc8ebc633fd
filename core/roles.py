"""What roles a person holds, looked up once per request.

Permission predicates (each app's rules.py) call these; the answer is cached on
the user object so a page that checks ten permissions makes one query.
"""

from collections.abc import Iterable

from .models import Membership, Role

_CACHE_ATTR = "_sendportal_roles"
_LEAD_ATTR = "_sendportal_lead_orgs"
_ACTS_ATTR = "_sendportal_acts_for_partners"

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
        acts_for_partners = False
        for org_id, role, is_lead, lead_acts in Membership.objects.filter(
                user=user).order_by().values_list(
            "organisation_id", "role", "organisation__is_partnership_lead",
            "organisation__lead_acts_for_partners"
        ):
            grouped.setdefault(org_id, set()).add(role)
            if is_lead:
                lead.add(org_id)
                acts_for_partners |= bool(lead_acts) and role == Role.ADMINISTRATOR
        cached = {org_id: frozenset(roles) for org_id, roles in grouped.items()}
        setattr(user, _CACHE_ATTR, cached)
        setattr(user, _LEAD_ATTR, frozenset(lead))
        setattr(user, _ACTS_ATTR, acts_for_partners)
    return cached


def is_partnership_administrator(user) -> bool:
    """An administrator of the partnership's lead organisation: adds partner
    organisations and gives each its administrator."""
    held = roles_by_organisation(user)
    return any(Role.ADMINISTRATOR in held[org_id] for org_id in getattr(user, _LEAD_ATTR, ()))


def acts_for_partners(user) -> bool:
    """A partnership administrator whose partnership has decided (the lead
    organisation's setting `lead_acts_for_partners`, off by default) that
    they may act as the administrator of every partner organisation."""
    roles_by_organisation(user)
    return getattr(user, _ACTS_ATTR, False)


def acts_as_administrator_for(user, organisation_id: int | None) -> bool:
    """Whether the person may do what an administrator of this one
    organisation may do: they are its administrator, or a partnership
    administrator while the partnership lets the lead act for partners.
    Being an administrator of some other organisation is not enough."""
    if organisation_id is None:
        return False
    return has_role(user, {Role.ADMINISTRATOR}, organisation_id) or acts_for_partners(user)


def forget_roles(user) -> None:
    """Drop the cached roles (after memberships change)."""
    for attr in (_CACHE_ATTR, _LEAD_ATTR, _ACTS_ATTR):
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
