from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("profiles/", views.ProfileListView.as_view(), name="profiles"),
    path("profiles/add/", views.ProfileFormView.as_view(), name="profile-add"),
    path("profiles/<int:pk>/", views.ProfileFormView.as_view(), name="profile-edit"),
    path("profiles/<int:pk>/withdraw/", views.ProfileWithdrawView.as_view(),
         name="profile-withdraw"),
    path("jargon-buster/", views.GlossaryListView.as_view(), name="glossary"),
    path("jargon-buster/add/", views.GlossaryFormView.as_view(), name="glossary-add"),
    path("jargon-buster/<int:pk>/", views.GlossaryFormView.as_view(), name="glossary-edit"),
    path("jargon-buster/<int:pk>/remove/", views.GlossaryRemoveView.as_view(),
         name="glossary-remove"),
]
