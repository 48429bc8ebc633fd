"""Every read of feedback that a view or task needs."""

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from core.models import Role, ServiceArea, Theme
from core.roles import organisation_ids_with_role

from .models import (
    LOCAL_OFFER_SLUG,
    Feedback,
    InternalNote,
    LocalOfferCoding,
    Notification,
    Quote,
    Reply,
    StatusChange,
    SurveyImport,
    SurveyStatistic,
    tracking_digest,
)
from .rules import HANDLERS, READERS
from .services import OPEN_STATUSES


def feedback_visible_to(user) -> QuerySet[Feedback]:
    """Feedback the person may read: their organisations' own, and what is
    shared with an organisation where they handle feedback."""
    own = organisation_ids_with_role(user, READERS)
    shared = organisation_ids_with_role(user, HANDLERS)
    if not own and not shared:
        return Feedback.objects.none()
    if not shared:
        return Feedback.objects.filter(organisation_id__in=own)
    # An uncorrelated IN (…) lets Postgres hash the shared ids once; a
    # correlated EXISTS ran once per row (100,000 times over five years).
    shared_ids = Feedback.shared_with.through.objects.filter(
        organisation_id__in=shared).values("feedback_id")
    return Feedback.objects.filter(Q(organisation_id__in=own) | Q(pk__in=shared_ids))


# What a row of the inbox shows (templates/feedback/inbox.html), and nothing
# else: no timestamps to parse, no contact details, no search index.
INBOX_ROW_FIELDS = (
    "reference", "channel", "received_on", "what_went_well", "even_better_if", "status",
    "needs_reply", "response_due_on", "organisation__name",
    "assigned_to__first_name", "assigned_to__last_name", "assigned_to__email",
)


def feedback_inbox(user) -> QuerySet[Feedback]:
    """The inbox list, with everything a row shows loaded in constant queries.
    A row's service areas and themes are plain lists (`area_list`,
    `theme_list`): a template asking `item.themes.all` builds a related
    manager and a queryset per row to reach the prefetched names."""
    today = timezone.localdate()
    return (
        feedback_visible_to(user)
        .select_related("organisation", "assigned_to")
        .only(*INBOX_ROW_FIELDS)
        # A row shows only their names: no timestamps to parse, no descriptions.
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.only("id", "name"),
                                   to_attr="theme_list"),
                          Prefetch("service_areas", to_attr="area_list",
                                   queryset=ServiceArea.objects.only("id", "name")))
        .annotate(is_overdue=Q(status__in=OPEN_STATUSES, response_due_on__lt=today))
        .order_by("-received_on", "-id")
    )


# Never in an export: who the family are and their private link.
NOT_EXPORTED = ("contact_name", "contact_email", "contact_phone", "tracking_digest",
                "search_vector")


def feedback_for_export(queryset: QuerySet[Feedback]) -> QuerySet[Feedback]:
    """The inbox's (filtered) feedback for the CSV export, without the
    columns that identify the family, in the inbox's order."""
    return (queryset.defer(*NOT_EXPORTED)
            .select_related("organisation", "about_organisation", "assigned_to")
            .prefetch_related("themes", "service_areas")
            .order_by("-received_on", "-id"))


def feedback_detail(pk: int) -> Feedback:
    return (
        Feedback.objects.select_related("organisation", "about_organisation", "assigned_to",
                                        "logged_by", "survey_import", "local_offer__decided_by",
                                        "follows_up", "route_suggested_to")
        .prefetch_related(
            "themes", "service_areas", "shared_with",
            Prefetch("status_changes", queryset=StatusChange.objects.select_related("actor")),
            Prefetch("notes", queryset=InternalNote.objects.select_related("author")),
            Prefetch("replies", queryset=Reply.objects.select_related("author", "decided_by")),
            Prefetch("quotes", queryset=Quote.objects.select_related("proposed_by",
                                                                     "decided_by", "theme")),
            Prefetch("notifications", queryset=Notification.objects.order_by("created_at")),
        )
        .get(pk=pk)
    )


@dataclass(frozen=True)
class TimelineStep:
    label: str
    at: datetime


@dataclass(frozen=True)
class PublishedReply:
    outcome: str
    outcome_label: str
    text: str
    reason: str
    published_at: datetime | None

    @property
    def outcome_tag(self) -> str:
        from .workflow import REPLY_OUTCOME_TAGS

        return REPLY_OUTCOME_TAGS[self.outcome]


@dataclass(frozen=True)
class TrackedFeedback:
    """What a family's own pages show of their feedback, and nothing more:
    where it has got to, and (on the private link only) the published
    replies. Neither what they wrote nor their contact details are read,
    only whether an e-mail address was given."""

    pk: int
    reference: str
    status: str
    received_on: date
    response_due_on: date | None
    needs_reply: bool
    wants_contact: bool
    organisation_name: str
    organisation_public_name: str
    channel: str
    wants_progress: bool
    has_email: bool
    timeline: list[TimelineStep]
    replies: list[PublishedReply]

    def get_status_display(self) -> str:
        return Feedback.Status(self.status).label

    @property
    def answered_by(self) -> str:
        """Who will answer, as the public knows them: the organisation's
        public name, never a team or an officer (routing)."""
        return self.organisation_public_name or self.organisation_name

    def is_easy_read(self) -> bool:
        """Given through the easy-read form: its pages answer in easy read."""
        return self.channel == Feedback.Channel.EASY_READ


_TRACKED_FIELDS = ("pk", "reference", "status", "received_on", "response_due_on",
                   "needs_reply", "wants_contact", "organisation__name",
                   "organisation__public_name", "channel", "wants_progress")


@functools.cache
def _tracked_query(with_replies: bool) -> QuerySet[Feedback]:
    """The query of `_tracked`, built once per process (building it cost
    more than running it); each request only adds its WHERE."""
    columns = [*_TRACKED_FIELDS, "has_email", "status_changes__id", "status_changes__to_status",
               "status_changes__at"]
    order = ["status_changes__at", "status_changes__id"]
    queryset = Feedback.objects.annotate(
        has_email=ExpressionWrapper(~Q(contact_email=""), output_field=BooleanField()))
    if with_replies:
        queryset = queryset.annotate(published=FilteredRelation(
            "replies", condition=Q(replies__state=Reply.State.PUBLISHED)))
        columns += ["published__id", "published__outcome", "published__text",
                    "published__reason", "published__published_at"]
        order += ["published__published_at", "published__id"]
    return queryset.values_list(*columns).order_by(*order)


def _tracked(where: Q, *, with_replies: bool) -> TrackedFeedback | None:
    """The feedback matching `where` with its timeline and, when asked for,
    its published replies, in one query: a row for each status change and
    published reply (a handful), or a single row when there are none."""
    rows = list(_tracked_query(with_replies).filter(where))
    if not rows:
        return None
    first = rows[0]
    statuses, outcomes = dict(Feedback.Status.choices), dict(Reply.Outcome.choices)
    timeline, replies, seen = [], [], set()
    width = len(_TRACKED_FIELDS) + 1
    for row in rows:
        if row[0] != first[0]:  # a reference typed in another case matches one feedback
            continue
        change_id, to_status, at = row[width:width + 3]
        if change_id is not None and ("change", change_id) not in seen:
            seen.add(("change", change_id))
            timeline.append(TimelineStep(statuses.get(to_status, to_status), at))
        if with_replies and row[width + 3] is not None and ("reply", row[width + 3]) not in seen:
            seen.add(("reply", row[width + 3]))
            outcome, text, reason, published_at = row[width + 4:]
            replies.append(PublishedReply(outcome, outcomes.get(outcome, outcome), text, reason,
                                          published_at))
    # Rows come in timeline order; replies in the order they were published.
    replies.sort(key=lambda reply: reply.published_at or datetime.max.replace(tzinfo=UTC))
    return TrackedFeedback(*first[:width], timeline=timeline, replies=replies)


def feedback_for_token(token: str) -> TrackedFeedback | None:
    """The private link's page: status, timeline and published replies."""
    if not token or len(token) > 64:
        return None
    # Only the digest is stored: the presented token is hashed to find it.
    return _tracked(Q(tracking_digest=tracking_digest(token)), with_replies=True)


def feedback_for_way_back(where: Q) -> TrackedFeedback | None:
    """The private page reached from a progress message's way back
    (progress.way_back_where): the same as the private link's."""
    return _tracked(where, with_replies=True)


def feedback_for_reference(reference: str) -> TrackedFeedback | None:
    """A reference typed in: where it has got to, never the reply."""
    return _tracked(Q(reference__iexact=reference.strip()), with_replies=False)


def replies_awaiting_approval(user) -> QuerySet[Reply]:
    orgs = organisation_ids_with_role(user, {Role.APPROVER})
    return (Reply.objects.filter(state=Reply.State.AWAITING_APPROVAL,
                                 feedback__organisation_id__in=orgs)
            .exclude(author=user).select_related("feedback", "author").order_by("created_at"))


def quotes_awaiting_decision(user) -> QuerySet[Quote]:
    orgs = organisation_ids_with_role(user, HANDLERS)
    return (Quote.objects.filter(status=Quote.Status.PROPOSED, feedback__organisation_id__in=orgs)
            .exclude(proposed_by=user).select_related("feedback", "proposed_by", "theme")
            .order_by("created_at"))


def quotes_approved(*, theme_ids=None, since: date | None = None,
                    until: date | None = None) -> QuerySet[Quote]:
    """Approved, redacted quotes: the only words of families that may be published."""
    qs = Quote.objects.filter(status=Quote.Status.APPROVED).select_related("theme")
    if theme_ids is not None:
        qs = qs.filter(theme_id__in=theme_ids)
    if since:
        qs = qs.filter(feedback__received_on__gte=since)
    if until:
        qs = qs.filter(feedback__received_on__lte=until)
    return qs.order_by("-decided_at")


def theme_counts(*, since: date, until: date, theme_ids=None) -> dict[int, int]:
    """How many pieces of feedback raised each theme in a period."""
    qs = Feedback.themes.through.objects.filter(feedback__received_on__gte=since,
                                                feedback__received_on__lte=until)
    if theme_ids is not None:
        qs = qs.filter(theme_id__in=theme_ids)
    return dict(qs.values_list("theme_id").annotate(n=Count("feedback_id", distinct=True)))


# Channels whose pieces are not someone "raising" a theme: survey answers are
# reported through the survey's own statistics and n; page-useful clicks are
# about a page.
NOT_RAISED_CHANNELS = (Feedback.Channel.SURVEY, Feedback.Channel.PAGE_USEFUL)


def _belongs_to(organisation_id: int) -> Q:
    """Feedback an organisation answers, or that was explicitly shared with it."""
    shared = Feedback.shared_with.through.objects.filter(
        feedback_id=OuterRef("feedback_id"), organisation_id=organisation_id)
    return Q(feedback__organisation_id=organisation_id) | Q(Exists(shared))


def _theme_counts(field: str, *, organisation_id: int, since: date, until: date,
                  theme_ids) -> dict[int, dict]:
    """{theme id: {value of `field`: pieces of feedback}} for one
    organisation's own feedback (or feedback shared with it) received in a
    period, not counting channels that raise nothing. One query."""
    qs = (Feedback.themes.through.objects
          .filter(_belongs_to(organisation_id), theme_id__in=theme_ids,
                  feedback__received_on__gte=since, feedback__received_on__lte=until)
          .exclude(feedback__channel__in=NOT_RAISED_CHANNELS)
          .values_list("theme_id", field)
          .annotate(n=Count("feedback_id", distinct=True)).order_by())
    counts: dict[int, dict] = {}
    for theme_id, value, n in qs:
        counts.setdefault(theme_id, {})[value] = n
    return counts


def theme_counts_by_channel(**period) -> dict[int, dict[str, int]]:
    """{theme id: {channel: pieces of feedback}} (see _theme_counts)."""
    return _theme_counts("feedback__channel", **period)


def theme_counts_by_given_to(**period) -> dict[int, dict[int, int]]:
    """{theme id: {organisation id: pieces of feedback}}: the same feedback
    as theme_counts_by_channel, by the organisation it was given to (its
    own, or another that shared it)."""
    return _theme_counts("feedback__organisation_id", **period)


def quotes_usable_by(organisation_id: int) -> QuerySet[Quote]:
    """Approved quotes from feedback the organisation answers or that was
    shared with it: the only quotes its reports may use."""
    shared = Feedback.shared_with.through.objects.filter(
        feedback_id=OuterRef("feedback_id"), organisation_id=organisation_id)
    return (Quote.objects.filter(status=Quote.Status.APPROVED)
            .filter(Q(feedback__organisation_id=organisation_id) | Q(Exists(shared)))
            .select_related("theme", "feedback__survey_import"))


def statistics_usable_by(organisation_id: int) -> QuerySet[SurveyStatistic]:
    """Survey statistics from the organisation's own survey imports."""
    return (SurveyStatistic.objects.filter(survey_import__organisation_id=organisation_id)
            .select_related("survey_import")
            .order_by("-survey_import__received_on", "survey_import_id", "question"))


def survey_imports_for(user) -> QuerySet[SurveyImport]:
    orgs = organisation_ids_with_role(user, HANDLERS)
    return (SurveyImport.objects.filter(organisation_id__in=orgs)
            .select_related("organisation", "uploaded_by").order_by("-created_at"))


def staff_counts(user) -> dict[str, int]:
    """Numbers for the staff home page, in one query."""
    today = timezone.localdate()
    # Every figure is about open feedback: filtering first lets Postgres read
    # only the open rows through an index instead of five years of history.
    return feedback_visible_to(user).filter(status__in=OPEN_STATUSES).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(response_due_on__lt=today)),
        mine=Count("pk", filter=Q(assigned_to=user)),
        unassigned=Count("pk", filter=Q(assigned_to__isnull=True)),
    )


# --- Comments on the Local Offer (SEND Regulations 2014, regulation 56) ---------------


def local_offer_comments(*, organisation_id: int, since: date, until: date) -> QuerySet[Feedback]:
    """The comments on the Local Offer received in a period that an
    organisation answers or that were shared with it: feedback in the Local
    Offer service area, or marked by an officer as about the Local Offer.
    "Was this page useful?" clicks are not comments on the Local Offer."""
    in_area = Feedback.service_areas.through.objects.filter(
        feedback_id=OuterRef("pk"), servicearea__slug=LOCAL_OFFER_SLUG)
    shared = Feedback.shared_with.through.objects.filter(
        feedback_id=OuterRef("pk"), organisation_id=organisation_id)
    return (Feedback.objects
            .filter(received_on__gte=since, received_on__lte=until)
            .exclude(channel=Feedback.Channel.PAGE_USEFUL)
            .filter(Q(organisation_id=organisation_id) | Q(Exists(shared)))
            .filter(Q(Exists(in_area)) | Q(local_offer__about_local_offer=True)))


def local_offer_figures(**period) -> dict:
    """The annual report's summary, numbers only: comments received (in all,
    by channel and by code), how many were left out of publication and for
    which reason, and how many are not coded yet. One query.

    {"received": n, "by_channel": {channel: n}, "by_code": {code: n},
     "left_out": n, "by_reason": {reason: n}, "not_coded": n}
    "by_code" counts the comments that are published (not left out)."""
    rows = (local_offer_comments(**period).order_by()
            .values_list("channel", "local_offer__code", "local_offer__left_out_reason")
            .annotate(n=Count("pk")))
    figures = {"received": 0, "by_channel": {}, "by_code": {}, "left_out": 0,
               "by_reason": {}, "not_coded": 0}
    for channel, code, reason, n in rows:
        figures["received"] += n
        figures["by_channel"][channel] = figures["by_channel"].get(channel, 0) + n
        if reason:
            figures["left_out"] += n
            figures["by_reason"][reason] = figures["by_reason"].get(reason, 0) + n
        elif code:
            figures["by_code"][code] = figures["by_code"].get(code, 0) + n
        else:
            figures["not_coded"] += n
    return figures


def local_offer_theme_counts(**period) -> dict[tuple[str, int | None], dict[str, int]]:
    """{(code, theme id or None): {channel: n}}: the published (not left
    out), coded comments of a period by code and theme; a comment with no
    theme counts under None. Two queries (themed, then unthemed)."""
    published = (local_offer_comments(**period)
                 .filter(local_offer__left_out_reason="").exclude(local_offer__code="")
                 .exclude(local_offer__code__isnull=True))
    counts: dict[tuple[str, int | None], dict[str, int]] = {}
    themed = (Feedback.themes.through.objects.filter(feedback__in=published)
              .values_list("feedback__local_offer__code", "theme_id", "feedback__channel")
              .annotate(n=Count("feedback_id", distinct=True)).order_by())
    for code, theme_id, channel, n in themed:
        counts.setdefault((code, theme_id), {})[channel] = n
    has_theme = Feedback.themes.through.objects.filter(feedback_id=OuterRef("pk"))
    for code, channel, n in (published.exclude(Exists(has_theme)).order_by()
                             .values_list("local_offer__code", "channel")
                             .annotate(n=Count("pk"))):
        counts.setdefault((code, None), {})[channel] = n
    return counts


def local_offer_unanswered(**period) -> QuerySet[Feedback]:
    """The period's comments on the Local Offer that still need a reply and
    have none: the annual report waits for them."""
    return (local_offer_comments(**period)
            .filter(needs_reply=True, responded_at__isnull=True)
            .only("pk", "reference", "received_on", "channel", "status")
            .order_by("received_on", "pk"))


def local_offer_quotes(**period) -> QuerySet[Quote]:
    """Approved quotes from the period's published (coded, not left out)
    comments on the Local Offer, with their comment's code."""
    published = (local_offer_comments(**period)
                 .filter(local_offer__left_out_reason="").exclude(local_offer__code=""))
    return (Quote.objects.filter(status=Quote.Status.APPROVED, feedback__in=published)
            .select_related("feedback__local_offer").order_by("pk"))


def local_offer_left_out_ids(feedback_ids) -> set[int]:
    """Which of these pieces of feedback are left out of publication."""
    return set(LocalOfferCoding.objects.filter(feedback_id__in=list(feedback_ids))
               .exclude(left_out_reason="").values_list("feedback_id", flat=True))
