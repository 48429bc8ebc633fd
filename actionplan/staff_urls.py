"""Staff addresses of this part of the portal, under /staff/action-plan/."""

from django.urls import path

from core.pagecache import cache_staff_page

from . import views

app_name = "actionplan"

urlpatterns = [
    path("", cache_staff_page("actionplan")(views.ActionListView.as_view()), name="action_list"),
    # The dashboard also shows the loop's figures, read from feedback.
    path("dashboard/", cache_staff_page("actionplan", "feedback")(views.DashboardView.as_view()),
         name="dashboard"),
    path("export.csv", views.ExportView.as_view(), name="export"),
    path("actions/new/", views.ActionCreateView.as_view(), name="action_create"),
    path("actions/<int:pk>/", views.ActionDetailView.as_view(), name="action_detail"),
    path("actions/<int:pk>/update/", views.ActionUpdateView.as_view(), name="action_update"),
    path("actions/<int:pk>/edit/", views.ActionEditView.as_view(), name="action_edit"),
    path("actions/<int:pk>/measures/new/", views.MeasureCreateView.as_view(parent="action"),
         name="action_measure_create"),
    path("priorities/<int:pk>/", views.PriorityDetailView.as_view(), name="priority_detail"),
    path("priorities/<int:pk>/measures/new/",
         views.MeasureCreateView.as_view(parent="priority"), name="priority_measure_create"),
    path("measures/upload/", views.MeasureUploadView.as_view(), name="measure_upload"),
    path("measures/<int:pk>/edit/", views.MeasureEditView.as_view(), name="measure_edit"),
    path("measures/<int:pk>/values/new/", views.MeasureValueAddView.as_view(),
         name="measure_value_add"),
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("plans/<slug:slug>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<slug:slug>/edit/", views.PlanEditView.as_view(), name="plan_edit"),
    path("plans/<slug:slug>/publish/", views.PlanPublishView.as_view(), name="plan_publish"),
    path("plans/<slug:slug>/priorities/new/", views.PriorityCreateView.as_view(),
         name="priority_create"),
    path("priorities/<int:pk>/edit/", views.PriorityEditView.as_view(), name="priority_edit"),
    path("priorities/<int:pk>/move/", views.PriorityMoveView.as_view(), name="priority_move"),
    path("evidence/<int:pk>/", views.EvidenceFileView.as_view(), name="evidence_file"),
    path("boards/", views.BoardListView.as_view(), name="board_list"),
    path("boards/new/", views.BoardCreateView.as_view(), name="board_create"),
    path("boards/<slug:slug>/", views.BoardDetailView.as_view(), name="board_detail"),
    path("boards/<slug:slug>/edit/", views.BoardEditView.as_view(), name="board_edit"),
    path("boards/<slug:slug>/meetings/new/", views.MeetingCreateView.as_view(),
         name="meeting_create"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.MeetingEditView.as_view(), name="meeting_edit"),
    path("meetings/<int:pk>/actions/", views.MeetingActionsView.as_view(),
         name="meeting_actions"),
    path("meetings/<int:pk>/decisions/<int:action_pk>/", views.MeetingDecisionView.as_view(),
         name="meeting_decision"),
    path("meetings/<int:pk>/board-pack/", views.BoardPackGenerateView.as_view(),
         name="board_pack_generate"),
    path("meetings/<int:pk>/board-pack.pdf", views.BoardPackDownloadView.as_view(),
         name="board_pack_download"),
]
