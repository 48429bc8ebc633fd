"""Forms: validation only. Every error message says what to do, GOV.UK style."""

from crispy_forms_gds.layout import (
    Button,
    ConditionalQuestion,
    ConditionalRadios,
    Field,
    Fieldset,
    Size,
)
from django import forms
from django.templatetags.static import static
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html

from core.forms import (
    GdsDateField,
    HoneypotMixin,
    IdPrefixMixin,
    VersionedFormMixin,
    gds_helper,
    honeypot_html,
)
from core.models import Organisation, Role, ServiceArea, Theme, User

from .cards import MAX_BATCH
from .imports import TARGETS
from .models import Feedback, LocalOfferCoding, Reply, ReplyTemplate, reference_from_typed

YES_NO = [("yes", "Yes"), ("no", "No")]


def progress_kept_for() -> str:
    """How long contact details asked for progress are kept after the work
    ends, in words ("12 months")."""
    from django.conf import settings

    days = settings.PROGRESS_CONTACT_RETENTION_DAYS
    if days % 365 == 0 and days >= 365:
        return f"{days // 365 * 12} months"
    months = round(days / 30.4)
    return f"{months} months" if months >= 2 else f"{days} days"


def _progress_hint() -> str:
    return ("We will send you a message, at most once a day, when an action linked to your "
            "feedback changes or is finished, or when we publish a report about it. We keep "
            "your contact details while that work goes on, and for up to "
            f"{progress_kept_for()} after it ends. Then we delete them. Every message has a "
            "link to stop them.")


def _progress_hint_easy_read() -> str:
    return ("We will send you a message when something changes. We keep your e-mail or phone "
            f"number while we do the work, and for up to {progress_kept_for()} after. Then "
            "we delete it. You can stop the messages at any time.")
RATING_CHOICES = [("5", "Very good"), ("4", "Good"), ("3", "OK"), ("2", "Poor"),
                  ("1", "Very poor")]


class _AgeGroupField(forms.ChoiceField):
    """Offers the age bands that do not overlap, and still takes the first
    form's (a page opened before they changed may send one; it is stored
    with the meaning it had)."""

    def valid_value(self, value) -> bool:
        return value in Feedback.AgeGroup.values


class FeedbackForm(HoneypotMixin):
    """The public form at /feedback/give/."""

    service_areas = forms.ModelMultipleChoiceField(
        label="What is your feedback about?",
        help_text="Select all that apply.",
        queryset=ServiceArea.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select what your feedback is about"},
    )
    what_went_well = forms.CharField(
        label="What went well?", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Do not include names of children or staff.",
        error_messages={"max_length": "What went well must be 5,000 characters or fewer"},
    )
    even_better_if = forms.CharField(
        label="What could be even better?", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Do not include names of children or staff.",
        error_messages={"max_length": "What could be even better must be 5,000 characters or fewer"},
    )
    rating = forms.TypedChoiceField(
        label="Overall, how would you rate the service? (optional)", required=False,
        choices=RATING_CHOICES, coerce=int, empty_value=None, widget=forms.RadioSelect,
    )
    respondent = forms.ChoiceField(
        label="Who are you?", choices=Feedback.Respondent.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select who you are"},
    )
    age_group = _AgeGroupField(
        label="How old is the child or young person? (optional)", required=False,
        choices=Feedback.AgeGroup.offered(), widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select the age from the list"},
    )
    about_organisation = forms.ModelChoiceField(
        label="Which organisation is it about? (optional)", required=False,
        queryset=Organisation.objects.all(), empty_label="I do not know",
        help_text="If you do not know, we will make sure the right people see it.",
    )
    consent_to_quote = forms.ChoiceField(
        label="Can we quote what you said, without your name?",
        help_text="We remove anything that could identify you or your child first.",
        choices=YES_NO, widget=forms.RadioSelect,
        error_messages={"required": "Select yes if we can quote what you said"},
    )
    wants_contact = forms.ChoiceField(
        label="Do you want us to contact you about this?", choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if you want us to contact you"},
    )
    contact_name = forms.CharField(label="Your name", required=False, max_length=200,
                                   widget=forms.TextInput(attrs={"autocomplete": "name"}))
    contact_email = forms.EmailField(
        label="E-mail address", required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        help_text="We will send your reference and our reply here.",
        error_messages={"invalid": "Enter an e-mail address in the correct format, like name@example.com"},
    )
    contact_phone = forms.CharField(
        label="Phone number (optional)", required=False, max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    wants_progress = forms.BooleanField(label="Tell me when something changes", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wants_progress"].help_text = _progress_hint()

    @cached_property
    def helper(self):
        # Built when the form is drawn, not for every accepted submission.
        helper = gds_helper(
            Field.checkboxes("service_areas", legend_size=Size.MEDIUM, small=True),
            Field.textarea("what_went_well", label_size=Size.MEDIUM),
            Field.textarea("even_better_if", label_size=Size.MEDIUM),
            Field.radios("rating", legend_size=Size.MEDIUM, small=True),
            Field.radios("respondent", legend_size=Size.MEDIUM, small=True),
            Field.radios("age_group", legend_size=Size.MEDIUM, small=True),
            Field.select("about_organisation"),
            Field.radios("consent_to_quote", legend_size=Size.MEDIUM, inline=True),
            # Plain questions, not a conditional reveal: GOV.UK Frontend's reveal
            # puts aria-expanded on radios, which is invalid ARIA (axe flags it).
            Field.radios("wants_contact", inline=True),
            Fieldset(
                Field.text("contact_name", label_size=Size.SMALL),
                Field.text("contact_email", label_size=Size.SMALL),
                Field.text("contact_phone", field_width=20, label_size=Size.SMALL),
                Field.checkbox("wants_progress", small=True),
                legend="If yes, how can we contact you?", legend_size=Size.SMALL,
            ),
            honeypot_html(),
            Button("send", "Send feedback"),
        )
        helper.label_size = helper.legend_size = Size.MEDIUM
        return helper

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("what_went_well") or cleaned.get("even_better_if")) and not (
                self.has_error("what_went_well") or self.has_error("even_better_if")):
            self.add_error("what_went_well",
                           "Tell us what went well or what could be even better")
        if cleaned.get("wants_contact") == "yes":
            if not cleaned.get("contact_email") and not self.has_error("contact_email"):
                if not cleaned.get("contact_phone"):
                    self.add_error("contact_email",
                                   "Enter an e-mail address or a phone number so we can contact you")
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        wants = data["wants_contact"] == "yes"
        return {
            "service_areas": data["service_areas"],
            "what_went_well": data["what_went_well"],
            "even_better_if": data["even_better_if"],
            "rating": data.get("rating"),
            "respondent": data["respondent"],
            "age_group": data.get("age_group", ""),
            "about_organisation": data.get("about_organisation"),
            "consent_to_quote": data["consent_to_quote"] == "yes",
            "wants_contact": wants,
            "contact_name": data["contact_name"] if wants else "",
            "contact_email": data["contact_email"] if wants else "",
            "contact_phone": data["contact_phone"] if wants else "",
            "wants_progress": wants and data.get("wants_progress", False),
        }


def _picture(name: str, words: str):
    # Our own pictures (static/images), not emoji: emoji depend on the
    # reader's fonts (some show an empty box). The words say it for screen
    # readers; the picture beside them has empty alt text.
    src = static(f"images/{name}.svg")
    return format_html('<img class="app-picture" src="{}" alt="" width="56" height="56"> {}',
                       src, words)


def pictured(name: str, words: str):
    """A sentence or question with its picture on the left, as easy read
    puts it (static/images/er-*.svg; the words say it all, so alt="")."""
    src = static(f"images/{name}.svg")
    return format_html('<span class="app-pictured"><img class="app-picture" src="{}" alt="" '
                       'width="56" height="56"><span class="app-pictured__words">{}</span></span>',
                       src, words)


def easy_read_feelings() -> list[tuple[str, str]]:
    # Built per form, not at import: static() needs the manifest, which only
    # exists after collectstatic.
    return [("5", _picture("face-happy", "Happy")), ("3", _picture("face-ok", "OK")),
            ("1", _picture("face-sad", "Sad"))]


class EasyReadForm(HoneypotMixin):
    """Easy read: one idea a sentence, a picture beside every question and
    every choice, no abbreviations, big answers. What it is about comes
    first, so "how do you feel about it?" has an "it". Stored as the same
    Feedback underneath; the contact questions show only after "yes", and
    contact details are kept only then (the database refuses them
    otherwise)."""

    # The picture on the left of each question (static/images/er-*.svg).
    QUESTION_PICTURES = {
        "service_area": "er-question", "feeling": "er-feelings", "good": "er-good",
        "better": "er-better", "who": "er-who", "wants_contact": "er-reply",
        "contact_email": "er-email", "contact_phone": "er-phone", "wants_progress": "er-report",
    }

    service_area = forms.ModelChoiceField(
        label="What is it about?", queryset=ServiceArea.objects.filter(is_active=True),
        widget=forms.RadioSelect, required=False,
        help_text="Choose one. You can skip this.",
    )
    feeling = forms.TypedChoiceField(
        label="How do you feel about it?", choices=[("5", "Happy"), ("3", "OK"), ("1", "Sad")],
        coerce=int, widget=forms.RadioSelect,
        error_messages={"required": "Choose a face to show how you feel"},
    )
    good = forms.CharField(label="What was good?", required=False, max_length=3000,
                           help_text="You can skip this.",
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"max_length": "Make this shorter: 3,000 letters at most"})
    better = forms.CharField(label="What would make it better?", required=False, max_length=3000,
                             help_text="You can skip this.",
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"max_length": "Make this shorter: 3,000 letters at most"})
    who = forms.ChoiceField(
        label="Who are you?", widget=forms.RadioSelect,
        choices=[("young_person", "I am a child or young person"),
                 ("parent_carer", "I am a parent or carer"), ("other", "I am someone else")],
        error_messages={"required": "Choose who you are"},
    )
    wants_contact = forms.ChoiceField(
        label="Do you want us to get in touch with you?",
        help_text="We can tell you what we did. You do not have to say yes.",
        choices=[("no", "No"), ("email", "Yes, by e-mail"),
                 ("phone", "Yes, by phone call or text message")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose no, or how we can get in touch"},
    )
    contact_email = forms.EmailField(
        label="Your e-mail address", required=False,
        help_text="We only use it to reply to you.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={"invalid": "Check your e-mail address. It looks like name@example.com"},
    )
    contact_phone = forms.CharField(
        label="Your phone number", required=False, max_length=40,
        help_text="We only use it to reply to you.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    # A question with pictures, like every other here (not a small checkbox).
    wants_progress = forms.ChoiceField(
        label="Do you want us to tell you when things change?", required=False,
        choices=[("no", "No, thank you"), ("yes", "Yes, tell me")], widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wants_progress"].help_text = _progress_hint_easy_read()
        for name, picture in self.QUESTION_PICTURES.items():
            self.fields[name].label = pictured(picture, self.fields[name].label)
        feeling = self.fields["feeling"]
        feeling.choices = easy_read_feelings()
        areas = self.fields["service_area"]
        areas.choices = [
            (area.pk, _picture(f"er-{area.picture}", area.easy_read_name or area.name))
            for area in areas.queryset]
        self.fields["who"].choices = [
            (value, _picture(picture, words)) for (value, words), picture in zip(
                self.fields["who"].choices, ["er-child", "er-parent", "er-someone"], strict=True)]
        progress = self.fields["wants_progress"]
        progress.choices = [(value, _picture(picture, words)) for (value, words), picture in zip(
            progress.choices, ["er-no", "er-reply"], strict=True)]
        contact = self.fields["wants_contact"]
        contact.choices = [
            (value, _picture(picture, words)) for (value, words), picture in zip(
                contact.choices, ["er-no", "er-email", "er-phone"], strict=True)]
        no, by_email, by_phone = (label for _, label in contact.choices)
        self.helper = gds_helper(
            Field.radios("service_area", legend_size=Size.MEDIUM),
            Field.radios("feeling", legend_size=Size.MEDIUM),
            Field.textarea("good", label_size=Size.MEDIUM, rows=4),
            Field.textarea("better", label_size=Size.MEDIUM, rows=4),
            Field.radios("who", legend_size=Size.MEDIUM),
            # GOV.UK conditional reveal: the question for the way they chose
            # shows only once they choose it (templates/gds/layout/).
            ConditionalRadios(
                "wants_contact", no,
                ConditionalQuestion(by_email, Field.text("contact_email")),
                ConditionalQuestion(by_phone, Field.text("contact_phone", field_width=20)),
            ),
            Field.radios("wants_progress", legend_size=Size.MEDIUM),
            honeypot_html(),
            Button("send", "Send"),
        )
        self.helper.label_size = self.helper.legend_size = Size.MEDIUM

    def clean(self):
        cleaned = super().clean()
        way = cleaned.get("wants_contact")
        if way == "email" and not cleaned.get("contact_email") \
                and not self.has_error("contact_email"):
            self.add_error("contact_email", "Write your e-mail address so we can reply")
        if way == "phone" and not cleaned.get("contact_phone"):
            self.add_error("contact_phone", "Write your phone number so we can reply")
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        way = data["wants_contact"]
        return {
            "channel": Feedback.Channel.EASY_READ,
            "service_areas": [data["service_area"]] if data.get("service_area") else [],
            "what_went_well": data["good"],
            "even_better_if": data["better"],
            "rating": data["feeling"],
            "respondent": data["who"],
            # Only the way they chose is kept: the database refuses contact
            # details from anyone who did not ask to be contacted.
            "wants_contact": way != "no",
            "contact_email": data["contact_email"] if way == "email" else "",
            "contact_phone": data["contact_phone"] if way == "phone" else "",
            "wants_progress": way != "no" and data.get("wants_progress") == "yes",
        }


class DifferenceForm(forms.Form):
    """"Did it make a difference?": one click, and a comment if they want."""

    answer = forms.ChoiceField(
        label="Did it make a difference?", widget=forms.RadioSelect,
        choices=[("yes", "Yes"), ("partly", "Partly"), ("no", "No")],
        error_messages={"required": "Select yes, partly or no"},
    )
    comment = forms.CharField(
        label="Anything you want to tell us? (optional)", required=False, max_length=3000,
        help_text="If it did not make enough difference, tell us why. We will read it and "
                  "answer it like new feedback. Do not include names.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Your comment must be 3,000 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.radios("answer", legend_size=Size.MEDIUM, inline=True),
            Field.textarea("comment", label_size=Size.SMALL),
            Button("send", "Send answer"),
        )


class TrackForm(forms.Form):
    WRONG_FORMAT = "Enter a reference in the right format, like FB-2026-00123"

    reference = forms.CharField(
        label="Your reference", max_length=40,
        help_text="It looks like FB-2026-00123. It is on the page you saw after sending "
                  "your feedback, and in our e-mail.",
        error_messages={"required": "Enter your reference", "max_length": WRONG_FORMAT},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("reference", field_width=10),
                                 Button("send", "Find my feedback"))

    def clean_reference(self):
        """The reference as we write it, however it was typed ("fb 2026 258")."""
        reference = reference_from_typed(self.cleaned_data["reference"])
        if reference is None:
            raise forms.ValidationError(self.WRONG_FORMAT)
        return reference


class StaffLogForm(forms.Form):
    """Feedback that arrived by e-mail, phone, workshop, card…"""

    channel = forms.ChoiceField(
        label="How did it reach us?",
        choices=[c for c in Feedback.Channel.choices
                 if c[0] not in (Feedback.Channel.WEB_FORM, Feedback.Channel.EASY_READ,
                                 Feedback.Channel.PAGE_USEFUL, Feedback.Channel.SURVEY)],
        error_messages={"required": "Select how the feedback reached us"},
    )
    received_on = GdsDateField(
        label="When did we receive it?", help_text="For example, 27 3 2026",
        required_message="Enter the date we received it",
        invalid_message="The date we received it must be a real date",
    )
    organisation = forms.ModelChoiceField(
        label="Which organisation will answer it?", queryset=Organisation.objects.none(),
        required=False,
        help_text="Leave this to send it where the routing table says for what it is about.",
    )
    service_areas = forms.ModelMultipleChoiceField(
        label="What is it about?", queryset=ServiceArea.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select what the feedback is about"},
    )
    what_went_well = forms.CharField(label="What went well", required=False,
                                     widget=forms.Textarea(attrs={"rows": 4}))
    even_better_if = forms.CharField(label="What could be even better", required=False,
                                     widget=forms.Textarea(attrs={"rows": 4}))
    respondent = forms.ChoiceField(label="Who gave it?", choices=Feedback.Respondent.choices,
                                   widget=forms.RadioSelect,
                                   error_messages={"required": "Select who gave the feedback"})
    consent_to_quote = forms.BooleanField(label="They agreed to be quoted anonymously",
                                          required=False)
    wants_contact = forms.BooleanField(label="They want us to contact them", required=False)
    contact_name = forms.CharField(label="Their name (optional)", required=False, max_length=200)
    contact_email = forms.EmailField(
        label="Their e-mail address (optional)", required=False,
        error_messages={"invalid": "Enter an e-mail address in the correct format, like name@example.com"})
    contact_phone = forms.CharField(label="Their phone number (optional)", required=False,
                                    max_length=40)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = "The one responsible for what it is about"
        self.helper = gds_helper(
            Field.select("channel"),
            Field("received_on"),
            Field.select("organisation"),
            Field.checkboxes("service_areas", small=True),
            Field.textarea("what_went_well"),
            Field.textarea("even_better_if"),
            Field.radios("respondent", small=True),
            Field.checkbox("consent_to_quote", small=True),
            Fieldset(
                Field.checkbox("wants_contact", small=True),
                Field.text("contact_name"), Field.text("contact_email"),
                Field.text("contact_phone", field_width=20),
                legend="Contact", legend_size=Size.SMALL,
            ),
            Button("send", "Log feedback"),
        )

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date we received it must be today or in the past")
        return value

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("what_went_well") or cleaned.get("even_better_if")):
            self.add_error("what_went_well", "Enter what went well or what could be even better")
        if not cleaned.get("wants_contact"):
            for name in ("contact_name", "contact_email", "contact_phone"):
                cleaned[name] = ""
        elif not (cleaned.get("contact_email") or cleaned.get("contact_phone")) \
                and not self.has_error("contact_email"):
            self.add_error("contact_email", "Enter an e-mail address or phone number to contact them")
        return cleaned


class TriageForm(IdPrefixMixin, VersionedFormMixin):
    """Assignment, themes, service areas and sharing, in one form."""

    id_prefix = "triage"  # shares the feedback page with four other forms

    assigned_to = forms.ModelChoiceField(label="Assigned to", required=False,
                                         queryset=User.objects.none(), empty_label="No one")
    themes = forms.ModelMultipleChoiceField(label="Themes", required=False,
                                            queryset=Theme.objects.filter(is_active=True),
                                            widget=forms.CheckboxSelectMultiple)
    service_areas = forms.ModelMultipleChoiceField(
        label="Service areas", required=False, queryset=ServiceArea.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple)
    shared_with = forms.ModelMultipleChoiceField(
        label="Share with", required=False, queryset=Organisation.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Officers of these organisations can read it and add notes. Only your "
                  "organisation sees contact details and replies.")

    def __init__(self, *args, feedback: Feedback, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = User.objects.filter(
            is_active=True, memberships__organisation=feedback.organisation,
            memberships__role__in=[Role.OFFICER, Role.APPROVER]).distinct()
        self.fields["shared_with"].queryset = Organisation.objects.exclude(pk=feedback.organisation_id)
        self.helper = gds_helper(
            Field.select("assigned_to"),
            Field.checkboxes("themes", small=True, legend_size=Size.SMALL),
            Field.checkboxes("service_areas", small=True, legend_size=Size.SMALL),
            Field.checkboxes("shared_with", small=True, legend_size=Size.SMALL),
            Button("save_triage", "Save"),
        )


class StatusForm(IdPrefixMixin, VersionedFormMixin):
    id_prefix = "status"  # shares the feedback page with four other forms

    status = forms.ChoiceField(label="Move to", choices=[],
                               error_messages={"required": "Select the new status"})

    def __init__(self, *args, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, Feedback.Status(s).label) for s in allowed]
        self.helper = gds_helper(Field.select("status"), Button("save_status", "Change status"))


class NoteForm(IdPrefixMixin, forms.Form):
    id_prefix = "note"  # shares the feedback page with four other forms

    text = forms.CharField(label="Add an internal note", widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Only staff see notes. Never shown to the family.",
                           error_messages={"required": "Enter the note"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("text"), Button("save_note", "Add note"))


class ReplyForm(IdPrefixMixin, VersionedFormMixin):
    id_prefix = "reply"  # shares the feedback page with four other forms

    outcome = forms.ChoiceField(label="What is the outcome?", choices=Reply.Outcome.choices,
                                widget=forms.RadioSelect,
                                error_messages={"required": "Select the outcome"})
    text = forms.CharField(label="Reply to the family", widget=forms.Textarea(attrs={"rows": 6}),
                           help_text="They read this on their tracking page and, if they asked, "
                                     "by e-mail. Write plainly; no names of staff or children.",
                           error_messages={"required": "Enter the reply"})
    reason = forms.CharField(label="If it is not possible, why not?", required=False,
                             help_text="Needed when the outcome is “Not possible”. Families "
                                       "are told the reason.",
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Required: the version is what makes a reply posted twice be sent once.
        self.fields["lock_version"].required = True
        self.fields["lock_version"].error_messages["required"] = (
            "This page is out of date. Check the reply below and send it again")
        self.helper = gds_helper(
            Field.radios("outcome", small=True),
            Field.textarea("text"),
            Field.textarea("reason"),
            Button("save_reply", "Send reply"),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == Reply.Outcome.NOT_POSSIBLE and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Explain why it is not possible")
        return cleaned


class QuoteForm(IdPrefixMixin, forms.Form):
    id_prefix = "quote"  # shares the feedback page with four other forms

    redacted_text = forms.CharField(
        label="Quote to propose", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Remove names, schools, dates and anything else that could identify the "
                  "child or family. Someone else must approve it before it can be published.",
        error_messages={"required": "Enter the redacted quote"})
    theme = forms.ModelChoiceField(label="Theme", required=False,
                                   queryset=Theme.objects.filter(is_active=True),
                                   empty_label="No theme")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("redacted_text"), Field.select("theme"),
                                 Button("save_quote", "Propose quote"))


class LocalOfferForm(IdPrefixMixin, forms.Form):
    """Regulation 56's code for a comment on the Local Offer, and whether it
    is left out of the published annual report (and why)."""

    id_prefix = "local_offer"  # shares the feedback page with other forms

    about_local_offer = forms.BooleanField(
        label="This is about the Local Offer", required=False,
        help_text="Tick it for feedback given about another service that comments on the "
                  "Local Offer. Feedback in the Local Offer service area is counted anyway.")
    code = forms.ChoiceField(
        label="What is the comment about?", required=False, widget=forms.RadioSelect,
        choices=[*LocalOfferCoding.Code.choices, ("", "Not coded yet")],
        help_text="The matters regulation 56 of the SEND Regulations 2014 asks about.")
    left_out_reason = forms.ChoiceField(
        label="Can it be published in the annual Local Offer report?", required=False,
        widget=forms.RadioSelect,
        choices=[("", "Yes: count it, and quote it only through an approved, redacted quote"),
                 *[(value, f"No: {label[0].lower()}{label[1:]}")
                   for value, label in LocalOfferCoding.LeftOut.choices]],
        help_text="A comment left out is counted, by reason, but its words never appear.")

    def __init__(self, *args, in_area: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        items = [Field.radios("code", small=True, legend_size=Size.SMALL),
                 Field.radios("left_out_reason", small=True, legend_size=Size.SMALL),
                 Button("save_local_offer", "Save Local Offer coding")]
        if in_area:
            del self.fields["about_local_offer"]
        else:
            items.insert(0, Field.checkbox("about_local_offer", small=True))
        self.helper = gds_helper(*items)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("left_out_reason") and not cleaned.get("code"):
            self.add_error("code", "Choose what the comment is about before leaving it out")
        return cleaned


class SurveyUploadForm(forms.Form):
    title = forms.CharField(label="Name of the survey", max_length=200,
                            help_text="For example, Annual parent carer survey 2026",
                            error_messages={"required": "Enter the name of the survey"})
    organisation = forms.ModelChoiceField(label="Organisation", queryset=Organisation.objects.none(),
                                          error_messages={"required": "Select the organisation"})
    received_on = GdsDateField(label="When did the survey close?",
                               help_text="For example, 31 3 2026",
                               required_message="Enter the date the survey closed",
                               invalid_message="The date the survey closed must be a real date")
    file = forms.FileField(label="CSV or Excel file",
                           help_text="A CSV or Excel (.xlsx) file up to 20 MB, with a header "
                                     "row, as Microsoft Forms, Google Forms or SmartSurvey "
                                     "export it.",
                           error_messages={"required": "Select a CSV or Excel file",
                                           "empty": "The selected file is empty"})

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = "Choose an organisation"
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0]
        self.helper = gds_helper(Field.text("title"), Field.select("organisation"),
                                 Field("received_on"), Field("file"),
                                 Button("upload", "Upload and continue"))

    def clean_file(self):
        return clean_survey_file(self.cleaned_data["file"])


def clean_survey_file(upload):
    if "\x00" in upload.name or not upload.name.lower().endswith((".csv", ".xlsx")):
        raise forms.ValidationError("The selected file must be a CSV or an Excel (.xlsx) file")
    if upload.size > 20 * 1024 * 1024:
        raise forms.ValidationError("The selected file must be smaller than 20 MB")
    return upload


class SurveyReplaceFileForm(forms.Form):
    """A corrected file in place of the one uploaded, before importing."""

    file = forms.FileField(label="Corrected CSV or Excel file",
                           help_text="A CSV or Excel (.xlsx) file up to 20 MB, with a header row. "
                                     "It replaces the file uploaded before; nothing has been "
                                     "imported from that.",
                           error_messages={"required": "Select the corrected file",
                                           "empty": "The selected file is empty"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field("file"), Button("replace", "Upload the corrected file"))

    def clean_file(self):
        return clean_survey_file(self.cleaned_data["file"])


class SurveyRenameForm(forms.Form):
    title = forms.CharField(label="Name of the survey", max_length=200,
                            help_text="Reports and public pages use this name.",
                            error_messages={"required": "Enter the name of the survey",
                                            "max_length": "The name must be 200 characters "
                                                          "or fewer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("title"), Button("rename", "Save the name"))


class SurveyMappingForm(forms.Form):
    statistics = forms.MultipleChoiceField(
        label="Rating questions to turn into statistics", required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Answers from 1 to 5, or words like “good” or “agree”.")
    positive_from = forms.TypedChoiceField(
        label="Which answers count as positive?", coerce=int, initial=4,
        choices=[(4, "4 and 5 (good and very good, agree and strongly agree)"),
                 (5, "Only 5 (very good, strongly agree)")], widget=forms.RadioSelect)

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        column_choices = [("", "Not in this file")] + [(h, h) for h in headers]
        layout = []
        for target, label in TARGETS.items():
            self.fields[f"col_{target}"] = forms.ChoiceField(label=label, choices=column_choices,
                                                             required=False)
            layout.append(Field.select(f"col_{target}"))
        self.fields["statistics"].choices = [(h, h) for h in headers]
        self.helper = gds_helper(
            Fieldset(*layout, legend="Which column holds each answer?", legend_size=Size.MEDIUM),
            Field.checkboxes("statistics", legend_size=Size.MEDIUM, small=True),
            Field.radios("positive_from", legend_size=Size.SMALL, small=True),
            Button("check", "Check the file"),
        )

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(f"col_{t}") for t in ("what_went_well", "even_better_if", "rating")) \
                and not cleaned.get("statistics"):
            self.add_error("col_what_went_well", "Choose at least one column with answers to import")
        return cleaned

    def mapping(self) -> dict:
        data = self.cleaned_data
        return {"columns": {t: data.get(f"col_{t}", "") for t in TARGETS},
                "statistics": data.get("statistics", []),
                "positive_from": data.get("positive_from") or 4}


class SubjectRequestForm(forms.Form):
    """Who a subject access or erasure request is about."""

    identifier = forms.CharField(
        label="The person’s e-mail address or phone number", max_length=254,
        help_text="As they gave it with their feedback. Phone numbers are matched in any "
                  "format, like 07700 900 123 or +44 7700 900123.",
        error_messages={"required": "Enter the person’s e-mail address or phone number"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("identifier", field_width=30),
                                 Button("find", "Find what we hold"))

    def clean_identifier(self):
        from django.core.exceptions import ValidationError

        from .subject import subject_parse

        try:
            return subject_parse(self.cleaned_data["identifier"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages[0]) from None


class ReopenForm(VersionedFormMixin):
    reason = forms.CharField(
        label="Why are you reopening it?", max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown on the feedback's timeline to staff. Not shown to the family.",
        error_messages={"required": "Enter why you are reopening this feedback",
                        "max_length": "The reason must be 2,000 characters or fewer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("reason"), Button("reopen", "Reopen feedback"))


# --- Routing (issue 24) -------------------------------------------------------------------


class _OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_full_name() or obj.email} ({obj.organisation_name})"


class RouteForm(forms.Form):
    """One row of the routing table. Saving an area (and theme) that has a
    route already changes that route."""

    service_area = forms.ModelChoiceField(
        label="Service area", queryset=ServiceArea.objects.filter(is_active=True),
        empty_label="Choose a service area",
        error_messages={"required": "Select the service area"})
    theme = forms.ModelChoiceField(
        label="Theme (optional)", queryset=Theme.objects.filter(is_active=True), required=False,
        empty_label="Any theme",
        help_text="Only for feedback with this theme, when staff or an import give one.")
    organisation = forms.ModelChoiceField(
        label="Organisation that answers", queryset=Organisation.objects.all(),
        empty_label="Choose an organisation",
        error_messages={"required": "Select the organisation that answers"})
    team = forms.CharField(label="Team (optional)", required=False, max_length=200,
                           help_text="For staff only. Families are told the organisation.")
    assignee = _OfficerChoiceField(
        label="Officer (optional)", queryset=User.objects.none(), required=False,
        empty_label="No one: the organisation's inbox",
        help_text="An officer of the organisation that answers. They are e-mailed each new "
                  "piece of feedback.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.db.models import F

        self.fields["assignee"].queryset = (
            User.objects.filter(is_active=True,
                                memberships__role__in=[Role.OFFICER, Role.APPROVER])
            .annotate(organisation_name=F("memberships__organisation__name"))
            .order_by("memberships__organisation__name", "first_name", "last_name", "pk")
            .distinct())
        self.helper = gds_helper(
            Field.select("service_area"), Field.select("theme"), Field.select("organisation"),
            Field.text("team"), Field.select("assignee"), Button("save_route", "Save route"))


class RerouteForm(VersionedFormMixin):
    organisation = forms.ModelChoiceField(
        label="Which organisation should answer it?", queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages={"required": "Select the organisation that should answer it"})
    reason = forms.CharField(
        label="Why should they answer it?", max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For staff only. Not shown to the family.",
        error_messages={"required": "Enter why it should go to another organisation",
                        "max_length": "The reason must be 2,000 characters or fewer"})

    def __init__(self, *args, feedback, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.exclude(
            pk=feedback.organisation_id)
        self.helper = gds_helper(Field.select("organisation"), Field.textarea("reason"),
                                 Button("reroute", "Send it to them"))


# --- Reply templates (issue 24) -----------------------------------------------------------

TEMPLATE_OUTCOMES = [(value, label) for value, label in Reply.Outcome.choices
                     if value != Reply.Outcome.THANK_YOU]


class ReplyTemplateForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages={"required": "Select the organisation whose template it is"})
    outcome = forms.ChoiceField(label="Outcome", choices=TEMPLATE_OUTCOMES,
                                widget=forms.RadioSelect,
                                error_messages={"required": "Select the outcome it answers"})
    title = forms.CharField(label="Name", max_length=120,
                            help_text="For staff, e.g. “Waiting list: in progress”.",
                            error_messages={"required": "Enter a name for the template",
                                            "max_length": "The name must be 120 characters or fewer"})
    text = forms.CharField(
        label="Reply", widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Words to start from. Do not write placeholders for names: nothing of the "
                  "family is filled in, the officer adds what is personal.",
        error_messages={"required": "Enter the reply"})
    reason = forms.CharField(
        label="If it is not possible, the start of the reason", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Families are owed the reason. Prompt the officer for it, "
                  "e.g. “This is not possible because …”.")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0]
        self.helper = gds_helper(
            Field.select("organisation"), Field.radios("outcome", small=True),
            Field.text("title"), Field.textarea("text"), Field.textarea("reason"),
            Button("save_template", "Save template"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == Reply.Outcome.NOT_POSSIBLE \
                and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Enter the start of the reason: families are owed it")
        return cleaned


class TemplatedReplyForm(ReplyForm):
    """The reply form with its organisation's templates: "Use template" puts
    the chosen one in the boxes (on the server, so it works without
    JavaScript), to edit before sending."""

    template = forms.ModelChoiceField(
        label="Start from a template (optional)", required=False,
        queryset=ReplyTemplate.objects.none(), empty_label="Choose a template",
        help_text="It goes into the boxes below for you to edit. Nothing about the family "
                  "is filled in.")

    def __init__(self, *args, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        templates = list(templates or [])
        field = self.fields["template"]
        field.queryset = ReplyTemplate.objects.filter(pk__in=[t.pk for t in templates])
        outcomes = dict(Reply.Outcome.choices)
        field.choices = [("", "Choose a template")] + [
            (outcomes[outcome], [(t.pk, t.title) for t in templates if t.outcome == outcome])
            for outcome in dict.fromkeys(t.outcome for t in templates)]
        if templates:
            self.helper.layout.fields[0:0] = [
                Field.select("template"),
                Button("use_template", "Use template", css_class="govuk-button--secondary")]


# --- Paper feedback cards (issue 24) ------------------------------------------------------


class CardBatchForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Whose cards are they?", queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        help_text="Feedback about an area with no route goes to this organisation.",
        error_messages={"required": "Select the organisation the cards are for"})
    easy_read = forms.TypedChoiceField(
        label="Which card?", widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("no", "The standard card"), ("yes", "The easy-read card")],
        error_messages={"required": "Select which card to print"})
    paper = forms.ChoiceField(label="Paper size", widget=forms.RadioSelect,
                              choices=[("A5", "A5"), ("A4", "A4 (larger print)")],
                              error_messages={"required": "Select the paper size"})
    size = forms.IntegerField(
        label="How many cards?", min_value=1, max_value=MAX_BATCH,
        help_text=f"Up to {MAX_BATCH} at a time. Each card has its own reference.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": "Enter how many cards to print",
                        "invalid": "Enter how many cards as a number, like 30",
                        "min_value": "Print at least 1 card",
                        "max_value": f"Make {MAX_BATCH} cards or fewer at a time"})

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0]
        self.helper = gds_helper(
            Field.select("organisation"), Field.radios("easy_read", small=True, inline=True),
            Field.radios("paper", small=True, inline=True), Field.text("size", field_width=4),
            Button("print", "Make the cards"))


def _card_reference_field():
    return forms.CharField(
        label="Card reference", max_length=30,
        help_text="Printed at the top of the card, like FC-7K3M-9QX4.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter the card’s reference",
                        "max_length": "Enter the reference as printed, like FC-7K3M-9QX4"})


class _CardLogMixin:
    """Logging a paper card: the reference, then the online form's own
    questions (so the page asks what the card asked), none required but
    what the form itself needs to make sense; no honeypot (staff only).
    Each form declares its own `reference` field (Django collects declared
    fields from form classes only)."""

    field_order = ["reference"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "reference":
                field.required = False
        layout = [item for item in self.helper.layout.fields
                  if isinstance(item, Field | Fieldset | ConditionalRadios)]
        self.helper = gds_helper(Field.text("reference", field_width=10), *layout,
                                 Button("log", "Log card"))

    def clean_reference(self):
        from .cards import card_reference_from_typed

        reference = card_reference_from_typed(self.cleaned_data["reference"])
        if reference is None:
            raise forms.ValidationError("Enter the reference as printed, like FC-7K3M-9QX4. "
                                        "Check each character")
        return reference


class CardLogForm(_CardLogMixin, FeedbackForm):
    reference = _card_reference_field()

    def clean(self):
        cleaned = super().clean()
        for name, default in (("consent_to_quote", "no"), ("wants_contact", "no")):
            cleaned[name] = cleaned.get(name) or default
        return cleaned


class EasyReadCardLogForm(_CardLogMixin, EasyReadForm):
    reference = _card_reference_field()

    def clean(self):
        cleaned = super().clean()
        cleaned["wants_contact"] = cleaned.get("wants_contact") or "no"
        if not (cleaned.get("good") or cleaned.get("better")) and not self.errors:
            self.add_error("good", "Enter what was good or what would make it better")
        return cleaned


class BulkThemesForm(IdPrefixMixin, forms.Form):
    """Bulk tagging on a page of feedback: suggested themes ticked row by row
    (`take`, "feedback id:theme id"), and/or one theme added to the selected
    rows. Themes are only added, never taken away."""

    id_prefix = "bulk"  # shares the page with the inbox filters, which have a theme too
    take = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    feedback = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    theme = forms.ModelChoiceField(label="Theme to add to the selected rows", required=False,
                                   queryset=Theme.objects.filter(is_active=True),
                                   empty_label="Choose a theme")

    def __init__(self, *args, rows, suggestions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["feedback"].choices = [(str(r.pk), r.reference) for r in rows]
        self.fields["take"].choices = [(f"{r.pk}:{t.pk}", t.name)
                                       for r, s in zip(rows, suggestions, strict=True)
                                       for t in s.themes]
        self.helper = gds_helper(Field.select("theme"))

    def clean(self):
        cleaned = super().clean()
        take, rows, theme = cleaned.get("take"), cleaned.get("feedback"), cleaned.get("theme")
        if theme and not rows:
            self.add_error("theme", "Select the rows to add the theme to")
        elif rows and not theme and "theme" not in self.errors:
            self.add_error("theme", "Choose the theme to add to the selected rows")
        elif not take and not rows and "theme" not in self.errors:
            self.add_error("theme", "Tick a suggested theme, or select rows and choose a theme "
                                    "to add to them")
        return cleaned

    def additions(self) -> dict[int, set[int]]:
        wanted: dict[int, set[int]] = {}
        for pair in self.cleaned_data.get("take", []):
            feedback_id, theme_id = pair.split(":")
            wanted.setdefault(int(feedback_id), set()).add(int(theme_id))
        theme = self.cleaned_data.get("theme")
        for feedback_id in self.cleaned_data.get("feedback", []):
            if theme:
                wanted.setdefault(int(feedback_id), set()).add(theme.pk)
        return wanted
