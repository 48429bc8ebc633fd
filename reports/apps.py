from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "You said, we did reports"

    def ready(self):
        from . import loop

        loop.register()  # the family's private page (feedback/progress.py)

    def staff_panel(self, request):
        user = request.user
        if not user.has_perm("reports.view_staff_reports"):
            return None
        from core.models import Role
        from core.roles import organisation_ids_with_role

        from .models import Report
        from .selectors import reports_for_staff

        orgs = organisation_ids_with_role(user, {Role.APPROVER})
        return "reports/_staff_panel.html", {
            "to_approve": Report.objects.filter(status=Report.Status.IN_REVIEW,
                                                organisation_id__in=orgs)
            .exclude(author=user).count(),
            "pdf_failed": reports_for_staff(user).filter(
                pdf_state=Report.PdfState.FAILED).count(),
        }
