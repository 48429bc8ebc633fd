"""Public addresses of this part of the portal, under /action-plan/."""

from django.urls import path

from core.pagecache import cache_public_page

from . import views

app_name = "actionplan"

urlpatterns = [
    path("", cache_public_page(views.PublicPlanView.as_view(), params=("page",)), name="index"),
    path("<slug:slug>/", cache_public_page(views.PublicPlanView.as_view(), params=("page",)), name="plan"),
]
