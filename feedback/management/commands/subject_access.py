"""manage.py subject_access <e-mail or phone>: everything held about a person, as JSON."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from feedback.subject import subject_access_export, subject_parse


class Command(BaseCommand):
    help = ("Print, as JSON on standard output, everything the portal holds about the person "
            "with this e-mail address or phone number (a subject access request).")

    def add_arguments(self, parser):
        parser.add_argument("identifier", help="The person's e-mail address or phone number")

    def handle(self, *args, identifier, **options):
        try:
            subject = subject_parse(identifier)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        export = subject_access_export(acting_user=None, subject=subject)
        self.stdout.write(json.dumps(export, indent=2, ensure_ascii=False))
        self.stderr.write(f"{len(export['feedback'])} piece(s) of feedback found.")
