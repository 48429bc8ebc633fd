"""Odd input answers with a clear GOV.UK error and never a 500 (issue 9).
The test client raises any exception a view lets escape, so a server error
fails these tests loudly."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.models import Membership, Role, Theme
from feedback.imports import check_file, read_csv
from feedback.models import SurveyImport
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, ThemeFactory, staff_user

pytestmark = pytest.mark.django_db

COULD_NOT_READ = "Sorry, we could not read that"


# --- NUL bytes ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/feedback/track/abc%00def/", "/charter/pulse/abc%00def/", "/reports/x%00y/",
    "/reports/?q=%00", "/feedback/track/?reference=FB%00",
])
def test_a_nul_byte_in_the_address_is_a_400_page(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert COULD_NOT_READ in response.content.decode()
    assert "Content-Security-Policy" in response  # the page keeps the site's headers


@pytest.mark.parametrize(("url", "data"), [
    ("/feedback/track/", {"reference": "FB-2026-\x0000001"}),
    ("/feedback/give/", {"what_went_well": "Good\x00", "respondent": "parent_carer"}),
    ("/staff/account/sign-in/", {"username": "a\x00@example.com", "password": "x"}),
])
def test_a_nul_byte_in_a_form_is_a_400_page(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 400
    assert COULD_NOT_READ in response.content.decode()


# --- Sign-in, people, lists ---------------------------------------------------------------


def test_a_sign_in_name_over_255_characters_is_a_form_error(client):
    long_name = "a" * 300 + "@example.com"
    response = client.post(reverse("login"), {"username": long_name, "password": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and "254 characters or fewer" in html
    assert long_name in html  # what was typed is kept


@pytest.mark.parametrize("value", ["abc", "1.5", "²", "٣", "-1", "9" * 30])
def test_organisation_settings_refuse_days_that_are_not_numbers(client, value):
    org = OrganisationFactory()
    admin = staff_user(Role.ADMINISTRATOR, org)
    client.force_login(admin)
    # (The people page no longer takes settings: each organisation has its
    # own settings page, whose address takes only a number.)
    response = client.post(reverse("staff:organisation-settings", args=[org.pk]),
                           {"response_working_days": value, "lock_version": org.lock_version})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and "#id_response_working_days" in html
    assert Membership.objects.filter(user=admin).exists()


def test_evidence_page_ignores_a_commitment_that_is_not_an_id(client):
    client.force_login(staff_user(Role.OFFICER))
    for value in ("²", "٣", "9" * 40):
        response = client.get(reverse("staff:charter:evidence_add") + f"?commitment={value}")
        assert response.status_code == 200


@pytest.mark.parametrize("name", ["Waiting times!", "waiting-times", "Waiting  times?"])
def test_a_theme_differing_only_by_punctuation_is_a_form_error(client, name):
    ThemeFactory(name="Waiting times")
    client.force_login(staff_user(Role.ADMINISTRATOR))
    response = client.post(reverse("staff:list-add"), {"kind": "theme", "name": name})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is already a theme called Waiting times" in html and name in html
    assert Theme.objects.count() == 1


def test_a_theme_name_of_punctuation_only_is_a_form_error(client):
    client.force_login(staff_user(Role.ADMINISTRATOR))
    response = client.post(reverse("staff:list-add"), {"kind": "theme", "name": "!!!"})
    assert response.status_code == 400
    assert "at least one letter or number" in response.content.decode()


# --- Survey files ---------------------------------------------------------------------------

ROWS = "Who,Rating,Better\nParent carer,5,More buses\nYoung person,2,Shorter forms\n"
MAPPING = {"columns": {"respondent": "Who", "rating": "Rating", "even_better_if": "Better"},
           "statistics": [], "positive_from": 4}


@pytest.mark.parametrize(("label", "raw"), [
    ("CR only (Excel for Mac)", ROWS.replace("\n", "\r").encode()),
    ("CRLF", ROWS.replace("\n", "\r\n").encode()),
    ("UTF-16 with a BOM", ROWS.encode("utf-16")),
    ("UTF-16 big-endian with a BOM", b"\xfe\xff" + ROWS.encode("utf-16-be")),
    ("UTF-8 with a BOM", ROWS.encode("utf-8-sig")),
    ("cp1252", ROWS.replace("More buses", "More buses – café").encode("cp1252")),
], ids=lambda v: v if isinstance(v, str) else "")
def test_survey_files_in_other_line_endings_and_encodings_are_read(label, raw):
    headers, rows = read_csv(raw)
    assert headers == ["Who", "Rating", "Better"], label
    assert [r["Better"][:10] for r in rows] == ["More buses", "Shorter fo"], label
    org = OrganisationFactory()
    checked = check_file(raw, MAPPING, organisation_id=org.pk)
    assert len(checked.rows) == 2 and not checked.errors, label


def test_a_cell_over_131072_characters_is_read_and_cut_when_stored():
    long_answer = "x" * 200_000
    raw = f'Who,Better\nParent carer,"{long_answer}"\n'.encode()
    headers, rows = read_csv(raw)
    assert rows[0]["Better"] == long_answer
    org = OrganisationFactory()
    checked = check_file(raw, {"columns": {"respondent": "Who", "even_better_if": "Better"},
                               "statistics": []}, organisation_id=org.pk)
    assert len(checked.rows[0]["even_better_if"]) == 5000


@pytest.mark.parametrize(("label", "raw"), [
    ("CR only", ROWS.replace("\n", "\r").encode()),
    ("UTF-16", ROWS.encode("utf-16")),
    ("long cell", f'Who,Better\nParent carer,"{"y" * 140_000}"\n'.encode()),
], ids=lambda v: v if isinstance(v, str) else "")
def test_survey_upload_accepts_them_through_the_form(client, label, raw):
    org = OrganisationFactory()
    ServiceAreaFactory(name="Local Offer")
    client.force_login(staff_user(Role.OFFICER, org))
    response = client.post(reverse("staff:feedback:import-new"), {
        "title": label, "organisation": org.pk, "received_on_0": "1", "received_on_1": "4",
        "received_on_2": "2026", "file": SimpleUploadedFile("survey.csv", raw)})
    assert response.status_code == 302, label
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and "Who" in detail.content.decode()
    assert SurveyImport.objects.count() == 1


# --- Passwords ------------------------------------------------------------------------------


@pytest.mark.parametrize(("password", "accepted"), [
    ("aaaaaaaaaaaa", False), ("abcdefghijkl", False), ("123456789012", False),
    ("zyxwvutsrqpo", False), ("abcdabcdabcd", False),
    ("lamp-otter-river-42", True),
])
def test_set_password_refuses_repeated_or_sequential_characters(client, password, accepted):
    user = staff_user(Role.OFFICER)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    form_url = client.get(reverse("password_reset_confirm", args=[uid, token]))["Location"]
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    user.refresh_from_db()
    if accepted:
        assert response.status_code == 302 and user.check_password(password)
    else:
        assert response.status_code == 200
        html = response.content.decode()
        assert "govuk-error-summary" in html
        assert "must not be mostly repeated or sequential characters" in html
        assert not user.check_password(password)


# --- Staff lists and date fields (issue 19) ---------------------------------------------------

TOO_BIG = "99999999999999999999"  # past bigint, and past a C int as a year


@pytest.mark.parametrize("name", ["staff:actionplan:action_list", "staff:actionplan:dashboard",
                                  "staff:actionplan:export"])
@pytest.mark.parametrize("param", ["plan", "priority"])
@pytest.mark.parametrize("value", ["²", "٣", "1²", TOO_BIG, "-1"])
def test_a_plan_or_priority_that_is_not_an_id_is_no_filter(client, staff_world, name, param,
                                                            value):
    client.force_login(staff_world["person"])
    response = client.get(reverse(name), {param: value})
    assert response.status_code == 200
    if not name.endswith("export"):
        assert "Publish the offer" in response.content.decode()  # nothing filtered out


@pytest.mark.parametrize(("name", "query"), [
    ("staff:actionplan:action_list", {}),
    ("staff:actionplan:action_list", {"q": "offer"}),
    ("staff:feedback:inbox", {"q": "kind"}),
    ("staff:feedback:inbox", {"status": "received"}),
    ("staff:feedback:inbox", {}),
    ("staff:audit", {}),
])
@pytest.mark.parametrize("page", [TOO_BIG, "9223372036854775808", "9" * 200, "²", "-5"])
def test_a_page_number_past_any_page_shows_a_page(client, staff_world, name, query, page):
    client.force_login(staff_world["person"])
    response = client.get(reverse(name), {**query, "page": page})
    assert response.status_code == 200


def test_the_page_number_is_read_once_for_every_list():
    from core.pagination import MAX_PAGE, page_number

    assert [page_number(v) for v in ("3", " 3 ", "", None, "²", "٣", "1e3", "-2", "0",
                                     TOO_BIG, 7)] == [3, 3, 1, 1, 1, 1, 1, 1, 1, MAX_PAGE, 7]


DATE_FORMS = [
    # (address, what else the form needs, date field, its "real date" message)
    ("staff:feedback:log", lambda w: {"channel": "phone", "organisation": w["org"].pk,
                                      "what_went_well": "Helpful"},
     "received_on", "The date we received it must be a real date"),
    ("staff:reports:create", lambda w: {"title": "Odd dates", "kind": "ysbd",
                                        "summary": "Testing"},
     "period_start", "The start of the period must be a real date"),
    ("staff:actionplan:action_update", lambda w: {"status": "on_track", "percent": "20"},
     "date", "The date of the update must be a real date"),
]


def _date_form_url(name, world):
    if name == "staff:actionplan:action_update":
        return reverse(name, args=[world["action"].pk])
    return reverse(name)


@pytest.mark.parametrize(("name", "other", "field", "message"), DATE_FORMS,
                         ids=[f[0] for f in DATE_FORMS])
@pytest.mark.parametrize(("day", "month", "year"), [
    ("1", "4", TOO_BIG), ("1", TOO_BIG, "2026"), (TOO_BIG, "4", "2026"), ("31", "2", "2026"),
    ("1", "4", "0"),
])
def test_a_date_no_calendar_has_is_a_form_error_that_keeps_what_was_typed(
        client, staff_world, name, other, field, message, day, month, year):
    client.force_login(staff_world["person"])
    data = {**other(staff_world), f"{field}_0": day, f"{field}_1": month, f"{field}_2": year}
    response = client.post(_date_form_url(name, staff_world), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and message in html
    assert f'href="#id_{field}_0"' in html or f'href="#id_{field}"' in html
    for part, typed in enumerate((day, month, year)):
        assert f'name="{field}_{part}"' in html and f'value="{typed}"' in html


@pytest.mark.parametrize("value", ["²", "٣", "9" * 30, "-1", "abc", ""])
def test_an_id_in_the_query_string_of_a_report_page_is_never_a_500(client, value):
    """?topic= on "add an item" and ?report= on renaming a series name a row:
    anything that is not an id is no row, never a server error ('²' is a
    digit to Python)."""
    from reports.models import ReportSeries
    from tests.reports.factories import draft_report, make_people

    org, officer, _ = make_people()
    report = draft_report(org=org, author=officer, items=1)
    series = ReportSeries.objects.create(name="Local Offer annual report", slug="local-offer",
                                         organisation=org)
    report.series = series
    report.save(update_fields=["series"])
    client.force_login(officer)
    add_item = client.get(reverse("staff:reports:item-create", args=[report.pk]), {"topic": value})
    rename = client.get(reverse("staff:reports:series-edit", args=[series.pk]), {"report": value})
    assert add_item.status_code == 200 and rename.status_code == 200
