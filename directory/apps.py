from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Who's who and jargon buster"
    default_auto_field = "django.db.models.BigAutoField"
