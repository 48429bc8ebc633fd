"""Public addresses of the charter, under /charter/. Keep them stable: they
are printed on invitations and linked from reports."""

from django.urls import path

from core.pagecache import cache_public_page

from . import views

# What the charter pages read (core.changes): kept until one is written.
READS = ("charter", "actionplan", "feedback", "core")
app_name = "charter"

urlpatterns = [
    path("", cache_public_page(views.CharterIndexView.as_view(), groups=READS), name="index"),
    path("pulse/<str:token>/", views.PulseView.as_view(), name="pulse_invitation"),
    path("<slug:slug>/", cache_public_page(views.CharterView.as_view(), groups=READS), name="charter"),
    path("<slug:slug>/v/<int:version>/", views.CharterView.as_view(), name="version"),
    path("<slug:slug>/pulse/", views.PulseView.as_view(), name="pulse"),
    path("<slug:slug>/pulse/thanks/", views.PulseThanksView.as_view(), name="pulse_thanks"),
]
