from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import (
    HTML,
    Button,
    ConditionalQuestion,
    ConditionalRadios,
    Field,
    Layout,
    Size,
)
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from .models import Cornerstone, Organisation, Role, ServiceArea, Theme, User


def gds_helper(*fields) -> FormHelper:
    """A crispy-forms-gds helper for a layout. The template writes the <form>
    tag itself (method, CSRF token, novalidate), so errors always come from
    the server in GOV.UK style, not from the browser's own bubbles."""
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*fields)
    helper.render_hidden_fields = True  # e.g. VersionedFormMixin's lock_version
    return helper


HONEYPOT_FIELD = "website"


class HoneypotMixin(forms.Form):
    """For every public form: a field people never see (hidden from screen
    readers too, see honeypot_html) that spam robots fill in. No CAPTCHA:
    CAPTCHAs shut out many disabled people. The view checks `is_spam()` first
    and, if so, answers as if it had worked and stores nothing."""

    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD))


def honeypot_html() -> HTML:
    """The honeypot's markup for a crispy layout (templates/core/_honeypot.html,
    which a hand-written form can include directly)."""
    return HTML('{% include "core/_honeypot.html" %}')


class VersionedFormMixin(forms.Form):
    """Carries the lock_version the page was rendered with (core.concurrency).
    On a conflict, `show_conflict` keeps everything typed, moves the hidden
    number on to the current one (so saving again, after checking, works)
    and lists the other person's values in `form.conflict` for the page."""

    lock_version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    conflict: list[tuple[str, str]] | None = None

    def show_conflict(self, exc, values: list[tuple[str, str]]) -> None:
        self.add_error(None, exc.messages[0])
        data = self.data.copy()
        data[self.add_prefix("lock_version")] = exc.current.lock_version
        self.data = data
        self.conflict = values


class IdPrefixMixin:
    """For a form that shares its page with others: its ids (inputs, hints,
    errors, the error summary's links) start with `id_prefix` instead of
    "id", so two forms with a `text` field stay apart while the names they
    post stay the same."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        if self.id_prefix:
            kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class SignInForm(AuthenticationForm):
    """Sign-in for staff: e-mail address and password."""

    error_messages = {
        "invalid_login": "Enter a correct e-mail address and password. Both are case sensitive.",
        "inactive": "This account has been switched off. Ask your administrator.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "E-mail address"
        self.fields["username"].widget = forms.EmailInput(attrs={"autocomplete": "email",
                                                                  "spellcheck": "false"})
        self.fields["username"].error_messages["required"] = "Enter your e-mail address"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.helper = gds_helper(
            Field.text("username"), Field.text("password"), Button("send", "Sign in")
        )

    def clean_username(self):
        # Django sets the field's max_length after building its validators,
        # so an over-long name reached authenticate() and django-axes, whose
        # 255-character column refused it: a server error.
        username = self.cleaned_data.get("username") or ""
        if len(username) > 254:
            raise forms.ValidationError("Enter an e-mail address of 254 characters or fewer")
        return username


class StaffPasswordResetForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail address"
        self.fields["email"].error_messages["required"] = "Enter your e-mail address"
        self.fields["email"].error_messages["invalid"] = (
            "Enter an e-mail address in the correct format, like name@example.org"
        )
        self.helper = gds_helper(Field.text("email"), Button("send", "Send reset link"))

    def save(self, **kwargs) -> None:
        """Ask a worker to send the link (a "password_reset_email" job, see
        core.tasks) to each active account with this address; nothing if
        there is none, and the page says the same either way."""
        from django.db import transaction

        from . import jobs

        with transaction.atomic():
            for user in self.get_users(self.cleaned_data["email"]):
                jobs.enqueue("password_reset_email", user.pk)


class GdsSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
        self.helper = gds_helper(
            Field.text("new_password1"), Field.text("new_password2"),
            Button("send", "Change password"),
        )


class ListItemForm(forms.Form):
    """A new theme or service area."""

    kind = forms.ChoiceField(
        label="What are you adding?",
        choices=[("theme", "A theme"), ("service_area", "A service area")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you are adding a theme or a service area"},
    )
    name = forms.CharField(
        label="Name", max_length=120,
        error_messages={"required": "Enter a name",
                        "max_length": "Name must be 120 characters or fewer"},
    )
    description = forms.CharField(
        label="Description (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say what it covers, so officers tag feedback the same way.",
    )
    easy_read_name = forms.CharField(
        label="Name on the easy-read form (optional)", required=False, max_length=200,
        help_text="Plain words, no abbreviations, e.g. “Getting to school, like a bus or taxi”.")
    picture = forms.ChoiceField(label="Picture on the easy-read form",
                                choices=ServiceArea.Picture.choices,
                                initial=ServiceArea.Picture.OTHER, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            ConditionalRadios("kind", "A theme", ConditionalQuestion(
                "A service area", Field.text("easy_read_name"), Field.select("picture"))),
            Field.text("name"),
            Field.textarea("description"),
            Button("send", "Add"),
        )

    def model(self) -> type[Theme] | type[ServiceArea]:
        return Theme if self.cleaned_data["kind"] == "theme" else ServiceArea

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        model = self.model()
        name = cleaned["name"].strip()
        slug = slugify(name)[:120]
        if not slug:
            self.add_error("name", "Enter a name with at least one letter or number")
            return cleaned
        # Names that differ only in punctuation or case share an address
        # (slug): "Waiting times" and "Waiting times!" are the same theme.
        same = model.objects.filter(name__iexact=name).first() or model.objects.filter(
            slug=slug).first()
        if same:
            self.add_error("name", f"There is already a {model._meta.verbose_name} called "
                                   f"{same.name}")
        return cleaned


class GdsDateField(DateInputField):
    """The GOV.UK date input (day, month, year boxes) with messages that
    name the date being asked for, e.g. "Enter the date the survey closed"."""

    def __init__(self, *, required_message: str, invalid_message: str, **kwargs):
        kwargs.setdefault("require_all_fields", False)
        super().__init__(**kwargs)
        self.error_messages.update({"required": required_message,
                                    "incomplete": required_message,
                                    "invalid": invalid_message})

    def compress(self, data_list):
        # An impossible date (31 2 2026) gets our message, not Python's
        # "day is out of range for month"; so does a year too long for a C
        # int (date() raises OverflowError, which the library lets escape).
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            return date(int(year), int(month), int(day))
        except (ValueError, OverflowError) as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


class PersonForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address", help_text="Their work address. They sign in with it.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter their e-mail address",
                        "invalid": "Enter an e-mail address in the correct format, like "
                                   "name@council.gov.uk"})
    first_name = forms.CharField(label="First name", max_length=150,
                                 error_messages={"required": "Enter their first name"})
    last_name = forms.CharField(label="Last name", max_length=150,
                                error_messages={"required": "Enter their last name"})
    job_title = forms.CharField(label="Job title (optional)", max_length=200, required=False)
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.none(),
        error_messages={"required": "Select the organisation"})
    role = forms.ChoiceField(label="Role", choices=Role.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Select their role"})

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0]
        self.fields["role"].choices = [
            (Role.OFFICER, "Officer: answers feedback, updates actions, drafts reports"),
            (Role.APPROVER, "Manager / approver: also approves replies, quotes and reports"),
            (Role.BOARD_MEMBER, "Board member: dashboards and published material, no personal data"),
            (Role.ADMINISTRATOR, "Administrator: people, roles, themes and settings"),
        ]
        self.helper = gds_helper(
            Field.text("email"), Field.text("first_name", field_width=20),
            Field.text("last_name", field_width=20), Field.text("job_title"),
            Field.select("organisation"), Field.radios("role", small=True),
            Button("add_person", "Add person"),
        )


DAYS_ERRORS = {"invalid": "Enter a whole number of days, like 20",
               "min_value": "Enter at least 1 day", "max_value": "Enter no more than 3650 days"}


class DaysField(forms.IntegerField):
    """Whole days in ASCII digits only: Python would read "٣" as 3, which
    nobody typing into this box means. A text input with a numeric keyboard,
    as GOV.UK advises for numbers (and crispy-forms-gds styles no number input)."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not value.strip().isascii():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class OrganisationForm(VersionedFormMixin):
    """A partner organisation's details, as a partnership administrator
    adds or edits them."""

    name = forms.CharField(label="Name", max_length=200,
                           error_messages={"required": "Enter the organisation’s name"})
    kind = forms.ChoiceField(label="What kind of organisation is it?",
                             choices=Organisation.Kind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Select what kind of organisation it is"})
    area = forms.CharField(label="Local area", max_length=100,
                           help_text="For example, Gloucestershire",
                           error_messages={"required": "Enter the local area"})
    public_name = forms.CharField(
        label="Name families see (optional)", max_length=200, required=False,
        help_text="For example, on a report it publishes. Leave empty to use the name.")
    # A text input: crispy-forms-gds styles no "url" input as a GOV.UK one.
    website = forms.URLField(label="Website (optional)", required=False, max_length=200,
                             assume_scheme="https",
                             widget=forms.TextInput(attrs={"spellcheck": "false",
                                                           "inputmode": "url"}),
                             error_messages={"invalid": "Enter a web address, like "
                                                        "https://www.example.org"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("name"), Field.radios("kind", small=True), Field.text("area", field_width=20),
            Field.text("public_name"), Field.text("website"),
            Button("save", "Save organisation"),
        )


class AdministratorForm(forms.Form):
    """The person who will run an organisation's people and settings."""

    email = PersonForm.base_fields["email"]
    first_name = PersonForm.base_fields["first_name"]
    last_name = PersonForm.base_fields["last_name"]
    job_title = PersonForm.base_fields["job_title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("email"), Field.text("first_name", field_width=20),
            Field.text("last_name", field_width=20), Field.text("job_title"),
            Button("add_administrator", "Add administrator"),
        )


class OrganisationSettingsForm(VersionedFormMixin):
    """What an organisation's administrator decides for it. Empty day
    fields mean the portal's default (shown in the hint)."""

    public_name = OrganisationForm.base_fields["public_name"]
    website = OrganisationForm.base_fields["website"]
    replies_need_approval = forms.BooleanField(
        label="Replies to families need an approver's approval before they are sent",
        required=False)
    # Asked with a question and two answers (a GOV.UK radios pattern) so the
    # hint sits under its question; not answered counts as no.
    lead_acts_for_partners = forms.TypedChoiceField(
        label="May your administrators act for every partner organisation?",
        help_text="As each partner’s own administrator: change its charter, sign the charter "
                  "for it, see and reopen its participation audits.",
        choices=[(False, "No, each partner acts only for itself"),
                 (True, "Yes, our administrators may act for every partner")],
        coerce=lambda value: value in (True, "True"), empty_value=False, required=False,
        widget=forms.RadioSelect)
    response_working_days = DaysField(
        label="Response target, in working days (optional)", required=False, min_value=1,
        max_value=3650, error_messages=DAYS_ERRORS)
    contact_retention_days = DaysField(
        label="Keep families’ contact details for this many days after closing (optional)",
        required=False, min_value=1, max_value=3650, error_messages=DAYS_ERRORS)

    def __init__(self, *args, is_partnership_lead: bool = False, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        # The partnership's decision: only its lead organisation's page asks it.
        if not is_partnership_lead:
            del self.fields["lead_acts_for_partners"]
        self.fields["response_working_days"].help_text = (
            "How long your organisation aims to take to answer feedback. Leave empty for "
            f"the portal’s default, {settings.FEEDBACK_RESPONSE_WORKING_DAYS} working days.")
        self.fields["contact_retention_days"].help_text = (
            "Then they are deleted. Leave empty for the portal’s default, "
            f"{settings.FEEDBACK_CONTACT_RETENTION_DAYS} days.")
        self.helper = gds_helper(
            Field.text("public_name"), Field.text("website"),
            Field.checkbox("replies_need_approval", small=True),
            *([Field.radios("lead_acts_for_partners", legend_size=Size.SMALL, small=True)]
              if is_partnership_lead else []),
            Field.text("response_working_days", field_width=4),
            Field.text("contact_retention_days", field_width=4),
            Button("save_settings", "Save settings"),
        )


class AccountForm(forms.Form):
    """A person's own name and how they hear about work waiting for them."""

    first_name = forms.CharField(label="First name", max_length=150,
                                 error_messages={"required": "Enter your first name"})
    last_name = forms.CharField(label="Last name", max_length=150,
                                error_messages={"required": "Enter your last name"})
    approval_email = forms.ChoiceField(
        label="When a reply, quote or report is waiting for your approval",
        choices=User.ApprovalEmail.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select how you want to hear about approvals"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("first_name", field_width=20), Field.text("last_name", field_width=20),
            Field.radios("approval_email", small=True), Button("save_account", "Save"),
        )


def cached_form_html(form) -> str | None:
    """The crispy-forms HTML of a form, rendered once and then read from the
    cache: rendering the GOV.UK field templates is most of the cost of a form
    page, and a blank form (or a filter form with the same filters chosen)
    renders the same every time. The key holds the form's class, the values
    it was given and every choice it offers (read from the database each
    time, cheaply), so a new service area or organisation shows at once.
    Rendered without a CSRF token: a POST page's own template adds the
    visitor's token, and GET filter forms need none. None for a form with
    errors, which is rendered as usual."""
    import hashlib

    from crispy_forms.utils import render_crispy_form

    from core.cache import derived as cache

    if form.is_bound and form.errors:
        return None
    data = sorted((k, form.data.getlist(k)) if hasattr(form.data, "getlist") else (k, v)
                  for k, v in form.data.items()) if form.is_bound else None
    # One plain query per list (iterating field.choices would open a server-side
    # cursor), and the same lists are given to the widgets, so rendering on a
    # miss reads nothing again.
    choices = []
    for name, field in form.fields.items():
        if hasattr(field, "queryset"):
            options = [(o.pk, field.label_from_instance(o)) for o in field.queryset]
            if getattr(field, "empty_label", None) is not None:
                options.insert(0, ("", field.empty_label))
            field.widget.choices = options
            choices.append((name, options))
    digest = hashlib.sha256(repr((type(form).__module__, type(form).__qualname__,
                                  form.prefix, data, choices)).encode()).hexdigest()[:32]
    key = f"form-html:{digest}"
    html = cache.get(key)
    if html is None:
        form.helper.disable_csrf = True
        html = render_crispy_form(form, helper=form.helper)
        cache.set(key, html, settings.FORM_HTML_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 # our own rendered (escaped) template output


def blank_form_html(form) -> str | None:
    """cached_form_html of an unbound form (see there)."""
    return cached_form_html(form)


def cornerstones_form_field(what: str) -> forms.MultipleChoiceField:
    """Tick the cornerstones of co-production `what` ("this section") covers,
    for the evidence pack. Shown with `Field.checkboxes(name, legend_size=
    Size.SMALL, small=True)`."""
    return forms.MultipleChoiceField(
        label=f"Which cornerstones of co-production does {what} cover? (optional)",
        choices=Cornerstone.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="The evidence pack shows how each cornerstone is covered.")
