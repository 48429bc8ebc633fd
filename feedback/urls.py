"""Public addresses: /feedback/…"""

from django.urls import path
from django.views.generic import RedirectView

from core.pagecache import cache_public_page

from . import views

app_name = "feedback"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="feedback:give", permanent=False)),
    # The blank forms are kept whole in the cache, each visitor's CSRF token put in.
    path("give/", cache_public_page(views.GiveFeedbackView.as_view(), groups=("core",), csrf_form=True),
         name="give"),
    path("give/easy-read/", cache_public_page(views.GiveEasyReadView.as_view(), groups=("core",),
                                            csrf_form=True),
         name="give-easy-read"),
    path("give/sent/", views.SentView.as_view(), name="sent"),
    path("track/", views.TrackView.as_view(), name="track"),
    path("track/<str:token>/", views.TrackTokenView.as_view(), name="track-token"),
    # Links in progress messages: signed, never stored (feedback/progress.py).
    path("progress/stop/<str:token>/", views.ProgressStopView.as_view(), name="progress-stop"),
    path("progress/difference/<str:token>/", views.ProgressDifferenceView.as_view(),
         name="progress-difference"),
    path("progress/<str:token>/", views.ProgressWayBackView.as_view(),
         name="progress-way-back"),
]
