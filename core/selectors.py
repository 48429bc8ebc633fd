from django.db.models import QuerySet
from django.utils import timezone

from .models import Heartbeat, Membership, ServiceArea, Theme


def memberships_for(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation")


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


def organisations_with_administrators() -> QuerySet:
    """Every partner organisation, with its administrators' memberships."""
    from django.db.models import Prefetch

    from .models import Organisation, Role

    return Organisation.objects.order_by("-is_partnership_lead", "area", "name").prefetch_related(
        Prefetch("memberships", to_attr="administrator_memberships",
                 queryset=Membership.objects.filter(role=Role.ADMINISTRATOR)
                 .select_related("user").order_by("user__first_name", "user__last_name")))


def administrators_of(organisation) -> list:
    from .models import Role

    return [m.user for m in Membership.objects.filter(
        organisation=organisation, role=Role.ADMINISTRATOR).select_related("user")]
