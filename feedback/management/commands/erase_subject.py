"""manage.py erase_subject <e-mail or phone>: erase everything held about a person."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from feedback.subject import subject_erase, subject_feedback, subject_parse


class Command(BaseCommand):
    help = ("Remove or anonymise everything the portal holds about the person with this e-mail "
            "address or phone number (a request for erasure). Approved quotes stay, as redacted.")

    def add_arguments(self, parser):
        parser.add_argument("identifier", help="The person's e-mail address or phone number")
        parser.add_argument("--no-input", action="store_false", dest="interactive",
                            help="Do not ask for confirmation.")

    def handle(self, *args, identifier, interactive, **options):
        try:
            subject = subject_parse(identifier)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        found = subject_feedback(subject)
        if not found:
            self.stdout.write("Nothing is held about this person.")
            return
        references = ", ".join(f.reference for f in found)
        if interactive:
            answer = input(f"This erases what the person wrote and their contact details on "
                           f"{references}. It cannot be undone. Type 'erase' to go on: ")
            if answer.strip().lower() != "erase":
                raise CommandError("Nothing was erased.")
        erased = subject_erase(acting_user=None, subject=subject)
        self.stdout.write(f"Erased: {', '.join(erased)}")
