"""Everything under /staff/. Each app adds its own staff pages here so that
one place shows every address that needs a signed-in person."""

from django.urls import include, path

from . import organisation_views, views
from .changes import APP_GROUPS
from .pagecache import cache_staff_page

app_name = "staff"

urlpatterns = [
    path("", cache_staff_page(*APP_GROUPS)(views.StaffHomeView.as_view()), name="home"),
    path("lists/", views.ListsView.as_view(), name="lists"),
    path("lists/add/", views.ListItemCreateView.as_view(), name="list-add"),
    path("people/", views.PeopleView.as_view(), name="people"),
    path("people/roles/<int:pk>/remove/", views.RoleRemoveView.as_view(), name="role-remove"),
    path("people/add/", views.PersonAddView.as_view(), name="person-add"),
    path("audit/", views.AuditTrailView.as_view(), name="audit"),
    path("background-work/", views.JobsView.as_view(), name="jobs"),
    path("background-work/<int:pk>/try-again/", views.JobRetryView.as_view(), name="job-retry"),
    path("organisations/", organisation_views.OrganisationListView.as_view(),
         name="organisations"),
    path("organisations/add/", organisation_views.OrganisationCreateView.as_view(),
         name="organisation-add"),
    path("organisations/<int:pk>/", organisation_views.OrganisationEditView.as_view(),
         name="organisation-edit"),
    path("organisations/<int:pk>/administrator/",
         organisation_views.OrganisationAdministratorView.as_view(),
         name="organisation-administrator"),
    path("organisations/<int:pk>/settings/", organisation_views.OrganisationSettingsView.as_view(),
         name="organisation-settings"),
    path("feedback/", include("feedback.staff_urls")),
    path("action-plan/", include("actionplan.staff_urls")),
    path("charter/", include("charter.staff_urls")),
    path("reports/", include("reports.staff_urls")),
    path("evidence-pack/", include("reports.evidence_urls")),
    path("get-involved/", include("participation.staff_urls")),
    path("directory/", include("directory.staff_urls")),
]
