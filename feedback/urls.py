"""Public addresses: /feedback/…"""

from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "feedback"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="feedback:give", permanent=False)),
    path("give/", views.GiveFeedbackView.as_view(), name="give"),
    path("give/easy-read/", views.GiveEasyReadView.as_view(), name="give-easy-read"),
    path("give/sent/", views.SentView.as_view(), name="sent"),
    path("track/", views.TrackView.as_view(), name="track"),
    path("track/<str:token>/", views.TrackTokenView.as_view(), name="track-token"),
]
