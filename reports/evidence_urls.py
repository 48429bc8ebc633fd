"""The evidence pack, under /staff/evidence-pack/."""

from django.urls import path

from . import evidence_views

app_name = "evidence-pack"

urlpatterns = [
    path("", evidence_views.EvidencePackListView.as_view(), name="list"),
    path("<int:pk>/", evidence_views.EvidencePackView.as_view(), name="detail"),
    path("<int:pk>/evidence-pack.pdf", evidence_views.EvidencePackPdfView.as_view(), name="pdf"),
]
