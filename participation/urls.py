"""Public addresses of getting involved, under /get-involved/. Not kept in
the page cache. The private links (register/manage/, register/renew/,
answer/) are redacted from logs (core/logging.py)."""

from django.urls import path

from . import views

app_name = "participation"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("register/", views.RegisterJoinView.as_view(), name="register"),
    path("register/joined/", views.RegisterJoinedView.as_view(), name="register-joined"),
    path("register/manage/<str:token>/", views.RegisterManageView.as_view(),
         name="register-manage"),
    path("register/manage/<str:token>/leave/", views.RegisterLeaveView.as_view(),
         name="register-leave"),
    path("register/renew/<str:token>/", views.RegisterRenewView.as_view(), name="renew"),
    path("answer/<str:token>/", views.AnswerView.as_view(), name="answer"),
    path("<slug:slug>/", views.OpportunityView.as_view(), name="opportunity"),
    path("<slug:slug>/easy-read/", views.OpportunityEasyReadView.as_view(), name="easy-read"),
    path("<slug:slug>/take-part/", views.TakePartView.as_view(), name="take-part"),
    path("<slug:slug>/take-part/sent/", views.TakePartSentView.as_view(), name="take-part-sent"),
]
