import logging
import time

from django.conf import settings
from django.contrib import messages
from django.core.cache.utils import make_template_fragment_key
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from core import changes
from core.approvals import approval_way_through
from core.cache import derived as cache
from core.concurrency import EditConflict
from core.forms import blank_form_html
from core.http import parse_id
from core.ratelimit import over_limit
from core.selectors import organisations_where
from core.views import StaffPermissionMixin
from feedback.loop_figures import loop_figures

from . import selectors, services, workflow
from .filters import ArchiveFilter
from .forms import (
    ItemForm,
    LocalOfferDraftForm,
    LocalOfferInvolvementForm,
    ReportForm,
    SeriesForm,
    TopicForm,
    UsefulForm,
    WithdrawForm,
)
from .models import LocalOfferReport, Report, ReportItem, ReportSeries, ReportTopic
from .rules import EDITORS

logger = logging.getLogger(__name__)


class HomeView(TemplateView):
    """/ — "We are listening": how to give feedback, latest reports, figures."""

    template_name = "reports/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest_reports"] = selectors.reports_published()[:3]
        context["figures"] = selectors.home_figures()
        return context


# --- Public -------------------------------------------------------------------------


class ArchiveView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = ArchiveFilter(request.GET or None, queryset=selectors.reports_published())
        # A value that is not offered (?year=2019) is an error to correct,
        # never a reason to show every report.
        invalid = filterset.is_bound and not filterset.is_valid()
        results = filterset.queryset.none() if invalid else filterset.qs
        page = Paginator(results, 10).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "reports/archive.html", {
            "filter": filterset, "form": filterset.form, "invalid": invalid, "page": page,
            "query": query.urlencode(),
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
        }, status=400 if invalid else 200)


class SeriesView(View):
    """/reports/series/<slug>/ — the series' current report, then its previous
    reports, newest first."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        series = selectors.series_public(slug)
        if series is None:
            raise Http404
        reports = selectors.series_reports(series)
        if not reports:
            raise Http404
        return render(request, "reports/series.html", {
            "series": series, "current": reports[0], "previous_reports": reports[1:]})


def _public_report(slug: str, version: int | None) -> Report:
    report = selectors.report_public(slug, version)
    if report is None:
        raise Http404
    return report


def _withdrawn(request: HttpRequest, report: Report) -> HttpResponse:
    """410 Gone: the date and the reason, none of the content."""
    latest = selectors.reports_published().filter(slug=report.slug).first()
    return render(request, "reports/withdrawn.html", {"report": report, "latest": latest},
                  status=410)


# What a report's contents and items on its page are made from (_items_key).
REPORT_ITEMS_GROUPS = ("reports", "actionplan", "feedback", "core")


def _items_key(report: Report) -> str:
    """The cache key of a report's contents and items on its page: kept
    until a table they are made from is written (core.changes): the
    report's own, what it links to (actions' live status), the quotes and
    statistics it shows, organisations and themes. With Redis unreachable a key
    never used before, so nothing kept is used."""
    stamp = changes.stamp(REPORT_ITEMS_GROUPS)
    generation = ".".join(map(str, stamp)) if stamp else f"x{time.time_ns()}"
    return f"{report.pk}:{report.updated_at.isoformat()}:{generation}"


class ReportView(View):
    def get(self, request: HttpRequest, slug: str, version: int | None = None) -> HttpResponse:
        # The items (five queries and most of the rendering) usually come
        # from the template fragment cache; read them only when they do not.
        report = selectors.report_public(slug, version, with_items=False)
        if report is None:
            raise Http404
        if report.status == Report.Status.WITHDRAWN:
            return _withdrawn(request, report)
        return self.render_page(request, report, UsefulForm())

    def render_page(self, request, report, useful_form, status=200, useful_sent=False):
        items_key = _items_key(report)
        if not hasattr(report, "_prefetched_objects_cache") and cache.get(
                make_template_fragment_key("report_items", [items_key])) is None:
            selectors.report_items_prefetch(report)
        versions = list(selectors.report_versions(report.slug))
        latest = next((v for v in versions if v.status != Report.Status.SUPERSEDED), None)
        previous, following = selectors.series_neighbours(report)
        return render(request, "reports/report.html", {
            "items_key": items_key, "items_seconds": settings.REPORT_ITEMS_CACHE_SECONDS,
            "report": report, "versions": versions, "latest": latest,
            "previous": previous, "following": following,
            "useful_form": useful_form, "form": useful_form if useful_form.errors else None,
            "useful_form_html": None if useful_form.is_bound else blank_form_html(useful_form),
            "useful_sent": useful_sent,
            # The loop for the report's period and organisation (three queries).
            "loop": loop_figures(since=report.period_start, until=report.period_end,
                                 organisation_id=report.organisation_id),
        }, status=status)


class UsefulView(ReportView):
    """"Was this page useful?" — yes and no are counted per version (shown to
    staff on the report); a written comment arrives in the feedback inbox,
    linked to the report, as something to read (it needs no reply)."""

    def get(self, request, slug, version):
        return redirect("reports:version", slug=slug, version=version)

    def post(self, request: HttpRequest, slug: str, version: int) -> HttpResponse:
        report = _public_report(slug, version)
        if report.status == Report.Status.WITHDRAWN:
            return _withdrawn(request, report)
        form = UsefulForm(request.POST)
        if form.is_spam():
            return redirect(report.get_absolute_url())
        if over_limit(request, "useful", settings.FEEDBACK_RATE_LIMIT_PER_HOUR):
            form.is_valid()
            form.add_error(None, "Too many answers came from your connection. Try again later.")
            return self.render_page(request, report, form, status=429)
        if not form.is_valid():
            return self.render_page(request, report, form, status=400)
        services.useful_answer_record(report=report,
                                      useful=form.cleaned_data["useful"] == "yes",
                                      comment=form.cleaned_data["comment"])
        return self.render_page(request, report, UsefulForm(), useful_sent=True)


class ReportPdfView(View):
    def get(self, request: HttpRequest, slug: str, version: int) -> HttpResponse:
        report = _public_report(slug, version)
        if report.status == Report.Status.WITHDRAWN:
            return _withdrawn(request, report)
        if report.pdf_state != Report.PdfState.READY or not report.pdf_file:
            raise Http404
        return FileResponse(report.pdf_file.open("rb"), content_type="application/pdf",
                            filename=report.pdf_filename, as_attachment=False)


class ReportPdfStatusView(View):
    def get(self, request: HttpRequest, slug: str, version: int) -> JsonResponse:
        report = get_object_or_404(Report, slug=slug, version=version,
                                   status__in=selectors.PUBLIC_STATUSES)
        if report.status == Report.Status.WITHDRAWN:
            return JsonResponse({"state": "withdrawn", "done": True,
                                 "message": "This report has been withdrawn"}, status=410)
        ready = report.pdf_state == Report.PdfState.READY and bool(report.pdf_file)
        data = {"state": report.pdf_state, "done": report.pdf_state != Report.PdfState.PENDING,
                "message": f"PDF: {report.get_pdf_state_display().lower()}"}
        if ready:
            # The page swaps its status message for this link, without reloading.
            data["link"] = {"url": reverse("reports:pdf", args=[report.slug, report.version]),
                            "text": "Download this report as a PDF",
                            "after": " (accessible, tagged PDF)", "download": True}
        elif report.pdf_state == Report.PdfState.FAILED:
            data["message"] = ("The PDF version is not available at the moment. This page has "
                               "everything in it.")
        return JsonResponse(data)


# --- Staff ---------------------------------------------------------------------------


class ReportsStaffMixin(StaffPermissionMixin):
    permission_required = "reports.view_staff_reports"


def _staff_report(request, pk) -> Report:
    """The report if it belongs to one of the person's organisations; 404
    otherwise, so another partner's draft looks like no report at all."""
    return get_object_or_404(selectors.reports_for_staff(request.user), pk=pk)


class StaffReportListView(ReportsStaffMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "reports/staff_list.html",
                      {"reports": selectors.reports_for_staff(request.user)})


def _editor_orgs(request):
    return organisations_where(request.user, *EDITORS)


class StaffReportCreateView(ReportsStaffMixin, View):
    permission_required = "reports.create_report"

    def get(self, request):
        return render(request, "reports/staff_form.html",
                      {"form": ReportForm(organisation=_editor_orgs(request).first()),
                       "creating": True})

    def post(self, request):
        form = ReportForm(request.POST, organisation=_editor_orgs(request).first())
        if not form.is_valid():
            return render(request, "reports/staff_form.html", {"form": form, "creating": True},
                          status=400)
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        report = services.report_create(acting_user=request.user,
                                        organisation=_editor_orgs(request).first(), **data)
        messages.success(request, "Report drafted. Now add its “You said, we did” items.")
        return redirect("staff:reports:edit", pk=report.pk)


class StaffReportView(ReportsStaffMixin, View):
    """The editor: details, items in order, workflow buttons, PDF state."""

    def get_report(self, pk) -> Report:
        try:
            return selectors.report_for_staff(pk, self.request.user)
        except Report.DoesNotExist as exc:
            raise Http404 from exc

    def render_page(self, request, report, form=None, status=200, withdraw_form=None):
        user = request.user
        local_offer = getattr(report, "local_offer", None) is not None  # drafted from comments
        if report.is_public:
            counts = {}
        elif local_offer:
            from feedback import selectors as feedback_selectors

            counts = feedback_selectors.local_offer_theme_counts(
                **services.local_offer_period(report))
        else:
            counts = selectors.theme_counts_for(report)
        for topic in report.topics.all():
            for item in topic.items.all():
                key = (topic.local_offer_code, item.theme_id) if local_offer else item.theme_id
                item.live_count = sum(counts.get(key, {}).values())
        return render(request, "reports/staff_report.html", {
            "report": report, "form": form or withdraw_form,
            "details_form": form or ReportForm(organisation=report.organisation, initial={
                "title": report.title, "kind": report.kind, "period_start": report.period_start,
                "period_end": report.period_end, "period_kind": report.period_kind,
                "audience": report.audience, "service_area": report.service_area,
                "summary": report.summary, "layout": report.layout, "series": report.series,
                "edition": report.edition, "first_published_on": report.first_published_on,
                "evidence_heading": report.evidence_heading,
                "lock_version": report.lock_version}),
            "useful": getattr(report, "useful_count", None),
            "can_edit": user.has_perm("reports.edit_report", report),
            "can_rename_series": user.has_perm("reports.rename_series", report.series),
            "moves": workflow.allowed_for(user, report),
            "can_start_version": user.has_perm("reports.start_new_version", report),
            # Nobody but the author can approve it: say who can fix that.
            "way_through": (approval_way_through(
                viewer=user, organisation=report.organisation,
                exclude_user_ids=[report.author_id])
                if report.status == Report.Status.IN_REVIEW else None),
            "withdraw_form": withdraw_form or WithdrawForm(),
        }, status=status)

    def get(self, request, pk):
        return self.render_page(request, self.get_report(pk))

    def post(self, request, pk):
        report = self.get_report(pk)
        if not request.user.has_perm("reports.edit_report", report):
            raise PermissionDenied
        form = ReportForm(request.POST, organisation=report.organisation)
        if not form.is_valid():
            return self.render_page(request, report, form, status=400)
        try:
            services.report_update(acting_user=request.user, report=report, **form.cleaned_data)
        except EditConflict as exc:
            now = self.get_report(pk)
            form.show_conflict(exc, [
                ("Title", now.title), ("Kind of report", now.get_kind_display()),
                ("Full report or interim update", now.get_edition_display()),
                ("Period", f"{now.period_start:%-d %B %Y} to {now.period_end:%-d %B %Y}"),
                ("Who is it for?", now.audience),
                ("Service area", str(now.service_area or "All services")),
                ("Summary", now.summary),
                ("First published", f"{now.first_published_on:%-d %B %Y}"
                 if now.first_published_on else "Not given"),
                ("Heading of the third column", now.evidence_heading)])
            return self.render_page(request, now, form, status=409)
        except ValidationError as exc:
            _errors_onto(form, exc)
            return self.render_page(request, selectors.report_for_staff(report.pk, request.user),
                                    form,
                                    status=400)
        else:
            messages.success(request, "Report details saved")
        return redirect("staff:reports:edit", pk=report.pk)


class StaffItemView(ReportsStaffMixin, View):
    def get_objects(self, request, pk, item_pk=None):
        report = _staff_report(request, pk)
        if not request.user.has_perm("reports.edit_report", report):
            raise PermissionDenied
        item = get_object_or_404(ReportItem, pk=item_pk, report=report) if item_pk else None
        return report, item

    def render_form(self, request, report, item, form, status=200):
        return render(request, "reports/staff_item.html",
                      {"report": report, "item": item, "form": form}, status=status)

    def get(self, request, pk, item_pk=None):
        report, item = self.get_objects(request, pk, item_pk)
        initial = None
        if item:
            initial = {f: getattr(item, f) for f in ("topic", "heading", "theme", "you_said",
                                                     "we_did", "outcome", "rationale",
                                                     "what_next", "evidence", "evidence_links",
                                                     "lock_version")}
            initial.update(quotes=list(item.quotes.all()), statistics=list(item.statistics.all()),
                           actions=list(item.actions.all()),
                           commitments=list(item.commitments.all()))
        else:
            # "Add an item" under a topic arrives with ?topic=<id>.
            topic_id = parse_id(request.GET.get("topic"))
            initial = {"topic": report.topics.filter(pk=topic_id).first() if topic_id else None}
        return self.render_form(request, report, item, ItemForm(initial=initial, report=report))

    def post(self, request, pk, item_pk=None):
        report, item = self.get_objects(request, pk, item_pk)
        form = ItemForm(request.POST, report=report)
        if not form.is_valid():
            return self.render_form(request, report, item, form, status=400)
        try:
            services.item_save(acting_user=request.user, report=report, item=item,
                               **form.cleaned_data)
        except EditConflict as exc:
            now = exc.current
            form.show_conflict(exc, [
                ("Heading", now.heading), ("Theme", str(now.theme or "None")),
                ("You said", now.you_said), ("We did", now.we_did),
                ("Status", now.get_outcome_display()),
                ("If it was not possible, why not?", now.rationale),
                ("What next", now.what_next)])
            return self.render_form(request, report, item, form, status=409)
        except ValidationError as exc:
            _errors_onto(form, exc)
            return self.render_form(request, report, item, form, status=400)
        messages.success(request, "Item saved")
        return redirect("staff:reports:edit", pk=report.pk)


def _errors_onto(form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto the form, field by field where it can."""
    if hasattr(exc, "message_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, " ".join(exc.messages))


class StaffTopicsView(ReportsStaffMixin, View):
    """/staff/reports/<pk>/topics/ — add, rename, reorder and delete a draft's topics."""

    def get_report(self, request, pk) -> Report:
        report = _staff_report(request, pk)
        if not request.user.has_perm("reports.edit_report", report):
            raise PermissionDenied
        return report

    def render_page(self, request, report, form=None, status=200):
        topics = report.topics.annotate(n_items=Count("items")).order_by("position", "id")
        return render(request, "reports/staff_topics.html", {
            "report": report, "topics": topics, "form": form or TopicForm(),
            "editable": report.status == Report.Status.DRAFT}, status=status)

    def get(self, request, pk):
        return self.render_page(request, self.get_report(request, pk))

    def post(self, request, pk):
        report = self.get_report(request, pk)
        form = TopicForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, report, form, status=400)
        try:
            topic = services.topic_add(acting_user=request.user, report=report,
                                       title=form.cleaned_data["title"])
        except ValidationError as exc:
            _errors_onto(form, exc)
            return self.render_page(request, report, form, status=400)
        messages.success(request, f"Topic “{topic.title}” added")
        return redirect("staff:reports:topics", pk=report.pk)


class StaffTopicView(StaffTopicsView):
    """Rename one topic (GET, POST), or move or delete it (POST with action)."""

    def get_topic(self, request, pk, topic_pk) -> ReportTopic:
        report = self.get_report(request, pk)
        return get_object_or_404(ReportTopic.objects.select_related("report"), pk=topic_pk,
                                 report=report)

    def render_rename(self, request, topic, form, status=200):
        return render(request, "reports/staff_topic.html", {
            "report": topic.report, "topic": topic, "form": form}, status=status)

    def get(self, request, pk, topic_pk):
        topic = self.get_topic(request, pk, topic_pk)
        return self.render_rename(request, topic, TopicForm(initial={"title": topic.title}))

    def post(self, request, pk, topic_pk):
        topic = self.get_topic(request, pk, topic_pk)
        action = request.POST.get("action", "rename")
        try:
            if action in ("up", "down"):
                services.topic_move(acting_user=request.user, topic=topic,
                                    direction=-1 if action == "up" else 1)
            elif action == "delete":
                services.topic_delete(acting_user=request.user, topic=topic)
                messages.success(request, f"Topic “{topic.title}” deleted")
            else:
                form = TopicForm(request.POST)
                if not form.is_valid():
                    return self.render_rename(request, topic, form, status=400)
                try:
                    services.topic_rename(acting_user=request.user, topic=topic,
                                          title=form.cleaned_data["title"])
                except ValidationError as exc:
                    _errors_onto(form, exc)
                    return self.render_rename(request, topic, form, status=400)
                messages.success(request, "Topic renamed")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("staff:reports:topics", pk=pk)


class StaffItemActionView(StaffItemView):
    def get(self, request, pk, item_pk):
        self.get_objects(request, pk, item_pk)
        return redirect("staff:reports:edit", pk=pk)

    def post(self, request, pk, item_pk):
        report, item = self.get_objects(request, pk, item_pk)
        action = request.POST.get("action")
        try:
            if action == "up":
                services.item_move(acting_user=request.user, item=item, direction=-1)
            elif action == "down":
                services.item_move(acting_user=request.user, item=item, direction=1)
            elif action == "delete":
                services.item_delete(acting_user=request.user, item=item)
                messages.success(request, "Item removed")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(reverse("staff:reports:edit", args=[pk]) + "#items")


class StaffSeriesView(ReportsStaffMixin, View):
    """/staff/reports/series/<pk>/ — rename a series of the person's own
    organisation. Reached from one of its reports, and back there after."""

    def get_series(self, request, pk) -> ReportSeries:
        series = get_object_or_404(selectors.series_for_staff(request.user), pk=pk)
        if not request.user.has_perm("reports.rename_series", series):
            raise PermissionDenied
        return series

    def _back(self, request, series, report_pk) -> Report | None:
        """The report the person came from, if it is theirs and in this series."""
        if not report_pk:
            return None
        return (selectors.reports_for_staff(request.user)
                .filter(pk=report_pk, series=series).first())

    def render_form(self, request, series, form, status=200):
        back = self._back(request, series, form["report"].value())
        return render(request, "reports/staff_series.html", {
            "series": series, "form": form, "back": back,
            "reports": selectors.series_reports_for_staff(series)}, status=status)

    def get(self, request, pk):
        series = self.get_series(request, pk)
        return self.render_form(request, series, SeriesForm(initial={
            "name": series.name, "report": parse_id(request.GET.get("report"))}))

    def post(self, request, pk):
        series = self.get_series(request, pk)
        form = SeriesForm(request.POST)
        if not form.is_valid():
            return self.render_form(request, series, form, status=400)
        try:
            services.series_rename(acting_user=request.user, series=series,
                                   name=form.cleaned_data["name"])
        except ValidationError as exc:
            _errors_onto(form, exc)
            return self.render_form(request, series, form, status=400)
        messages.success(request, "Series renamed")
        back = self._back(request, series, form.cleaned_data["report"])
        return redirect("staff:reports:edit", pk=back.pk) if back else redirect(
            "staff:reports:list")


class StaffWorkflowView(ReportsStaffMixin, View):
    PERMISSIONS = {
        **{t.action: t.permission for t in workflow.TRANSITIONS if t.action in (
            "submit", "return", "approve", "publish", "withdraw")},
        "retry_pdf": "reports.edit_report", "new_version": "reports.start_new_version",
    }
    DONE = {
        "submit": "Sent for review", "return": "Returned to draft", "approve": "Approved",
        "publish": "Published. The PDF is being prepared.", "retry_pdf": "Trying the PDF again",
        "new_version": "New version drafted", "withdraw": "Report withdrawn",
    }

    def get(self, request, pk):
        _staff_report(request, pk)
        return redirect("staff:reports:edit", pk=pk)

    def post(self, request, pk):
        report = _staff_report(request, pk)
        action = request.POST.get("action", "")
        if action not in self.PERMISSIONS:
            raise Http404
        if not request.user.has_perm(self.PERMISSIONS[action], report):
            raise PermissionDenied
        user = request.user
        try:
            if action == "withdraw":
                form = WithdrawForm(request.POST)
                if not form.is_valid():
                    return StaffReportView().render_page(
                        request, selectors.report_for_staff(pk, user), status=400,
                        withdraw_form=form)
                result = services.report_withdraw(acting_user=user, report=report,
                                                  reason=form.cleaned_data["withdrawn_reason"])
            else:
                handler = {
                    "submit": services.report_submit, "return": services.report_return,
                    "approve": services.report_approve, "publish": services.report_publish,
                    "retry_pdf": services.report_pdf_retry,
                    "new_version": services.report_new_version,
                }[action]
                result = handler(acting_user=user, report=report)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("staff:reports:edit", pk=pk)
        messages.success(request, self.DONE[action])
        return redirect("staff:reports:edit", pk=result.pk)


class StaffLocalOfferDraftView(ReportsStaffMixin, View):
    """Draft the annual Local Offer report from the period's coded comments."""

    permission_required = "reports.create_report"

    def get(self, request):
        return render(request, "reports/staff_local_offer_new.html",
                      {"form": None, "draft_form": LocalOfferDraftForm()})

    def post(self, request):
        form = LocalOfferDraftForm(request.POST)
        if not form.is_valid():
            return render(request, "reports/staff_local_offer_new.html",
                          {"form": form, "draft_form": form}, status=400)
        data = form.cleaned_data
        try:
            report = services.local_offer_report_draft(
                acting_user=request.user, organisation=_editor_orgs(request).first(),
                title=data["title"], period_start=data["period_start"],
                period_end=data["period_end"], period_kind=data["period_kind"],
                families_involvement=data["families_involvement"],
                new_series=data["new_series"])
        except ValidationError as exc:
            _errors_onto(form, exc)
            return render(request, "reports/staff_local_offer_new.html",
                          {"form": form, "draft_form": form}, status=400)
        messages.success(request, "Report drafted from the comments. Write the response and "
                                  "action for each item.")
        return redirect("staff:reports:local-offer", pk=report.pk)


class StaffLocalOfferView(ReportsStaffMixin, View):
    """An annual Local Offer report's comments and figures: the summary
    counts (live until published), the comments still waiting for a
    response (links to them), what stops it going for review, and how
    families were involved."""

    def get_report(self, request, pk) -> Report:
        """The report with its `local_offer`; 404 for a report not drafted
        from the coded comments (or not the person's to see)."""
        local_offer = (LocalOfferReport.objects.select_related("report")
                       .filter(report__in=selectors.reports_for_staff(request.user), pk=pk)
                       .first())
        if local_offer is None:
            raise Http404
        return local_offer.report

    def render_page(self, request, report, form=None, status=200):
        from feedback import selectors as feedback_selectors

        local_offer = report.local_offer
        period = services.local_offer_period(report)
        live = not report.is_public
        figures = feedback_selectors.local_offer_figures(**period) if live else None
        can_edit = (report.status == Report.Status.DRAFT
                    and request.user.has_perm("reports.edit_report", report))
        return render(request, "reports/staff_local_offer.html", {
            "report": report, "local_offer": local_offer,
            "rows": local_offer.rows(figures), "live": live,
            "unanswered": list(feedback_selectors.local_offer_unanswered(**period)[:200]),
            "problems": services.local_offer_problems(report, local_offer) if live else [],
            "form": form, "can_edit": can_edit,
            "involvement_form": form or (LocalOfferInvolvementForm(
                initial={"families_involvement": local_offer.families_involvement})
                if can_edit else None),
        }, status=status)

    def get(self, request, pk):
        return self.render_page(request, self.get_report(request, pk))

    def post(self, request, pk):
        report = self.get_report(request, pk)
        if not request.user.has_perm("reports.edit_report", report):
            raise PermissionDenied
        form = LocalOfferInvolvementForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, report, form, status=400)
        try:
            services.local_offer_involvement_save(
                acting_user=request.user, report=report,
                text=form.cleaned_data["families_involvement"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "How families were involved is saved")
        return redirect("staff:reports:local-offer", pk=report.pk)
