from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("accessibility/", views.StaticPageView.as_view(template_name="core/accessibility.html"),
         name="accessibility"),
    path("privacy/", views.StaticPageView.as_view(template_name="core/privacy.html"),
         name="privacy"),
    path("cookies/", views.StaticPageView.as_view(template_name="core/cookies.html"),
         name="cookies"),
]
