from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Heartbeat, Job, Membership, Organisation, ServiceArea, Theme
from .roles import acts_for_partners, organisation_ids_with_role


def memberships_for(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation")


def organisations_where(user, *roles: str) -> QuerySet[Organisation]:
    """The organisations in which `user` holds any of `roles` (none for an
    anonymous or deactivated person). The roles come from the per-user cache in
    `core.roles`, so asking again on the same request costs no extra query;
    `organisation_ids_with_role` gives the same answer as a set of ids."""
    return Organisation.objects.filter(pk__in=organisation_ids_with_role(user, roles))


def organisations_acting_for(user, *roles: str) -> QuerySet[Organisation]:
    """The organisations a person may act for in a choice of organisation:
    those where they hold any of `roles`, and those they administer (their
    own; every partner only while the partnership lets its lead act for
    partners, `core.roles.acts_for_partners`)."""
    if acts_for_partners(user):
        return Organisation.objects.all()
    from .models import Role

    return Organisation.objects.filter(
        pk__in=organisation_ids_with_role(user, {*roles, Role.ADMINISTRATOR}))


def partnership_organisations() -> QuerySet[Organisation]:
    """Every partner in the local area's partnership (each Organisation is
    one), by name: who may lead or help deliver a multi-agency action."""
    return Organisation.objects.order_by("name")


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


# A job still waiting this long after it was due is stuck (the dispatcher
# sends due jobs every half minute): worth a look, though not yet failed.
JOB_OVERDUE_AFTER = timedelta(minutes=15)


def jobs_visible_to(organisation_ids) -> QuerySet[Job]:
    """Background work of these organisations, and work that belongs to
    none (password-reset e-mails, board packs)."""
    return Job.objects.filter(Q(organisation_id__in=organisation_ids)
                              | Q(organisation__isnull=True))


def jobs_failed(organisation_ids, limit: int = 200) -> list[Job]:
    return list(jobs_visible_to(organisation_ids).filter(state=Job.State.FAILED)
                .select_related("organisation").order_by("-finished_at", "-pk")[:limit])


def job_figures(jobs: QuerySet[Job] | None = None) -> dict[str, int]:
    """How many jobs have failed, are waiting, and are waiting long overdue
    (one query)."""
    jobs = Job.objects.all() if jobs is None else jobs
    overdue_before = timezone.now() - JOB_OVERDUE_AFTER
    return jobs.aggregate(
        failed=Count("pk", filter=Q(state=Job.State.FAILED)),
        waiting=Count("pk", filter=Q(state=Job.State.PENDING)),
        overdue=Count("pk", filter=Q(state=Job.State.PENDING, run_after__lt=overdue_before)))


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
