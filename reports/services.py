"""Every write to reports: drafting, the approval workflow, publishing,
withdrawal and new versions. Every transition is audited."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F, Max, Min
from django.urls import reverse
from django.utils import timezone

from charter import services as charter_services
from charter.models import EvidenceLink
from core import jobs
from core.approvals import approvers_tell
from core.audit import Verb, changed_fields, snapshot
from core.concurrency import lock_for_edit
from core.models import ApprovalNotice
from core.ordering import move_in_order
from core.services import audit_record
from core.text import slug_from
from feedback import selectors as feedback_selectors
from feedback import services as feedback_services
from feedback.models import Feedback, Quote

from . import loop, selectors, workflow
from .models import (
    FIRST_PUBLISHED_AFTER_PORTAL,
    EvidencePack,
    LocalOfferReport,
    Report,
    ReportItem,
    ReportSeries,
    ReportTopic,
    UsefulCount,
)

S = Report.Status

SEARCH_DOCUMENT_SQL = """
UPDATE reports_report AS r SET search_document =
    setweight(to_tsvector('english', coalesce(r.title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(r.summary, '')), 'B')
    || setweight(to_tsvector('english', coalesce((
        SELECT string_agg(concat_ws(' ', t.title, i.heading, i.you_said, i.we_did,
                                    i.what_next, i.evidence), ' ')
        FROM reports_reportitem AS i LEFT JOIN reports_reporttopic AS t ON t.id = i.topic_id
        WHERE i.report_id = r.id), '')), 'C')
WHERE r.id = ANY(%s)
"""


def search_documents_refresh(reports) -> None:
    """Write the stored search document of these reports (a queryset or a
    list) from their title, summary and items. Idempotent. Postgres only:
    elsewhere search does without it."""
    if connection.vendor != "postgresql":
        return
    ids = [r if isinstance(r, int) else r.pk for r in reports] if isinstance(reports, list) \
        else list(reports.values_list("pk", flat=True))
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(SEARCH_DOCUMENT_SQL, [ids])


def _transition(report: Report, to: str, actor, **fields) -> Report:
    """Move along the workflow (reports.workflow.TRANSITIONS), audited with
    the table's verb; a move the table does not hold is refused."""
    verb = workflow.between(report.status, to).verb
    audit_record(actor=actor, verb=verb, target=report, summary=str(report)[:300],
                 data={"from": report.status, "to": to, "version": report.version})
    report.status = to
    for name, value in fields.items():
        setattr(report, name, value)
    report.full_clean()
    report.save()
    return report


def _locked(report: Report) -> Report:
    """The report as it is now, locked for this transaction, so two people
    pressing buttons at once cannot both move it."""
    return Report.objects.select_for_update().get(pk=report.pk)


def _slug_base(text: str) -> str:
    return slug_from(text)[:100]  # "2025–26" becomes "2025-26", not "202526"


def _unique_slug(title: str) -> str:
    base = _slug_base(title) or "report"
    slug, n = base, 2
    while Report.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _series(organisation, series, new_series: str) -> ReportSeries | None:
    """The series chosen, or a new one of the organisation's named `new_series`
    (the existing one if it already has a series of that name)."""
    name = (new_series or "").strip()
    if not name:
        if series is not None and series.organisation_id != organisation.pk:
            raise ValidationError({"series": "Choose a series of the report's organisation"})
        return series
    existing = ReportSeries.objects.filter(organisation=organisation, name__iexact=name).first()
    if existing:
        return existing
    base = _slug_base(name) or "series"
    slug, n = base, 2
    while ReportSeries.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    created = ReportSeries(name=name, slug=slug, organisation=organisation)
    created.full_clean()
    created.save()
    return created


@transaction.atomic
def series_rename(*, acting_user, series: ReportSeries, name: str) -> ReportSeries:
    """Rename a series. Its address (slug) stays, so links to it keep
    working; every public page naming it is made again. Who may: officers
    and approvers of its organisation (checked by the view). Audited."""
    series = ReportSeries.objects.select_for_update().get(pk=series.pk)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the name of the series"})
    if (ReportSeries.objects.filter(organisation_id=series.organisation_id, name__iexact=name)
            .exclude(pk=series.pk).exists()):
        raise ValidationError({"name": f"Your organisation already has a series called {name}"})
    before = series.name
    if name == before:
        return series
    series.name = name
    series.full_clean()
    series.save(update_fields=["name", "updated_at"])
    audit_record(actor=acting_user, verb=Verb.REPORT_SERIES_RENAMED, target=series,
                 summary=name[:300], data={"from": before, "to": name})
    return series


@transaction.atomic
def report_create(*, acting_user, organisation, title: str, kind: str, period_start, period_end,
                  summary: str, audience: str = "", service_area=None,
                  period_kind: str = Report.PeriodKind.CUSTOM,
                  layout: str = Report.Layout.SECTIONS, series=None,
                  new_series: str = "", edition: str = Report.Edition.FULL,
                  first_published_on=None, evidence_heading: str = "Evidence") -> Report:
    report = Report(slug=_unique_slug(title), title=title.strip(), kind=kind,
                    period_start=period_start, period_end=period_end, summary=summary.strip(),
                    audience=audience.strip(), service_area=service_area,
                    period_kind=period_kind, layout=layout,
                    series=_series(organisation, series, new_series),
                    edition=edition, first_published_on=first_published_on,
                    evidence_heading=evidence_heading.strip() or "Evidence",
                    organisation=organisation, author=acting_user)
    _check_first_published(report)
    report.full_clean()
    report.save()
    audit_record(actor=acting_user, verb=Verb.REPORT_DRAFTED, target=report, summary=report.title)
    return report


def _check_first_published(report: Report) -> None:
    """A back-filled report's first publication is in the past, and never
    after the portal first published any version of it."""
    first = report.first_published_on
    if not first:
        return
    if first > timezone.localdate():
        raise ValidationError({"first_published_on": "The date it was first published must be "
                                                     "today or in the past"})
    portal = (Report.objects.filter(slug=report.slug, published_at__isnull=False)
              .aggregate(m=Min("published_at"))["m"]) if report.slug else None
    if portal and first > timezone.localdate(portal):
        raise ValidationError({"first_published_on": FIRST_PUBLISHED_AFTER_PORTAL
                               + f" ({timezone.localdate(portal):%-d %B %Y})"})


def _editable(report: Report) -> None:
    if not workflow.state_of(report).editable:
        raise ValidationError("Only a draft can be changed. Return it to draft first.")


@transaction.atomic
def report_update(*, acting_user, report: Report, new_series: str = "",
                  lock_version: int | None = None, **fields) -> Report:
    """Change a draft's details. `lock_version` is the one the editor's page
    showed: a save based on an older page raises EditConflict (nothing is
    overwritten)."""
    report = lock_for_edit(Report.objects.all(), report.pk, lock_version)
    _editable(report)
    if "series" in fields or new_series:
        fields["series"] = _series(report.organisation, fields.get("series"), new_series)
    before = snapshot(report, fields)
    for name, value in fields.items():
        setattr(report, name, value.strip() if isinstance(value, str) else value)
    _check_first_published(report)
    report.full_clean()
    report.save()
    audit_record(actor=acting_user, verb=Verb.REPORT_EDITED, target=report, summary=report.title,
                 data={"changed": changed_fields(report, before)})
    return report


def _check_item(item: ReportItem, quotes) -> None:
    if item.outcome == ReportItem.Outcome.NOT_POSSIBLE and not item.rationale.strip():
        raise ValidationError({"rationale": "Explain why it was not possible"})
    not_approved = [q for q in quotes if q.status != Quote.Status.APPROVED]
    if not_approved:
        raise ValidationError({"quotes": "Only approved quotes can appear in a report"})


def _topic_for(report: Report, topic: ReportTopic | None, new_topic: str) -> ReportTopic:
    title = (new_topic or "").strip()
    if title:
        existing = report.topics.filter(title__iexact=title).first()
        return existing or topic_add(acting_user=None, report=report, title=title, audit=False)
    if topic is None:
        raise ValidationError({"topic": "Choose the topic this item goes under, or name a new one"})
    if topic.report_id != report.pk:
        raise ValidationError({"topic": "Choose one of this report's topics"})
    return topic


@transaction.atomic
def item_save(*, acting_user, report: Report, item: ReportItem | None = None, quotes=(),
              statistics=(), actions=(), commitments=(), topic: ReportTopic | None = None,
              new_topic: str = "", lock_version: int | None = None, **fields) -> ReportItem:
    """Add or change an item, under a topic of the report (or a new topic
    named `new_topic`). Quotes must be approved and usable by the report's
    organisation, statistics from its own surveys (checked again here, not
    only by the form). The report row is locked, so items added at once get
    distinct positions; a change based on an out-of-date page raises
    EditConflict."""
    report = _locked(report)
    _editable(report)
    quotes, statistics = list(quotes), list(statistics)
    if item is not None:
        item = lock_for_edit(report.items.all(), item.pk, lock_version)
    # An item being changed stays under its topic unless told otherwise.
    topic = _topic_for(report, topic or (item.topic if item else None), new_topic)
    usable_quotes = set(feedback_selectors.quotes_usable_by(report.organisation_id)
                        .filter(pk__in=[q.pk for q in quotes]).values_list("pk", flat=True))
    if any(q.pk not in usable_quotes for q in quotes if q.status == Quote.Status.APPROVED):
        raise ValidationError({"quotes": "Only quotes from feedback to your organisation, or "
                                         "shared with it, can appear in its report"})
    usable_stats = set(feedback_selectors.statistics_usable_by(report.organisation_id)
                       .filter(pk__in=[st.pk for st in statistics]).values_list("pk", flat=True))
    if any(st.pk not in usable_stats for st in statistics):
        raise ValidationError({"statistics": "Only statistics from your organisation's own "
                                             "surveys can appear in its report"})
    if item is None or item.topic_id != topic.pk:
        item = item or ReportItem(report=report)
        item.position = (topic.items.aggregate(m=Max("position"))["m"] or 0) + 1
    item.topic = topic
    for name, value in fields.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    _check_item(item, quotes)
    item.full_clean()
    item.save()
    item.quotes.set(quotes)
    item.statistics.set(statistics)
    item.actions.set(actions)
    item.commitments.set(commitments)
    audit_record(actor=acting_user, verb=Verb.REPORT_ITEM_SAVED, target=report,
                 summary=str(item)[:300], data={"item": item.pk, "topic": topic.pk})
    return item


@transaction.atomic
def item_delete(*, acting_user, item: ReportItem) -> None:
    _editable(_locked(item.report))
    audit_record(actor=acting_user, verb=Verb.REPORT_ITEM_DELETED, target=item.report,
                 summary=str(item)[:300], data={"item": item.pk})
    item.delete()


@transaction.atomic
def item_move(*, acting_user, item: ReportItem, direction: int) -> None:
    """Swap an item with its neighbour in its topic (direction -1 up, +1 down).
    The report row is locked, so two moves at once do not interleave."""
    report = _locked(item.report)
    _editable(report)
    if move_in_order(ReportItem.objects.filter(topic_id=item.topic_id), item, direction):
        audit_record(actor=acting_user, verb=Verb.REPORT_ITEM_MOVED, target=report,
                     summary=str(item)[:300], data={"item": item.pk, "direction": direction})


# --- Topics ---------------------------------------------------------------------------


def _topic_title(report: Report, title: str, exclude_pk=None) -> str:
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Enter the topic's name"})
    clash = report.topics.filter(title__iexact=title)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"title": f"This report already has a topic called {title}"})
    return title


@transaction.atomic
def topic_add(*, acting_user, report: Report, title: str, audit: bool = True) -> ReportTopic:
    """Add a topic (a heading with items under it) at the end of a draft."""
    _editable(_locked(report))
    title = _topic_title(report, title)
    position = (report.topics.aggregate(m=Max("position"))["m"] or 0) + 1
    topic = ReportTopic(report=report, title=title, position=position)
    topic.full_clean()
    topic.save()
    if audit:
        audit_record(actor=acting_user, verb=Verb.REPORT_TOPIC_ADDED, target=report,
                     summary=title, data={"topic": topic.pk})
    return topic


@transaction.atomic
def topic_rename(*, acting_user, topic: ReportTopic, title: str) -> ReportTopic:
    _editable(topic.report)
    topic.title = _topic_title(topic.report, title, exclude_pk=topic.pk)
    topic.full_clean()
    topic.save(update_fields=["title", "updated_at"])
    audit_record(actor=acting_user, verb=Verb.REPORT_TOPIC_RENAMED, target=topic.report,
                 summary=topic.title, data={"topic": topic.pk})
    return topic


@transaction.atomic
def topic_move(*, acting_user, topic: ReportTopic, direction: int) -> None:
    _editable(topic.report)
    if move_in_order(ReportTopic.objects.filter(report_id=topic.report_id), topic, direction):
        audit_record(actor=acting_user, verb=Verb.REPORT_TOPIC_MOVED, target=topic.report,
                     summary=topic.title[:300], data={"topic": topic.pk, "direction": direction})


@transaction.atomic
def topic_delete(*, acting_user, topic: ReportTopic) -> None:
    """Delete a topic with no items (move or remove its items first)."""
    _editable(topic.report)
    if topic.items.exists():
        raise ValidationError("Move or remove this topic's items before deleting it.")
    audit_record(actor=acting_user, verb=Verb.REPORT_TOPIC_DELETED, target=topic.report,
                 summary=topic.title, data={"topic": topic.pk})
    topic.delete()


@transaction.atomic
def report_submit(*, acting_user, report: Report) -> Report:
    report = _locked(report)
    workflow.require(report, "submit")
    if not report.items.exists():
        raise ValidationError("Add at least one “You said, we did” item before sending it for review.")
    if _from_comments(report):
        local_offer_check(report)
    report = _transition(report, S.IN_REVIEW, acting_user)
    approvers_tell(organisation_id=report.organisation_id, kind=ApprovalNotice.Kind.REPORT,
                   title=f"Report “{report.title}”, version {report.version}",
                   path=reverse("staff:reports:edit", args=[report.pk]),
                   exclude_user_ids=[report.author_id])
    return report


@transaction.atomic
def report_return(*, acting_user, report: Report) -> Report:
    report = _locked(report)
    workflow.require(report, "return")
    return _transition(report, S.DRAFT, acting_user, approved_by=None, approved_at=None)


@transaction.atomic
def report_approve(*, acting_user, report: Report) -> Report:
    """An approver who did not write it approves it."""
    report = _locked(report)
    workflow.require(report, "approve")
    if report.author_id == acting_user.pk:
        raise PermissionDenied("Someone other than the author must approve a report.")
    return _transition(report, S.APPROVED, acting_user, approved_by=acting_user,
                       approved_at=timezone.now())


@transaction.atomic
def report_publish(*, acting_user, report: Report) -> Report:
    """Publish an approved report: freeze the counts, replace the previous
    version at /reports/<slug>/, and make the PDF in the background."""
    report = _locked(report)
    workflow.require(report, "publish")
    if _from_comments(report):
        # Checked again: a comment may have been left out since it was sent for review.
        local_offer_check(report)
        _local_offer_freeze(report)
        return _published(report, acting_user)
    counts = selectors.theme_counts_for(report)
    given_to = selectors.theme_given_to_for(report)
    for item in report.items.prefetch_related("statistics"):
        # A survey item shows its survey's own n instead of a count of feedback.
        by_channel = counts.get(item.theme_id, {}) if item.theme_id else {}
        counted = item.theme_id and not item.statistics.all()
        item.raised_by_channel = by_channel if counted else {}
        item.raised_count = sum(by_channel.values()) if counted else None
        item.raised_given_to = given_to.get(item.theme_id, {}) if counted else {}
        item.save(update_fields=["raised_count", "raised_by_channel", "raised_given_to",
                                 "updated_at"])
    return _published(report, acting_user)


def _published(report: Report, acting_user) -> Report:
    """The rest of publishing, once the counts are frozen."""
    Report.objects.filter(slug=report.slug, status=S.PUBLISHED).exclude(pk=report.pk).update(
        status=S.SUPERSEDED)
    _transition(report, S.PUBLISHED, acting_user, published_at=timezone.now(),
                pdf_state=Report.PdfState.PENDING, pdf_error="", pdf_attempts=0)
    search_documents_refresh([report.pk])
    # The charter page shows each item as evidence of the commitments it keeps.
    for item in report.items.select_related("topic").prefetch_related("commitments"):
        for commitment in item.commitments.all():
            charter_services.evidence_link_add(
                acting_user=acting_user, commitment=commitment,
                effect=EvidenceLink.Effect.KEEPS,
                title=f"{report.title}: {item.heading or item.topic.title}"[:200],
                url=f"{report.get_absolute_url()}#item-{item.pk}")
    # Families whose feedback it answers, and who asked to hear, are told.
    loop.news_for_publication(report)
    jobs.enqueue("report_pdf", report.pk, organisation_id=report.organisation_id)
    return report


@transaction.atomic
def report_pdf_retry(*, acting_user, report: Report) -> Report:
    report = _locked(report)
    if not report.is_public or report.status == S.WITHDRAWN:
        raise ValidationError("Only a published report has a PDF.")
    report.pdf_state = Report.PdfState.PENDING
    report.pdf_error = ""
    report.pdf_attempts = 0
    report.save(update_fields=["pdf_state", "pdf_error", "pdf_attempts", "updated_at"])
    audit_record(actor=acting_user, verb=Verb.REPORT_PDF_RETRIED, target=report, summary=str(report))
    jobs.enqueue("report_pdf", report.pk, organisation_id=report.organisation_id)
    return report


@transaction.atomic
def report_withdraw(*, acting_user, report: Report, reason: str) -> Report:
    """Take a published report down: it and every earlier public version of
    it answer 410 Gone with the date and reason only (a report is withdrawn
    because it is wrong or identifies a child, and an old version says the
    same). Their PDF files are deleted from storage after commit, and the
    charter no longer cites any of them as evidence. Approvers only
    (checked by the view); audited."""
    report = _locked(report)
    workflow.require(report, "withdraw")
    if not reason.strip():
        raise ValidationError({"withdrawn_reason": "Say why the report is withdrawn"})
    # Every version's address starts with this (the slug ends at the slash).
    prefix = reverse("reports:detail", args=[report.slug])
    for link in EvidenceLink.objects.filter(url__startswith=prefix):
        charter_services.evidence_link_remove(acting_user=acting_user, link=link)
    now = timezone.now()
    earlier = list(Report.objects.select_for_update().filter(
        slug=report.slug, status=S.SUPERSEDED).exclude(pk=report.pk))
    pdf_names = [r.pdf_file.name for r in [report, *earlier] if r.pdf_file]
    for old in earlier:
        _transition(old, S.WITHDRAWN, acting_user, withdrawn_at=now,
                    withdrawn_reason=reason.strip(), pdf_state=Report.PdfState.NONE, pdf_file="")
    report = _transition(report, S.WITHDRAWN, acting_user, withdrawn_at=now,
                         withdrawn_reason=reason.strip(), pdf_state=Report.PdfState.NONE,
                         pdf_file="")
    transaction.on_commit(lambda: _delete_files(pdf_names))
    return report


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


@transaction.atomic
def report_new_version(*, acting_user, report: Report) -> Report:
    """A new draft from a published (or withdrawn) version, items and all.
    The earlier version stays readable at its own address."""
    if not report.is_public:
        raise ValidationError("A new version starts from a published report.")
    # Every version of the report, locked: two people starting a new version
    # at once take turns, and the second is told one is already being drafted
    # (the database refuses a second in any case: report_one_version_in_progress).
    list(Report.objects.select_for_update().filter(slug=report.slug).values_list("pk"))
    if Report.objects.filter(slug=report.slug, status__in=[S.DRAFT, S.IN_REVIEW, S.APPROVED]).exists():
        raise ValidationError("There is already a new version being drafted.")
    latest = Report.objects.filter(slug=report.slug).aggregate(m=Max("version"))["m"]
    new = Report.objects.get(pk=report.pk)
    new.pk = None
    new.version = latest + 1
    new.author = acting_user
    new.status = S.DRAFT
    new.approved_by = new.approved_at = new.published_at = new.withdrawn_at = None
    new.withdrawn_reason = ""
    new.pdf_state, new.pdf_file, new.pdf_error, new.pdf_attempts = Report.PdfState.NONE, "", "", 0
    new.pdf_rendered_at = None
    new.save()
    topics = {}
    for topic in report.topics.all():
        old_pk = topic.pk
        topic.pk = None
        topic.report = new
        topic.save()
        topics[old_pk] = topic
    old_local_offer = LocalOfferReport.objects.filter(report=report).first()
    if old_local_offer:
        LocalOfferReport.objects.create(report=new,
                                        families_involvement=old_local_offer.families_involvement)
    for item in report.items.prefetch_related("quotes", "statistics", "actions"):
        quotes, stats, actions = list(item.quotes.all()), list(item.statistics.all()), list(
            item.actions.all())
        commitments = list(item.commitments.all())
        item.pk = None
        item.report = new
        item.topic = topics[item.topic_id]
        item.raised_count = None
        item.raised_by_channel = {}
        item.raised_given_to = {}
        item.save()
        item.quotes.set(quotes)
        item.statistics.set(stats)
        item.actions.set(actions)
        item.commitments.set(commitments)
    audit_record(actor=acting_user, verb=Verb.REPORT_VERSION_DRAFTED, target=new, summary=str(new),
                 data={"from_version": report.version})
    return new


@transaction.atomic
def useful_answer_record(*, report: Report, useful: bool, comment: str = "") -> Feedback | None:
    """Count a "Was this page useful?" answer for this version of the report.
    Only a written comment becomes feedback in the inbox, marked as needing
    no reply (it comes with no way to reach anyone): no deadline, no reply."""
    UsefulCount.objects.get_or_create(report=report)
    UsefulCount.objects.filter(report=report).update(
        **({"yes": F("yes") + 1} if useful else {"no": F("no") + 1}))
    comment = comment.strip()
    if not comment:
        return None
    return feedback_services.feedback_submit(
        channel=Feedback.Channel.PAGE_USEFUL, needs_reply=False,
        what_went_well="Yes, this page was useful." if useful else "",
        even_better_if=comment, rating=None, about_organisation=report.organisation,
        source_url=report.get_absolute_url(), source_label=f"Report: {report}",
    )


# --- The annual Local Offer report (SEND Regulations 2014, regulation 56) -------------

# What a drafted item's "We did" says until an officer writes the response;
# such a report cannot be sent for review.
WE_DID_TO_WRITE = "[Write our response to these comments and the action we will take.]"
LOCAL_OFFER_QUOTES_PER_ITEM = 3
LOCAL_OFFER_SUMMARY = (
    "Every year we ask children, young people and families for their comments on the Local "
    "Offer: what it says, what is missing, how easy it is to find and use, and how it is "
    "developed and reviewed. This report publishes what they told us, our response and the "
    "action we will take, as regulation 56 of the SEND Regulations 2014 asks. It identifies "
    "no one.")


def _from_comments(report: Report) -> bool:
    """An annual Local Offer report drafted from the coded comments (a
    Local Offer report written by hand, item by item, is like any other)."""
    return LocalOfferReport.objects.filter(report_id=report.pk).exists()


def local_offer_period(report: Report) -> dict:
    return {"organisation_id": report.organisation_id, "since": report.period_start,
            "until": report.period_end}


@transaction.atomic
def local_offer_report_draft(*, acting_user, organisation, period_start, period_end,
                             period_kind: str = Report.PeriodKind.ACADEMIC_YEAR,
                             title: str, families_involvement: str = "", series=None,
                             new_series: str = "") -> Report:
    """Draft the annual Local Offer report for a period from the coded
    comments: one topic per regulation 56 code that has comments, under it
    one item per theme with the approved redacted quotes (at most three,
    never from a comment left out of publication) and the actions linked to
    those comments, whose live status the report shows. "We did" waits for
    the officer's words (WE_DID_TO_WRITE). Counts stay live until publishing
    freezes them. A fixed number of queries whatever the number of comments
    (bench: local_offer_draft). Officers and approvers of the organisation
    (checked by the view); audited (REPORT_DRAFTED, REPORT_LOCAL_OFFER_DRAFTED)."""
    from actionplan.models import Action
    from core.models import Theme
    from feedback.models import LocalOfferCoding

    report = report_create(acting_user=acting_user, organisation=organisation, title=title,
                           kind=Report.Kind.LOCAL_OFFER, period_start=period_start,
                           period_end=period_end, period_kind=period_kind,
                           summary=LOCAL_OFFER_SUMMARY,
                           audience="Children and young people with SEND and their families",
                           series=series, new_series=new_series)
    LocalOfferReport.objects.create(report=report,
                                    families_involvement=families_involvement.strip())
    period = local_offer_period(report)
    counts = feedback_selectors.local_offer_theme_counts(**period)
    themes = Theme.objects.in_bulk([t for _, t in counts if t])
    published = (feedback_selectors.local_offer_comments(**period)
                 .filter(local_offer__left_out_reason="").exclude(local_offer__code=""))
    action_keys: dict[tuple[str, int | None], set[int]] = {}
    for action_id, code, theme_id in (Action.feedback.through.objects
                                      .filter(feedback__in=published)
                                      .values_list("action_id", "feedback__local_offer__code",
                                                   "feedback__themes").distinct()):
        action_keys.setdefault((code, theme_id), set()).add(action_id)
    quote_keys: dict[tuple[str, int | None], list[int]] = {}
    for quote in feedback_selectors.local_offer_quotes(**period):
        code = quote.feedback.local_offer.code
        key = (code, quote.theme_id) if (code, quote.theme_id) in counts else (code, None)
        if key in counts and len(quote_keys.setdefault(key, [])) < LOCAL_OFFER_QUOTES_PER_ITEM:
            quote_keys[key].append(quote.pk)

    topics = ReportTopic.objects.bulk_create([
        ReportTopic(report=report, position=n, title=label, local_offer_code=code)
        for n, (code, label) in enumerate(
            [(c, lbl) for c, lbl in LocalOfferCoding.Code.choices
             if any(k[0] == c for k in counts)], 1)])
    by_code = {t.local_offer_code: t for t in topics}
    items, keys = [], []
    for topic in topics:
        here = sorted(((k, sum(v.values())) for k, v in counts.items()
                       if k[0] == topic.local_offer_code),
                      key=lambda kn: (kn[0][1] is None, -kn[1],
                                      themes[kn[0][1]].name if kn[0][1] else ""))
        for position, (key, _count) in enumerate(here, 1):
            theme = themes.get(key[1]) if key[1] else None
            about = theme.name if theme else "other matters"
            items.append(ReportItem(
                report=report, topic=by_code[key[0]], position=position, theme=theme,
                heading=theme.name if theme else "Other comments",
                you_said=f"Families commented on {about[0].lower() + about[1:]}.",
                we_did=WE_DID_TO_WRITE, outcome=ReportItem.Outcome.IN_PROGRESS))
            keys.append(key)
    ReportItem.objects.bulk_create(items)
    ReportItem.quotes.through.objects.bulk_create([
        ReportItem.quotes.through(reportitem_id=item.pk, quote_id=q)
        for item, key in zip(items, keys, strict=True) for q in quote_keys.get(key, [])])
    ReportItem.actions.through.objects.bulk_create([
        ReportItem.actions.through(reportitem_id=item.pk, action_id=a)
        for item, key in zip(items, keys, strict=True)
        for a in sorted(action_keys.get(key, set()))])
    audit_record(actor=acting_user, verb=Verb.REPORT_LOCAL_OFFER_DRAFTED, target=report,
                 summary=report.title, data={"topics": len(topics), "items": len(items)})
    return report


def local_offer_problems(report: Report, local_offer: LocalOfferReport | None = None
                         ) -> list[str]:
    """Why an annual Local Offer report cannot go for review or be published
    yet: comments with no response, items with no response written, the
    families' involvement not described, a quote from a comment left out."""
    problems = []
    unanswered = feedback_selectors.local_offer_unanswered(**local_offer_period(report)).count()
    if unanswered:
        problems.append(f"{unanswered} comment{'s' if unanswered != 1 else ''} on the Local "
                        f"Offer in this period {'have' if unanswered != 1 else 'has'} no "
                        "response yet. Answer them first: see “Comments and figures”.")
    waiting = report.items.filter(we_did=WE_DID_TO_WRITE).count()
    if waiting:
        problems.append(f"Write the response and action for {waiting} "
                        f"item{'s' if waiting != 1 else ''} (“We did”).")
    local_offer = local_offer or LocalOfferReport.objects.filter(report=report).first()
    if local_offer is None or not local_offer.families_involvement.strip():
        problems.append("Say how families were involved in reviewing the Local Offer.")
    quote_feedback = ReportItem.quotes.through.objects.filter(
        reportitem__report=report).values_list("quote__feedback_id", flat=True)
    if feedback_selectors.local_offer_left_out_ids(quote_feedback):
        problems.append("A quote comes from a comment left out of publication. Remove it.")
    return problems


def local_offer_check(report: Report) -> None:
    problems = local_offer_problems(report)
    if problems:
        raise ValidationError(problems)


def _local_offer_freeze(report: Report) -> None:
    """Freeze the summary figures and each item's count at publishing."""
    period = local_offer_period(report)
    local_offer, _ = LocalOfferReport.objects.get_or_create(report=report)
    local_offer.figures = feedback_selectors.local_offer_figures(**period)
    local_offer.save(update_fields=["figures"])
    counts = feedback_selectors.local_offer_theme_counts(**period)
    for item in report.items.select_related("topic"):
        code = item.topic.local_offer_code
        by_channel = counts.get((code, item.theme_id), {}) if code else {}
        item.raised_by_channel = by_channel
        item.raised_count = sum(by_channel.values()) if code else None
        item.raised_given_to = {}
        item.save(update_fields=["raised_count", "raised_by_channel", "raised_given_to",
                                 "updated_at"])


@transaction.atomic
def local_offer_involvement_save(*, acting_user, report: Report, text: str) -> LocalOfferReport:
    """Say how families were involved in reviewing the Local Offer (a draft
    only). Officers and approvers of its organisation (the view); audited."""
    report = _locked(report)
    _editable(report)
    local_offer, _ = LocalOfferReport.objects.get_or_create(report=report)
    local_offer.families_involvement = text.strip()
    local_offer.full_clean()
    local_offer.save()
    Report.objects.filter(pk=report.pk).update(updated_at=timezone.now())
    audit_record(actor=acting_user, verb=Verb.REPORT_LOCAL_OFFER_EDITED, target=report,
                 summary=report.title)
    return local_offer


# --- The evidence pack ---------------------------------------------------------------------


@transaction.atomic
def evidence_pack_request(*, acting_user, organisation, title: str, period_start: date,
                          period_end: date, headings: dict[str, str]) -> EvidencePack:
    """Make an evidence pack for a period, for the partnership (no
    `organisation`) or one organisation, under these headings; its PDF is
    made in the background once this commits."""
    if period_end < period_start:
        raise ValidationError({"period_end": "The end of the period must be after its start"})
    pack = EvidencePack.objects.create(
        title=title, organisation=organisation, period_start=period_start,
        period_end=period_end, requested_by=acting_user,
        headings={area: text for area, text in headings.items() if text},
        pdf_state=EvidencePack.PdfState.PENDING)
    audit_record(actor=acting_user, verb=Verb.EVIDENCE_PACK_REQUESTED, target=pack,
                 summary=pack.title[:300],
                 data={"organisation": organisation.pk if organisation else None,
                       "period_start": period_start.isoformat(),
                       "period_end": period_end.isoformat()})
    jobs.enqueue("evidence_pack_pdf", pack.pk,
                 organisation_id=organisation.pk if organisation else None)
    return pack
