"""/open-data/ and everything under /api/ (keep these addresses stable:
other people's code reads them)."""

from django.urls import path
from django.views.generic import RedirectView

from core.pagecache import cache_public_page

from . import views
from .api import api

app_name = "opendata"

urlpatterns = [
    path("open-data/", cache_public_page(views.open_data_page, groups=()), name="index"),
    # Someone who types /api/ meets the documentation.
    path("api/", RedirectView.as_view(pattern_name="opendata:docs"), name="api-home"),
    path("api/docs/", cache_public_page(views.api_docs, groups=()), name="docs"),
    path("api/csv-metadata.json", views.metadata_all, name="csv-metadata-all"),
    path("api/<slug:name>.csv", views.table_csv, name="csv"),
    path("api/<slug:name>.csv-metadata.json", views.table_metadata, name="csv-metadata"),
]

# The JSON API (its own "api" namespace), after the paths above.
api_urls = api.urls
