"""Pages of the action plan: the public view, and the staff list, action
pages, progress updates, dashboard, CSV export, boards and meetings.

Views check permission, validate a form, call one service, then redirect
or render.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from core.cache import derived
from core.concurrency import EditConflict
from core.csvexport import csv_streaming_response
from core.pagination import CappedPaginator
from core.roles import is_partnership_administrator
from core.views import StaffFormPage, StaffPermissionMixin
from feedback import selectors as feedback_selectors
from feedback.loop_figures import loop_figures

from . import charts, loop, selectors, services
from .filters import ActionFilter, DashboardFilter
from .forms import (
    ActionCreateForm,
    ActionEditForm,
    BoardForm,
    LinkFeedbackForm,
    MeetingActionsForm,
    MeetingDecisionForm,
    MeetingForm,
    PlanForm,
    PriorityForm,
    ProgressUpdateForm,
)
from .models import Board, Evidence, Meeting

# --- Public -----------------------------------------------------------------------------


class PublicPlanView(View):
    """/action-plan/ (the newest published plan) and /action-plan/<slug>/."""

    def get(self, request: HttpRequest, slug: str | None = None) -> HttpResponse:
        plan = selectors.plan_for_public(slug)
        if plan is None and slug is not None:
            raise Http404
        priorities, page = (selectors.public_priorities(plan, request.GET.get("page"))
                            if plan else ([], None))
        if plan:
            selectors.public_measures(
                plan, actions=[a for p in priorities for a in p.public_actions],
                priorities=priorities, today=timezone.localdate())
        return render(request, "actionplan/public_plan.html", {
            "plan": plan, "priorities": priorities, "page": page,
            "other_plans": [p for p in selectors.public_plans() if plan is None or p.pk != plan.pk],
            "today": timezone.localdate(),
            "public_count": page.paginator.count if page else 0,
            "inspection": selectors.plan_inspection_standing(plan, timezone.localdate(),
                                                             public_only=True),
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
        filterset = ActionFilter(params, queryset=selectors.actions_for_staff_list())
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

    def rows(self, queryset, today):
        yield self.columns
        for action in queryset.iterator(chunk_size=500):
            yield (
                action.reference, action.priority.plan.title,
                f"{action.priority.number}. {action.priority.title}", action.title,
                action.lead_organisation.name,
                "; ".join(o.name for o in action.partner_organisations.all()),
                action.owner.get_full_name() if action.owner else "",
                action.start_date.isoformat() if action.start_date else "",
                action.due_date.isoformat() if action.due_date else "",
                action.get_current_status_display(), action.current_percent,
                action.last_update_on.isoformat() if action.last_update_on else "",
                "Yes" if action.is_overdue_on(today) else "No",
                "Yes" if action.inspection_finding else "No",
                "Yes" if action.is_public else "No",
                action.source, action.latest_narrative or "",
            )

    def get(self, request: HttpRequest) -> StreamingHttpResponse:
        filterset = ActionFilter(request.GET or None, queryset=selectors.actions_for_staff())
        queryset = selectors.actions_for_export(filterset.qs)
        today = timezone.localdate()
        # Cells are made formula-safe by csv_streaming_response.
        return csv_streaming_response(self.rows(queryset, today), f"actions-{today:%Y-%m-%d}.csv")


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
        measures = selectors.measures_for_action(action, today=timezone.localdate())
        for measure in measures:
            measure.action = action  # the permission checks read its lead organisation
        _measure_permissions(request.user, measures)
        return render(request, "actionplan/action_detail.html", {
            "measures": measures,
            "action": action, "today": timezone.localdate(), "can_update": can_update,
            "can_change": request.user.has_perm("actionplan.change_action", action),
            "link_form": link_form or (LinkFeedbackForm() if can_update else None),
            "form": link_form,
            # Families waiting to hear about it (references only): two queries.
            "waiting": loop.families_waiting(action),
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

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ActionCreateForm()
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ActionCreateForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        data = form.cleaned_data
        action = services.action_create(
            acting_user=request.user, priority=data["priority"], title=data["title"],
            description=data["description"], lead_organisation=data["lead_organisation"],
            owner=data["owner"], due_date=data["due_date"], is_public=data["is_public"],
            success_measures=data["success_measures"],
            inspection_finding=data["inspection_finding"],
            partner_organisations=data["partner_organisations"],
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
        kept = derived.get(key) if key else None
        if kept is None:
            queryset = filterset.qs
            plan = filterset.form.cleaned_data.get("plan") if filterset.is_bound else None
            data = selectors.dashboard(
                queryset, today=today, judged_on=selectors.dashboard_judged_on(plan, today))
            data.measures = selectors.dashboard_measures(queryset, plan=plan, today=today)
            # A plan answering an inspection: the time left to the monitoring visit;
            # and the loop's figures for the last 12 months (feedback/loop_figures.py).
            inspection = selectors.plan_inspection_standing(plan, today)
            kept = (data, self.charts(data), inspection,
                    loop_figures(since=today - timedelta(days=364), until=today))
            if key:
                derived.set(key, kept, settings.DASHBOARD_FIGURES_CACHE_SECONDS)
        data, chart_context, inspection, loop = kept
        context = {
            "inspection": inspection,
            "filter": filterset, "data": data, "query": _query_without_page(request, params),
            "can_export": request.user.has_perm("actionplan.export_actions"),
            "loop": loop, **chart_context,
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
                      {"boards": selectors.boards_all(),
                       "can_add": request.user.has_perm("actionplan.add_board")})


class BoardDetailView(StaffPermissionMixin, View):
    permission_required = "actionplan.view_meetings"

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        board = selectors.board_detail(slug)
        if board is None:
            raise Http404
        return render(request, "actionplan/board_detail.html", {
            "board": board, "can_manage": request.user.has_perm("actionplan.manage_meetings"),
            "can_change": request.user.has_perm("actionplan.change_board", board),
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
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        meeting = services.meeting_create(acting_user=request.user, board=board, **data)
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
            "can_change": request.user.has_perm("actionplan.change_meeting", meeting),
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


# --- Staff: changing actions, plans, priorities, boards and meetings ---------------------


class ActionPlanFormPage(StaffPermissionMixin, StaffFormPage):
    """A one-form page on actionplan/staff_form.html: heading, caption, the
    edit-conflict box and a way back."""

    template_name = "actionplan/staff_form.html"
    caption = ""

    def back_url(self) -> str:
        raise NotImplementedError

    def extra_context(self) -> dict:
        return {"caption": self.caption, "back_url": self.back_url()}


def _object_or_404(obj):
    if obj is None:
        raise Http404
    return obj


class ActionEditView(ActionPlanFormPage):
    """Every field of an action; changes the board relies on become its history."""

    permission_required = "actionplan.view_actions"

    def prepare(self) -> None:
        self.action = get_object_or_404(
            selectors.actions_for_staff().prefetch_related("partner_organisations", "themes"),
            pk=self.kwargs["pk"])
        if not self.request.user.has_perm("actionplan.change_action", self.action):
            raise PermissionDenied
        self.heading = f"Change action {self.action.reference}"
        self.caption = self.action.priority.plan.title

    def back_url(self) -> str:
        return self.action.get_absolute_url()

    def make_form(self, data=None):
        return ActionEditForm(data, action=self.action)

    def save(self, form):
        services.action_edit(acting_user=self.request.user, action=self.action,
                             **form.service_kwargs())
        messages.success(self.request, f"Action {self.action.reference} saved")
        return redirect(self.action.get_absolute_url())


class PlanListView(StaffPermissionMixin, View):
    permission_required = "actionplan.view_plans"

    def get(self, request: HttpRequest) -> HttpResponse:
        plans = list(selectors.plans_for_staff())
        for plan in plans:
            plan.can_change = request.user.has_perm("actionplan.change_plan", plan)
        return render(request, "actionplan/plan_list.html", {
            "plans": plans, "can_add": request.user.has_perm("actionplan.add_plan")})


def _plan_boards(request):
    # Any board for the partnership's administrators; one's own boards for
    # anyone else (an administrator of a partner too: issue 19).
    everyone = is_partnership_administrator(request.user)
    return selectors.boards_for_choice(request.user, everyone=everyone), not everyone


class PlanCreateView(ActionPlanFormPage):
    permission_required = "actionplan.add_plan"
    heading = "Add a plan"

    def back_url(self) -> str:
        return reverse("staff:actionplan:plan_list")

    def make_form(self, data=None):
        boards, board_required = _plan_boards(self.request)
        return PlanForm(data, boards=boards, board_required=board_required,
                        initial={"is_published": False})

    def save(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        plan = services.plan_create(acting_user=self.request.user, **data)
        messages.success(self.request, f"Plan “{plan.title}” added. Now add its priorities")
        return redirect("staff:actionplan:plan_detail", slug=plan.slug)


class PlanMixin:
    """Loads the plan by its address and checks `actionplan.change_plan`."""

    def get_plan(self, slug: str):
        plan = _object_or_404(selectors.plan_for_staff(slug))
        if not self.request.user.has_perm("actionplan.change_plan", plan):
            raise PermissionDenied
        return plan


class PlanDetailView(StaffPermissionMixin, View):
    permission_required = "actionplan.view_plans"

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        plan = _object_or_404(selectors.plan_for_staff(slug))
        return render(request, "actionplan/plan_detail.html", {
            "plan": plan, "can_change": request.user.has_perm("actionplan.change_plan", plan)})


class PlanFormPage(PlanMixin, ActionPlanFormPage):
    """A form about one plan: at the plan's address, captioned with its
    title, going back to the plan's page."""

    permission_required = "actionplan.view_plans"

    def prepare(self) -> None:
        self.plan = self.get_plan(self.kwargs["slug"])
        self.caption = self.plan.title

    def back_url(self) -> str:
        return reverse("staff:actionplan:plan_detail", args=[self.plan.slug])


class PlanEditView(PlanFormPage):
    heading = "Change the plan"

    def make_form(self, data=None):
        boards, board_required = _plan_boards(self.request)
        if self.plan.board_id:  # the board it has now stays a choice
            boards = Board.objects.filter(Q(pk__in=boards.values("pk"))
                                          | Q(pk=self.plan.board_id)).order_by("name")
        p = self.plan
        return PlanForm(data, boards=boards, board_required=board_required, editing=True,
                        initial={"title": p.title, "area": p.area, "board": p.board_id,
                                 "period_start": p.period_start, "period_end": p.period_end,
                                 "review_date": p.review_date, "summary": p.summary,
                                 "is_published": p.is_published,
                                 "inspection_report_on": p.inspection_report_on,
                                 "inspection_outcome": p.inspection_outcome,
                                 "monitoring_due_on": p.monitoring_due_on,
                                 "lock_version": p.lock_version})

    def save(self, form):
        services.plan_edit(acting_user=self.request.user, plan=self.plan, **form.cleaned_data)
        messages.success(self.request, "Plan saved")
        return redirect(self.back_url())


class PlanPublishView(PlanMixin, StaffPermissionMixin, View):
    """Publish or unpublish (POST only, from the plan's page)."""

    permission_required = "actionplan.view_plans"

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        plan = self.get_plan(slug)
        publish = request.POST.get("publish")
        if publish not in ("yes", "no"):
            return HttpResponse("Choose to publish or unpublish.", status=400,
                                content_type="text/plain")
        services.plan_set_published(acting_user=request.user, plan=plan,
                                    is_published=publish == "yes")
        messages.success(request, "Plan published: its public actions are on the public "
                                  "action plan" if publish == "yes" else
                                  "Plan unpublished: it is no longer on the public pages")
        return redirect("staff:actionplan:plan_detail", slug=plan.slug)


class PriorityCreateView(PlanFormPage):
    heading = "Add a priority"

    def make_form(self, data=None):
        return PriorityForm(data)

    def save(self, form):
        priority = services.priority_create(
            acting_user=self.request.user, plan=self.plan, title=form.cleaned_data["title"],
            description=form.cleaned_data["description"])
        messages.success(self.request, f"Priority {priority.number} added")
        return redirect(self.back_url())


class PriorityMixin:
    def get_priority(self, pk: int):
        priority = _object_or_404(selectors.priority_for_edit(pk))
        if not self.request.user.has_perm("actionplan.change_plan", priority.plan):
            raise PermissionDenied
        return priority


class PriorityEditView(PriorityMixin, ActionPlanFormPage):
    permission_required = "actionplan.view_plans"

    def prepare(self) -> None:
        self.priority = self.get_priority(self.kwargs["pk"])
        self.heading = f"Change priority {self.priority.number}"
        self.caption = self.priority.plan.title

    def back_url(self) -> str:
        return reverse("staff:actionplan:plan_detail", args=[self.priority.plan.slug])

    def make_form(self, data=None):
        p = self.priority
        return PriorityForm(data, editing=True, initial={
            "title": p.title, "description": p.description, "lock_version": p.lock_version})

    def save(self, form):
        services.priority_edit(acting_user=self.request.user, priority=self.priority,
                               **form.cleaned_data)
        messages.success(self.request, f"Priority {self.priority.number} saved")
        return redirect(self.back_url())


class PriorityMoveView(PriorityMixin, StaffPermissionMixin, View):
    """Move a priority up or down (POST only, from the plan's page)."""

    permission_required = "actionplan.view_plans"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        priority = self.get_priority(pk)
        direction = {"up": -1, "down": 1}.get(request.POST.get("direction"))
        if direction is None:
            return HttpResponse("Choose up or down.", status=400, content_type="text/plain")
        if services.priority_move(acting_user=request.user, priority=priority,
                                  direction=direction):
            messages.success(request, f"“{priority.title[:80]}” moved "
                                      f"{'up' if direction < 0 else 'down'}")
        return redirect(reverse("staff:actionplan:plan_detail", args=[priority.plan.slug])
                        + "#priorities")


class BoardCreateView(ActionPlanFormPage):
    permission_required = "actionplan.add_board"
    heading = "Add a board"

    def back_url(self) -> str:
        return reverse("staff:actionplan:board_list")

    def make_form(self, data=None):
        return BoardForm(data)

    def save(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        try:
            board = services.board_create(acting_user=self.request.user, **data)
        except ValidationError as exc:
            if "slug" in getattr(exc, "error_dict", {}):
                raise ValidationError({"name": "There is already a board with this name"}) from exc
            raise
        messages.success(self.request, f"Board “{board.name}” added")
        return redirect(board.get_absolute_url())


class BoardEditView(ActionPlanFormPage):
    permission_required = "actionplan.view_meetings"
    heading = "Change the board"

    def prepare(self) -> None:
        self.board = _object_or_404(selectors.board_for_edit(self.kwargs["slug"]))
        if not self.request.user.has_perm("actionplan.change_board", self.board):
            raise PermissionDenied
        self.caption = self.board.name

    def back_url(self) -> str:
        return self.board.get_absolute_url()

    def make_form(self, data=None):
        b = self.board
        return BoardForm(data, editing=True, initial={
            "name": b.name, "area": b.area, "description": b.description,
            "organisations": [o.pk for o in b.organisations.all()],
            "lock_version": b.lock_version})

    def save(self, form):
        services.board_edit(acting_user=self.request.user, board=self.board, **form.cleaned_data)
        messages.success(self.request, "Board saved")
        return redirect(self.back_url())


class MeetingEditView(ActionPlanFormPage):
    permission_required = "actionplan.view_meetings"
    heading = "Change the meeting"

    def prepare(self) -> None:
        self.meeting = _object_or_404(selectors.meeting_for_edit(self.kwargs["pk"]))
        if not self.request.user.has_perm("actionplan.change_meeting", self.meeting):
            raise PermissionDenied
        self.caption = self.meeting.board.name

    def back_url(self) -> str:
        return self.meeting.get_absolute_url()

    def make_form(self, data=None):
        m = self.meeting
        return MeetingForm(data, editing=True, initial={
            "title": m.title, "date": m.date, "location": m.location, "minutes": m.minutes,
            "lock_version": m.lock_version})

    def save(self, form):
        services.meeting_edit(acting_user=self.request.user, meeting=self.meeting,
                              **form.cleaned_data)
        messages.success(self.request, "Meeting saved")
        return redirect(self.back_url())


# --- Staff: measures ----------------------------------------------------------------------


def _measure_permissions(user, measures) -> None:
    for measure in measures:
        measure.can_add_value = user.has_perm("actionplan.add_measure_value", measure)
        measure.can_change = user.has_perm("actionplan.change_measure", measure)


class PriorityDetailView(StaffPermissionMixin, View):
    """A priority's staff page: its measures, and a way to its actions."""

    permission_required = "actionplan.view_plans"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        priority = _object_or_404(selectors.priority_detail(pk))
        measures = selectors.measures_for_priority(priority, today=timezone.localdate())
        for measure in measures:
            measure.priority = priority  # the permission check reads its plan's board
        _measure_permissions(request.user, measures)
        return render(request, "actionplan/priority_detail.html", {
            "priority": priority, "measures": measures,
            "can_add_measure": request.user.has_perm("actionplan.change_plan", priority.plan),
        })


class MeasureCreateView(ActionPlanFormPage):
    """Add a measure to an action (/actions/<pk>/measures/new/) or to a
    priority (/priorities/<pk>/measures/new/)."""

    permission_required = "actionplan.view_actions"
    heading = "Add a measure"
    parent = "action"

    def prepare(self) -> None:
        if self.parent == "action":
            self.action = get_object_or_404(selectors.actions_for_staff(), pk=self.kwargs["pk"])
            self.priority = None
            if not self.request.user.has_perm("actionplan.change_action", self.action):
                raise PermissionDenied
            self.caption = str(self.action)
        else:
            self.action = None
            self.priority = _object_or_404(selectors.priority_for_edit(self.kwargs["pk"]))
            if not self.request.user.has_perm("actionplan.change_plan", self.priority.plan):
                raise PermissionDenied
            self.caption = f"Priority {self.priority}"

    def back_url(self) -> str:
        if self.action:
            return reverse("staff:actionplan:action_detail", args=[self.action.pk])
        return reverse("staff:actionplan:priority_detail", args=[self.priority.pk])

    def make_form(self, data=None):
        from .forms import MeasureForm

        return MeasureForm(data, initial={"unit": "number", "direction": "up",
                                          "frequency": "quarterly", "source": "staff"})

    def save(self, form):
        try:
            measure = services.measure_create(acting_user=self.request.user, action=self.action,
                                              priority=self.priority, **form.service_kwargs())
        except ValidationError as exc:
            if "code" in getattr(exc, "error_dict", {}):
                raise ValidationError({"code": "Another measure already has this code"}) from exc
            raise
        messages.success(self.request, f"Measure “{measure.name}” added")
        return redirect(measure.get_absolute_url())


class MeasureEditView(ActionPlanFormPage):
    permission_required = "actionplan.view_actions"
    heading = "Change the measure"

    def prepare(self) -> None:
        self.measure = _object_or_404(selectors.measure_for_edit(self.kwargs["pk"]))
        if not self.request.user.has_perm("actionplan.change_measure", self.measure):
            raise PermissionDenied
        self.caption = self.measure.name

    def back_url(self) -> str:
        return self.measure.get_absolute_url()

    def make_form(self, data=None):
        from .forms import MeasureForm

        return MeasureForm(data, editing=True, initial=MeasureForm.initial_for(self.measure))

    def save(self, form):
        data = form.service_kwargs()
        try:
            services.measure_edit(acting_user=self.request.user, measure=self.measure,
                                  lock_version=form.cleaned_data.get("lock_version"), **data)
        except ValidationError as exc:
            if "code" in getattr(exc, "error_dict", {}):
                raise ValidationError({"code": "Another measure already has this code"}) from exc
            raise
        messages.success(self.request, "Measure saved")
        return redirect(self.back_url())


class MeasureValueAddView(ActionPlanFormPage):
    """Add one dated value to a measure."""

    permission_required = "actionplan.view_actions"

    def prepare(self) -> None:
        self.measure = _object_or_404(selectors.measure_for_edit(self.kwargs["pk"]))
        if not self.request.user.has_perm("actionplan.add_measure_value", self.measure):
            raise PermissionDenied
        if self.measure.is_family_reported:
            raise PermissionDenied  # its values come from what families said
        self.heading = f"Add a value to {self.measure.name}"
        self.caption = str(self.measure.action or f"Priority {self.measure.priority}")

    def back_url(self) -> str:
        return self.measure.get_absolute_url()

    def make_form(self, data=None):
        from .forms import MeasureValueForm

        return MeasureValueForm(data, measure=self.measure,
                                initial={"date": timezone.localdate()})

    def save(self, form):
        data = form.cleaned_data
        services.measure_value_add(acting_user=self.request.user, measure=self.measure,
                                   date=data["date"], value=data["value"], note=data["note"],
                                   provisional=data["provisional"])
        messages.success(self.request, f"Value for {data['date']:%-d %B %Y} added to "
                                       f"{self.measure.name}")
        return redirect(self.back_url())


class MeasureUploadView(StaffPermissionMixin, View):
    """A CSV of values for many measures: checked row by row and shown
    before anything is saved; then the good rows are saved when confirmed.
    The file's text travels in the confirming form, so nothing is lost and
    nothing is stored until then."""

    permission_required = "actionplan.upload_measure_values"
    template_name = "actionplan/measure_upload.html"

    def may_add(self, measure) -> bool:
        return self.request.user.has_perm("actionplan.add_measure_value", measure)

    def get(self, request: HttpRequest) -> HttpResponse:
        from .forms import MeasureUploadForm

        return render(request, self.template_name, {"form": MeasureUploadForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        from .forms import MeasureUploadForm
        from .measure_csv import MeasureFileError, check

        if "confirm" in request.POST:
            text = request.POST.get("text", "")
            try:
                result = services.measure_values_upload(acting_user=request.user, text=text,
                                                        may_add=self.may_add)
            except MeasureFileError:
                form = MeasureUploadForm()
                form.add_error("file", "The file could not be read again. Upload it again")
                return render(request, self.template_name, {"form": form}, status=400)
            added = len(result.good)
            messages.success(request, f"{added} value{'s' if added != 1 else ''} added"
                             + (f"; {len({e[0] for e in result.errors})} row"
                                f"{'s' if len({e[0] for e in result.errors}) != 1 else ''} "
                                "with problems not saved" if result.errors else ""))
            return redirect("staff:actionplan:measure_upload")
        form = MeasureUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        text = form.cleaned_data["file"]
        try:
            result = check(text, may_add=self.may_add, today=timezone.localdate())
        except MeasureFileError as exc:
            form.add_error("file", str(exc))
            return render(request, self.template_name, {"form": form}, status=400)
        return render(request, self.template_name, {
            "form": MeasureUploadForm(), "result": result, "text": text,
            "problem_rows": len({line for line, _, _ in result.errors}),
        })


class MeetingDecisionView(ActionPlanFormPage):
    """What a meeting decided about one action it reviewed. Recorded by those
    who may change the meeting (they sit on its board); recording it again
    changes it."""

    permission_required = "actionplan.view_meetings"

    def prepare(self) -> None:
        found = _object_or_404(selectors.meeting_decision_for_edit(
            self.kwargs["pk"], self.kwargs["action_pk"]))
        self.meeting, self.action, self.decision = found
        if not self.request.user.has_perm("actionplan.change_meeting", self.meeting):
            raise PermissionDenied
        self.heading = f"Decision on action {self.action.reference}"
        self.caption = f"{self.meeting.title}, {self.meeting.date:%-d %B %Y}"

    def back_url(self) -> str:
        return self.meeting.get_absolute_url()

    def extra_context(self) -> dict:
        return {**super().extra_context(), "lead_paragraph": self.action.title}

    def make_form(self, data=None):
        initial = ({"outcome": self.decision.outcome, "note": self.decision.note}
                   if self.decision else {})
        return MeetingDecisionForm(data, initial=initial)

    def save(self, form):
        services.meeting_record_decision(acting_user=self.request.user, meeting=self.meeting,
                                         action=self.action, **form.cleaned_data)
        messages.success(self.request, f"Decision on action {self.action.reference} saved")
        return redirect(f"{self.back_url()}#decision-{self.action.pk}")
