from django.apps import AppConfig


class ActionplanConfig(AppConfig):
    name = "actionplan"
    verbose_name = "Action plan"

    def ready(self):
        from . import loop

        loop.register()  # the family's private page, progress news, retention

        # A measure that follows a survey question takes each new import's statistics.
        from feedback import imports

        from .services import measures_refresh_for_survey

        if measures_refresh_for_survey not in imports.after_import:
            imports.after_import.append(measures_refresh_for_survey)
