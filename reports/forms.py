from crispy_forms_gds.layout import Button, Field, Fieldset, Size
from django import forms

from actionplan.models import Action
from charter import selectors as charter_selectors
from charter.models import Commitment
from core.forms import GdsDateField, VersionedFormMixin, gds_helper
from core.models import ServiceArea, Theme
from feedback.forms import HoneypotMixin, honeypot_html
from feedback.models import Quote, SurveyStatistic

from .models import Report, ReportItem


class ReportForm(VersionedFormMixin):
    title = forms.CharField(label="Title", max_length=200,
                            help_text="For example, EHCP quality assurance, April to September 2026",
                            error_messages={"required": "Enter a title"})
    kind = forms.ChoiceField(label="Kind of report", choices=Report.Kind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select the kind of report"})
    period_start = GdsDateField(label="Period from", help_text="For example, 1 4 2026",
                                required_message="Enter the date the period starts",
                                invalid_message="The start of the period must be a real date")
    period_end = GdsDateField(label="Period to", help_text="For example, 30 9 2026",
                              required_message="Enter the date the period ends",
                              invalid_message="The end of the period must be a real date")
    audience = forms.CharField(label="Who is it for? (optional)", required=False, max_length=200)
    service_area = forms.ModelChoiceField(label="Service area (optional)", required=False,
                                          queryset=ServiceArea.objects.all(),
                                          empty_label="All services")
    summary = forms.CharField(label="Summary", widget=forms.Textarea(attrs={"rows": 5}),
                              help_text="Two or three sentences: what you asked, who answered, "
                                        "what changed.",
                              error_messages={"required": "Enter a summary"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("title"), Field.radios("kind", small=True), Field("period_start"),
            Field("period_end"), Field.text("audience"), Field.select("service_area"),
            Field.textarea("summary"), Button("save_report", "Save"),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must be after its start")
        return cleaned


class ItemForm(VersionedFormMixin):
    heading = forms.CharField(label="Heading", max_length=200,
                              help_text="What it is about, in plain words: “Communication”",
                              error_messages={"required": "Enter a heading"})
    theme = forms.ModelChoiceField(
        label="Theme", required=False, queryset=Theme.objects.filter(is_active=True),
        empty_label="None: this came from outside the portal",
        help_text="How many people raised the theme in the report's period is counted from "
                  "the feedback.")
    you_said = forms.CharField(label="You said", widget=forms.Textarea(attrs={"rows": 4}),
                               help_text="A summary of what families told us. No names.",
                               error_messages={"required": "Enter what families said"})
    quotes = forms.ModelMultipleChoiceField(
        label="Approved quotes (optional)", required=False, queryset=Quote.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Only quotes that a second person approved can be chosen.")
    statistics = forms.ModelMultipleChoiceField(
        label="Survey statistics (optional)", required=False,
        queryset=SurveyStatistic.objects.none(), widget=forms.CheckboxSelectMultiple)
    we_did = forms.CharField(label="We did", widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": "Enter what we did"})
    actions = forms.ModelMultipleChoiceField(
        label="Actions in the action plan (optional)", required=False,
        queryset=Action.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text="Their live status and progress show in the report.")
    commitments = forms.ModelMultipleChoiceField(
        label="Charter commitments this keeps (optional)", required=False,
        queryset=Commitment.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text="When the report is published, the charter page shows this item as evidence.")
    outcome = forms.ChoiceField(label="Status", choices=ReportItem.Outcome.choices,
                                widget=forms.RadioSelect,
                                error_messages={"required": "Select the status"})
    rationale = forms.CharField(label="If it was not possible, why not?", required=False,
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text="Needed when the status is “Not possible”.")
    what_next = forms.CharField(label="What next (optional)", required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quotes"].queryset = (Quote.objects.filter(status=Quote.Status.APPROVED)
                                          .select_related("theme").order_by("theme__name", "-id"))
        self.fields["quotes"].label_from_instance = (
            lambda q: f"“{q.redacted_text}”" + (f" ({q.theme.name})" if q.theme else ""))
        self.fields["statistics"].queryset = SurveyStatistic.objects.select_related(
            "survey_import").order_by("-survey_import__received_on", "question")
        self.fields["statistics"].label_from_instance = (
            lambda s: f"{s.survey_import.title}: {s.question} — {s.positive_percent}% "
                      f"positive (n = {s.responses})")
        self.fields["actions"].queryset = Action.objects.filter(is_public=True).order_by(
            "priority__plan", "priority__number", "reference")
        self.fields["actions"].label_from_instance = lambda a: f"{a.reference} {a.title}".strip()
        self.fields["commitments"].queryset = charter_selectors.commitments_current()
        self.fields["commitments"].label_from_instance = (
            lambda c: f"{c.section.charter.title}: {c.text}")
        self.helper = gds_helper(
            Fieldset(Field.text("heading"), Field.select("theme"), Field.textarea("you_said"),
                     Field.checkboxes("quotes", small=True), Field.checkboxes("statistics",
                                                                             small=True),
                     legend="You said", legend_size=Size.MEDIUM),
            Fieldset(Field.textarea("we_did"), Field.checkboxes("actions", small=True),
                     Field.checkboxes("commitments", small=True),
                     Field.radios("outcome", small=True, inline=True), Field.textarea("rationale"),
                     Field.textarea("what_next"),
                     legend="We did", legend_size=Size.MEDIUM),
            Button("save_item", "Save item"),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == ReportItem.Outcome.NOT_POSSIBLE and not cleaned.get(
                "rationale", "").strip():
            self.add_error("rationale", "Explain why it was not possible")
        return cleaned


class WithdrawForm(forms.Form):
    withdrawn_reason = forms.CharField(
        label="Why is it being withdrawn?", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Readers see this on the report's page.",
        error_messages={"required": "Say why the report is withdrawn"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("withdrawn_reason"),
                                 Button.warning("withdraw", "Withdraw the report"))


class UsefulForm(HoneypotMixin):
    useful = forms.ChoiceField(label="Was this page useful?", choices=[("yes", "Yes"),
                                                                        ("no", "No")],
                               widget=forms.RadioSelect,
                               error_messages={"required": "Select yes or no"})
    comment = forms.CharField(
        label="How could we make it more useful? (optional)", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Do not include personal details. We cannot reply to this: to get an answer, "
                  "give feedback instead.",
        error_messages={"max_length": "Your comment must be 2,000 characters or fewer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.radios("useful", inline=True, legend_size=Size.MEDIUM),
                                 Field.textarea("comment"), honeypot_html(),
                                 Button.secondary("send_useful", "Send"))
        self.helper.form_show_errors = True


