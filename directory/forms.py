from crispy_forms_gds.layout import HTML, Button, Field, Fieldset, Size
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from core.forms import GdsDateField, gds_helper

from .models import CONSENT_WORDING, GlossaryTerm, Profile

MAX_PHOTO_BYTES = 5 * 1024 * 1024


class ProfileForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=None, empty_label=None,
        error_messages={"required": "Select the organisation they work for",
                        "invalid_choice": "Select the organisation they work for"})
    name = forms.CharField(label="Name", max_length=120,
                           error_messages={"required": "Enter their name",
                                           "max_length": "Name must be 120 characters or fewer"})
    role = forms.CharField(label="Role", max_length=150,
                           help_text="Their job title, e.g. “SEND Participation Officer”.",
                           error_messages={"required": "Enter their role",
                                           "max_length": "Role must be 150 characters or fewer"})
    part = forms.ChoiceField(label="Part of the system they work in", choices=Profile.Part.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select the part of the system they work in"})
    about = forms.CharField(label="What they do", widget=forms.Textarea(attrs={"rows": 4}),
                            help_text="In plain words: when families would meet them and how "
                                      "they can help.",
                            error_messages={"required": "Enter what they do"})
    work_email = forms.EmailField(
        label="Work e-mail address (optional)", required=False,
        error_messages={"invalid": "Enter a work e-mail address in the correct format, like "
                                   "name@example.org"})
    work_phone = forms.CharField(label="Work phone number (optional)", required=False, max_length=40,
                                 error_messages={"max_length": "Phone number must be 40 characters "
                                                               "or fewer"})
    photo = forms.FileField(label="Photo (optional)", required=False,
                            help_text="A JPEG or PNG file, up to 5 MB.")
    photo_alt = forms.CharField(
        label="Describe the photo (optional)", required=False, max_length=250,
        help_text="For people who cannot see it, e.g. “Priya smiling, in front of a bookcase”.",
        error_messages={"max_length": "The description must be 250 characters or fewer"})
    remove_photo = forms.BooleanField(label="Remove the photo", required=False)
    consent_given_on = GdsDateField(
        label="Date they agreed to be published",
        help_text="For example, 27 3 2026",
        required_message="Enter the date they agreed to be published",
        invalid_message="The date they agreed must be a real date")
    consent_how = forms.CharField(
        label="How they agreed", max_length=200,
        help_text="For example, “Signed consent form, kept by the participation team”.",
        error_messages={"required": "Enter how they agreed",
                        "max_length": "How they agreed must be 200 characters or fewer"})
    consent = forms.BooleanField(
        label="They have agreed to this wording", required=True,
        error_messages={"required": "Confirm they have agreed to their profile being published"})

    def __init__(self, *args, organisations, profile: Profile | None = None, **kwargs):
        self.profile = profile
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        fields = [Field.select("organisation"), Field.text("name"), Field.text("role"),
                  Field.radios("part", legend_size=Size.SMALL), Field.textarea("about"),
                  Field.text("work_email"), Field.text("work_phone", field_width=20),
                  Field("photo"), Field.text("photo_alt")]
        if profile and profile.photo:
            fields.append(Field.checkbox("remove_photo"))
        else:
            del self.fields["remove_photo"]
        self.helper = gds_helper(
            *fields,
            Fieldset(
                HTML('<div class="govuk-inset-text">' + CONSENT_WORDING + "</div>"),
                Field("consent_given_on"), Field.text("consent_how"), Field.checkbox("consent"),
                legend="Their consent", legend_size=Size.MEDIUM),
            Button("save", "Save and publish"),
        )

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo:
            return None
        if photo.size > MAX_PHOTO_BYTES:
            raise ValidationError("The photo must be smaller than 5 MB")
        try:
            with Image.open(photo) as image:
                image.verify()
                kind = image.format
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise ValidationError("The photo must be a JPEG or PNG file") from exc
        if kind not in {"JPEG", "PNG"}:
            raise ValidationError("The photo must be a JPEG or PNG file")
        photo.seek(0)
        return photo

    def clean_consent_given_on(self):
        day = self.cleaned_data.get("consent_given_on")
        if day and day > timezone.localdate():
            raise ValidationError("The date they agreed must be today or in the past")
        return day

    def clean(self):
        cleaned = super().clean()
        keeps_photo = (self.profile and self.profile.photo
                       and not cleaned.get("remove_photo"))
        if (cleaned.get("photo") or keeps_photo) and not (cleaned.get("photo_alt") or "").strip():
            if "photo" not in self.errors:
                self.add_error("photo_alt", "Describe the photo, for people who cannot see it")
        return cleaned


class GlossaryTermForm(forms.ModelForm):
    class Meta:
        model = GlossaryTerm
        fields = ["abbreviation", "term", "meaning", "easy_read_meaning"]
        labels = {"abbreviation": "Abbreviation (optional)",
                  "term": "Words in full",
                  "meaning": "What it means, in plain words",
                  "easy_read_meaning": "What it means, in easy read (optional)"}
        help_texts = {"abbreviation": "As it is written, e.g. “EHCP”. Pages write it out in "
                                      "full the first time they use it.",
                      "term": "As it is written out, e.g. “education, health and care plan”."}
        error_messages = {
            "term": {"required": "Enter the words in full",
                     "unique": "There is already an entry with these words",
                     "max_length": "The words must be 200 characters or fewer"},
            "abbreviation": {"max_length": "The abbreviation must be 20 characters or fewer"},
            "meaning": {"required": "Enter what it means, in plain words"},
        }
        widgets = {"meaning": forms.Textarea(attrs={"rows": 3}),
                   "easy_read_meaning": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("abbreviation", field_width=10), Field.text("term"),
                                 Field.textarea("meaning"), Field.textarea("easy_read_meaning"),
                                 Button("save", "Save"))

    def clean_abbreviation(self):
        abbreviation = self.cleaned_data["abbreviation"].strip()
        if abbreviation and not abbreviation.replace("&", "").replace("-", "").isalnum():
            raise ValidationError("The abbreviation must be letters and numbers only")
        clash = GlossaryTerm.objects.filter(abbreviation=abbreviation).exclude(pk=self.instance.pk)
        if abbreviation and clash.exists():
            raise ValidationError("There is already an entry for this abbreviation")
        return abbreviation

    def clean_term(self):
        return " ".join(self.cleaned_data["term"].split())
