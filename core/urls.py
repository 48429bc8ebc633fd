from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("accessibility/", views.StaticPageView.as_view(template_name="core/accessibility.html"),
         name="accessibility"),
    path("privacy/", views.StaticPageView.as_view(template_name="core/privacy.html"),
         name="privacy"),
    path("privacy/easy-read/",
         views.StaticPageView.as_view(template_name="core/privacy_easy_read.html"),
         name="privacy-easy-read"),
    path("cookies/", views.StaticPageView.as_view(template_name="core/cookies.html"),
         name="cookies"),
]
