"""Staff addresses of getting involved, under /staff/get-involved/."""

from django.urls import path

from . import views

app_name = "participation"

urlpatterns = [
    path("", views.StaffOpportunityListView.as_view(), name="list"),
    path("new/", views.StaffOpportunityFormView.as_view(), name="create"),
    path("<int:pk>/", views.StaffOpportunityDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.StaffOpportunityFormView.as_view(), name="edit"),
    path("register/", views.StaffRegisterView.as_view(), name="register"),
    path("representation/", views.RepresentationView.as_view(), name="representation"),
    path("representation/figures/<str:dimension>/", views.AreaFiguresView.as_view(),
         name="figures"),
]
