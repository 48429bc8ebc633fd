"""Every read of the charter that a view needs, in a fixed number of queries
however many sections, commitments, answers or evidence links there are."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber

from core.models import Role
from core.roles import has_role, organisation_ids_with_role
from feedback.models import Reply

from .models import (
    AGREEING,
    AUDIT_MAX_SCORE,
    SUPPRESSION_THRESHOLD,
    AuditAnswer,
    AuditSection,
    Charter,
    Commitment,
    EvidenceLink,
    ImprovementAction,
    ParticipationAudit,
    PulseAnswer,
    PulseRound,
    Section,
    Signatory,
)
from .rules import AUDITORS

# --- Public charter pages ------------------------------------------------------------------


def charters_current() -> QuerySet[Charter]:
    """Adopted versions, in the order of the public page."""
    return Charter.objects.filter(status=Charter.Status.ADOPTED).order_by("position", "area",
                                                                          "title")


def charter_public(slug: str, version: int | None = None) -> Charter | None:
    """The adopted version of a charter, or one numbered version that is not a draft."""
    queryset = Charter.objects.exclude(status=Charter.Status.DRAFT).filter(slug=slug)
    if version is None:
        return queryset.filter(status=Charter.Status.ADOPTED).first()
    return queryset.filter(version=version).first()


def charter_versions(slug: str) -> QuerySet[Charter]:
    return (Charter.objects.filter(slug=slug).exclude(status=Charter.Status.DRAFT)
            .only("slug", "version", "status", "adopted_on", "superseded_on", "title")
            .order_by("-version"))


def charter_sections(charter: Charter) -> list[Section]:
    """Sections with their commitments and what each means in practice."""
    return list(charter.sections.prefetch_related(
        Prefetch("commitments", queryset=Commitment.objects.order_by("order", "id")
                 .prefetch_related("practices"))))


def charter_signatories(charter: Charter) -> QuerySet[Signatory]:
    return charter.signatories.select_related("organisation")


@dataclass
class Result:
    """How one statement was answered in one round."""

    n: int = 0
    agree: int = 0

    @property
    def suppressed(self) -> bool:
        return 0 < self.n < SUPPRESSION_THRESHOLD

    @property
    def percent(self) -> int | None:
        """Share who agree or strongly agree, rounded; None when hidden or empty."""
        if self.n < SUPPRESSION_THRESHOLD:
            return None
        return round(100 * self.agree / self.n)


@dataclass
class StatementResults:
    statement: object
    cells: list[Result] = field(default_factory=list)  # one per round, oldest first


@dataclass
class PulseTable:
    rounds: list[PulseRound]
    rows: list[StatementResults]
    threshold: int = SUPPRESSION_THRESHOLD


def pulse_results(charter: Charter, *, rounds: list[PulseRound] | None = None,
                  max_rounds: int = 4) -> PulseTable:
    """For each statement of this version, the share who agreed in each round
    (the latest `max_rounds` rounds that have answers, across every version of
    the charter, oldest first). Statements are matched across versions by
    lineage. Two queries."""
    statements = list(charter.statements.all())
    lineages = [s.lineage for s in statements]
    counts = (PulseAnswer.objects
              .filter(statement__lineage__in=lineages, response__round__charter__slug=charter.slug)
              .values("response__round_id", "statement__lineage")
              .annotate(n=Count("id"), agree=Count("id", filter=Q(rating__in=AGREEING)))
              .order_by())
    if rounds is not None:
        counts = counts.filter(response__round__in=rounds)
    by_key = {(c["response__round_id"], c["statement__lineage"]): Result(c["n"], c["agree"])
              for c in counts}
    if rounds is None:
        round_ids = {round_id for round_id, _ in by_key}
        rounds = sorted(PulseRound.objects.filter(pk__in=round_ids),
                        key=lambda r: (r.held_on, r.pk))[-max_rounds:]
    rows = [StatementResults(s, [by_key.get((r.pk, s.lineage), Result()) for r in rounds])
            for s in statements]
    return PulseTable(rounds=list(rounds), rows=rows)


def pulse_round_open_public(slug: str) -> PulseRound | None:
    """The open public round at a charter's stable survey address."""
    return (PulseRound.objects.select_related("charter")
            .filter(charter__slug=slug, charter__status=Charter.Status.ADOPTED,
                    access=PulseRound.Access.PUBLIC, state=PulseRound.State.OPEN)
            .order_by("-held_on", "-id").first())


def pulse_round_for_token(token: str) -> PulseRound | None:
    return PulseRound.objects.select_related("charter").filter(token=token).first()


def _published_reply(field_name: str) -> Subquery:
    return Subquery(Reply.objects.filter(feedback_id=OuterRef("feedback_id"),
                                         state=Reply.State.PUBLISHED)
                    .order_by("-published_at", "-id").values(field_name)[:1])


def evidence_public(commitments: list[Commitment], *, per_commitment: int = 3
                    ) -> dict[object, list[EvidenceLink]]:
    """The most recent public evidence for each commitment, by lineage (so
    evidence recorded against an earlier version still shows). Public means:
    feedback with a published reply (shown only as the reply's outcome and
    date and the staff-written summary), public actions, report items. One
    query, whatever the number of links."""
    lineages = {c.lineage for c in commitments}
    if not lineages:
        return {}
    public = (Q(feedback__isnull=False, feedback__replies__state=Reply.State.PUBLISHED)
              | Q(action__is_public=True) | ~Q(url=""))
    # The published-reply filter joins replies; pick the distinct link ids first.
    ids = EvidenceLink.objects.filter(public, commitment__lineage__in=lineages).values("pk")
    links = (EvidenceLink.objects.filter(pk__in=ids)
             .select_related("action__priority__plan")
             .annotate(lineage=F("commitment__lineage"),
                       reply_outcome=_published_reply("outcome"),
                       reply_published_at=_published_reply("published_at"),
                       row=Window(RowNumber(), partition_by=[F("commitment__lineage")],
                                  order_by=[F("created_at").desc(), F("id").desc()]),
                       total=Window(Count("id"), partition_by=[F("commitment__lineage")]))
             .filter(row__lte=per_commitment)
             .order_by("-created_at", "-id"))
    outcomes = dict(Reply.Outcome.choices)
    grouped: dict[object, list[EvidenceLink]] = defaultdict(list)
    for link in links:
        link.reply_outcome_label = outcomes.get(link.reply_outcome, "")
        grouped[link.lineage].append(link)
    return grouped


# --- Staff: charters -----------------------------------------------------------------------


def charters_for_staff() -> QuerySet[Charter]:
    return (Charter.objects.select_related("organisation")
            .annotate(signatory_count=Count("signatories", distinct=True))
            .order_by("position", "area", "title", "-version"))


def charter_for_editor(pk: int) -> Charter | None:
    return Charter.objects.select_related("organisation").filter(pk=pk).first()


def pulse_rounds_for(charter: Charter) -> QuerySet[PulseRound]:
    return (PulseRound.objects.filter(charter__slug=charter.slug)
            .select_related("charter")
            .annotate(response_count=Count("responses"))
            .order_by("-held_on", "-id"))


def commitments_current() -> QuerySet[Commitment]:
    """Commitments of adopted versions, for choosing what evidence is about."""
    return (Commitment.objects.filter(section__charter__status=Charter.Status.ADOPTED)
            .select_related("section__charter")
            .order_by("section__charter__position", "section__charter__title",
                      "section__order", "order", "id"))


def evidence_for_staff() -> QuerySet[EvidenceLink]:
    """Recent evidence links. Feedback appears by reference only."""
    return (EvidenceLink.objects
            .select_related("commitment__section__charter", "action", "added_by")
            .annotate(feedback_reference=F("feedback__reference"),
                      reply_outcome=_published_reply("outcome"))
            .order_by("-created_at", "-id"))


# --- Staff: participation audits -----------------------------------------------------------


def audits_visible_to(user) -> QuerySet[ParticipationAudit]:
    """Administrators and board members see every team's summary; officers
    and approvers their own organisations' audits."""
    queryset = ParticipationAudit.objects.select_related("organisation")
    if has_role(user, {Role.ADMINISTRATOR, Role.BOARD_MEMBER}):
        return queryset
    return queryset.filter(organisation_id__in=organisation_ids_with_role(user, AUDITORS))


@dataclass
class SectionScore:
    section: AuditSection
    score: int = 0
    answered: int = 0
    questions: int = 0

    @property
    def maximum(self) -> int:
        return self.questions * AUDIT_MAX_SCORE

    @property
    def percent(self) -> int | None:
        return round(100 * self.score / self.maximum) if self.maximum else None


@dataclass
class AuditSummary:
    sections: list[SectionScore]

    @property
    def score(self) -> int:
        return sum(s.score for s in self.sections)

    @property
    def maximum(self) -> int:
        return sum(s.maximum for s in self.sections)

    @property
    def percent(self) -> int | None:
        return round(100 * self.score / self.maximum) if self.maximum else None


def audit_summaries(audits: list[ParticipationAudit]) -> tuple[list[AuditSection],
                                                               dict[int, AuditSummary]]:
    """Score per section, total and % of the maximum for each audit. Two
    queries for any number of audits."""
    rows = (AuditAnswer.objects.filter(audit__in=audits)
            .values("audit_id", "question__section_id")
            .annotate(total=Sum("score", default=0), answered=Count("score"),
                      questions=Count("id"))
            .order_by())
    section_ids = {r["question__section_id"] for r in rows}
    sections = list(AuditSection.objects.filter(pk__in=section_ids).order_by("order", "id"))
    found = {(r["audit_id"], r["question__section_id"]): r for r in rows}
    summaries = {}
    for audit in audits:
        scores = []
        for section in sections:
            r = found.get((audit.pk, section.pk))
            scores.append(SectionScore(section, r["total"], r["answered"], r["questions"])
                          if r else SectionScore(section))
        summaries[audit.pk] = AuditSummary(scores)
    return sections, summaries


def audit_detail(pk: int) -> ParticipationAudit | None:
    return (ParticipationAudit.objects.select_related("organisation", "completed_by")
            .prefetch_related(
                Prefetch("answers", queryset=AuditAnswer.objects.select_related(
                    "question__section")),
                Prefetch("improvements", queryset=ImprovementAction.objects.select_related(
                    "action__priority__plan")))
            .filter(pk=pk).first())
