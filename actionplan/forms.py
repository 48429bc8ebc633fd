"""Input validation for the action plan's staff pages. Forms never save:
views pass cleaned data to services."""

from crispy_forms_gds.layout import Button, Field, Fieldset, Size
from django import forms
from django.utils import timezone

from core.forms import GdsDateField, VersionedFormMixin, cornerstones_form_field, gds_helper
from core.models import Organisation, Role, Theme, User
from core.roles import has_role
from core.selectors import partnership_organisations

from .models import (
    EVIDENCE_EXTENSIONS,
    EVIDENCE_MAX_BYTES,
    Action,
    Board,
    Measure,
    MeetingDecision,
    Priority,
    Status,
)

FILE_TYPES_IN_WORDS = "PDF, Word document (DOCX), Excel spreadsheet (XLSX), PNG or JPG"


class ProgressUpdateForm(VersionedFormMixin):
    status = forms.ChoiceField(
        label="Where has the action got to?", choices=Status.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select where the action has got to"})
    percent = forms.IntegerField(
        label="Percent complete", min_value=0, max_value=100,
        help_text="A whole number from 0 to 100",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the percent complete",
            "invalid": "Percent complete must be a whole number, like 40",
            "min_value": "Percent complete must be between 0 and 100",
            "max_value": "Percent complete must be between 0 and 100",
        })
    date = GdsDateField(label="Date of the update", help_text="For example, 27 3 2026",
                        required_message="Enter the date of the update",
                        invalid_message="The date of the update must be a real date")
    narrative = forms.CharField(
        label="What has happened since the last update?", required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For staff and the board. Needed when you mark the action complete or "
                  "cancelled. Do not include families’ names or details.")
    public_narrative = forms.CharField(
        label="What the public will read (optional)", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown on the public action plan if the action is public. Plain words, "
                  "no names of staff or families.")
    evidence_title = forms.CharField(label="Name of the evidence (optional)", required=False,
                                     max_length=200,
                                     error_messages={"max_length": "Name of the evidence must "
                                                     "be 200 characters or fewer"})
    # A text input, as core.forms' website: crispy-forms-gds gives a "url"
    # input no GOV.UK class (and no error style).
    evidence_link = forms.URLField(
        label="Link to evidence (optional)", required=False, max_length=500,
        assume_scheme="https",
        widget=forms.TextInput(attrs={"spellcheck": "false", "inputmode": "url"}),
        error_messages={"invalid": "Enter a link in the correct format, like "
                                   "https://www.example.org/report"})
    evidence_file = forms.FileField(
        label="Upload a file (optional)", required=False,
        help_text=f"{FILE_TYPES_IN_WORDS}, smaller than 10MB",
        error_messages={"empty": "The selected file is empty"})

    def __init__(self, *args, action: Action, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("status", action.current_status)
        kwargs["initial"].setdefault("percent", action.current_percent)
        kwargs["initial"].setdefault("date", timezone.localdate())
        kwargs["initial"].setdefault("lock_version", action.lock_version)
        super().__init__(*args, **kwargs)
        self.action = action
        layout = [
            Field.radios("status", legend_size=Size.MEDIUM, small=True),
            Field.text("percent", field_width=3),
            Field("date"),
            Field.textarea("narrative"),
        ]
        if action.is_public:
            layout.append(Field.textarea("public_narrative"))
        else:
            del self.fields["public_narrative"]
        layout += [
            Fieldset(Field.text("evidence_title"), Field.text("evidence_link"),
                     Field("evidence_file"), legend="Evidence", legend_size=Size.MEDIUM),
            Button("save", "Save update"),
        ]
        self.helper = gds_helper(*layout)

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date of the update must be today or in the past")
        return value

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if not upload:
            return upload
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in EVIDENCE_EXTENSIONS:
            raise forms.ValidationError(f"The selected file must be a {FILE_TYPES_IN_WORDS}")
        if upload.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 10MB")
        return upload

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if status in (Status.COMPLETE, Status.CANCELLED) and not cleaned.get("narrative", "").strip():
            verb = "completed" if status == Status.COMPLETE else "cancelled"
            self.add_error("narrative", f"Say how the action was {verb}")
        if status == Status.COMPLETE and cleaned.get("percent") not in (None, 100):
            self.add_error("percent", "An action marked complete must be 100% complete")
        if cleaned.get("evidence_title") and not (cleaned.get("evidence_link")
                                                  or cleaned.get("evidence_file")):
            self.add_error("evidence_link", "Enter a link or upload a file for the evidence")
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        links = [(data["evidence_title"], data["evidence_link"])] if data["evidence_link"] else []
        files = [data["evidence_file"]] if data.get("evidence_file") else []
        return {"status": data["status"], "percent": data["percent"], "date": data["date"],
                "narrative": data["narrative"],
                "public_narrative": data.get("public_narrative", ""),
                "evidence_links": links, "evidence_files": files,
                "lock_version": data.get("lock_version")}


def _max_length(label: str, n: int) -> dict:
    return {"max_length": f"{label} must be {n} characters or fewer"}


class ActionCreateForm(forms.Form):
    priority = forms.ModelChoiceField(label="Priority", queryset=Priority.objects.none(),
                                      error_messages={"required": "Select the priority"})
    title = forms.CharField(label="What will be done?", max_length=300,
                            error_messages={"required": "Enter what will be done",
                                            "max_length": "What will be done must be 300 "
                                                          "characters or fewer"})
    description = forms.CharField(label="More detail (optional)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    lead_organisation = forms.ModelChoiceField(
        label="Lead organisation", queryset=Organisation.objects.none(),
        error_messages={"required": "Select the lead organisation"})
    owner = forms.ModelChoiceField(label="Owner (optional)", required=False,
                                   queryset=User.objects.none(),
                                   help_text="The person who reports progress.")
    partner_organisations = forms.ModelMultipleChoiceField(
        label="Partners who help deliver it (optional)", required=False,
        queryset=Organisation.objects.none(), widget=forms.CheckboxSelectMultiple)
    due_date = GdsDateField(label="Due date", help_text="For example, 31 3 2027",
                            required_message="Enter the due date",
                            invalid_message="The due date must be a real date")
    success_measures = forms.CharField(label="How will we know it has worked? (optional)",
                                       required=False, widget=forms.Textarea(attrs={"rows": 3}))
    inspection_finding = forms.BooleanField(
        label="This action answers a weakness found by the local area SEND inspection",
        required=False)
    is_public = forms.BooleanField(label="Show this action on the public action plan",
                                   required=False)

    submit_label = "Add action"

    def __init__(self, *args, organisations=None, **kwargs):
        """`organisations`: those the lead may be chosen from; by default every
        partner, as the plan is multi-agency (a council officer writes up an
        action the ICB leads)."""
        super().__init__(*args, **kwargs)
        if organisations is None:
            organisations = partnership_organisations()
        self.fields["priority"].queryset = Priority.objects.select_related("plan")
        self.fields["priority"].label_from_instance = (
            lambda p: f"{p.plan.title[:40]}: {p.number}. {p.title}"[:90])
        self.fields["priority"].empty_label = "Choose a priority"
        self.fields["lead_organisation"].queryset = organisations
        self.fields["lead_organisation"].empty_label = "Choose an organisation"
        self.fields["owner"].queryset = User.objects.filter(
            is_active=True, memberships__organisation__in=organisations).distinct()
        self.fields["owner"].empty_label = "No owner yet"
        self.fields["partner_organisations"].queryset = partnership_organisations()
        self.prepare_fields()
        self.helper = gds_helper(*self.layout())

    def prepare_fields(self) -> None:
        pass

    def layout(self) -> list:
        return [
            Field.select("priority"), Field.text("title"), Field.textarea("description"),
            Field.select("lead_organisation"), Field.select("owner"),
            Field.checkboxes("partner_organisations", legend_size=Size.SMALL, small=True),
            Field("due_date"),
            Field.textarea("success_measures"),
            Field.checkbox("inspection_finding", small=True),
            Field.checkbox("is_public", small=True),
            Button("save", self.submit_label),
        ]

    def clean(self):
        cleaned = super().clean()
        owner, organisation = cleaned.get("owner"), cleaned.get("lead_organisation")
        if owner and organisation and not has_role(owner, Role.values, organisation.pk):
            self.add_error("owner", "The owner must work for the lead organisation")
        return cleaned


class ActionEditForm(VersionedFormMixin, ActionCreateForm):
    """Every field of an action. The lead organisation is any partner; the
    owner works for the lead organisation; linked feedback can be unlinked here (it is
    linked from the action's page, where its reference is checked)."""

    reference = forms.CharField(label="Reference", max_length=20,
                                help_text='Its number in the plan, for example "3.2".',
                                error_messages={"required": "Enter the reference",
                                                **_max_length("Reference", 20)})
    start_date = GdsDateField(label="Start date (optional)", required=False,
                              help_text="For example, 1 4 2026",
                              required_message="Enter the start date",
                              invalid_message="The start date must be a real date")
    due_date = GdsDateField(label="Due date (optional)", required=False,
                            help_text="For example, 31 3 2027",
                            required_message="Enter the due date",
                            invalid_message="The due date must be a real date")
    source = forms.CharField(label="Where it came from (optional)", required=False,
                             max_length=300, help_text="For example, a participation audit.",
                             error_messages=_max_length("Where it came from", 300))
    themes = forms.ModelMultipleChoiceField(label="Themes (optional)", required=False,
                                            queryset=Theme.objects.none(),
                                            widget=forms.CheckboxSelectMultiple)
    feedback = forms.ModelMultipleChoiceField(
        label="Feedback that prompted it", required=False, queryset=Action.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Untick feedback to unlink it. Link more from the action's page.")
    cornerstones = cornerstones_form_field("this activity")

    submit_label = "Save changes"

    def __init__(self, *args, action: Action, organisations=None, **kwargs):
        kwargs.setdefault("initial", {
            "priority": action.priority_id, "reference": action.reference,
            "title": action.title, "description": action.description,
            "lead_organisation": action.lead_organisation_id, "owner": action.owner_id,
            "partner_organisations": [o.pk for o in action.partner_organisations.all()],
            "start_date": action.start_date, "due_date": action.due_date,
            "success_measures": action.success_measures,
            "inspection_finding": action.inspection_finding, "is_public": action.is_public,
            "source": action.source, "themes": [t.pk for t in action.themes.all()],
            "feedback": [f.pk for f in action.feedback.all()],
            "cornerstones": action.cornerstones, "lock_version": action.lock_version})
        self.action = action
        super().__init__(*args, organisations=organisations, **kwargs)

    def prepare_fields(self) -> None:
        # Multi-agency actions are often owned by someone at a partner: any
        # member of staff may be chosen; clean() checks where they work.
        self.fields["owner"].queryset = (User.objects.filter(is_active=True, memberships__isnull=False)
                                         .distinct().order_by("first_name", "last_name"))
        self.fields["owner"].help_text = ("The person who reports progress. They work for the "
                                          "lead organisation or one of the partners.")
        self.fields["themes"].queryset = Theme.objects.order_by("name")
        self.fields["feedback"].queryset = self.action.feedback.order_by("reference")
        self.fields["feedback"].label_from_instance = lambda f: f.reference

    def layout(self) -> list:
        layout = [
            Field.select("priority"), Field.text("reference", field_width=5),
            Field.text("title"), Field.textarea("description"),
            Field.select("lead_organisation"), Field.select("owner"),
            Field.checkboxes("partner_organisations", legend_size=Size.SMALL, small=True),
            Field("start_date"), Field("due_date"),
            Field.textarea("success_measures"),
            Field.checkbox("inspection_finding", small=True),
            Field.checkbox("is_public", small=True),
            Field.text("source"),
            Field.checkboxes("themes", legend_size=Size.SMALL, small=True),
            Field.checkboxes("cornerstones", legend_size=Size.SMALL, small=True),
        ]
        if self.fields["feedback"].queryset.exists():
            layout.append(Field.checkboxes("feedback", legend_size=Size.SMALL, small=True))
        else:
            del self.fields["feedback"]
        return [*layout, Button("save", self.submit_label)]

    def clean(self):
        cleaned = forms.Form.clean(self)
        owner, lead = cleaned.get("owner"), cleaned.get("lead_organisation")
        if owner and lead and owner.pk != self.action.owner_id:
            where = {lead.pk} | {o.pk for o in cleaned.get("partner_organisations") or []}
            if not owner.memberships.filter(organisation__in=where).exists():
                self.add_error("owner", "The owner must work for the lead organisation or "
                                        "one of the partners")
        start, due = cleaned.get("start_date"), cleaned.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", "The due date must be the same as or after the start date")
        return cleaned

    def service_kwargs(self) -> dict:
        """For services.action_edit: no feedback field means leave it as it is."""
        return {"feedback": None, **self.cleaned_data}


class PlanForm(VersionedFormMixin):
    title = forms.CharField(label="Title", max_length=250,
                            error_messages={"required": "Enter the title of the plan",
                                            **_max_length("Title", 250)})
    area = forms.CharField(label="Local area", max_length=100, help_text="For example, Testshire",
                           error_messages={"required": "Enter the local area",
                                           **_max_length("Local area", 100)})
    board = forms.ModelChoiceField(label="Board that owns the plan", queryset=Board.objects.none(),
                                   help_text="People from the partners on this board look after "
                                             "the plan.",
                                   error_messages={"required": "Select the board that owns the plan"})
    period_start = GdsDateField(label="Start of the plan", help_text="For example, 1 4 2026",
                                required_message="Enter the start of the plan",
                                invalid_message="The start of the plan must be a real date")
    period_end = GdsDateField(label="End of the plan", help_text="For example, 31 3 2029",
                              required_message="Enter the end of the plan",
                              invalid_message="The end of the plan must be a real date")
    review_date = GdsDateField(label="Review date (optional)", required=False,
                               help_text="For example, 1 10 2026",
                               required_message="Enter the review date",
                               invalid_message="The review date must be a real date")
    summary = forms.CharField(label="Summary (optional)", required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    is_published = forms.BooleanField(
        label="Publish the plan: its public actions appear on the public action plan",
        required=False)
    inspection_report_on = GdsDateField(
        label="Date of the inspection report (optional)", required=False,
        help_text="If the plan answers an area SEND inspection: the day Ofsted and CQC published "
                  "the report. Its areas for improvement are the plan’s priorities. "
                  "For example, 14 3 2026",
        required_message="Enter the date of the inspection report",
        invalid_message="The date of the inspection report must be a real date")
    inspection_outcome = forms.CharField(
        label="Outcome of the inspection (optional)", required=False, max_length=300,
        help_text="In the report’s words, for example “Inconsistent experiences and outcomes”",
        error_messages=_max_length("Outcome of the inspection", 300))
    monitoring_due_on = GdsDateField(
        label="Expected monitoring inspection (optional)", required=False,
        help_text="Leave empty for 18 months after the report. For example, 14 9 2027",
        required_message="Enter the date the monitoring inspection is expected",
        invalid_message="The date of the monitoring inspection must be a real date")

    def __init__(self, *args, boards, board_required: bool, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = boards
        self.fields["board"].required = board_required
        self.fields["board"].empty_label = "Choose a board" if board_required else "No board"
        self.helper = gds_helper(
            Field.text("title"), Field.text("area", field_width=20), Field.select("board"),
            Field("period_start"), Field("period_end"), Field("review_date"),
            Field.textarea("summary"), Field.checkbox("is_published", small=True),
            Fieldset(Field("inspection_report_on"), Field.text("inspection_outcome"),
                     Field("monitoring_due_on"),
                     legend="The inspection it answers", legend_size=Size.MEDIUM),
            Button("save", "Save changes" if editing else "Add plan"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the plan must be after its start")
        report_on, monitoring = cleaned.get("inspection_report_on"), cleaned.get(
            "monitoring_due_on")
        if not report_on and not self.has_error("inspection_report_on") and (
                monitoring or (cleaned.get("inspection_outcome") or "").strip()):
            self.add_error("inspection_report_on", "Enter the date of the inspection report")
        if report_on and monitoring and monitoring < report_on:
            self.add_error("monitoring_due_on", "The monitoring inspection must be after the "
                                                "inspection report")
        return cleaned


class PriorityForm(VersionedFormMixin):
    title = forms.CharField(label="Priority", max_length=300,
                            error_messages={"required": "Enter the priority",
                                            **_max_length("Priority", 300)})
    description = forms.CharField(label="More detail (optional)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("title"), Field.textarea("description"),
                                 Button("save", "Save changes" if editing else "Add priority"))


class BoardForm(VersionedFormMixin):
    name = forms.CharField(label="Name of the board", max_length=200,
                           error_messages={"required": "Enter the name of the board",
                                           **_max_length("Name of the board", 200)})
    area = forms.CharField(label="Local area (optional)", max_length=100, required=False,
                           error_messages=_max_length("Local area", 100))
    description = forms.CharField(label="What the board does (optional)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    organisations = forms.ModelMultipleChoiceField(
        label="Partners on the board", queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Their officers, approvers and administrators look after the board's plans "
                  "and meetings.",
        error_messages={"required": "Select at least one partner on the board"})

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.order_by("name")
        self.helper = gds_helper(
            Field.text("name"), Field.text("area", field_width=20), Field.textarea("description"),
            Field.checkboxes("organisations", legend_size=Size.SMALL, small=True),
            Button("save", "Save changes" if editing else "Add board"))


class MeetingForm(VersionedFormMixin):
    title = forms.CharField(label="Name of the meeting", max_length=200,
                            error_messages={"required": "Enter the name of the meeting"})
    date = GdsDateField(label="Date of the meeting", help_text="For example, 14 5 2026",
                        required_message="Enter the date of the meeting",
                        invalid_message="The date of the meeting must be a real date")
    location = forms.CharField(label="Where (optional)", max_length=200, required=False)
    minutes = forms.CharField(
        label="Minutes or summary (optional)", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What the meeting discussed and agreed, for the board and the next board "
                  "pack. Do not include families’ names or details.",
        error_messages={"max_length": "Minutes must be 5,000 characters or fewer"})

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        layout = [Field.text("title"), Field("date"), Field.text("location")]
        if editing:  # minutes are written after the meeting, never when it is arranged
            layout.append(Field.textarea("minutes"))
        else:
            del self.fields["minutes"]
        self.helper = gds_helper(*layout,
                                 Button("save", "Save changes" if editing else "Add meeting"))


class MeetingDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What did the meeting decide?", choices=MeetingDecision.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the meeting decided"})
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, what was agreed, by when, or who it was escalated to. "
                  "Do not include families’ names or details.",
        error_messages={"max_length": "The note must be 1,000 characters or fewer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].help_text = (
            "Noted: the board heard the update. Agreed: the board agreed the plan or a change "
            "to it. Escalated: the board sent it higher. Closed: the board agreed it is done "
            "with.")
        self.helper = gds_helper(Field.radios("outcome", legend_size=Size.MEDIUM, small=True),
                                 Field.textarea("note"),
                                 Button("save", "Save the decision"))


class MeetingActionsForm(forms.Form):
    actions = forms.ModelMultipleChoiceField(
        label="Which actions will the meeting review?", required=False,
        queryset=Action.objects.none(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actions"].queryset = queryset
        self.fields["actions"].label_from_instance = (
            lambda a: f"{a.reference} {a.title} ({a.get_current_status_display()})")
        self.helper = gds_helper(Field.checkboxes("actions", legend_size=Size.MEDIUM, small=True),
                                 Button("save", "Save the actions to review"))


class LinkFeedbackForm(forms.Form):
    reference = forms.CharField(
        label="Feedback that prompted this action", max_length=20,
        help_text="Its reference, like FB-2026-00123. Its themes are added to the action.",
        error_messages={"required": "Enter the feedback's reference"})

    def __init__(self, *args, visible_feedback=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visible_feedback = visible_feedback
        self.helper = gds_helper(Field.text("reference", field_width=10),
                                 Button.secondary("link", "Link feedback"))

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip().upper()
        feedback = self.visible_feedback.filter(reference=reference).first()
        if feedback is None:
            raise forms.ValidationError(
                "There is no feedback with that reference that you can see. Check the reference")
        self.feedback = feedback
        return reference


# --- Measures ----------------------------------------------------------------------------


def _decimal_field(label: str, *, required: bool, name: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, max_digits=12, decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={"required": f"Enter the {name}",
                        "invalid": f"The {name} must be a number, like 82.5",
                        "max_digits": f"The {name} must be smaller than 10,000,000,000",
                        "max_decimal_places": f"The {name} can have at most 2 decimal places",
                        "max_whole_digits": f"The {name} must be smaller than 10,000,000,000"})


class MeasureForm(VersionedFormMixin):
    name = forms.CharField(label="Name of the measure", max_length=200,
                           help_text="For example, EHC plans issued within 20 weeks",
                           error_messages={"required": "Enter the name of the measure",
                                           **_max_length("The name", 200)})
    code = forms.CharField(label="Short code", max_length=30,
                           help_text="Names the measure in CSV uploads, for example EHCP20",
                           error_messages={"required": "Enter a short code",
                                           **_max_length("The short code", 30)})
    description = forms.CharField(label="What it counts and where the figure comes from",
                                  required=False, widget=forms.Textarea(attrs={"rows": 3}))
    unit = forms.ChoiceField(label="Unit", choices=Measure.Unit.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select the unit"})
    direction = forms.ChoiceField(label="Which way is better?",
                                  choices=Measure.Direction.choices, widget=forms.RadioSelect,
                                  error_messages={"required": "Select which way is better"})
    baseline_value = _decimal_field("Baseline value (optional)", required=False,
                                    name="baseline value")
    baseline_date = GdsDateField(label="Date of the baseline (optional)", required=False,
                                 help_text="For example, 31 3 2025",
                                 required_message="Enter the date of the baseline",
                                 invalid_message="The date of the baseline must be a real date")
    target_value = _decimal_field("Target value (optional)", required=False,
                                  name="target value")
    target_date = GdsDateField(label="Target date (optional)", required=False,
                               help_text="For example, 31 3 2027",
                               required_message="Enter the target date",
                               invalid_message="The target date must be a real date")
    target_2_value = _decimal_field("Second target value (optional)", required=False,
                                    name="second target value")
    target_2_date = GdsDateField(label="Second target date (optional)", required=False,
                                 help_text="For example, 31 3 2028",
                                 required_message="Enter the second target date",
                                 invalid_message="The second target date must be a real date")
    owner = forms.ModelChoiceField(label="Who adds its values (optional)", required=False,
                                   queryset=User.objects.none(),
                                   help_text="They are reminded when a new value is due.")
    frequency = forms.ChoiceField(label="How often is a new value due?",
                                  choices=Measure.Frequency.choices, widget=forms.RadioSelect,
                                  error_messages={"required": "Select how often a value is due"})
    is_public = forms.BooleanField(label="Show it on the public action plan", required=False)
    source = forms.ChoiceField(label="Where do its values come from?",
                               choices=Measure.Source.choices, widget=forms.RadioSelect,
                               initial=Measure.Source.STAFF,
                               error_messages={"required": "Select where its values come from"})
    statement_lineage = forms.ChoiceField(label="Charter statement", required=False,
                                          choices=[])
    survey_question = forms.ChoiceField(label="Survey question", required=False, choices=[])

    PAIRS = (("baseline_value", "baseline_date", "baseline"),
             ("target_value", "target_date", "target"),
             ("target_2_value", "target_2_date", "second target"))

    def __init__(self, *args, editing: bool = False, **kwargs):
        from feedback.models import SurveyStatistic

        from . import family_sources

        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (User.objects.filter(is_active=True,
                                                             memberships__isnull=False)
                                         .distinct().order_by("first_name", "last_name"))
        self.fields["statement_lineage"].choices = [("", "Choose a statement")] + \
            family_sources.statements()
        questions = (SurveyStatistic.objects.order_by("question").values_list("question", flat=True)
                     .distinct())
        self.fields["survey_question"].choices = [("", "Choose a question")] + \
            [(q, q) for q in questions]
        self.helper = gds_helper(
            Field.text("name"), Field.text("code", field_width=10), Field.textarea("description"),
            Field.radios("unit", legend_size=Size.SMALL, small=True, inline=True),
            Field.radios("direction", legend_size=Size.SMALL, small=True),
            Fieldset(Field.text("baseline_value", field_width=10), Field("baseline_date"),
                     legend="Baseline", legend_size=Size.MEDIUM),
            Fieldset(Field.text("target_value", field_width=10), Field("target_date"),
                     Field.text("target_2_value", field_width=10), Field("target_2_date"),
                     legend="Targets", legend_size=Size.MEDIUM),
            Field.select("owner"),
            Field.radios("frequency", legend_size=Size.SMALL, small=True),
            Field.radios("source", legend_size=Size.SMALL, small=True),
            Field.select("statement_lineage"), Field.select("survey_question"),
            Field.checkbox("is_public", small=True),
            Button("save", "Save changes" if editing else "Add measure"))

    def clean_code(self):
        import re

        code = self.cleaned_data["code"].strip().upper()
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9._-]*", code):
            raise forms.ValidationError("The short code can only have letters, numbers, "
                                        "full stops, hyphens and underscores")
        return code

    def clean(self):
        cleaned = super().clean()
        for value_name, date_name, words in self.PAIRS:
            value, day = cleaned.get(value_name), cleaned.get(date_name)
            if value is not None and day is None and date_name not in self.errors:
                self.add_error(date_name, f"Enter the date of the {words}")
            if day is not None and value is None and value_name not in self.errors:
                self.add_error(value_name, f"Enter the {words} value")
        source = cleaned.get("source")
        if source == Measure.Source.CHARTER and not cleaned.get("statement_lineage"):
            self.add_error("statement_lineage", "Select the charter statement the measure follows")
        if source == Measure.Source.SURVEY and not cleaned.get("survey_question"):
            self.add_error("survey_question", "Select the survey question the measure follows")
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        source = data["source"]
        return {
            "code": data["code"], "name": data["name"], "description": data["description"],
            "unit": data["unit"], "direction": data["direction"],
            "baseline_value": data["baseline_value"], "baseline_date": data["baseline_date"],
            "owner": data["owner"], "frequency": data["frequency"],
            "is_public": data["is_public"], "source": source,
            "statement_lineage": (data["statement_lineage"] or None)
            if source == Measure.Source.CHARTER else None,
            "survey_question": data["survey_question"] if source == Measure.Source.SURVEY else "",
            "targets": [(data["target_value"], data["target_date"]),
                        (data["target_2_value"], data["target_2_date"])],
        }

    @staticmethod
    def initial_for(measure: Measure) -> dict:
        targets = list(measure.targets.all())
        initial = {f: getattr(measure, f) for f in (
            "name", "code", "description", "unit", "direction", "baseline_value",
            "baseline_date", "owner", "frequency", "is_public", "source", "survey_question",
            "lock_version")}
        initial["statement_lineage"] = str(measure.statement_lineage or "")
        for i, target in enumerate(targets[:2]):
            prefix = "target" if i == 0 else "target_2"
            initial[f"{prefix}_value"], initial[f"{prefix}_date"] = target.value, target.date
        return initial


class MeasureValueForm(forms.Form):
    date = GdsDateField(label="Date of the value", help_text="For example, 31 3 2026",
                        required_message="Enter the date of the value",
                        invalid_message="The date of the value must be a real date")
    value = _decimal_field("Value", required=True, name="value")
    note = forms.CharField(label="Note (optional)", required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="Where the figure came from, or why it changed. Do not "
                                     "include families’ names or details.",
                           error_messages=_max_length("The note", 500))
    provisional = forms.BooleanField(label="This figure is provisional", required=False)

    def __init__(self, *args, measure: Measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].label = f"Value ({measure.get_unit_display().lower()})"
        self.helper = gds_helper(Field("date"), Field.text("value", field_width=10),
                                 Field.textarea("note"), Field.checkbox("provisional", small=True),
                                 Button("save", "Add value"))

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date of the value must be today or in the past")
        return value


class MeasureUploadForm(forms.Form):
    file = forms.FileField(label="Upload a CSV file",
                           help_text="Columns: measure (its short code), date, value, note",
                           error_messages={"required": "Select a CSV file",
                                           "empty": "The selected file is empty"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field("file"), Button("check", "Check the file"))

    def clean_file(self):
        from .measure_csv import MAX_FILE_BYTES, MeasureFileError, decode

        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The selected file must be a CSV")
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 1MB")
        try:
            return decode(upload.read())
        except MeasureFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
