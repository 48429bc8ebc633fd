from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views as core_views
from core.forms import SignInForm
from core.pagecache import cache_public_page
from opendata import urls as opendata_urls
from reports import views as reports_views

handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

urlpatterns = [
    # "We are listening": the reports app owns it, as it reads every other app.
    path("", cache_public_page(reports_views.HomeView.as_view(),
                               groups=("reports", "feedback", "core")), name="home"),
    path("", include("core.urls")),
    path("feedback/", include("feedback.urls")),
    path("charter/", include("charter.urls")),
    path("action-plan/", include("actionplan.urls")),
    path("reports/", include("reports.urls")),
    path("get-involved/", include("participation.urls")),
    path("", include("opendata.urls")),
    path("", include("directory.urls")),
    path("api/", opendata_urls.api_urls),
    path("staff/", include("core.staff_urls")),
    # Signing in and out, and resetting a password, all under /staff/account/.
    path(
        "staff/account/sign-in/",
        auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("staff/account/sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("staff/account/", include("core.account_urls")),
    path(
        "staff/account/password-reset/",
        core_views.StaffPasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "staff/account/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "staff/account/reset/<uidb64>/<token>/",
        core_views.GdsPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "staff/account/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("healthz", core_views.healthz, name="healthz"),
    # Django's admin is a developer tool for superusers; staff use /staff/.
    path("django-admin/", admin.site.urls),
]
