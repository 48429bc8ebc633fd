"""Every write to the charter. Views, the demo loader and other apps (reports
add evidence links with `evidence_link_add`) call these; none of them saves a
charter model directly.

Permission is checked by the caller (views ask rules.py); these validate,
save and write an audit event with ids and states only, never what a family
or a participant wrote.
"""

import secrets
from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from actionplan import services as actionplan_services
from actionplan.models import Action, Priority
from core.audit import Verb, changed_fields, snapshot
from core.concurrency import lock_for_edit
from core.models import Organisation, User
from core.services import audit_record
from feedback.models import Feedback

from . import question_bank
from .models import (
    AuditAnswer,
    AuditQuestion,
    AuditSection,
    Charter,
    Commitment,
    EvidenceLink,
    ImprovementAction,
    ParticipationAudit,
    Practice,
    PulseAnswer,
    PulseResponse,
    PulseRound,
    Responsibility,
    Section,
    Signatory,
    Statement,
)

# --- Charters and their versions ------------------------------------------------------------


def _require_draft(charter: Charter) -> None:
    if not charter.is_draft:
        raise ValidationError("Only a draft can be changed. Draft a new version first.")


@transaction.atomic
def charter_create(*, acting_user: User | None, title: str, area: str,
                   organisation: Organisation, introduction: str = "",
                   review_date: date | None = None, slug: str = "",
                   position: int = 100) -> Charter:
    """Start a new charter as draft version 1."""
    slug = slug or slugify(title)[:200]
    if Charter.objects.filter(slug=slug).exists():
        raise ValidationError({"title": "There is already a charter with this name. "
                                        "Choose a different name"})
    charter = Charter(title=title.strip(), slug=slug, area=area.strip(),
                      organisation=organisation, introduction=introduction.strip(),
                      review_date=review_date, position=position, version=1)
    charter.full_clean()
    charter.save()
    audit_record(actor=acting_user, verb=Verb.CHARTER_CREATED, target=charter, summary=charter.title,
                 data={"version": 1})
    return charter


@transaction.atomic
def charter_update(*, acting_user: User | None, charter: Charter, title: str, area: str,
                   introduction: str, review_date: date | None, position: int,
                   lock_version: int | None = None) -> Charter:
    """Change a draft's details. Adopted and replaced versions stay as they
    were. A change based on an out-of-date page raises EditConflict."""
    charter = lock_for_edit(Charter.objects.all(), charter.pk, lock_version)
    _require_draft(charter)
    before = snapshot(charter, ("title", "area", "introduction", "review_date", "position"))
    charter.title, charter.area = title.strip(), area.strip()
    charter.introduction, charter.review_date = introduction.strip(), review_date
    charter.position = position
    charter.full_clean()
    charter.save()
    audit_record(actor=acting_user, verb=Verb.CHARTER_CHANGED, target=charter, summary=charter.title,
                 data={"changed": changed_fields(charter, before)})
    return charter


@transaction.atomic
def charter_new_version(*, acting_user: User | None, charter: Charter) -> Charter:
    """Copy the adopted version into a new draft: sections, commitments (with
    their lineage, so evidence carries over), what each means in practice,
    statements and responsibilities. Signatures are not copied: partners sign
    each version. Idempotent in effect: refuses when a draft already exists."""
    charter = Charter.objects.select_for_update().get(pk=charter.pk)
    if charter.status != Charter.Status.ADOPTED:
        raise ValidationError("A new version can only be drafted from the adopted version.")
    if Charter.objects.filter(slug=charter.slug, status=Charter.Status.DRAFT).exists():
        raise ValidationError("There is already a draft of this charter. Change that one.")
    latest = Charter.objects.filter(slug=charter.slug).aggregate(v=Max("version"))["v"]
    draft = Charter.objects.create(
        title=charter.title, slug=charter.slug, version=latest + 1, area=charter.area,
        organisation=charter.organisation, introduction=charter.introduction,
        review_date=None, position=charter.position, based_on=charter,
        status=Charter.Status.DRAFT)
    for section in charter.sections.prefetch_related("commitments__practices"):
        new_section = Section.objects.create(charter=draft, order=section.order,
                                             title=section.title,
                                             introduction=section.introduction,
                                             cornerstones=section.cornerstones)
        for commitment in section.commitments.all():
            new_commitment = Commitment.objects.create(
                section=new_section, order=commitment.order, text=commitment.text,
                lineage=commitment.lineage)
            Practice.objects.bulk_create([
                Practice(commitment=new_commitment, order=p.order, text=p.text)
                for p in commitment.practices.all()])
    Statement.objects.bulk_create([
        Statement(charter=draft, order=s.order, text=s.text, lineage=s.lineage)
        for s in charter.statements.all()])
    Responsibility.objects.bulk_create([
        Responsibility(charter=draft, order=r.order, party=r.party, we_need_to=r.we_need_to,
                       others_can_help=r.others_can_help)
        for r in charter.responsibilities.all()])
    audit_record(actor=acting_user, verb=Verb.CHARTER_VERSION_DRAFTED, target=draft,
                 summary=draft.title, data={"version": draft.version, "from": charter.pk})
    return draft


@transaction.atomic
def charter_adopt(*, acting_user: User | None, charter: Charter, adopted_on: date,
                  review_date: date | None) -> Charter:
    """Adopt a draft. The version it replaces becomes "replaced" (still
    readable at its own address) and its open pulse rounds close."""
    charter = Charter.objects.select_for_update().get(pk=charter.pk)
    _require_draft(charter)
    if not Commitment.objects.filter(section__charter=charter).exists():
        raise ValidationError("Add at least one commitment before adopting the charter.")
    if review_date and review_date <= adopted_on:
        raise ValidationError({"review_date": "The review date must be after the date it "
                                              "was adopted"})
    previous = Charter.objects.select_for_update().filter(
        slug=charter.slug, status=Charter.Status.ADOPTED).first()
    if previous is not None:
        previous.status = Charter.Status.SUPERSEDED
        previous.superseded_on = adopted_on
        previous.save(update_fields=["status", "superseded_on", "updated_at"])
        previous.pulse_rounds.filter(state=PulseRound.State.OPEN).update(
            state=PulseRound.State.CLOSED)
    charter.status = Charter.Status.ADOPTED
    charter.adopted_on, charter.review_date = adopted_on, review_date
    charter.full_clean()
    charter.save()
    audit_record(actor=acting_user, verb=Verb.CHARTER_ADOPTED, target=charter, summary=charter.title,
                 data={"version": charter.version,
                       "replaces": previous.pk if previous else None})
    return charter


# --- Sections, commitments, practices, statements, responsibilities ---------------------------

# kind: (model, the field that points at its parent, fields staff may set)
ITEM_KINDS: dict[str, tuple[type[models.Model], str, tuple[str, ...]]] = {
    "section": (Section, "charter", ("title", "introduction", "cornerstones")),
    "commitment": (Commitment, "section", ("text",)),
    "practice": (Practice, "commitment", ("text",)),
    "statement": (Statement, "charter", ("text",)),
    "responsibility": (Responsibility, "charter", ("party", "we_need_to", "others_can_help")),
}


def item_charter(item: models.Model) -> Charter:
    """The charter version an item belongs to, however deep it sits."""
    if isinstance(item, Charter):
        return item
    if isinstance(item, Practice):
        return item.commitment.section.charter
    if isinstance(item, Commitment):
        return item.section.charter
    return item.charter


def _siblings(item: models.Model) -> models.QuerySet:
    model, parent_field, _ = ITEM_KINDS[item_kind(item)]
    return model.objects.filter(**{f"{parent_field}_id": getattr(item, f"{parent_field}_id")})


def item_kind(item: models.Model) -> str:
    for kind, (model, _, _) in ITEM_KINDS.items():
        if isinstance(item, model):
            return kind
    raise ValueError(f"not a charter item: {item!r}")


@transaction.atomic
def _item_value(value):
    """A typed value, trimmed; a list of choices (a section's cornerstones) as it is."""
    return [str(v) for v in value] if isinstance(value, list | tuple) else str(value).strip()


def charter_item_add(*, acting_user: User | None, kind: str, parent: models.Model,
                     fields: Mapping[str, str]) -> models.Model:
    """Add a section, commitment, practice, statement or responsibility at
    the end of its list, in a draft."""
    model, parent_field, allowed = ITEM_KINDS[kind]
    charter = item_charter(parent)
    _require_draft(charter)
    last = model.objects.filter(**{parent_field: parent}).aggregate(m=Max("order"))["m"] or 0
    item = model(**{parent_field: parent, "order": last + 1},
                 **{k: _item_value(v) for k, v in fields.items() if k in allowed})
    item.full_clean()
    item.save()
    audit_record(actor=acting_user, verb=Verb.CHARTER_ITEM_ADDED, target=charter, summary=charter.title,
                 data={"kind": kind, "id": item.pk})
    return item


@transaction.atomic
def charter_item_update(*, acting_user: User | None, item: models.Model,
                        fields: Mapping[str, str]) -> models.Model:
    """Change an item of a draft. `fields` may carry the lock_version the
    page showed: a change based on an out-of-date page raises EditConflict."""
    kind = item_kind(item)
    charter = item_charter(item)
    _require_draft(charter)
    item = lock_for_edit(type(item).objects.all(), item.pk, fields.get("lock_version"))
    before = snapshot(item, ITEM_KINDS[kind][2])
    for name, value in fields.items():
        if name in ITEM_KINDS[kind][2]:
            setattr(item, name, _item_value(value))
    item.full_clean()
    item.save()
    audit_record(actor=acting_user, verb=Verb.CHARTER_ITEM_CHANGED, target=charter,
                 summary=charter.title, data={"kind": kind, "id": item.pk,
                                              "changed": changed_fields(item, before)})
    return item


@transaction.atomic
def charter_item_delete(*, acting_user: User | None, item: models.Model) -> None:
    """Delete an item of a draft (a section takes its commitments with it)."""
    kind = item_kind(item)
    charter = item_charter(item)
    _require_draft(charter)
    item_id = item.pk
    item.delete()
    audit_record(actor=acting_user, verb=Verb.CHARTER_ITEM_DELETED, target=charter,
                 summary=charter.title, data={"kind": kind, "id": item_id})


@transaction.atomic
def charter_item_move(*, acting_user: User | None, item: models.Model, direction: str) -> None:
    """Swap an item with the one above ("up") or below ("down") it. Orders are
    renumbered 1…n first, so gaps and ties from earlier edits do not matter.
    Moving the first item up, or the last down, changes nothing."""
    if direction not in ("up", "down"):
        raise ValidationError("Direction must be up or down.")
    charter = item_charter(item)
    _require_draft(charter)
    siblings = list(_siblings(item).select_for_update().order_by("order", "id"))
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    for number, sibling in enumerate(siblings, 1):
        sibling.order = number
    type(item).objects.bulk_update(siblings, ["order"])
    audit_record(actor=acting_user, verb=Verb.CHARTER_ITEM_MOVED, target=charter,
                 summary=charter.title, data={"kind": item_kind(item), "id": item.pk, "direction": direction})


# --- Signatories ---------------------------------------------------------------------------


@transaction.atomic
def signatory_add(*, acting_user: User | None, charter: Charter, organisation: Organisation,
                  role_title: str, signed_on: date, person_name: str = "") -> Signatory:
    """Record that a partner signed this version (a draft about to be adopted,
    or the adopted one). The caller checks the person may sign for
    `organisation`."""
    if charter.status == Charter.Status.SUPERSEDED:
        raise ValidationError("This version has been replaced. Sign the current version.")
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "The date it was signed must be today or in the past"})
    signatory = Signatory(charter=charter, organisation=organisation,
                          role_title=role_title.strip(), person_name=person_name.strip(),
                          signed_on=signed_on, recorded_by=acting_user
                          if getattr(acting_user, "is_authenticated", False) else None)
    if Signatory.objects.filter(charter=charter, organisation=organisation,
                                role_title__iexact=signatory.role_title).exists():
        raise ValidationError({"role_title": f"{organisation} has already signed as "
                                             f"{signatory.role_title}"})
    signatory.full_clean()
    signatory.save()
    audit_record(actor=acting_user, verb=Verb.CHARTER_SIGNED, target=charter, summary=charter.title,
                 data={"organisation": organisation.pk, "signatory": signatory.pk})
    return signatory


@transaction.atomic
def signatory_remove(*, acting_user: User | None, signatory: Signatory, reason: str) -> None:
    """Take a signature off a version (recorded by mistake, or the partner
    withdrew). The public charter stops listing it at once. The row is
    deleted; the audit event ("signatory removed") keeps who signed, in
    what role, when, and the reason given, so the history is not lost.
    A reason is required. The caller checks `charter.remove_signatory`."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the signature is being removed"})
    signatory = Signatory.objects.select_for_update().select_related("charter").get(
        pk=signatory.pk)
    charter = signatory.charter
    audit_record(actor=acting_user, verb=Verb.CHARTER_SIGNATORY_REMOVED, target=charter,
                 summary=reason[:300],
                 data={"signatory": signatory.pk, "organisation": signatory.organisation_id,
                       "role_title": signatory.role_title,
                       "signed_on": signatory.signed_on.isoformat()})
    signatory.delete()


# --- Pulse rounds and answers --------------------------------------------------------------


@transaction.atomic
def pulse_round_create(*, acting_user: User | None, charter: Charter, title: str,
                       held_on: date, access: str) -> PulseRound:
    """Open a round of the "how we will know it is working" questions, with a
    new random invitation token. Only on the adopted version, and at most one
    open public round per version."""
    if charter.status != Charter.Status.ADOPTED:
        raise ValidationError("People can only be asked about the adopted charter.")
    if not charter.statements.exists():
        raise ValidationError("Add “how we will know it is working” statements first.")
    if (access == PulseRound.Access.PUBLIC and charter.pulse_rounds.filter(
            access=PulseRound.Access.PUBLIC, state=PulseRound.State.OPEN).exists()):
        raise ValidationError({"access": "There is already an open public round. Close it "
                                         "first, or make this one by invitation only"})
    pulse_round = PulseRound(charter=charter, title=title.strip(), held_on=held_on,
                             access=access, token=secrets.token_urlsafe(24),
                             created_by=acting_user
                             if getattr(acting_user, "is_authenticated", False) else None)
    pulse_round.full_clean()
    pulse_round.save()
    audit_record(actor=acting_user, verb=Verb.PULSE_ROUND_CREATED, target=pulse_round,
                 summary=pulse_round.title, data={"charter": charter.pk, "access": access})
    return pulse_round


@transaction.atomic
def pulse_round_set_state(*, acting_user: User | None, pulse_round: PulseRound,
                          state: str) -> PulseRound:
    """Open or close a round. Opening a public round fails while another
    public round of the same version is open."""
    pulse_round = PulseRound.objects.select_for_update().select_related("charter").get(
        pk=pulse_round.pk)
    if state not in PulseRound.State.values:
        raise ValidationError("Unknown state.")
    if state == pulse_round.state:
        return pulse_round
    if state == PulseRound.State.OPEN:
        if pulse_round.charter.status != Charter.Status.ADOPTED:
            raise ValidationError("This version of the charter has been replaced.")
        if (pulse_round.access == PulseRound.Access.PUBLIC
                and PulseRound.objects.filter(charter=pulse_round.charter,
                                              access=PulseRound.Access.PUBLIC,
                                              state=PulseRound.State.OPEN).exists()):
            raise ValidationError("Another public round is open. Close it first.")
    pulse_round.state = state
    pulse_round.save(update_fields=["state", "updated_at"])
    audit_record(actor=acting_user, verb=Verb.PULSE_ROUND_OPENED if state == PulseRound.State.OPEN
                 else Verb.PULSE_ROUND_CLOSED, target=pulse_round,
                 summary=pulse_round.title)
    return pulse_round


@transaction.atomic
def pulse_submit(*, pulse_round: PulseRound, ratings: Mapping[int, int]) -> PulseResponse:
    """Store one person's answers: {statement id: 1…5}. Anonymous: nothing
    about the person is kept. Refused when the round is closed."""
    pulse_round = PulseRound.objects.select_for_update().get(pk=pulse_round.pk)
    if not pulse_round.is_open:
        raise ValidationError("This round has closed.")
    statement_ids = set(pulse_round.charter.statements.values_list("pk", flat=True))
    if not ratings or set(ratings) - statement_ids:
        raise ValidationError("Answers must be about this charter’s statements.")
    response = PulseResponse.objects.create(round=pulse_round)
    answers = [PulseAnswer(response=response, statement_id=sid, rating=int(rating))
               for sid, rating in ratings.items()]
    for answer in answers:
        answer.full_clean(exclude=["response", "statement"])
    PulseAnswer.objects.bulk_create(answers)
    measures_refresh_for_round(pulse_round)
    audit_record(actor=None, verb=Verb.PULSE_ANSWERED, target=pulse_round,
                 data={"response": response.pk, "answers": len(answers)})
    return response


# --- Participation audit -------------------------------------------------------------------


def question_bank_install() -> int:
    """Install or refresh the default question bank. Safe to run twice."""
    return question_bank.install(AuditSection, AuditQuestion)


@transaction.atomic
def audit_start(*, acting_user: User | None, organisation: Organisation, team: str,
                year: int) -> ParticipationAudit:
    """Start a team's audit for a year, with a blank answer for every active
    question. One audit per team and year."""
    team = " ".join(team.split())
    if ParticipationAudit.objects.filter(organisation=organisation, team__iexact=team,
                                         year=year).exists():
        raise ValidationError({"team": f"{team} already has a participation audit for {year}"})
    audit = ParticipationAudit(organisation=organisation, team=team, year=year,
                               started_by=acting_user
                               if getattr(acting_user, "is_authenticated", False) else None)
    audit.full_clean()
    audit.save()
    questions = list(AuditQuestion.objects.filter(is_active=True))
    if not questions:
        raise ValidationError("The audit has no questions. Ask an administrator to add them.")
    AuditAnswer.objects.bulk_create([AuditAnswer(audit=audit, question=q) for q in questions])
    audit_record(actor=acting_user, verb=Verb.PARTICIPATION_AUDIT_STARTED, target=audit, summary=str(audit)[:300],
                 data={"organisation": organisation.pk, "year": year})
    return audit


@transaction.atomic
def audit_save(*, acting_user: User | None, audit: ParticipationAudit,
               answers: Mapping[int, tuple[int | None, str]], complete: bool,
               cornerstones: list[str] | None = None) -> ParticipationAudit:
    """Save scores (0–3) and evidence: {answer id: (score or None, evidence)},
    and, when given, the cornerstones of co-production the team's work covers.
    With `complete`, every question needs a score and the audit becomes the
    team's record for the year; a completed audit is not changed again."""
    audit = ParticipationAudit.objects.select_for_update().get(pk=audit.pk)
    if audit.is_completed:
        raise ValidationError("This audit has been completed and can no longer be changed.")
    rows = {a.pk: a for a in audit.answers.all()}
    if set(answers) - set(rows):
        raise ValidationError("Answers must belong to this audit.")
    for pk, (score, evidence) in answers.items():
        row = rows[pk]
        row.score = score
        row.evidence = evidence.strip()
        row.full_clean(exclude=["audit", "question"])
    AuditAnswer.objects.bulk_update(rows.values(), ["score", "evidence"])
    if cornerstones is not None:
        audit.cornerstones = [str(c) for c in cornerstones]
        audit.save(update_fields=["cornerstones", "updated_at"])
    if complete:
        if any(row.score is None for row in rows.values()):
            raise ValidationError("Give every question a score before completing the audit.")
        audit.status = ParticipationAudit.Status.COMPLETED
        audit.completed_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
        audit.completed_at = timezone.now()
        audit.save(update_fields=["status", "completed_by", "completed_at", "updated_at"])
    audit_record(actor=acting_user, verb=Verb.PARTICIPATION_AUDIT_COMPLETED if complete
                 else Verb.PARTICIPATION_AUDIT_SAVED,
                 target=audit, summary=str(audit)[:300],
                 data={"scored": sum(1 for r in rows.values() if r.score is not None)})
    return audit


@transaction.atomic
def audit_reopen(*, acting_user: User | None, audit: ParticipationAudit,
                 reason: str) -> ParticipationAudit:
    """Open a completed audit again so the team can correct it; it is in
    progress until completed again. Answers and improvement actions stay.
    A reason is required and is kept in the audit event ("audit reopened")
    with who completed it and when. Reopening one that is in progress is
    refused. The caller checks `charter.reopen_audit`."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the audit is being reopened"})
    audit = ParticipationAudit.objects.select_for_update().get(pk=audit.pk)
    if not audit.is_completed:
        raise ValidationError("This audit is already in progress.")
    completed_at, completed_by = audit.completed_at, audit.completed_by_id
    audit.status = ParticipationAudit.Status.IN_PROGRESS
    audit.completed_at = None
    audit.completed_by = None
    audit.save(update_fields=["status", "completed_by", "completed_at", "updated_at"])
    audit_record(actor=acting_user, verb=Verb.PARTICIPATION_AUDIT_REOPENED, target=audit, summary=reason[:300],
                 data={"was_completed_at": completed_at.isoformat() if completed_at else None,
                       "was_completed_by": completed_by})
    return audit


@transaction.atomic
def improvement_action_add(*, acting_user: User | None, audit: ParticipationAudit,
                           priority: Priority, title: str, description: str = "",
                           due_date: date | None = None, owner: User | None = None,
                           is_public: bool = False) -> ImprovementAction:
    """Turn an improvement the audit found into an action-plan action led by
    the team's organisation, and remember where it came from."""
    action = actionplan_services.action_create(
        acting_user=acting_user, priority=priority, title=title, description=description,
        lead_organisation=audit.organisation, owner=owner, due_date=due_date,
        is_public=is_public, source=f"Participation audit {audit.year}: {audit.team}")
    link = ImprovementAction.objects.create(
        audit=audit, action=action,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None)
    audit_record(actor=acting_user, verb=Verb.IMPROVEMENT_ACTION_ADDED, target=audit,
                 summary=str(audit)[:300], data={"action": action.pk})
    return link


# --- Evidence ------------------------------------------------------------------------------


@transaction.atomic
def evidence_link_add(*, acting_user: User | None, commitment: Commitment, effect: str,
                      feedback: Feedback | None = None, action: Action | None = None,
                      title: str = "", url: str = "", summary: str = "") -> EvidenceLink:
    """Tag a commitment with what keeps or breaks it: a piece of feedback, an
    action, or a report item (its title and address, as the reports app
    passes them). Exactly one of the three. Adding the same thing twice to a
    commitment returns the existing link (so callers may retry safely)."""
    url = url.strip()
    if url and not (url.startswith("/") or url.startswith("https://")):
        raise ValidationError({"url": "Enter an address starting with https:// or /"})
    lookup = {"commitment": commitment}
    if feedback is not None:
        lookup["feedback"] = feedback
    elif action is not None:
        lookup["action"] = action
    elif url:
        lookup["url"] = url
    existing = EvidenceLink.objects.filter(**lookup).first() if len(lookup) == 2 else None
    if existing is not None:
        return existing
    link = EvidenceLink(commitment=commitment, effect=effect, feedback=feedback, action=action,
                        title=title.strip(), url=url, summary=summary.strip(),
                        added_by=acting_user
                        if getattr(acting_user, "is_authenticated", False) else None)
    if sum(x is not None and x != "" for x in (feedback, action, url)) != 1:
        raise ValidationError("Link exactly one thing: a piece of feedback, an action or a "
                              "report item.")
    if url and not link.title:
        raise ValidationError({"title": "Enter the title of the report item"})
    link.full_clean()
    link.save()
    audit_record(actor=acting_user, verb=Verb.EVIDENCE_LINKED, target=commitment,
                 summary=commitment.text[:300],
                 data={"link": link.pk, "effect": effect, "kind": link.kind,
                       "feedback": feedback.pk if feedback else None,
                       "action": action.pk if action else None})
    return link


@transaction.atomic
def evidence_link_remove(*, acting_user: User | None, link: EvidenceLink) -> None:
    data = {"link": link.pk, "kind": link.kind, "effect": link.effect}
    commitment = link.commitment
    link.delete()
    audit_record(actor=acting_user, verb=Verb.EVIDENCE_UNLINKED, target=commitment,
                 summary=commitment.text[:300], data=data)


# --- Measures that follow a statement's results ---------------------------------------------


def statement_choices() -> list[tuple[str, str]]:
    """Every "how we will know it is working" statement of an adopted
    charter, by lineage (the same statement across versions), for a
    measure to follow. Registered in actionplan.family_sources."""
    from .models import Charter, Statement

    statements = (Statement.objects.filter(charter__status=Charter.Status.ADOPTED)
                  .select_related("charter").order_by("charter__title", "order", "id"))
    return [(str(s.lineage), f"{s.text} ({s.charter.title})") for s in statements]


def measure_refresh_from_statement(measure_id: int) -> int:
    """Set a measure's values from its statement's pulse results: for each
    day a round was held, the share who agreed or strongly agreed, with how
    many answered. Rounds held the same day are counted together. A day with
    fewer than five answers is not given a value
    (actionplan.services.measure_family_values_set). Safe to run twice."""
    from django.db.models import Count, Q

    from actionplan.models import Measure

    from .models import AGREEING, PulseAnswer

    lineage = (Measure.objects.filter(pk=measure_id, source=Measure.Source.CHARTER)
               .values_list("statement_lineage", flat=True).first())
    if lineage is None:
        return 0
    rows = (PulseAnswer.objects.filter(statement__lineage=lineage)
            .values("response__round__held_on")
            .annotate(n=Count("id"), agree=Count("id", filter=Q(rating__in=AGREEING)))
            .order_by("response__round__held_on"))
    values = [(r["response__round__held_on"], round(100 * r["agree"] / r["n"], 2), r["n"])
              for r in rows if r["n"]]
    return actionplan_services.measure_family_values_set(measure_id=measure_id, values=values)


def measures_refresh_for_round(pulse_round) -> None:
    """Measures that follow a statement of this round's charter take the new
    results (one query when none does)."""
    from actionplan.models import Measure

    lineages = pulse_round.charter.statements.values("lineage")
    for measure_id in Measure.objects.filter(source=Measure.Source.CHARTER,
                                             statement_lineage__in=lineages).values_list(
            "pk", flat=True):
        measure_refresh_from_statement(measure_id)
