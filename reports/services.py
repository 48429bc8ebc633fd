"""Every write to reports: drafting, the approval workflow, publishing,
withdrawal and new versions. Every transition is audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from charter import services as charter_services
from charter.models import EvidenceLink
from core.pagecache import public_content_changed
from core.services import audit_record
from core.tasks import enqueue_on_commit
from feedback.models import Quote

from . import selectors
from .models import Report, ReportItem

S = Report.Status

SEARCH_DOCUMENT_SQL = """
UPDATE reports_report AS r SET search_document =
    setweight(to_tsvector('english', coalesce(r.title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(r.summary, '')), 'B')
    || setweight(to_tsvector('english', coalesce((
        SELECT string_agg(concat_ws(' ', i.heading, i.you_said, i.we_did, i.what_next), ' ')
        FROM reports_reportitem AS i WHERE i.report_id = r.id), '')), 'C')
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
    audit_record(actor=actor, verb=f"report {to}", target=report, summary=str(report)[:300],
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


def _unique_slug(title: str) -> str:
    base = slugify(title)[:100] or "report"
    slug, n = base, 2
    while Report.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def report_create(*, acting_user, organisation, title: str, kind: str, period_start, period_end,
                  summary: str, audience: str = "", service_area=None) -> Report:
    report = Report(slug=_unique_slug(title), title=title.strip(), kind=kind,
                    period_start=period_start, period_end=period_end, summary=summary.strip(),
                    audience=audience.strip(), service_area=service_area,
                    organisation=organisation, author=acting_user)
    report.full_clean()
    report.save()
    audit_record(actor=acting_user, verb="report drafted", target=report, summary=report.title)
    return report


def _editable(report: Report) -> None:
    if report.status != S.DRAFT:
        raise ValidationError("Only a draft can be changed. Return it to draft first.")


@transaction.atomic
def report_update(*, acting_user, report: Report, **fields) -> Report:
    _editable(report)
    for name, value in fields.items():
        setattr(report, name, value.strip() if isinstance(value, str) else value)
    report.full_clean()
    report.save()
    audit_record(actor=acting_user, verb="report edited", target=report, summary=report.title)
    return report


def _check_item(item: ReportItem, quotes) -> None:
    if item.outcome == ReportItem.Outcome.NOT_POSSIBLE and not item.rationale.strip():
        raise ValidationError({"rationale": "Explain why it was not possible"})
    not_approved = [q for q in quotes if q.status != Quote.Status.APPROVED]
    if not_approved:
        raise ValidationError({"quotes": "Only approved quotes can appear in a report"})


@transaction.atomic
def item_save(*, acting_user, report: Report, item: ReportItem | None = None, quotes=(),
              statistics=(), actions=(), commitments=(), **fields) -> ReportItem:
    """Add or change an item. Quotes must be approved (checked again here,
    not only by the form)."""
    _editable(report)
    quotes = list(quotes)
    if item is None:
        position = (report.items.aggregate(m=Max("position"))["m"] or 0) + 1
        item = ReportItem(report=report, position=position)
    for name, value in fields.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    _check_item(item, quotes)
    item.full_clean()
    item.save()
    item.quotes.set(quotes)
    item.statistics.set(statistics)
    item.actions.set(actions)
    item.commitments.set(commitments)
    audit_record(actor=acting_user, verb="report item saved", target=report,
                 summary=item.heading, data={"item": item.pk})
    return item


@transaction.atomic
def item_delete(*, acting_user, item: ReportItem) -> None:
    _editable(item.report)
    audit_record(actor=acting_user, verb="report item deleted", target=item.report,
                 summary=item.heading, data={"item": item.pk})
    item.delete()


@transaction.atomic
def item_move(*, acting_user, item: ReportItem, direction: int) -> None:
    """Swap an item with its neighbour (direction -1 up, +1 down)."""
    _editable(item.report)
    items = list(item.report.items.order_by("position", "id"))
    index = items.index(item)
    other = index + direction
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items, start=1):
        if each.position != position:
            ReportItem.objects.filter(pk=each.pk).update(position=position)


@transaction.atomic
def report_submit(*, acting_user, report: Report) -> Report:
    report = _locked(report)
    if report.status != S.DRAFT:
        raise ValidationError("Only a draft can be sent for review.")
    if not report.items.exists():
        raise ValidationError("Add at least one “You said, we did” item before sending it for review.")
    return _transition(report, S.IN_REVIEW, acting_user)


@transaction.atomic
def report_return(*, acting_user, report: Report) -> Report:
    report = _locked(report)
    if report.status not in (S.IN_REVIEW, S.APPROVED):
        raise ValidationError("Only a report in review or approved can go back to draft.")
    return _transition(report, S.DRAFT, acting_user, approved_by=None, approved_at=None)


@transaction.atomic
def report_approve(*, acting_user, report: Report) -> Report:
    """An approver who did not write it approves it."""
    report = _locked(report)
    if report.status != S.IN_REVIEW:
        raise ValidationError("Only a report in review can be approved.")
    if report.author_id == acting_user.pk:
        raise PermissionDenied("Someone other than the author must approve a report.")
    return _transition(report, S.APPROVED, acting_user, approved_by=acting_user,
                       approved_at=timezone.now())


@transaction.atomic
def report_publish(*, acting_user, report: Report) -> Report:
    """Publish an approved report: freeze the counts, replace the previous
    version at /reports/<slug>/, and make the PDF in the background."""
    report = _locked(report)
    if report.status != S.APPROVED:
        raise ValidationError("Only an approved report can be published.")
    counts = selectors.theme_counts_for(report)
    for item in report.items.all():
        item.raised_count = counts.get(item.theme_id) if item.theme_id else None
        item.save(update_fields=["raised_count", "updated_at"])
    Report.objects.filter(slug=report.slug, status=S.PUBLISHED).exclude(pk=report.pk).update(
        status=S.SUPERSEDED)
    _transition(report, S.PUBLISHED, acting_user, published_at=timezone.now(),
                pdf_state=Report.PdfState.PENDING, pdf_error="", pdf_attempts=0)
    search_documents_refresh([report.pk])
    public_content_changed()
    # The charter page shows each item as evidence of the commitments it keeps.
    for item in report.items.prefetch_related("commitments"):
        for commitment in item.commitments.all():
            charter_services.evidence_link_add(
                acting_user=acting_user, commitment=commitment,
                effect=EvidenceLink.Effect.KEEPS, title=f"{report.title}: {item.heading}",
                url=f"{report.get_absolute_url()}#item-{item.pk}")
    from .tasks import render_report_pdf

    enqueue_on_commit(render_report_pdf, report.pk)
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
    audit_record(actor=acting_user, verb="report PDF retried", target=report, summary=str(report))
    from .tasks import render_report_pdf

    enqueue_on_commit(render_report_pdf, report.pk)
    return report


@transaction.atomic
def report_withdraw(*, acting_user, report: Report, reason: str) -> Report:
    report = _locked(report)
    if report.status != S.PUBLISHED:
        raise ValidationError("Only the published version can be withdrawn.")
    if not reason.strip():
        raise ValidationError({"withdrawn_reason": "Say why the report is withdrawn"})
    public_content_changed()
    for link in EvidenceLink.objects.filter(url__startswith=report.get_absolute_url()):
        charter_services.evidence_link_remove(acting_user=acting_user, link=link)
    return _transition(report, S.WITHDRAWN, acting_user, withdrawn_at=timezone.now(),
                       withdrawn_reason=reason.strip())


@transaction.atomic
def report_new_version(*, acting_user, report: Report) -> Report:
    """A new draft from a published (or withdrawn) version, items and all.
    The earlier version stays readable at its own address."""
    if not report.is_public:
        raise ValidationError("A new version starts from a published report.")
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
    for item in report.items.prefetch_related("quotes", "statistics", "actions"):
        quotes, stats, actions = list(item.quotes.all()), list(item.statistics.all()), list(
            item.actions.all())
        commitments = list(item.commitments.all())
        item.pk = None
        item.report = new
        item.raised_count = None
        item.save()
        item.quotes.set(quotes)
        item.statistics.set(stats)
        item.actions.set(actions)
        item.commitments.set(commitments)
    audit_record(actor=acting_user, verb="report new version", target=new, summary=str(new),
                 data={"from_version": report.version})
    return new
