"""Load realistic demo content from the seed documents. Safe to run twice."""

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from core.demo import DEMO_PASSWORD, PEOPLE

# In the order the apps depend on each other (see STYLE.md).
DEMO_MODULES = ["core", "directory", "feedback", "actionplan", "charter", "reports", "participation"]


class Command(BaseCommand):
    help = "Load demo organisations, staff accounts and content. Running it twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug", action="store_true",
            help="Load even though DEBUG is off. Never on a live site: demo accounts "
                 "have a published password.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError("Refusing to load demo accounts with DEBUG off "
                               "(pass --allow-without-debug on a test site).")
        # Demo families are invented: keep their e-mails out of the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), \
                transaction.atomic():
            for name in DEMO_MODULES:
                try:
                    module = importlib.import_module(f"{name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{name}.demo":
                        raise
                    continue
                self.stdout.write(f"{name}:")
                module.load(stdout=self.stdout)
        # Then, outside the quiet mail above, what is meant to be seen: the
        # demo family's progress message, in the console's e-mail output.
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(f"{name}.demo")
            except ModuleNotFoundError:
                continue
            if hasattr(module, "after_load"):
                module.after_load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
        self.stdout.write(f"Staff accounts (password for all: {DEMO_PASSWORD}):")
        for email, _first, _last, _title, org, role in PEOPLE:
            self.stdout.write(f"  {email:28} {role.label} — {org}")
