from django.apps import AppConfig


class CharterConfig(AppConfig):
    name = "charter"
    verbose_name = "Co-production charter"

    def ready(self):
        from actionplan import family_sources

        from . import services

        # A measure of the action plan can follow a statement's results.
        if services.statement_choices not in family_sources.statement_choices:
            family_sources.statement_choices.append(services.statement_choices)
            family_sources.statement_refreshers.append(services.measure_refresh_from_statement)
