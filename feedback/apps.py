from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def staff_panel(self, request):
        """Numbers for the staff home page: what is waiting for this person."""
        user = request.user
        if not user.has_perm("feedback.view_inbox"):
            return None
        from . import selectors

        return "feedback/_staff_panel.html", {
            "counts": selectors.staff_counts(user),
            "replies": selectors.replies_awaiting_approval(user).count(),
            "quotes": selectors.quotes_awaiting_decision(user).count(),
        }
