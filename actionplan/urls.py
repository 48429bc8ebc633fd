"""Public addresses of this part of the portal, under /action-plan/."""

from django.urls import path

from core.pagecache import cache_public_page

from . import views

# What the public plan pages read (core.changes): kept until one is written.
READS = ("actionplan", "core")
app_name = "actionplan"

urlpatterns = [
    path("", cache_public_page(views.PublicPlanView.as_view(), groups=READS, params=("page",)),
         name="index"),
    path("<slug:slug>/", cache_public_page(views.PublicPlanView.as_view(), groups=READS, params=("page",)),
         name="plan"),
]
