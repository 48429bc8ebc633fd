"""Input validation for the charter's pages. Forms never save: views pass
cleaned data to services. Every message says what to do, GOV.UK style."""

from crispy_forms_gds.layout import HTML, Button, Field, Fieldset, Size
from django import forms
from django.utils import timezone
from django.utils.html import format_html

from actionplan.models import Action, Priority
from core.forms import (
    GdsDateField,
    HoneypotMixin,
    VersionedFormMixin,
    cornerstones_form_field,
    gds_helper,
    honeypot_html,
)
from core.models import Organisation

from .models import (
    Agreement,
    AuditScore,
    Commitment,
    EvidenceLink,
    ParticipationAudit,
    PulseRound,
)


def _required(label: str) -> dict:
    return {"required": label}


def _max_length(name: str, limit: int) -> dict:
    return {"max_length": f"{name} must be {limit:,} characters or fewer"}


def _offer_organisations(field, organisations) -> None:
    """Offer only the organisations the person may act for, with a prompt
    (not Django's "---------") as the empty choice, and the only one chosen
    already when there is one (as feedback's organisation choices do)."""
    field.queryset = organisations.order_by("name")
    field.empty_label = "Choose an organisation"
    only = list(field.queryset[:2])
    if len(only) == 1:
        field.initial = only[0].pk


# --- Charter details and items --------------------------------------------------------------


class CharterForm(VersionedFormMixin):
    title = forms.CharField(label="Title", max_length=250,
                            error_messages={**_required("Enter the title of the charter"),
                                            **_max_length("Title", 250)})
    area = forms.CharField(label="Local area or partnership", max_length=100,
                           help_text="For example, Gloucestershire",
                           error_messages={**_required("Enter the local area or partnership"),
                                           **_max_length("Local area", 100)})
    organisation = forms.ModelChoiceField(
        label="Organisation that looks after the charter", queryset=Organisation.objects.none(),
        help_text="Its officers draft changes and its approvers adopt new versions.",
        error_messages={"required": "Select the organisation that looks after the charter"})
    introduction = forms.CharField(label="Introduction (optional)", required=False,
                                   widget=forms.Textarea(attrs={"rows": 6}))
    review_date = GdsDateField(label="Review date (optional)", required=False,
                               help_text="For example, 1 7 2027",
                               required_message="Enter the review date",
                               invalid_message="The review date must be a real date")
    position = forms.IntegerField(
        label="Position on the public charter page", min_value=1, max_value=999, initial=100,
        help_text="The charter with the lowest number is shown in full at /charter/.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": "Enter the position on the public charter page",
                        "invalid": "Position must be a whole number, like 1",
                        "min_value": "Position must be between 1 and 999",
                        "max_value": "Position must be between 1 and 999"})

    def __init__(self, *args, organisations=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        layout = [Field.text("title"), Field.text("area", field_width=20)]
        if editing:
            del self.fields["organisation"]
        else:
            _offer_organisations(self.fields["organisation"], organisations)
            layout.append(Field.select("organisation"))
        layout += [Field.textarea("introduction", rows=6), Field("review_date"),
                   Field.text("position", field_width=3),
                   Button("save", "Save changes" if editing else "Create draft")]
        self.helper = gds_helper(*layout)


class SectionForm(VersionedFormMixin):
    title = forms.CharField(label="Section heading", max_length=200,
                            help_text="For example, Welcome and Care",
                            error_messages={**_required("Enter the section heading"),
                                            **_max_length("Section heading", 200)})
    introduction = forms.CharField(label="Introduction (optional)", required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    cornerstones = cornerstones_form_field("this section")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("title"), Field.textarea("introduction", rows=3),
                                 Field.checkboxes("cornerstones", legend_size=Size.SMALL,
                                                  small=True),
                                 Button("save", "Save section"))


class CommitmentForm(VersionedFormMixin):
    text = forms.CharField(label="Our commitment", max_length=400,
                           help_text="For example, All voices are heard and valued",
                           widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={**_required("Enter the commitment"),
                                           **_max_length("The commitment", 400)})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("text", rows=2), Button("save", "Save commitment"))


class PracticeForm(VersionedFormMixin):
    text = forms.CharField(label="What this means for us", max_length=400,
                           help_text="One thing people will see us do, for example "
                                     "“we introduce each other”",
                           widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={**_required("Enter what this means for us"),
                                           **_max_length("What this means", 400)})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("text", rows=2), Button("save", "Save"))


class StatementForm(VersionedFormMixin):
    text = forms.CharField(label="Statement", max_length=300,
                           help_text="Written as participants would say it, for example "
                                     "“I am an equal partner and am listened to and valued”",
                           error_messages={**_required("Enter the statement"),
                                           **_max_length("The statement", 300)})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("text"), Button("save", "Save statement"))


class ResponsibilityForm(VersionedFormMixin):
    party = forms.CharField(label="Who is this about?", max_length=120,
                            help_text="Completes “As … we need to”, for example “settings” or "
                                      "“parent carers”",
                            error_messages={**_required("Enter who this is about"),
                                            **_max_length("Who this is about", 120)})
    we_need_to = forms.CharField(label="We need to", widget=forms.Textarea(attrs={"rows": 6}),
                                 help_text="One point on each line.",
                                 error_messages=_required("Enter what they need to do"))
    others_can_help = forms.CharField(label="What others can do to help us (optional)",
                                      required=False, help_text="One point on each line.",
                                      widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("party", field_width=20),
                                 Field.textarea("we_need_to", rows=6),
                                 Field.textarea("others_can_help", rows=4),
                                 Button("save", "Save"))


ITEM_FORMS = {"section": SectionForm, "commitment": CommitmentForm, "practice": PracticeForm,
              "statement": StatementForm, "responsibility": ResponsibilityForm}


class AdoptForm(forms.Form):
    adopted_on = GdsDateField(label="Date it was adopted", help_text="For example, 1 4 2026",
                              required_message="Enter the date it was adopted",
                              invalid_message="The date it was adopted must be a real date")
    review_date = GdsDateField(label="Review date", help_text="For example, 1 4 2027",
                               required_message="Enter the review date",
                               invalid_message="The review date must be a real date")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"adopted_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field("adopted_on"), Field("review_date"),
                                 Button("adopt", "Adopt this version"))

    def clean(self):
        cleaned = super().clean()
        adopted, review = cleaned.get("adopted_on"), cleaned.get("review_date")
        if adopted and adopted > timezone.localdate():
            self.add_error("adopted_on", "The date it was adopted must be today or in the past")
        if adopted and review and review <= adopted:
            self.add_error("review_date", "The review date must be after the date it was adopted")
        return cleaned


class SignatoryForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation signing", queryset=Organisation.objects.none(),
        error_messages={"required": "Select the organisation signing the charter"})
    role_title = forms.CharField(label="Role of the person signing", max_length=200,
                                 help_text="For example, Director of Children and Families",
                                 error_messages={**_required("Enter the role of the person signing"),
                                                 **_max_length("Role", 200)})
    person_name = forms.CharField(label="Their name (optional)", required=False, max_length=200,
                                  help_text="Shown on the public charter page.",
                                  error_messages=_max_length("Name", 200))
    signed_on = GdsDateField(label="Date signed", help_text="For example, 14 3 2026",
                             required_message="Enter the date it was signed",
                             invalid_message="The date it was signed must be a real date")

    def __init__(self, *args, organisations, **kwargs):
        kwargs.setdefault("initial", {"signed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        _offer_organisations(self.fields["organisation"], organisations)
        self.helper = gds_helper(Field.select("organisation"), Field.text("role_title"),
                                 Field.text("person_name"), Field("signed_on"),
                                 Button("sign", "Add signatory"))

    def clean_signed_on(self):
        value = self.cleaned_data["signed_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date it was signed must be today or in the past")
        return value


# --- Pulse ----------------------------------------------------------------------------------


class PulseRoundForm(forms.Form):
    title = forms.CharField(label="Name of the round", max_length=200,
                            help_text="Usually the event, for example “Parent Carer Forum "
                                      "conference, March 2026”",
                            error_messages={**_required("Enter the name of the round"),
                                            **_max_length("Name of the round", 200)})
    held_on = GdsDateField(label="Date of the event", help_text="For example, 14 3 2026",
                           required_message="Enter the date of the event",
                           invalid_message="The date of the event must be a real date")
    access = forms.ChoiceField(label="Who can answer?", choices=PulseRound.Access.choices,
                               widget=forms.RadioSelect,
                               error_messages=_required("Select who can answer"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("title"), Field("held_on"),
                                 Field.radios("access", legend_size=Size.SMALL, small=True),
                                 Button("create", "Open the round"))


class PulseForm(HoneypotMixin):
    """The public "how we will know it is working" questions: one set of
    radios per statement. Nothing about the person is asked."""

    def __init__(self, *args, statements, **kwargs):
        super().__init__(*args, **kwargs)
        self.statements = list(statements)
        layout = []
        for number, statement in enumerate(self.statements, 1):
            name = f"statement_{statement.pk}"
            self.fields[name] = forms.TypedChoiceField(
                label=f"{number}. {statement.text}", choices=Agreement.choices, coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": f"Select how much you agree that "
                                            f"“{statement.text.rstrip('.')}”"})
            layout.append(Field.radios(name, legend_size=Size.SMALL, small=True))
        layout += [honeypot_html(), Button("send", "Send answers")]
        self.helper = gds_helper(*layout)

    def ratings(self) -> dict[int, int]:
        return {s.pk: self.cleaned_data[f"statement_{s.pk}"] for s in self.statements}


# --- Participation audit -------------------------------------------------------------------


class AuditStartForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.none(),
        error_messages={"required": "Select the organisation the team belongs to"})
    team = forms.CharField(label="Team or service", max_length=200,
                           help_text="For example, SEND casework team",
                           error_messages={**_required("Enter the name of the team or service"),
                                           **_max_length("Team or service", 200)})
    year = forms.IntegerField(
        label="Year the audit covers", min_value=2000, max_value=2100,
        help_text="For example, 2026",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": "Enter the year the audit covers",
                        "invalid": "The year must be a number, like 2026",
                        "min_value": "The year must be between 2000 and 2100",
                        "max_value": "The year must be between 2000 and 2100"})

    def __init__(self, *args, organisations, **kwargs):
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        _offer_organisations(self.fields["organisation"], organisations)
        self.helper = gds_helper(Field.select("organisation"), Field.text("team"),
                                 Field.text("year", field_width=4),
                                 Button("start", "Start the audit"))


class AuditForm(forms.Form):
    """Every question of one audit: a score from 0 to 3 and the evidence.
    "Save and come back later" keeps gaps; "Complete the audit" needs a score
    for every question and evidence for every score of 2 or 3."""

    def __init__(self, *args, audit: ParticipationAudit, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.audit = audit
        self.answers = list(answers)
        self.completing = "complete" in self.data
        layout = []
        section_id, section_number, number = None, 0, 0
        for answer in self.answers:
            question = answer.question
            if question.section_id != section_id:
                if section_id is not None:
                    layout.append(HTML("</div>"))
                section_id, section_number, number = question.section_id, section_number + 1, 0
                layout.append(HTML(format_html(
                    '<div class="govuk-!-margin-bottom-6"><h2 class="govuk-heading-m">{}. {}</h2>'
                    '<p class="govuk-body">{}</p>', section_number, question.section.title,
                    question.section.description)))
            number += 1
            answer.label = f"{section_number}.{number}"
            score, evidence = f"score_{answer.pk}", f"evidence_{answer.pk}"
            self.fields[score] = forms.TypedChoiceField(
                label=f"{answer.label} {question.text}", choices=AuditScore.choices,
                coerce=int, empty_value=None, required=False, widget=forms.RadioSelect,
                initial=answer.score, help_text=f"Evidence might be: {question.guidance}"
                if question.guidance else "")
            self.fields[evidence] = forms.CharField(
                label=f"Evidence for {answer.label}", required=False, max_length=5000,
                initial=answer.evidence, widget=forms.Textarea(attrs={"rows": 3}),
                help_text="What you did, with links to documents. No names of families or "
                          "children.",
                error_messages=_max_length(f"Evidence for {answer.label}", 5000))
            layout += [Field.radios(score, legend_size=Size.SMALL, small=True),
                       Field.textarea(evidence, rows=3)]
        if section_id is not None:
            layout.append(HTML("</div>"))
        self.fields["cornerstones"] = cornerstones_form_field("this team’s work")
        self.fields["cornerstones"].initial = audit.cornerstones
        layout += [Field.checkboxes("cornerstones", legend_size=Size.SMALL, small=True),
                   HTML('<div class="govuk-button-group">'),
                   Button("complete", "Complete the audit"),
                   Button.secondary("save", "Save and come back later"),
                   HTML("</div>")]
        self.helper = gds_helper(*layout)

    def clean(self):
        cleaned = super().clean()
        if not self.completing:
            return cleaned
        for answer in self.answers:
            score = cleaned.get(f"score_{answer.pk}")
            if score is None and f"score_{answer.pk}" not in self.errors:
                self.add_error(f"score_{answer.pk}", f"Select a score for {answer.label}")
            elif score is not None and score >= 2 and not cleaned.get(f"evidence_{answer.pk}",
                                                                      "").strip():
                self.add_error(f"evidence_{answer.pk}",
                               f"Describe the evidence for {answer.label}, as you scored it "
                               f"{score}")
        return cleaned

    def answer_values(self) -> dict[int, tuple[int | None, str]]:
        return {a.pk: (self.cleaned_data.get(f"score_{a.pk}"),
                       self.cleaned_data.get(f"evidence_{a.pk}", "")) for a in self.answers}


class ImprovementActionForm(forms.Form):
    priority = forms.ModelChoiceField(
        label="Which action-plan priority does it serve?", queryset=Priority.objects.none(),
        error_messages={"required": "Select the action-plan priority"})
    title = forms.CharField(label="What will the team do?", max_length=300,
                            error_messages={**_required("Enter what the team will do"),
                                            **_max_length("What the team will do", 300)})
    description = forms.CharField(label="More detail (optional)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    due_date = GdsDateField(label="Due date", help_text="For example, 31 3 2027",
                            required_message="Enter the due date",
                            invalid_message="The due date must be a real date")
    is_public = forms.BooleanField(label="Show this action on the public action plan",
                                   required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = Priority.objects.select_related("plan").order_by(
            "plan__title", "number")
        self.fields["priority"].label_from_instance = (
            lambda p: f"{p.plan.title[:50]}: {p.number}. {p.title[:60]}")
        self.helper = gds_helper(Field.select("priority"), Field.text("title"),
                                 Field.textarea("description", rows=4), Field("due_date"),
                                 Field.checkbox("is_public", small=True),
                                 Button("add", "Add to the action plan"))

    def clean_due_date(self):
        value = self.cleaned_data["due_date"]
        if value and value < timezone.localdate():
            raise forms.ValidationError("The due date must be today or in the future")
        return value


# --- Evidence -------------------------------------------------------------------------------


class EvidenceForm(forms.Form):
    KINDS = [("action", "An action in the action plan"),
             ("feedback", "A piece of feedback that has been answered"),
             ("report", "An item in a published report")]

    commitment = forms.ModelChoiceField(
        label="Which commitment?", queryset=Commitment.objects.none(),
        error_messages={"required": "Select the commitment"})
    effect = forms.ChoiceField(label="Does it keep or break the commitment?",
                               choices=EvidenceLink.Effect.choices, widget=forms.RadioSelect,
                               error_messages=_required("Select whether it keeps or breaks "
                                                        "the commitment"))
    kind = forms.ChoiceField(label="What is the evidence?", choices=KINDS,
                             widget=forms.RadioSelect,
                             error_messages=_required("Select what the evidence is"))
    action = forms.ModelChoiceField(label="Action (if it is an action)", required=False,
                                    queryset=Action.objects.none())
    feedback_reference = forms.CharField(
        label="Feedback reference (if it is feedback)", required=False, max_length=20,
        help_text="For example, FB-2026-00012")
    title = forms.CharField(label="Title of the report item (if it is a report item)",
                            required=False, max_length=300,
                            error_messages=_max_length("Title", 300))
    url = forms.CharField(label="Address of the report item", required=False, max_length=500,
                          help_text="For example, https://www.example.org/reports/local-offer-2026/",
                          error_messages=_max_length("Address", 500))
    summary = forms.CharField(
        label="What happened, for the public", max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown on the public charter page. Plain words, no names of families, "
                  "children or staff. Never copy what a family wrote.",
        error_messages={**_required("Enter what happened, for the public"),
                        **_max_length("What happened", 500)})

    def __init__(self, *args, commitments, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = commitments
        self.fields["commitment"].label_from_instance = (
            lambda c: f"{c.section.charter.area}: {c.text[:90]}")
        self.fields["action"].queryset = actions
        self.fields["action"].label_from_instance = lambda a: f"{a.reference} {a.title[:90]}"
        self.helper = gds_helper(
            Field.select("commitment"),
            Field.radios("effect", legend_size=Size.SMALL, small=True, inline=True),
            Field.radios("kind", legend_size=Size.SMALL, small=True),
            Fieldset(Field.select("action"), Field.text("feedback_reference", field_width=10),
                     Field.text("title"), Field.text("url"),
                     legend="The evidence", legend_size=Size.SMALL),
            Field.textarea("summary", rows=3),
            Button("add", "Link the evidence"))

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == "action" and not cleaned.get("action"):
            self.add_error("action", "Select the action")
        elif kind == "feedback" and not cleaned.get("feedback_reference", "").strip():
            self.add_error("feedback_reference", "Enter the feedback reference")
        elif kind == "report":
            if not cleaned.get("title", "").strip():
                self.add_error("title", "Enter the title of the report item")
            url = cleaned.get("url", "").strip()
            if not url:
                self.add_error("url", "Enter the address of the report item")
            elif not (url.startswith("/") or url.startswith("https://")):
                self.add_error("url", "Enter an address starting with https:// or /")
        return cleaned


class ReasonForm(forms.Form):
    """Why a signature is removed or an audit reopened: kept in the audit log."""

    reason = forms.CharField(
        label="Why?", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the audit log. Do not include families’ names or details.",
        error_messages={"required": "Enter the reason",
                        "max_length": "The reason must be 300 characters or fewer"})

    def __init__(self, *args, label: str, required_message: str, button: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].error_messages["required"] = required_message
        self.helper = gds_helper(Field.textarea("reason"), Button.warning("confirm", button))
