from crispy_forms_gds.layout import HTML, Button, Field, Fieldset, Size
from django import forms
from django.core.validators import validate_email

from core.forms import GdsDateField, HoneypotMixin, gds_helper, honeypot_html

from .models import (
    Channel,
    ChildAge,
    Dimension,
    Invitation,
    Kind,
    Level,
    Need,
    Opportunity,
    Relationship,
    Topic,
    area_choices,
)


def _blank(choices, label="Prefer not to say"):
    return [("", label), *choices]


class AboutYouMixin(forms.Form):
    """The optional, anonymous questions about who takes part."""

    relationship = forms.ChoiceField(
        label="Who are you?", required=False, widget=forms.RadioSelect,
        choices=_blank(Relationship.choices))
    child_age = forms.ChoiceField(
        label="How old is the child or young person?", required=False, widget=forms.RadioSelect,
        choices=_blank(ChildAge.choices))
    need = forms.ChoiceField(
        label="What is their main area of need?", required=False, widget=forms.RadioSelect,
        choices=_blank(Need.choices))
    area = forms.ChoiceField(label="Which part of the county do you live in?", required=False,
                             widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = _blank(area_choices())

    def about_layout(self):
        return Fieldset(
            HTML('<p class="govuk-body">These questions are optional. Your answers are kept '
                 'apart from your name and contact details, so nobody can tell they are yours. '
                 'They help us see whether the families we hear from are like all the families '
                 'we serve.</p>'),
            *[Field.radios(name, legend_size=Size.SMALL, small=True)
              for name in ("relationship", "child_age", "need", "area")],
            legend="About you (optional)", legend_size=Size.MEDIUM)

    def about(self) -> dict:
        return {name: self.cleaned_data.get(name, "")
                for name in ("relationship", "child_age", "need", "area")}


def _check_email(form, name="email"):
    value = form.cleaned_data.get(name, "").strip()
    if value:
        try:
            validate_email(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                "Enter an e-mail address in the correct format, like name@example.com") from None
    return value


class InterestForm(HoneypotMixin, AboutYouMixin):
    name = forms.CharField(label="Your name", max_length=200,
                           error_messages={"required": "Enter your name",
                                           "max_length": "Your name must be 200 characters or fewer"})
    email = forms.CharField(label="E-mail address", required=False, max_length=254,
                            help_text="We use it only to reply to you about this")
    phone = forms.CharField(label="Phone number", required=False, max_length=40)
    needs = forms.CharField(label="Anything that would help you take part (optional)",
                            required=False, max_length=2000, widget=forms.Textarea,
                            help_text="For example a British Sign Language interpreter, a quiet "
                                      "room or help with travel")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("name"), Field.text("email", field_width=20),
            Field.text("phone", field_width=20), Field.textarea("needs", rows=3),
            self.about_layout(), honeypot_html(), Button("send", "Send"))

    def clean_email(self):
        return _check_email(self)

    def clean(self):
        data = super().clean()
        if not data.get("email") and not (data.get("phone") or "").strip() \
                and "email" not in self.errors:
            self.add_error("email", "Enter an e-mail address or a phone number so we can reply")
        return data


class RegisterForm(HoneypotMixin, AboutYouMixin):
    """Join the register (with consent) or, without the consent and the
    anonymous questions, change one's choices."""

    name = forms.CharField(label="Your name", max_length=200,
                           error_messages={"required": "Enter your name",
                                           "max_length": "Your name must be 200 characters or fewer"})
    topics = forms.MultipleChoiceField(
        label="What would you like to be asked about?", choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple, help_text="Select all that apply",
        error_messages={"required": "Select at least one topic"})
    kinds = forms.MultipleChoiceField(
        label="What kind of activity would suit you?", choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple, help_text="Select all that apply",
        error_messages={"required": "Select at least one kind of activity"})
    channels = forms.MultipleChoiceField(
        label="How should we ask you?", choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple, help_text="Select all that apply",
        error_messages={"required": "Select how we should ask you"})
    email = forms.CharField(label="E-mail address", required=False, max_length=254)
    phone = forms.CharField(label="Mobile phone number", required=False, max_length=40)
    postal_address = forms.CharField(label="Postal address", required=False, max_length=500,
                                     widget=forms.Textarea)
    consent = forms.BooleanField(
        required=True, error_messages={"required": "Select the box to say you agree"})

    def __init__(self, *args, joining=True, consent_wording="", **kwargs):
        super().__init__(*args, **kwargs)
        self.joining = joining
        layout = [Field.text("name"),
                  Field.checkboxes("topics", legend_size=Size.SMALL, small=True),
                  Field.checkboxes("kinds", legend_size=Size.SMALL, small=True),
                  Field.checkboxes("channels", legend_size=Size.SMALL, small=True),
                  Field.text("email", field_width=20), Field.text("phone", field_width=20),
                  Field.textarea("postal_address", rows=3)]
        if joining:
            self.fields["consent"].label = consent_wording
            layout += [Fieldset(Field.checkbox("consent", small=True),
                                legend="Your agreement", legend_size=Size.MEDIUM),
                       self.about_layout(), honeypot_html(), Button("join", "Join the register")]
        else:
            for name in ("consent", "relationship", "child_age", "need", "area"):
                del self.fields[name]
            layout.append(Button("save", "Save my choices"))
        self.helper = gds_helper(*layout)

    def clean_email(self):
        return _check_email(self)

    def clean(self):
        data = super().clean()
        channels = data.get("channels") or []
        needed = {Channel.EMAIL: ("email", "Enter your e-mail address, as you chose e-mail"),
                  Channel.TEXT: ("phone", "Enter your mobile phone number, as you chose text "
                                          "messages"),
                  Channel.POST: ("postal_address", "Enter your postal address, as you chose post")}
        for channel in channels:
            name, message = needed[channel]
            if not (data.get(name) or "").strip() and name not in self.errors:
                self.add_error(name, message)
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {"name": d["name"].strip(), "email": d["email"], "phone": d["phone"].strip(),
                "postal_address": d["postal_address"].strip(), "channels": list(d["channels"]),
                "topics": list(d["topics"]), "kinds": list(d["kinds"])}


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="Would you like to take part?", widget=forms.RadioSelect,
        choices=[(Invitation.Answer.YES, "Yes, I would like to take part"),
                 (Invitation.Answer.NO, "No, not this time")],
        error_messages={"required": "Select yes or no"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.radios("answer", legend_size=Size.MEDIUM),
                                 Button("send", "Send my answer"))


# --- Staff ---------------------------------------------------------------------------------


ACCESS_FIELDS = ("bsl", "quiet_room", "childcare", "travel_costs", "payment")


class OpportunityForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200,
                            error_messages={"required": "Enter the title"})
    kind = forms.ChoiceField(label="Kind of activity", choices=Kind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select the kind of activity"})
    level = forms.ChoiceField(label="Level", choices=Level.choices, widget=forms.RadioSelect,
                              error_messages={"required": "Select the level"})
    topic = forms.ChoiceField(label="Topic", choices=_blank(Topic.choices, "Choose a topic"),
                              error_messages={"required": "Select the topic"})
    about = forms.CharField(label="What it is about", widget=forms.Textarea, max_length=5000,
                            error_messages={"required": "Enter what it is about"})
    who_for = forms.CharField(label="Who it is for", widget=forms.Textarea, max_length=2000,
                              error_messages={"required": "Enter who it is for"})
    when = forms.CharField(label="When", max_length=200,
                           help_text="For example “Tuesday 9 February 2027, 10am to 12 noon”",
                           error_messages={"required": "Enter when it happens"})
    where = forms.CharField(label="Where (optional)", max_length=300, required=False,
                            help_text="The address. Leave empty if it is online only")
    online = forms.BooleanField(label="It can be joined online", required=False)
    access = forms.MultipleChoiceField(
        label="Access arrangements", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(f, Opportunity._meta.get_field(f).verbose_name) for f in ACCESS_FIELDS])
    access_other = forms.CharField(label="Other access arrangements (optional)", max_length=300,
                                   required=False)
    how_to_take_part = forms.CharField(label="How to take part", widget=forms.Textarea,
                                       max_length=3000,
                                       error_messages={"required": "Enter how to take part"})
    closes_on = GdsDateField(label="Closing date", help_text="For example, 27 3 2027",
                             required_message="Enter the closing date",
                             invalid_message="The closing date must be a real date")
    easy_read = forms.CharField(label="Easy-read summary", widget=forms.Textarea, max_length=3000,
                                help_text="Short sentences, one idea each, one to a line",
                                error_messages={"required": "Enter the easy-read summary"})
    outcome = forms.CharField(label="What came of it (optional)", widget=forms.Textarea,
                              required=False, max_length=3000,
                              help_text="Once it has closed: what was decided or changed")
    outcome_url = forms.CharField(label="Link to the report or action (optional)",
                                  max_length=300, required=False,
                                  help_text="For example /reports/… or /action-plan/…")
    published = forms.BooleanField(label="Show it on the Get involved page", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("title"), Field.radios("kind", legend_size=Size.SMALL, small=True),
            Field.radios("level", legend_size=Size.SMALL, small=True), Field.select("topic"),
            Field.textarea("about", rows=4), Field.textarea("who_for", rows=2),
            Field.text("when"), Field.text("where"), Field.checkbox("online", small=True),
            Field.checkboxes("access", legend_size=Size.SMALL, small=True),
            Field.text("access_other"), Field.textarea("how_to_take_part", rows=3),
            Field("closes_on"), Field.textarea("easy_read", rows=5),
            Field.textarea("outcome", rows=3), Field.text("outcome_url"),
            Field.checkbox("published", small=True), Button("save", "Save"))

    def clean_outcome_url(self):
        value = self.cleaned_data["outcome_url"].strip()
        if value and not (value.startswith("/") or value.startswith("https://")):
            raise forms.ValidationError("Enter a link that starts with / or https://")
        return value

    @classmethod
    def initial_for(cls, opportunity: Opportunity) -> dict:
        initial = {name: getattr(opportunity, name) for name in cls.base_fields
                   if name != "access" and hasattr(opportunity, name)}
        initial["access"] = [f for f in ACCESS_FIELDS if getattr(opportunity, f)]
        return initial

    def fill(self, opportunity: Opportunity) -> Opportunity:
        for name, value in self.cleaned_data.items():
            if name == "access":
                for f in ACCESS_FIELDS:
                    setattr(opportunity, f, f in value)
            else:
                setattr(opportunity, name, value.strip() if isinstance(value, str) else value)
        return opportunity


class InviteForm(forms.Form):
    entries = forms.MultipleChoiceField(
        label="Who to invite", widget=forms.CheckboxSelectMultiple,
        help_text="Register members who asked about this topic or this kind of activity, "
                  "and are not yet invited",
        error_messages={"required": "Select at least one person to invite"})

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = {str(e.pk): e for e in entries}
        self.fields["entries"].choices = [
            (str(e.pk), f"{e.name} ({e.get_channels_display()})") for e in entries]
        self.helper = gds_helper(Field.checkboxes("entries", legend_size=Size.MEDIUM, small=True),
                                 Button("invite", "Send invitations"))

    def chosen(self):
        return [self.entries[pk] for pk in self.cleaned_data["entries"]]


def dimension_values(dimension: str) -> list[tuple[str, str]]:
    return {Dimension.CHILD_AGE: ChildAge.choices, Dimension.NEED: Need.choices,
            Dimension.AREA: area_choices()}[dimension]


class AreaFiguresForm(forms.Form):
    source = forms.CharField(label="Where the figures come from", max_length=300,
                             help_text="For example “School census, January 2026, pupils with "
                                       "an EHC plan or SEN support”",
                             error_messages={"required": "Enter where the figures come from"})

    def __init__(self, *args, dimension, **kwargs):
        super().__init__(*args, **kwargs)
        self.dimension = dimension
        layout = [Field.text("source")]
        for value, label in dimension_values(dimension):
            name = f"count_{value}"
            self.fields[name] = forms.IntegerField(
                label=label, required=False, min_value=0, max_value=10_000_000,
                error_messages={"invalid": f"{label}: enter a whole number, like 1200",
                                "min_value": f"{label}: enter 0 or more",
                                "max_value": f"{label}: enter a smaller number"})
            layout.append(Field.text(name, field_width=5))
        layout.append(Button("save", "Save figures"))
        self.helper = gds_helper(*layout)

    def counts(self) -> dict:
        return {value: self.cleaned_data.get(f"count_{value}")
                for value, _ in dimension_values(self.dimension)}
