from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Organisations, people and roles"

    def ready(self):
        from core import changes, signals  # noqa: F401 (signals: the sign-out receiver)

        # Every write, however made, moves its tables' generation on: every
        # kept page and figure, public or staff, follows (core.changes).
        changes.install()
