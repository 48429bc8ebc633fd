"""Public addresses: /reports/…"""

from django.urls import path

from core.pagecache import cache_public_page

from . import feeds, views
from .filters import ArchiveFilter

app_name = "reports"
# What the archive reads: its filters and the page number (core.pagecache).
ARCHIVE_PARAMS = (*ArchiveFilter.base_filters, "page")
# The groups of tables each kept page reads (core.changes): kept until one is written.
LISTS = ("reports", "core")
REPORT = ("reports", "actionplan", "feedback", "core")  # items, linked actions, the loop

urlpatterns = [
    path("", cache_public_page(views.ArchiveView.as_view(), groups=LISTS, params=ARCHIVE_PARAMS), name="index"),
    path("feed/", cache_public_page(feeds.ReportsFeed(), groups=LISTS), name="feed"),
    path("series/<slug:slug>/", cache_public_page(views.SeriesView.as_view(), groups=LISTS), name="series"),
    # A report page has the "Was this page useful?" form: each visitor's token is put in.
    path("<slug:slug>/", cache_public_page(views.ReportView.as_view(), groups=REPORT, csrf_form=True),
         name="detail"),
    path("<slug:slug>/v/<int:version>/",
         cache_public_page(views.ReportView.as_view(), groups=REPORT, csrf_form=True),
         name="version"),
    path("<slug:slug>/v/<int:version>/pdf/", views.ReportPdfView.as_view(), name="pdf"),
    path("<slug:slug>/v/<int:version>/pdf-status/", views.ReportPdfStatusView.as_view(),
         name="pdf-status"),
    path("<slug:slug>/v/<int:version>/useful/", views.UsefulView.as_view(), name="useful"),
]
