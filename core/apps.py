from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Organisations, people and roles"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from core import changes
        from core.pagecache import choices_changed

        from .models import Organisation, ServiceArea

        # The cached feedback forms offer every service area and organisation:
        # however one is added or changed (a service, the admin site), they follow.
        for model in (ServiceArea, Organisation):
            post_save.connect(choices_changed, sender=model,
                              dispatch_uid=f"pagecache-save-{model.__name__}")
            post_delete.connect(choices_changed, sender=model,
                                dispatch_uid=f"pagecache-delete-{model.__name__}")
        # Every write, however made, moves its tables' generation on (kept staff pages).
        changes.install()
