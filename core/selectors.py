from django.db.models import QuerySet
from django.utils import timezone

from .models import Heartbeat, Membership, Organisation, ServiceArea, Theme
from .roles import organisation_ids_with_role


def memberships_for(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation")


def organisations_where(user, *roles: str) -> QuerySet[Organisation]:
    """The organisations in which `user` holds any of `roles` (none for an
    anonymous or deactivated person). The roles come from the per-user cache in
    `core.roles`, so asking again on the same request costs no extra query;
    `organisation_ids_with_role` gives the same answer as a set of ids."""
    return Organisation.objects.filter(pk__in=organisation_ids_with_role(user, roles))


def themes_all() -> QuerySet[Theme]:
    return Theme.objects.order_by("-is_active", "name")


def service_areas_all() -> QuerySet[ServiceArea]:
    return ServiceArea.objects.order_by("-is_active", "name")


def heartbeat_age_seconds(name: str) -> int | None:
    beat_at = Heartbeat.objects.filter(name=name).values_list("beat_at", flat=True).first()
    if beat_at is None:
        return None
    return int((timezone.now() - beat_at).total_seconds())


def memberships_in(organisations) -> QuerySet[Membership]:
    return (Membership.objects.filter(organisation__in=organisations)
            .select_related("user", "organisation")
            .order_by("organisation__name", "user__last_name", "user__first_name", "role"))


def audit_events() -> QuerySet:
    """The audit trail, newest first, with who did each thing."""
    from .models import AuditEvent

    return AuditEvent.objects.select_related("actor").order_by("-created_at", "-id")
