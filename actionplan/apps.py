from django.apps import AppConfig


class ActionplanConfig(AppConfig):
    name = "actionplan"
    verbose_name = "Action plan"

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from core.models import Organisation

        from . import loop, models
        from .selectors import actions_changed

        loop.register()  # the family's private page, progress news, retention

        # The dashboard's figures are kept until any of what they show changes
        # (selectors.dashboard_cached): every save and delete, however made.
        for model in (models.Plan, models.Priority, models.Action, models.ProgressUpdate,
                      models.Measure, models.MeasureTarget, models.MeasureValue,
                      Organisation, settings.AUTH_USER_MODEL):
            post_save.connect(actions_changed, sender=model,
                              dispatch_uid=f"dashboard-save-{model}")
            post_delete.connect(actions_changed, sender=model,
                                dispatch_uid=f"dashboard-delete-{model}")
        # A measure that follows a survey question takes each new import's statistics.
        from feedback import imports

        from .services import measures_refresh_for_survey

        if measures_refresh_for_survey not in imports.after_import:
            imports.after_import.append(measures_refresh_for_survey)

        for field in models.Action._meta.many_to_many:
            m2m_changed.connect(actions_changed, sender=field.remote_field.through,
                                dispatch_uid=f"dashboard-m2m-{field.name}")
