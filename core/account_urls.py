"""The person's own account and two-factor sign-in, under /staff/account/
(beside signing in and out, which sendportal/urls.py names)."""

from django.urls import path

from . import two_factor

urlpatterns = [
    path("", two_factor.AccountView.as_view(), name="account"),
    path("two-factor/", two_factor.TwoFactorView.as_view(), name="two-factor"),
    path("two-factor/set-up/", two_factor.TwoFactorSetupView.as_view(), name="two-factor-setup"),
    path("session/", two_factor.session_status_view(), name="session-status"),
    path("session/stay-signed-in/", two_factor.StaySignedInView.as_view(),
         name="session-stay-signed-in"),
    path("signed-out/", two_factor.SignedOutView.as_view(), name="signed-out"),
    path("two-factor/turn-off/", two_factor.TwoFactorTurnOffView.as_view(),
         name="two-factor-turn-off"),
]
