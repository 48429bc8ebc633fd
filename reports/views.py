import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from core.models import Organisation
from core.ratelimit import over_limit
from core.roles import organisation_ids_with_role
from core.views import StaffPermissionMixin
from feedback import services as feedback_services
from feedback.models import Feedback

from . import selectors, services
from .filters import ArchiveFilter
from .forms import ItemForm, ReportForm, UsefulForm, WithdrawForm
from .models import Report, ReportItem
from .rules import EDITORS

logger = logging.getLogger(__name__)


class HomeView(TemplateView):
    """/ — "We are listening": how to give feedback, latest reports, figures."""

    template_name = "reports/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest_reports"] = selectors.reports_published()[:3]
        context["figures"] = selectors.closing_the_loop_figures()
        return context


# --- Public -------------------------------------------------------------------------


class ArchiveView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = ArchiveFilter(request.GET or None, queryset=selectors.reports_published())
        page = Paginator(filterset.qs, 10).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "reports/archive.html", {
            "filter": filterset, "page": page, "query": query.urlencode(),
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
        })


def _public_report(slug: str, version: int | None) -> Report:
    report = selectors.report_public(slug, version)
    if report is None:
        raise Http404
    return report


class ReportView(View):
    def get(self, request: HttpRequest, slug: str, version: int | None = None) -> HttpResponse:
        report = _public_report(slug, version)
        return self.render_page(request, report, UsefulForm())

    def render_page(self, request, report, useful_form, status=200, useful_sent=False):
        versions = list(selectors.report_versions(report.slug))
        latest = next((v for v in versions if v.status != Report.Status.SUPERSEDED), None)
        return render(request, "reports/report.html", {
            "report": report, "versions": versions, "latest": latest,
            "useful_form": useful_form, "form": useful_form if useful_form.errors else None,
            "useful_sent": useful_sent,
        }, status=status)


class UsefulView(ReportView):
    """"Was this page useful?" — the answer arrives in the feedback inbox,
    linked to the report, so the report itself closes a loop."""

    def get(self, request, slug, version):
        return redirect("reports:version", slug=slug, version=version)

    def post(self, request: HttpRequest, slug: str, version: int) -> HttpResponse:
        report = _public_report(slug, version)
        form = UsefulForm(request.POST)
        if form.is_spam():
            return redirect(report.get_absolute_url())
        if over_limit(request, "useful", settings.FEEDBACK_RATE_LIMIT_PER_HOUR):
            form.is_valid()
            form.add_error(None, "Too many answers came from your connection. Try again later.")
            return self.render_page(request, report, form, status=429)
        if not form.is_valid():
            return self.render_page(request, report, form, status=400)
        useful = form.cleaned_data["useful"] == "yes"
        feedback_services.feedback_submit(
            channel=Feedback.Channel.PAGE_USEFUL,
            what_went_well="Yes, this page was useful." if useful else "",
            even_better_if=form.cleaned_data["comment"]
            or ("" if useful else "No, this page was not useful."),
            rating=None, about_organisation=report.organisation,
            source_url=report.get_absolute_url(), source_label=f"Report: {report}",
        )
        return self.render_page(request, report, UsefulForm(), useful_sent=True)


class ReportPdfView(View):
    def get(self, request: HttpRequest, slug: str, version: int) -> FileResponse:
        report = _public_report(slug, version)
        if report.pdf_state != Report.PdfState.READY or not report.pdf_file:
            raise Http404
        return FileResponse(report.pdf_file.open("rb"), content_type="application/pdf",
                            filename=report.pdf_filename, as_attachment=False)


class ReportPdfStatusView(View):
    def get(self, request: HttpRequest, slug: str, version: int) -> JsonResponse:
        report = get_object_or_404(Report, slug=slug, version=version,
                                   status__in=selectors.PUBLIC_STATUSES)
        return JsonResponse({"state": report.pdf_state,
                             "done": report.pdf_state != Report.PdfState.PENDING,
                             "message": f"PDF: {report.get_pdf_state_display().lower()}"})


# --- Staff ---------------------------------------------------------------------------


class ReportsStaffMixin(StaffPermissionMixin):
    permission_required = "reports.view_staff_reports"


class StaffReportListView(ReportsStaffMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "reports/staff_list.html",
                      {"reports": selectors.reports_for_staff()})


def _editor_orgs(request):
    return Organisation.objects.filter(pk__in=organisation_ids_with_role(request.user, EDITORS))


class StaffReportCreateView(ReportsStaffMixin, View):
    permission_required = "reports.create_report"

    def get(self, request):
        return render(request, "reports/staff_form.html", {"form": ReportForm(), "creating": True})

    def post(self, request):
        form = ReportForm(request.POST)
        if not form.is_valid():
            return render(request, "reports/staff_form.html", {"form": form, "creating": True},
                          status=400)
        report = services.report_create(acting_user=request.user,
                                        organisation=_editor_orgs(request).first(),
                                        **form.cleaned_data)
        messages.success(request, "Report drafted. Now add its “You said, we did” items.")
        return redirect("staff:reports:edit", pk=report.pk)


class StaffReportView(ReportsStaffMixin, View):
    """The editor: details, items in order, workflow buttons, PDF state."""

    def get_report(self, pk) -> Report:
        try:
            return selectors.report_for_staff(pk)
        except Report.DoesNotExist as exc:
            raise Http404 from exc

    def render_page(self, request, report, form=None, status=200, withdraw_form=None):
        user = request.user
        counts = selectors.theme_counts_for(report) if not report.is_public else {}
        for item in report.items.all():
            item.live_count = counts.get(item.theme_id, 0)
        return render(request, "reports/staff_report.html", {
            "report": report, "form": form or withdraw_form,
            "details_form": form or ReportForm(initial={
                "title": report.title, "kind": report.kind, "period_start": report.period_start,
                "period_end": report.period_end, "audience": report.audience,
                "service_area": report.service_area, "summary": report.summary}),
            "can_edit": user.has_perm("reports.edit_report", report),
            "can_approve": user.has_perm("reports.approve_report", report),
            "can_publish": user.has_perm("reports.publish_report", report),
            "can_withdraw": user.has_perm("reports.withdraw_report", report),
            "withdraw_form": withdraw_form or WithdrawForm(),
        }, status=status)

    def get(self, request, pk):
        return self.render_page(request, self.get_report(pk))

    def post(self, request, pk):
        report = self.get_report(pk)
        if not request.user.has_perm("reports.edit_report", report):
            raise PermissionDenied
        form = ReportForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, report, form, status=400)
        try:
            services.report_update(acting_user=request.user, report=report, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Report details saved")
        return redirect("staff:reports:edit", pk=report.pk)


class StaffItemView(ReportsStaffMixin, View):
    def get_objects(self, request, pk, item_pk=None):
        report = get_object_or_404(Report, pk=pk)
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
            initial = {f: getattr(item, f) for f in ("heading", "theme", "you_said", "we_did",
                                                     "outcome", "rationale", "what_next")}
            initial.update(quotes=list(item.quotes.all()), statistics=list(item.statistics.all()),
                           actions=list(item.actions.all()),
                           commitments=list(item.commitments.all()))
        return self.render_form(request, report, item, ItemForm(initial=initial, report=report))

    def post(self, request, pk, item_pk=None):
        report, item = self.get_objects(request, pk, item_pk)
        form = ItemForm(request.POST, report=report)
        if not form.is_valid():
            return self.render_form(request, report, item, form, status=400)
        try:
            services.item_save(acting_user=request.user, report=report, item=item,
                               **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items() if hasattr(exc, "message_dict") else []:
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            if not hasattr(exc, "message_dict"):
                form.add_error(None, " ".join(exc.messages))
            return self.render_form(request, report, item, form, status=400)
        messages.success(request, "Item saved")
        return redirect("staff:reports:edit", pk=report.pk)


class StaffItemActionView(StaffItemView):
    def get(self, request, pk, item_pk):
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


class StaffWorkflowView(ReportsStaffMixin, View):
    PERMISSIONS = {
        "submit": "reports.edit_report", "return": "reports.edit_report",
        "approve": "reports.approve_report", "publish": "reports.publish_report",
        "retry_pdf": "reports.edit_report", "new_version": "reports.withdraw_report",
        "withdraw": "reports.withdraw_report",
    }
    DONE = {
        "submit": "Sent for review", "return": "Returned to draft", "approve": "Approved",
        "publish": "Published. The PDF is being prepared.", "retry_pdf": "Trying the PDF again",
        "new_version": "New version drafted", "withdraw": "Report withdrawn",
    }

    def get(self, request, pk):
        return redirect("staff:reports:edit", pk=pk)

    def post(self, request, pk):
        report = get_object_or_404(Report, pk=pk)
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
                        request, selectors.report_for_staff(pk), status=400, withdraw_form=form)
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
