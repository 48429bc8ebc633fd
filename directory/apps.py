from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Who's who and jargon buster"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.pagecache import finish_before_keeping

        from .plainwords import finish_page

        # Kept public pages are written out once, as they are made, and
        # depend on the glossary's tables.
        finish_before_keeping(finish_page, groups=("directory",))
