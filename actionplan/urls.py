"""Public addresses of this part of the portal, under /action-plan/."""

from django.urls import path

from . import views

app_name = "actionplan"

urlpatterns = [
    path("", views.PublicPlanView.as_view(), name="index"),
    path("<slug:slug>/", views.PublicPlanView.as_view(), name="plan"),
]
