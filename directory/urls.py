from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("who-we-are/", views.WhoWeAreView.as_view(), name="who-we-are"),
    path("who-we-are/photos/<int:pk>/", views.ProfilePhotoView.as_view(), name="photo"),
    path("jargon-buster/", views.GlossaryView.as_view(), name="glossary"),
]
