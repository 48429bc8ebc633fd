"""Staff addresses of this part of the portal, under /staff/action-plan/."""

from django.urls import path

from . import views

app_name = "actionplan"

urlpatterns = [
    path("", views.ActionListView.as_view(), name="action_list"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("export.csv", views.ExportView.as_view(), name="export"),
    path("actions/new/", views.ActionCreateView.as_view(), name="action_create"),
    path("actions/<int:pk>/", views.ActionDetailView.as_view(), name="action_detail"),
    path("actions/<int:pk>/update/", views.ActionUpdateView.as_view(), name="action_update"),
    path("evidence/<int:pk>/", views.EvidenceFileView.as_view(), name="evidence_file"),
    path("boards/", views.BoardListView.as_view(), name="board_list"),
    path("boards/<slug:slug>/", views.BoardDetailView.as_view(), name="board_detail"),
    path("boards/<slug:slug>/meetings/new/", views.MeetingCreateView.as_view(),
         name="meeting_create"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<int:pk>/actions/", views.MeetingActionsView.as_view(),
         name="meeting_actions"),
    path("meetings/<int:pk>/board-pack/", views.BoardPackGenerateView.as_view(),
         name="board_pack_generate"),
    path("meetings/<int:pk>/board-pack.pdf", views.BoardPackDownloadView.as_view(),
         name="board_pack_download"),
]
