"""Who can approve a piece of work, what to say when no one can, and
telling approvers that something waits for them.

Replies, quotes and reports each have their own rule for who approves
(feedback/rules.py, reports/rules.py), but every rule is "someone holding
one of these roles in the organisation, other than the person who wrote
it". These functions take that shape, so each page can say the same thing
when nobody is left: who could approve, and who can add an approver.

`approvers_tell` is the one place that sends "waiting for you" e-mails: it
writes ApprovalNotice rows and one background job per e-mail (core.jobs) in
the caller's transaction; a worker sends them after commit (never inline).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse

from .models import ApprovalNotice, Organisation, Role, User


def approvers_eligible(*, organisation_id: int, roles: Iterable[str] = (Role.APPROVER,),
                       exclude_user_ids: Iterable[int | None] = ()) -> QuerySet[User]:
    """Active people who hold one of `roles` in the organisation, except
    the ones excluded (the author, the person who proposed it)."""
    excluded = [pk for pk in exclude_user_ids if pk]
    return (User.objects.filter(is_active=True, memberships__organisation_id=organisation_id,
                                memberships__role__in=list(roles))
            .exclude(pk__in=excluded).distinct().order_by("first_name", "last_name", "email"))


@dataclass
class WayThrough:
    """What a page says when nobody can approve: who can fix it."""

    organisation: Organisation
    administrators: list[User] = field(default_factory=list)
    partnership_administrators: list[User] = field(default_factory=list)
    # The viewer may add an approver themselves (link to the add-person page).
    add_url: str = ""


def approval_way_through(*, viewer, organisation: Organisation,
                         roles: Iterable[str] = (Role.APPROVER,),
                         exclude_user_ids: Iterable[int | None] = ()) -> WayThrough | None:
    """None while someone can approve; otherwise who can add an approver:
    the organisation's administrators, or, if it has none, the partnership
    administrators (who give an organisation its administrator)."""
    from .roles import has_role

    if approvers_eligible(organisation_id=organisation.pk, roles=roles,
                          exclude_user_ids=exclude_user_ids).exists():
        return None
    admins = list(User.objects.filter(
        is_active=True, memberships__organisation=organisation,
        memberships__role=Role.ADMINISTRATOR).distinct())
    way = WayThrough(organisation=organisation, administrators=admins)
    if not admins:
        way.partnership_administrators = list(User.objects.filter(
            is_active=True, memberships__organisation__is_partnership_lead=True,
            memberships__role=Role.ADMINISTRATOR).distinct())
    if has_role(viewer, {Role.ADMINISTRATOR}, organisation.pk):
        way.add_url = (reverse("staff:person-add")
                       + f"?organisation={organisation.pk}&role={Role.APPROVER}")
    return way


def approvers_tell(*, organisation_id: int, kind: str, title: str, path: str,
                   roles: Iterable[str] = (Role.APPROVER,),
                   exclude_user_ids: Iterable[int | None] = ()) -> int:
    """Something started waiting for approval: owe each eligible approver
    one e-mail (or a line in their daily digest, or nothing, as each chose
    at /staff/account/). Call it inside the transaction that made the change,
    once per change; the e-mails go after commit. `title` names the work
    without a family's words or details. Returns how many were told."""
    from . import jobs

    people = approvers_eligible(organisation_id=organisation_id, roles=roles,
                                exclude_user_ids=exclude_user_ids)
    rows = []
    for person in people.exclude(approval_email=User.ApprovalEmail.NONE):
        rows.append(ApprovalNotice(
            recipient=person, organisation_id=organisation_id, kind=kind, title=title[:300],
            path=path[:300],
            state=(ApprovalNotice.State.DIGEST if person.approval_email == User.ApprovalEmail.DAILY
                   else ApprovalNotice.State.PENDING)))
    for row in ApprovalNotice.objects.bulk_create(rows):
        if row.state == ApprovalNotice.State.PENDING:
            # One job per e-mail, sent after commit and re-sent by the
            # dispatcher if the broker was down (core.jobs).
            jobs.enqueue("approval_notice", row.pk, organisation_id=organisation_id)
    return len(rows)

