"""Staff addresses of the charter, under /staff/charter/."""

from django.urls import path

from . import views

app_name = "charter"

urlpatterns = [
    path("", views.CharterListView.as_view(), name="charter_list"),
    path("new/", views.CharterCreateView.as_view(), name="charter_create"),
    path("<int:pk>/", views.CharterDetailView.as_view(), name="charter_detail"),
    path("<int:pk>/details/", views.CharterEditView.as_view(), name="charter_edit"),
    path("<int:pk>/new-version/", views.NewVersionView.as_view(), name="new_version"),
    path("<int:pk>/adopt/", views.AdoptView.as_view(), name="adopt"),
    path("<int:pk>/sign/", views.SignView.as_view(), name="sign"),
    path("<int:pk>/pulse/", views.PulseRoundsView.as_view(), name="pulse_rounds"),
    path("<int:pk>/pulse/new/", views.PulseRoundCreateView.as_view(), name="pulse_round_create"),
    path("pulse/<int:pk>/state/", views.PulseRoundStateView.as_view(), name="pulse_round_state"),
    path("add/<str:kind>/<int:parent>/", views.ItemAddView.as_view(), name="item_add"),
    path("<str:kind>/<int:pk>/edit/", views.ItemEditView.as_view(), name="item_edit"),
    path("<str:kind>/<int:pk>/delete/", views.ItemDeleteView.as_view(), name="item_delete"),
    path("<str:kind>/<int:pk>/move/", views.ItemMoveView.as_view(), name="item_move"),
    path("audits/", views.AuditListView.as_view(), name="audit_list"),
    path("audits/new/", views.AuditStartView.as_view(), name="audit_start"),
    path("audits/<int:pk>/", views.AuditDetailView.as_view(), name="audit_detail"),
    path("audits/<int:pk>/reopen/", views.AuditReopenView.as_view(), name="audit_reopen"),
    path("signatories/<int:pk>/remove/", views.SignatoryRemoveView.as_view(),
         name="signatory_remove"),
    path("audits/<int:pk>/answers/", views.AuditEditView.as_view(), name="audit_edit"),
    path("audits/<int:pk>/actions/new/", views.ImprovementActionView.as_view(),
         name="improvement_action"),
    path("evidence/", views.EvidenceListView.as_view(), name="evidence_list"),
    path("evidence/new/", views.EvidenceAddView.as_view(), name="evidence_add"),
    path("evidence/<int:pk>/remove/", views.EvidenceRemoveView.as_view(), name="evidence_remove"),
]
