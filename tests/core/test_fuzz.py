"""Generated input never gives a 500 (issue 9), on every public form and the
survey import: text with NUL bytes, control characters and any unicode
(surrogates aside), over-long fields, odd encodings, CR-only and UTF-16
files.

The test client re-raises any exception a view lets escape, so a server
error fails the example loudly, besides the `status < 500` check. Examples
are bounded (max_examples, deadline=None) so the file runs in well under a
minute. The cache is cleared in each example, so rate limits never hide a
path."""

from datetime import date
from urllib.parse import quote, quote_from_bytes

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from charter.models import Charter, PulseRound
from core.models import Role
from feedback.imports import ImportFileError, check_file, read_csv
from tests.charter.factories import CharterFactory, PulseRoundFactory, StatementFactory
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, staff_user
from tests.core.test_odd_input import DATE_FORMS, TOO_BIG, _date_form_url
from tests.core.test_permission_matrix import MATRIX, no_args
from tests.feedback.factories import FeedbackFactory
from tests.reports.factories import make_people, published_report

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=50, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

# Any character but lone surrogates (they cannot be encoded to send).
ANY_CHAR = st.characters(blacklist_categories=("Cs",))
ODD = st.sampled_from(["\x00", "\r", "\n", "\r\n", "\t", "\x0b", "\x1b", "\u202e", "\ufeff",
                       "\u0000\u0001", "é", "’", "😀", "'; DROP TABLE x; --", "%00", "../"])
SHORT_TEXT = st.text(ANY_CHAR, max_size=40)
LONG_TEXT = st.builds(lambda s, n: (s or "x") * n, st.text(ANY_CHAR, max_size=4),
                      st.integers(1000, 7000))
TEXT = st.one_of(SHORT_TEXT, LONG_TEXT, ODD,
                 st.builds(lambda a, b, c: a + b + c, SHORT_TEXT, ODD, SHORT_TEXT))


def value(*valid: str):
    """A valid choice, an empty one, or anything at all."""
    return st.one_of(st.sampled_from([*valid, ""]), TEXT)


def _check(response) -> None:
    assert response.status_code < 500, response.status_code


def _post(client: Client, url: str, data: dict, encoding: str):
    """POST as the browser would (urlencoded in UTF-8), or urlencoded bytes
    in another encoding, or multipart."""
    cache.clear()
    if encoding == "multipart":
        return client.post(url, data)
    parts = []
    for key, values in data.items():
        for item in values if isinstance(values, list) else [values]:
            raw = str(item).encode(encoding, errors="replace")
            parts.append(f"{quote(key)}={quote_from_bytes(raw)}")
    return client.post(url, "&".join(parts), content_type="application/x-www-form-urlencoded")


ENCODINGS = st.sampled_from(["utf-8", "utf-8", "multipart", "cp1252", "utf-16", "latin-1"])


@pytest.fixture
def world():
    """What the public forms need: service areas, an organisation, a
    published report, a charter with an open public pulse round."""
    areas = [ServiceAreaFactory(name="Local Offer"), ServiceAreaFactory(name="EHCP")]
    org, officer, approver = make_people()
    report = published_report(org=org, author=officer, approver=approver)
    charter = CharterFactory(organisation=org, status=Charter.Status.ADOPTED,
                             adopted_on=date(2026, 1, 1))
    statements = [StatementFactory(charter=charter) for _ in range(2)]
    pulse_round = PulseRoundFactory(charter=charter, access=PulseRound.Access.PUBLIC)
    feedback = FeedbackFactory(organisation=org)
    return {"areas": [str(a.pk) for a in areas], "org": str(org.pk), "report": report,
            "charter": charter, "statements": statements, "round": pulse_round,
            "feedback": feedback}


# --- Feedback ------------------------------------------------------------------------------


@FUZZ
@given(data=st.data(), encoding=ENCODINGS)
def test_give_feedback_form(world, data, encoding):
    form = {
        "service_areas": data.draw(st.lists(value(*world["areas"]), max_size=3)),
        "what_went_well": data.draw(TEXT), "even_better_if": data.draw(TEXT),
        "rating": data.draw(value("1", "3", "5")),
        "respondent": data.draw(value("parent_carer", "young_person")),
        "age_group": data.draw(value("0-3", "18-25")),
        "about_organisation": data.draw(value(world["org"])),
        "consent_to_quote": data.draw(value("yes", "no")),
        "wants_contact": data.draw(value("yes", "no")),
        "contact_name": data.draw(TEXT), "contact_email": data.draw(value("a@example.com")),
        "contact_phone": data.draw(TEXT),
    }
    _check(_post(Client(), reverse("feedback:give"), form, encoding))


@FUZZ
@given(data=st.data(), encoding=ENCODINGS)
def test_easy_read_form(world, data, encoding):
    form = {
        "feeling": data.draw(value("1", "3", "5")), "good": data.draw(TEXT),
        "better": data.draw(TEXT), "service_area": data.draw(value(*world["areas"])),
        "who": data.draw(value("young_person", "parent_carer", "other")),
        "wants_contact": data.draw(value("yes", "no")), "contact_name": data.draw(TEXT),
        "contact_email": data.draw(value("a@example.com")),
    }
    _check(_post(Client(), reverse("feedback:give-easy-read"), form, encoding))


@FUZZ
@given(reference=st.one_of(TEXT, st.sampled_from(["FB-2026-90000", "fb-2026-00001 "])),
       encoding=ENCODINGS)
def test_reference_lookup(world, reference, encoding):
    _check(_post(Client(), reverse("feedback:track"), {"reference": reference}, encoding))


@FUZZ
@given(token=st.one_of(TEXT, st.just("token-0000-" + "x" * 30)), sent=SHORT_TEXT)
def test_tracking_link(world, token, sent):
    cache.clear()
    response = Client().get(f"/feedback/track/{quote(token, safe='')}/",
                            {"sent": sent})
    _check(response)


# --- Reports: "Was this page useful?" -------------------------------------------------------


@FUZZ
@given(useful=value("yes", "no"), comment=TEXT, website=st.sampled_from(["", "", "spam"]),
       encoding=ENCODINGS)
def test_was_this_page_useful(world, useful, comment, website, encoding):
    report = world["report"]
    url = reverse("reports:useful", args=[report.slug, report.version])
    _check(_post(Client(), url, {"useful": useful, "comment": comment, "website": website},
                 encoding))


# --- Charter pulse -----------------------------------------------------------------------------


@FUZZ
@given(data=st.data(), encoding=ENCODINGS, by_token=st.booleans())
def test_charter_pulse(world, data, encoding, by_token):
    form = {f"statement_{s.pk}": data.draw(value("1", "3", "5")) for s in world["statements"]}
    form[data.draw(st.sampled_from(["statement_x", "statement_999999", "extra"]))] = \
        data.draw(TEXT)
    if by_token:
        token = data.draw(st.one_of(TEXT, st.just(world["round"].token)))
        url = f"/charter/pulse/{quote(token, safe='')}/"
    else:
        url = reverse("charter:pulse", args=[world["charter"].slug])
    _check(_post(Client(), url, form, encoding))


# --- Staff sign-in and password reset ----------------------------------------------------------


@FUZZ
@given(username=st.one_of(TEXT, st.just("officer@council.example")), password=TEXT,
       encoding=ENCODINGS)
def test_sign_in(world, username, password, encoding):
    _check(_post(Client(), reverse("login"), {"username": username, "password": password},
                 encoding))


@FUZZ
@given(email=st.one_of(TEXT, st.just("officer@council.example")), encoding=ENCODINGS)
def test_password_reset(world, email, encoding):
    _check(_post(Client(), reverse("password_reset"), {"email": email}, encoding))


# --- Survey import -------------------------------------------------------------------------------

CELL = st.one_of(st.text(ANY_CHAR, max_size=30), ODD, st.sampled_from(["5", "good", "4-7"]),
                 st.builds(lambda n: "z" * n, st.integers(100_000, 160_000)))
ROW = st.lists(CELL, min_size=0, max_size=5)


def _csv_text(header, rows, newline) -> str:
    def cell(c: str) -> str:
        return '"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\r\n') else c
    return newline.join(",".join(cell(c) for c in row) for row in [header, *rows]) + newline


SURVEY_FILE = st.one_of(
    st.builds(
        lambda header, rows, newline, encoding: _csv_text(header, rows, newline).encode(
            encoding, errors="replace"),
        st.lists(st.text(ANY_CHAR, min_size=1, max_size=12), min_size=1, max_size=4), st.lists(ROW, max_size=6),
        st.sampled_from(["\n", "\r\n", "\r"]),
        st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"])),
    st.binary(max_size=300),
)


@FUZZ
@given(raw=SURVEY_FILE, pick=st.integers(0, 3))
def test_survey_file_is_read_or_refused_with_a_message(world, raw, pick):
    try:
        headers, _ = read_csv(raw)
    except ImportFileError as exc:
        assert str(exc)  # a message for the person
        return
    column = headers[pick % len(headers)]
    mapping = {"columns": {"what_went_well": column, "rating": headers[0],
                           "respondent": headers[-1]}, "statistics": [column],
               "positive_from": 4}
    checked = check_file(raw, mapping, organisation_id=int(world["org"]))
    assert checked.total >= len(checked.rows)


@settings(FUZZ, max_examples=20)
@given(raw=SURVEY_FILE, name=st.sampled_from(["survey.csv", "SURVEY.CSV", "survey.txt",
                                               "a\x00.csv", "é.csv"]))
def test_survey_upload_and_mapping_pages(world, raw, name):
    org = world["charter"].organisation
    client = Client()
    client.force_login(staff_user(Role.OFFICER, org))
    cache.clear()
    response = client.post(reverse("staff:feedback:import-new"), {
        "title": "Fuzzed survey", "organisation": org.pk, "received_on_0": "1",
        "received_on_1": "4", "received_on_2": "2026",
        "file": SimpleUploadedFile(name, raw)})
    _check(response)
    if response.status_code == 302:
        detail = response["Location"]
        page = client.get(detail)
        _check(page)
        _check(client.post(detail, {"col_what_went_well": "", "statistics": [],
                                    "positive_from": "4"}))


def test_the_fuzz_world_is_valid(world):
    """The fixtures are what the fuzz tests think they are: a real example
    of each form succeeds, so generated ones reach the same code."""
    client = Client()
    response = client.post(reverse("feedback:give"), {
        "service_areas": world["areas"][:1], "what_went_well": "Kind staff",
        "respondent": "parent_carer", "consent_to_quote": "no", "wants_contact": "no"})
    assert response.status_code == 302
    report = world["report"]
    response = client.post(reverse("reports:useful", args=[report.slug, report.version]),
                           {"useful": "yes"})
    assert response.status_code == 200 and "Thank you for your answer" in response.content.decode()
    response = client.post(reverse("charter:pulse", args=[world["charter"].slug]),
                           {f"statement_{s.pk}": "4" for s in world["statements"]})
    assert response.status_code == 302
    assert OrganisationFactory._meta.model.objects.filter(pk=int(world["org"])).exists()


# --- Staff lists' query strings and every date field (issue 19) ------------------------------

# Every staff address that takes no arguments and answers GET: the lists, the
# dashboard, the exports and the blank forms.
STAFF_LISTS = sorted(name for name, entry in MATRIX.items()
                     if entry.kwargs is no_args and set(entry.get) != {"-"})
NUMBERISH = st.one_of(
    st.sampled_from(["", "1", "2", "0", "-1", "²", "٣", "1²", "1e3", "0x10", " 2 ", "1.0",
                     TOO_BIG, "9223372036854775807", "9223372036854775808", "9" * 60]),
    st.integers(-(2**70), 2**70).map(str), SHORT_TEXT)
LIST_PARAMS = ["page", "plan", "priority", "status", "theme", "organisation",
               "lead_organisation", "service_area", "assigned", "channel", "overdue", "q",
               "year", "actor", "verb", "target_type", "target_id", "role", "kind", "publisher",
               "date_from_0", "date_from_1", "date_from_2", "date_to_0", "date_to_1",
               "date_to_2"]
QUERY = st.dictionaries(st.sampled_from(LIST_PARAMS), NUMBERISH, min_size=1, max_size=6)


@settings(FUZZ, max_examples=8)
@given(query=QUERY)
# What the security tester sent (issue 19), always tried first.
@example(query={"plan": "²"})
@example(query={"priority": "²", "page": TOO_BIG})
@example(query={"q": "x", "status": "received", "page": TOO_BIG})
@example(query={"date_from_0": "1", "date_from_1": "4", "date_from_2": TOO_BIG})
def test_staff_lists_never_fail_on_their_query_strings(staff_world, query):
    client = Client()
    client.force_login(staff_world["person"])
    for name in STAFF_LISTS:
        cache.clear()
        response = client.get(reverse(name), query)
        assert response.status_code < 500, (name, query)


DATE_PART = st.one_of(
    st.sampled_from(["", "1", "4", "31", "29", "2", "13", "0", "00", "2026", "0004", "99",
                     "10000", TOO_BIG, "²", "٣", "-1", "1.5", " 4 ", "1e3", "9" * 40]),
    st.integers(-(10**25), 10**25).map(str),
    st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), max_size=8))
# Mostly a real day or month, so an odd year reaches the calendar check.
DAY = st.one_of(st.integers(1, 28).map(str), DATE_PART)
MONTH = st.one_of(st.integers(1, 12).map(str), DATE_PART)


def _date_fields():
    """Every GOV.UK date field in the portal's forms and filters."""
    import inspect

    from django import forms as django_forms

    from core.filters import AuditEventFilter
    from core.forms import GdsDateField

    found = []
    for module_name in ("core.forms", "feedback.forms", "actionplan.forms", "charter.forms",
                        "reports.forms"):
        module = __import__(module_name, fromlist=["*"])
        for _, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, django_forms.BaseForm) and form.__module__ == module_name:
                found += [(f"{form.__name__}.{name}", field)
                          for name, field in form.base_fields.items()
                          if isinstance(field, GdsDateField)]
    for name, flt in AuditEventFilter.base_filters.items():
        if flt.field_class is GdsDateField:
            found.append((f"AuditEventFilter.{name}", flt.field))
    return found


DATE_FIELDS = _date_fields()


def test_every_date_field_is_found():
    names = {name for name, _ in DATE_FIELDS}
    assert {"StaffLogForm.received_on", "ReportForm.period_start",
            "AuditEventFilter.date_from"} <= names, names
    assert len(DATE_FIELDS) >= 15


@settings(FUZZ, max_examples=150)
@given(field=st.sampled_from(DATE_FIELDS), day=DAY, month=MONTH, year=DATE_PART)
@example(field=DATE_FIELDS[0], day="1", month="4", year=TOO_BIG)
def test_every_date_field_gives_a_date_or_its_own_message(field, day, month, year):
    from django import forms as django_forms

    name, date_field = field
    try:
        value = date_field.clean([day, month, year])
    except django_forms.ValidationError as exc:
        assert exc.messages and all(m.strip() for m in exc.messages), name
    else:
        assert value is None or isinstance(value, date), name
    html = date_field.widget.render(name.rpartition(".")[2], [day, month, year])
    for typed in (day, month, year):
        assert f'value="{escape(typed)}"' in html or not typed, (name, typed)


@settings(FUZZ, max_examples=25)
@given(form=st.sampled_from(DATE_FORMS), day=DAY, month=MONTH, year=DATE_PART)
def test_date_forms_answer_odd_dates_with_a_message_keeping_what_was_typed(
        staff_world, form, day, month, year):
    name, other, field, _ = form
    client = Client()
    client.force_login(staff_world["person"])
    cache.clear()
    data = {**other(staff_world), f"{field}_0": day, f"{field}_1": month, f"{field}_2": year}
    response = client.post(_date_form_url(name, staff_world), data)
    _check(response)
    if response.status_code == 400:
        html = response.content.decode()
        assert "govuk-error-summary" in html
        for typed in (day, month, year):
            assert not typed or f'value="{escape(typed)}"' in html, (name, typed)
