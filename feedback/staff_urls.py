"""Staff addresses, under /staff/feedback/."""

from django.urls import path

from core.pagecache import cache_staff_page

from . import card_views, reply_template_views, routing_views, views

app_name = "feedback"

urlpatterns = [
    path("", cache_staff_page("feedback")(views.InboxView.as_view()), name="inbox"),
    path("export.csv", views.InboxExportView.as_view(), name="export"),
    path("<int:pk>/", views.FeedbackDetailView.as_view(), name="detail"),
    path("themes/", views.BulkThemesView.as_view(), name="bulk-themes"),
    path("<int:pk>/reopen/", views.ReopenView.as_view(), name="reopen"),
    path("<int:pk>/delete-contact-details/", views.ContactEraseView.as_view(),
         name="contact-erase"),
    path("log/", views.LogFeedbackView.as_view(), name="log"),
    path("replies/", views.RepliesAwaitingView.as_view(), name="replies"),
    path("replies/<int:pk>/decide/", views.ReplyDecideView.as_view(), name="reply-decide"),
    path("quotes/", views.QuotesAwaitingView.as_view(), name="quotes"),
    path("quotes/<int:pk>/decide/", views.QuoteDecideView.as_view(), name="quote-decide"),
    path("imports/", views.SurveyImportListView.as_view(), name="imports"),
    path("imports/new/", views.SurveyImportCreateView.as_view(), name="import-new"),
    path("imports/<int:pk>/", views.SurveyImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/remove/", views.SurveyImportRemoveView.as_view(),
         name="import-remove"),
    path("imports/<int:pk>/replace/", views.SurveyImportReplaceView.as_view(),
         name="import-replace"),
    path("imports/<int:pk>/rename/", views.SurveyImportRenameView.as_view(),
         name="import-rename"),
    path("imports/<int:pk>/progress/", views.SurveyImportProgressView.as_view(),
         name="import-progress"),
    path("routing/", routing_views.RoutingView.as_view(), name="routing"),
    path("<int:pk>/send-to-another-organisation/", routing_views.RerouteView.as_view(),
         name="reroute"),
    path("reply-templates/", reply_template_views.ReplyTemplateListView.as_view(),
         name="reply-templates"),
    path("reply-templates/<int:pk>/", reply_template_views.ReplyTemplateEditView.as_view(),
         name="reply-template-edit"),
    path("cards/", card_views.CardsView.as_view(), name="cards"),
    path("cards/<int:pk>/", card_views.CardBatchView.as_view(), name="card-batch"),
    path("cards/<int:pk>/cards.pdf", card_views.CardBatchPdfView.as_view(), name="cards-pdf"),
    path("cards/log/", card_views.CardLogView.as_view(), name="card-log"),
    path("cards/log/easy-read/", card_views.CardLogView.as_view(easy_read=True),
         name="card-log-easy-read"),
    path("data-protection/", views.SubjectRequestView.as_view(), name="subject-requests"),
]
