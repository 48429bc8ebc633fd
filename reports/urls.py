"""Public addresses: /reports/…"""

from django.urls import path

from core.pagecache import cache_public_page

from . import feeds, views
from .filters import ArchiveFilter

app_name = "reports"
# What the archive reads: its filters and the page number (core.pagecache).
ARCHIVE_PARAMS = (*ArchiveFilter.base_filters, "page")

urlpatterns = [
    path("", cache_public_page(views.ArchiveView.as_view(), params=ARCHIVE_PARAMS), name="index"),
    path("feed/", cache_public_page(feeds.ReportsFeed()), name="feed"),
    path("series/<slug:slug>/", cache_public_page(views.SeriesView.as_view()), name="series"),
    # A report page has the "Was this page useful?" form: each visitor's token is put in.
    path("<slug:slug>/", cache_public_page(views.ReportView.as_view(), csrf_form=True),
         name="detail"),
    path("<slug:slug>/v/<int:version>/",
         cache_public_page(views.ReportView.as_view(), csrf_form=True), name="version"),
    path("<slug:slug>/v/<int:version>/pdf/", views.ReportPdfView.as_view(), name="pdf"),
    path("<slug:slug>/v/<int:version>/pdf-status/", views.ReportPdfStatusView.as_view(),
         name="pdf-status"),
    path("<slug:slug>/v/<int:version>/useful/", views.UsefulView.as_view(), name="useful"),
]
