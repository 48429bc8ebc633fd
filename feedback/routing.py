"""Routing: which organisation (and team or officer) answers new feedback.

The routing table (`Route`) names, for each service area and optionally a
theme within it, the organisation whose inbox new feedback goes to. Every
channel asks `route_for` (the public forms, the easy-read form, staff
logging through `feedback_submit`) or `route_table` (survey imports, many
rows at once). Feedback about no routed area goes where it went before
(the organisation the family named, or the default organisation).

A person can still move feedback to another organisation (`feedback_reroute`),
saying why; the share of feedback moved that way is shown to the
partnership's administrators beside the table, since a high share means the
table is wrong.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from core.audit import Verb
from core.models import AuditEvent, Membership, Organisation, Role, ServiceArea, Theme
from core.roles import has_role
from core.services import audit_record

from .models import Feedback, Reroute, Route


@dataclass(frozen=True)
class Routed:
    """Where new feedback goes: the answering organisation, its officer (if
    the route names one) and the other routed organisations, which are
    given read access (feedback about health and education at once)."""

    organisation: Organisation
    assignee_id: int | None
    also_organisation_ids: tuple[int, ...] = ()
    theme: Theme | None = None  # the winning route's theme, when it has one

    @property
    def organisation_id(self) -> int:
        return self.organisation.pk


def route_for(service_areas: Iterable[ServiceArea], themes: Iterable[Theme] = ()) -> Routed | None:
    """Where feedback about these service areas (and themes) goes, or None
    when no route covers any of them. One query, none without areas.

    A route for an area and one of the themes wins over the area's own
    route. Several areas: the first area (by name) with a route answers, and
    the organisations routed for the others can read it."""
    area_ids = [a.pk for a in service_areas]
    if not area_ids:
        return None
    theme_ids = [t.pk for t in themes]
    # The route's officer only while they still answer for its organisation
    # (active, officer or approver there): someone who has left or moved
    # team is not given new feedback; it waits in the organisation's inbox.
    still_answers = Membership.objects.filter(
        user_id=OuterRef("assignee_id"), organisation_id=OuterRef("organisation_id"),
        role__in=[Role.OFFICER, Role.APPROVER], user__is_active=True)
    routes = list(Route.objects.filter(
        Q(theme__isnull=True) | Q(theme_id__in=theme_ids), service_area_id__in=area_ids,
    ).annotate(assignee_answers=Exists(still_answers))
        .select_related("organisation", "service_area", "theme").order_by())
    if not routes:
        return None
    # By area name; within an area, the narrower route (with a theme) first.
    routes.sort(key=lambda r: (r.service_area.name, r.theme_id is None))
    first = routes[0]
    also = tuple(sorted({r.organisation_id for r in routes} - {first.organisation_id}))
    return Routed(first.organisation, first.assignee_id if first.assignee_answers else None, also,
                  first.theme)


# What a person does that counts as handling feedback, in the audit log on
# the feedback itself (an assignment by hand leaves the status alone once
# the family has been acknowledged).
HANDLING_VERBS = (Verb.FEEDBACK_ASSIGNED, Verb.FEEDBACK_STATUS_CHANGED, Verb.FEEDBACK_REOPENED)


def untouched(feedback: Feedback) -> bool:
    """Whether no one has handled `feedback` yet: still received or
    acknowledged, no reply, note or quote, never sent on, never assigned or
    moved on by a person (the route's own officer, given it on arrival, does
    not count). One query."""
    if feedback.status not in (Feedback.Status.RECEIVED, Feedback.Status.ACKNOWLEDGED):
        return False
    handled = AuditEvent.objects.filter(
        target_type=Feedback._meta.label_lower, target_id=str(feedback.pk),
        actor__isnull=False, verb__in=[v.value for v in HANDLING_VERBS])
    return not Feedback.objects.filter(pk=feedback.pk).filter(
        Exists(handled) | Q(replies__isnull=False) | Q(notes__isnull=False)
        | Q(quotes__isnull=False) | Q(reroutes__isnull=False)).exists()


def route_table() -> dict[int, tuple[int, int | None]]:
    """{service area id: (organisation id, assignee id)} for the areas'
    own routes (no theme), for imports that route many rows at once."""
    return {area: (org, assignee) for area, org, assignee in Route.objects.filter(
        theme__isnull=True).values_list("service_area_id", "organisation_id", "assignee_id")}


def routes_list():
    return Route.objects.select_related("service_area", "theme", "organisation", "assignee")


@dataclass(frozen=True)
class RerouteFigures:
    received: int
    rerouted: int
    by_area: list[tuple[str, int, int]]  # (service area, received, rerouted)

    @property
    def percent(self) -> int | None:
        return round(100 * self.rerouted / self.received) if self.received else None


def reroute_figures(*, since: date) -> RerouteFigures:
    """How much of the feedback received since `since` was moved by hand to
    another organisation, overall and by service area. Two aggregate
    queries whatever the volume; plain SQL both Postgres and SQLite run."""
    received = Feedback.objects.filter(received_on__gte=since)
    rerouted_ids = Reroute.objects.filter(feedback__received_on__gte=since,
                                          by_rule=False).values("feedback_id")
    totals = received.aggregate(received=Count("pk"),
                                rerouted=Count("pk", filter=Q(pk__in=rerouted_ids)))
    rows = (ServiceArea.objects.filter(feedback__received_on__gte=since)
            .annotate(received=Count("feedback", distinct=True),
                      rerouted=Count("feedback", distinct=True,
                                     filter=Q(feedback__pk__in=rerouted_ids)))
            .filter(rerouted__gt=0).order_by("-rerouted", "name")
            .values_list("name", "received", "rerouted"))
    return RerouteFigures(totals["received"], totals["rerouted"], list(rows))


def _check_assignee(assignee, organisation: Organisation) -> None:
    if assignee is not None and not has_role(assignee, {Role.OFFICER, Role.APPROVER},
                                             organisation.pk):
        raise ValidationError({"assignee": "Choose an officer of the organisation that answers"})


@transaction.atomic
def route_save(*, acting_user, service_area: ServiceArea, theme: Theme | None,
               organisation: Organisation, team: str = "", assignee=None,
               route: Route | None = None) -> Route:
    """Add a route or change one. Only new feedback follows it; feedback
    already in an inbox stays there. The officer, if named, must answer for
    that organisation. Audited (route.saved, with ids only). Who may call:
    a partnership administrator (the view checks `feedback.manage_routing`)."""
    _check_assignee(assignee, organisation)
    route = route or Route()
    route.service_area, route.theme, route.organisation = service_area, theme, organisation
    route.team, route.assignee = team.strip(), assignee
    route.full_clean()
    route.save()
    audit_record(actor=acting_user, verb=Verb.ROUTE_SAVED, target=route,
                 summary=f"{service_area.name}{' / ' + theme.name if theme else ''}"[:300],
                 data={"service_area": service_area.pk, "theme": theme.pk if theme else None,
                       "organisation": organisation.pk,
                       "assignee": assignee.pk if assignee else None})
    return route


@transaction.atomic
def route_remove(*, acting_user, route: Route) -> None:
    """Remove a route: new feedback about the area goes to the default
    organisation again. Audited (route.removed)."""
    audit_record(actor=acting_user, verb=Verb.ROUTE_REMOVED, target=route,
                 summary=str(route.service_area)[:300],
                 data={"service_area": route.service_area_id, "theme": route.theme_id,
                       "organisation": route.organisation_id})
    route.delete()
