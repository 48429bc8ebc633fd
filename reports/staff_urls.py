"""Staff addresses, under /staff/reports/."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.StaffReportListView.as_view(), name="list"),
    path("new/", views.StaffReportCreateView.as_view(), name="create"),
    path("local-offer/new/", views.StaffLocalOfferDraftView.as_view(), name="local-offer-new"),
    path("<int:pk>/local-offer/", views.StaffLocalOfferView.as_view(), name="local-offer"),
    path("<int:pk>/", views.StaffReportView.as_view(), name="edit"),
    path("<int:pk>/workflow/", views.StaffWorkflowView.as_view(), name="workflow"),
    path("<int:pk>/topics/", views.StaffTopicsView.as_view(), name="topics"),
    path("<int:pk>/topics/<int:topic_pk>/", views.StaffTopicView.as_view(), name="topic"),
    path("<int:pk>/items/new/", views.StaffItemView.as_view(), name="item-create"),
    path("<int:pk>/items/<int:item_pk>/", views.StaffItemView.as_view(), name="item-edit"),
    path("series/<int:pk>/", views.StaffSeriesView.as_view(), name="series-edit"),
    path("<int:pk>/items/<int:item_pk>/move/", views.StaffItemActionView.as_view(),
         name="item-action"),
]
