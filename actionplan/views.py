"""Pages of the action plan: the public view, and the staff list, action
pages, progress updates, dashboard, CSV export, boards and meetings.

Views check permission, validate a form, call one service, then redirect
or render.
"""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from core.cache import derived
from core.concurrency import EditConflict
from core.models import Organisation
from core.pagination import CappedPaginator
from core.roles import organisation_ids_with_role
from core.views import StaffPermissionMixin
from feedback import selectors as feedback_selectors

from . import charts, selectors, services
from .filters import ActionFilter, DashboardFilter
from .forms import (
    ActionCreateForm,
    LinkFeedbackForm,
    MeetingActionsForm,
    MeetingForm,
    ProgressUpdateForm,
)
from .models import Evidence, Meeting
from .rules import ACTION_CREATORS

# --- Public -----------------------------------------------------------------------------


class PublicPlanView(View):
    """/action-plan/ (the newest published plan) and /action-plan/<slug>/."""

    def get(self, request: HttpRequest, slug: str | None = None) -> HttpResponse:
        plan = selectors.plan_for_public(slug)
        if plan is None and slug is not None:
            raise Http404
        priorities, page = (selectors.public_priorities(plan, request.GET.get("page"))
                            if plan else ([], None))
        return render(request, "actionplan/public_plan.html", {
            "plan": plan, "priorities": priorities, "page": page,
            "other_plans": [p for p in selectors.public_plans() if plan is None or p.pk != plan.pk],
            "today": timezone.localdate(),
            "public_count": page.paginator.count if page else 0,
        })


# --- Staff: actions ---------------------------------------------------------------------


def _query_without_page(request: HttpRequest, params=None) -> str:
    query = (params if params is not None else request.GET).copy()
    query.pop("page", None)
    return query.urlencode()


def _with_default_plan(request: HttpRequest):
    """The query, opening on the person's own plan (as the dashboard does)
    unless a plan was chosen; "Any plan" (plan=) stays a choice."""
    params = request.GET.copy()
    if "plan" not in params:
        default = selectors.plan_for_dashboard(request.user)
        if default:
            params["plan"] = str(default.pk)
    return params


class ActionListView(StaffPermissionMixin, View):
    permission_required = "actionplan.view_actions"

    def get(self, request: HttpRequest) -> HttpResponse:
        params = _with_default_plan(request)
        filterset = ActionFilter(params, queryset=selectors.actions_for_staff())
        # Counts at most 1,000 actions (more when paging further), not every plan's.
        page = CappedPaginator(filterset.qs, 25).get_page(request.GET.get("page"))
        return render(request, "actionplan/action_list.html", {
            "filter": filterset, "page": page, "query": _query_without_page(request, params),
            "today": timezone.localdate(),
            "can_add": request.user.has_perm("actionplan.add_action"),
        })


class ExportView(StaffPermissionMixin, View):
    """The filtered actions as CSV: staff names, never families' data."""

    permission_required = "actionplan.export_actions"
    columns = ["Reference", "Plan", "Priority", "Action", "Lead organisation", "Partners",
               "Owner", "Start date", "Due date", "Status", "Percent complete",
               "Last update", "Overdue", "Inspection finding", "Public", "Source",
               "Latest narrative"]

    @staticmethod
    def _safe(value) -> str:
        """Stop a spreadsheet treating a cell as a formula."""
        text = "" if value is None else str(value)
        return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

    def rows(self, queryset, today):
        yield self.columns
        for action in queryset.iterator(chunk_size=500):
            yield [self._safe(v) for v in (
                action.reference, action.priority.plan.title,
                f"{action.priority.number}. {action.priority.title}", action.title,
                action.lead_organisation.name,
                "; ".join(o.name for o in action.partner_organisations.all()),
                action.owner.get_full_name() if action.owner else "",
                action.start_date.isoformat() if action.start_date else "",
                action.due_date.isoformat() if action.due_date else "",
                action.get_current_status_display(), action.current_percent,
                action.last_update_on.isoformat() if action.last_update_on else "",
                "Yes" if action.is_overdue(today) else "No",
                "Yes" if action.inspection_finding else "No",
                "Yes" if action.is_public else "No",
                action.source, action.latest_narrative or "",
            )]

    def get(self, request: HttpRequest) -> StreamingHttpResponse:
        filterset = ActionFilter(request.GET or None, queryset=selectors.actions_for_staff())
        queryset = selectors.actions_for_export(filterset.qs)

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())
        today = timezone.localdate()
        response = StreamingHttpResponse((writer.writerow(r) for r in self.rows(queryset, today)),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (f'attachment; filename="actions-{today:%Y-%m-%d}.csv"')
        response["Cache-Control"] = "no-store"
        return response


class ActionDetailView(StaffPermissionMixin, View):
    permission_required = "actionplan.view_actions"

    def get_action(self, request, pk):
        action = selectors.action_detail(pk)
        if action is None:
            raise Http404
        if not request.user.has_perm("actionplan.view_action", action):
            raise PermissionDenied
        return action

    def render_page(self, request, action, link_form=None, status=200):
        can_update = request.user.has_perm("actionplan.update_action", action)
        return render(request, "actionplan/action_detail.html", {
            "action": action, "today": timezone.localdate(), "can_update": can_update,
            "link_form": link_form or (LinkFeedbackForm() if can_update else None),
            "form": link_form,
        }, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(request, self.get_action(request, pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Link the feedback that prompted the action ("you said")."""
        action = self.get_action(request, pk)
        if not request.user.has_perm("actionplan.update_action", action):
            raise PermissionDenied
        form = LinkFeedbackForm(request.POST,
                                visible_feedback=feedback_selectors.feedback_visible_to(request.user))
        if not form.is_valid():
            return self.render_page(request, action, form, status=400)
        services.action_link_feedback(acting_user=request.user, action=action,
                                      feedback=form.feedback)
        messages.success(request, f"Feedback {form.feedback.reference} linked")
        return redirect("staff:actionplan:action_detail", pk=action.pk)


class ActionUpdateView(StaffPermissionMixin, View):
    """Record progress: owner, or officers and approvers of the lead organisation."""

    permission_required = "actionplan.view_actions"
    template_name = "actionplan/action_update.html"

    def get_action(self, request, pk):
        action = get_object_or_404(selectors.actions_for_staff(), pk=pk)
        if not request.user.has_perm("actionplan.update_action", action):
            raise PermissionDenied
        return action

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = self.get_action(request, pk)
        return render(request, self.template_name,
                      {"action": action, "form": ProgressUpdateForm(action=action)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = self.get_action(request, pk)
        form = ProgressUpdateForm(request.POST, request.FILES, action=action)
        if form.is_valid():
            try:
                services.action_update_progress(acting_user=request.user, action=action,
                                                **form.service_kwargs())
            except EditConflict as exc:
                action = get_object_or_404(selectors.actions_for_staff(), pk=pk)
                latest = action.updates.order_by("-date", "-id").first()
                form.show_conflict(exc, [
                    ("Where it has got to", action.get_current_status_display()),
                    ("Percent complete", f"{action.current_percent}%"),
                    ("Date of the update", f"{latest.date:%-d %B %Y}" if latest else ""),
                    ("What happened", latest.narrative if latest else ""),
                    ("Recorded by", str(latest.author or "") if latest else "")])
                return render(request, self.template_name,
                              {"action": action, "form": form,
                               "file_chosen": bool(request.FILES)}, status=409)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, f"Progress on {action.reference} saved")
                return redirect("staff:actionplan:action_detail", pk=action.pk)
        return render(request, self.template_name,
                      {"action": action, "form": form,
                       "file_chosen": bool(request.FILES)}, status=400)


class ActionCreateView(StaffPermissionMixin, View):
    permission_required = "actionplan.add_action"
    template_name = "actionplan/action_create.html"

    def organisations(self, request):
        return Organisation.objects.filter(
            pk__in=organisation_ids_with_role(request.user, ACTION_CREATORS))

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ActionCreateForm(organisations=self.organisations(request))
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ActionCreateForm(request.POST, organisations=self.organisations(request))
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        data = form.cleaned_data
        action = services.action_create(
            acting_user=request.user, priority=data["priority"], title=data["title"],
            description=data["description"], lead_organisation=data["lead_organisation"],
            owner=data["owner"], due_date=data["due_date"], is_public=data["is_public"],
            success_measures=data["success_measures"],
            inspection_finding=data["inspection_finding"],
        )
        messages.success(request, f"Action {action.reference} added")
        return redirect("staff:actionplan:action_detail", pk=action.pk)


class EvidenceFileView(StaffPermissionMixin, View):
    """Evidence files are served only to staff, never from a public address."""

    permission_required = "actionplan.view_actions"

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        evidence = get_object_or_404(Evidence.objects.exclude(file=""), pk=pk)
        return FileResponse(evidence.file.open("rb"), as_attachment=True,
                            filename=evidence.file.name.rsplit("/", 1)[-1])


# --- Staff: dashboard -------------------------------------------------------------------


class DashboardView(StaffPermissionMixin, View):
    permission_required = "actionplan.view_dashboard"

    def get(self, request: HttpRequest) -> HttpResponse:
        params = _with_default_plan(request)  # the person's board's plan; "Any plan" is a choice
        filterset = DashboardFilter(params, queryset=selectors.actions_for_staff())
        today = timezone.localdate()
        # The figures and charts are kept until anything they show changes.
        key = selectors.dashboard_cache_key(params, today=today)
        kept = derived.get(key)
        if kept is None:
            data = selectors.dashboard(filterset.qs, today=today)
            kept = (data, self.charts(data))
            derived.set(key, kept, selectors.DASHBOARD_CACHE_SECONDS)
        data, chart_context = kept
        context = {
            "filter": filterset, "data": data, "query": _query_without_page(request, params),
            "can_export": request.user.has_perm("actionplan.export_actions"),
            **chart_context,
        }
        return render(request, "actionplan/dashboard.html", context)

    @staticmethod
    def charts(data) -> dict:
        statuses = data.statuses
        total = data.totals["total"]
        return {
            "status_labels": [label for _, label in statuses],
            "by_status": list(zip([label for _, label in statuses], data.by_status, strict=False)),
            "priority_chart": charts.stacked_bars(
                "chart-priority", rows=data.by_priority, statuses=statuses,
                title="Actions by priority and status",
                description=f"Bar chart of {total} actions, one bar per priority, split by "
                            "status. The table after the chart gives the same numbers."),
            "organisation_chart": charts.stacked_bars(
                "chart-organisation", rows=data.by_organisation, statuses=statuses,
                title="Actions by lead organisation and status",
                description=f"Bar chart of {total} actions, one bar per lead organisation, "
                            "split by status. The table after the chart gives the same numbers."),
            "trend_chart": charts.stacked_columns(
                "chart-trend", rows=data.over_time, statuses=statuses,
                title="Status of actions at the end of each month",
                description="Column chart, one column per month for the last 12 months, "
                            "showing how many actions were in each status at the end of the "
                            "month. The table after the chart gives the same numbers."),
        }


# --- Staff: boards and meetings ----------------------------------------------------------


class BoardListView(StaffPermissionMixin, View):
    permission_required = "actionplan.view_meetings"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "actionplan/board_list.html",
                      {"boards": selectors.boards_all()})


class BoardDetailView(StaffPermissionMixin, View):
    permission_required = "actionplan.view_meetings"

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        board = selectors.board_detail(slug)
        if board is None:
            raise Http404
        return render(request, "actionplan/board_detail.html", {
            "board": board, "can_manage": request.user.has_perm("actionplan.manage_meetings"),
        })


class MeetingCreateView(StaffPermissionMixin, View):
    permission_required = "actionplan.manage_meetings"
    template_name = "actionplan/meeting_create.html"

    def get_board(self, slug):
        board = selectors.board_detail(slug)
        if board is None:
            raise Http404
        return board

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return render(request, self.template_name,
                      {"board": self.get_board(slug), "form": MeetingForm()})

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        board = self.get_board(slug)
        form = MeetingForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"board": board, "form": form}, status=400)
        meeting = services.meeting_create(acting_user=request.user, board=board,
                                          **form.cleaned_data)
        messages.success(request, "Meeting added. Now choose the actions it will review")
        return redirect("staff:actionplan:meeting_actions", pk=meeting.pk)


class MeetingDetailView(StaffPermissionMixin, View):
    permission_required = "actionplan.view_meetings"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = selectors.meeting_detail(pk)
        if meeting is None:
            raise Http404
        return render(request, "actionplan/meeting_detail.html", {
            "meeting": meeting, "today": timezone.localdate(),
            "can_manage": request.user.has_perm("actionplan.manage_meetings"),
        })


class MeetingActionsView(StaffPermissionMixin, View):
    permission_required = "actionplan.manage_meetings"
    template_name = "actionplan/meeting_actions.html"

    def setup_form(self, request, pk, data=None):
        meeting = get_object_or_404(Meeting.objects.select_related("board"), pk=pk)
        queryset = (selectors.actions_for_staff()
                    .filter(priority__plan__board=meeting.board)
                    .order_by("priority__plan__title", "priority__number", "id"))
        initial = {"actions": list(meeting.reviewed_actions.values_list("pk", flat=True))}
        return meeting, MeetingActionsForm(data, queryset=queryset, initial=initial)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting, form = self.setup_form(request, pk)
        return render(request, self.template_name, {"meeting": meeting, "form": form})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting, form = self.setup_form(request, pk, request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"meeting": meeting, "form": form},
                          status=400)
        services.meeting_set_actions(acting_user=request.user, meeting=meeting,
                                     actions=form.cleaned_data["actions"])
        messages.success(request, "Actions to review saved")
        return redirect("staff:actionplan:meeting_detail", pk=meeting.pk)


class BoardPackGenerateView(StaffPermissionMixin, View):
    """Generate, regenerate or retry the board pack (POST only)."""

    permission_required = "actionplan.manage_meetings"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = get_object_or_404(Meeting, pk=pk)
        services.board_pack_request(acting_user=request.user, meeting=meeting)
        meeting.refresh_from_db(fields=["pack_state"])
        if meeting.pack_state == Meeting.PackState.READY:  # made in-process (no broker)
            messages.success(request, "Board pack generated")
        elif meeting.pack_state == Meeting.PackState.PENDING:
            messages.success(request, "The board pack is being generated. Refresh this page in "
                                      "a minute to download it")
        return redirect("staff:actionplan:meeting_detail", pk=meeting.pk)


class BoardPackDownloadView(StaffPermissionMixin, View):
    permission_required = "actionplan.view_meetings"

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        meeting = get_object_or_404(Meeting, pk=pk, pack_state=Meeting.PackState.READY)
        if not meeting.pack_file:
            raise Http404
        return FileResponse(meeting.pack_file.open("rb"), content_type="application/pdf",
                            filename=f"board-pack-{meeting.date:%Y-%m-%d}.pdf")
