import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Role
from feedback.imports import check_file, survey_import_execute
from feedback.models import Feedback, SurveyImport, SurveyStatistic
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, staff_user

pytestmark = pytest.mark.django_db

HEADER = ["Who", "Age", "Service", "Overall rating", "Good", "Better"]
MAPPING = {"columns": {"respondent": "Who", "age_group": "Age", "service_area": "Service",
                       "rating": "Overall rating", "what_went_well": "Good",
                       "even_better_if": "Better"},
           "statistics": ["Overall rating"], "positive_from": 4}


def make_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


GOOD_ROWS = (
    # 25 valid answers: 19 rate 4 or 5 -> 76%
    [["Parent carer", "4-7", "Local Offer", "Very good", "Clear pages", ""]] * 9
    + [["Parent carer", "8 to 11", "local offer", "4", "", "More on transport"]] * 10
    + [["Young person", "11-16", "", "Poor", "", "Too many forms"]] * 6
)
BAD_ROWS = [
    ["Parent carer", "4-7", "Local Offer", "brilliant", "x", ""],       # row 27: rating
    ["Grandparent", "4-7", "Local Offer", "5", "x", ""],               # row 28: respondent
    ["Parent carer", "12-15", "Local Offer", "5", "x", ""],            # row 29: age group
    ["Parent carer", "4-7", "Narnia services", "5", "x", ""],          # row 30: service area
    ["", "", "", "", "", ""],                                           # row 31: empty
]


@pytest.fixture
def setup():
    org = OrganisationFactory(name="Testshire County Council")
    ServiceAreaFactory(name="Local Offer")
    return org, staff_user(Role.OFFICER, org)


def test_check_reports_each_bad_cell_with_a_clear_message_and_keeps_the_rest(setup):
    org, _ = setup
    checked = check_file(make_csv(GOOD_ROWS + BAD_ROWS), MAPPING, organisation_id=org.pk)
    # Each bad cell is left out; the rest of its row is kept. Only the empty row goes.
    assert checked.total == 30 and len(checked.rows) == 29 and checked.error_count == 5
    assert checked.rows_left_out == 1
    kept = {r["row"]: r for r in checked.rows}
    assert kept[27].get("rating") is None and kept[27]["what_went_well"] == "x"
    assert "respondent" not in kept[28] and kept[28]["rating"] == 5
    by_row = {e["row"]: e for e in checked.errors}
    assert "“brilliant” is not a rating from 1 to 5" in by_row[27]["message"]
    assert by_row[27]["column"] == "Overall rating"
    assert "“grandparent” is not parent carer, young person" in by_row[28]["message"]
    assert "is not one of the age groups" in by_row[29]["message"]
    assert "“Narnia services” is not a service area" in by_row[30]["message"]
    assert by_row[31]["message"] == "The row has no answers to import"


def test_the_whole_flow_saves_nothing_until_confirmed_and_is_idempotent(client, setup,
                                                                        django_capture_on_commit_callbacks):
    org, officer = setup
    client.force_login(officer)
    raw = make_csv(GOOD_ROWS + BAD_ROWS)
    response = client.post(reverse("staff:feedback:import-new"), {
        "title": "Annual survey 2026", "organisation": org.pk, "received_on_0": "31",
        "received_on_1": "3", "received_on_2": "2026",
        "file": SimpleUploadedFile("survey.csv", raw, content_type="text/csv")})
    survey = SurveyImport.objects.get()
    assert response["Location"] == reverse("staff:feedback:import-detail", args=[survey.pk])

    form = {f"col_{k}": v for k, v in MAPPING["columns"].items()}
    form.update({"statistics": ["Overall rating"], "positive_from": "4"})
    response = client.post(response["Location"], form)
    html = response.content.decode()
    assert "Problems, row by row" in html and "“brilliant” is not a rating" in html
    assert "Import 29 rows" in html  # bad cells left out, the rest of their rows kept
    assert Feedback.objects.count() == 0  # nothing saved before confirmation

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:feedback:import-detail", args=[survey.pk]),
                    {"action": "confirm"})
    survey.refresh_from_db()
    assert survey.state == SurveyImport.State.IMPORTED
    assert Feedback.objects.filter(channel="survey").count() == 29
    stat = SurveyStatistic.objects.get()
    assert (stat.responses, stat.positive) == (28, 22)  # 25 good rows + rows 28 to 30
    assert stat.distribution == {"1": 0, "2": 6, "3": 0, "4": 10, "5": 12}

    # Running the task again adds nothing.
    SurveyImport.objects.filter(pk=survey.pk).update(state="importing")
    survey_import_execute(survey_import_id=survey.pk)
    assert Feedback.objects.count() == 29 and SurveyStatistic.objects.count() == 1

    # Uploading the very same file again is refused, with the reason.
    again = client.post(reverse("staff:feedback:import-new"), {
        "title": "Again", "organisation": org.pk, "received_on_0": "31", "received_on_1": "3",
        "received_on_2": "2026", "file": SimpleUploadedFile("survey.csv", raw)})
    assert again.status_code == 400
    assert "This file was already imported" in again.content.decode()


def test_a_file_with_the_same_rows_plus_one_adds_only_one(setup):
    org, officer = setup
    first = make_csv(GOOD_ROWS)
    second = make_csv(GOOD_ROWS + [["Parent carer", "0-3", "", "3", "", "Shorter waits"]])
    for n, raw in enumerate([first, second]):
        survey = SurveyImport.objects.create(
            title=f"S{n}", organisation=org, received_on=date(2026, 3, 31),
            file=SimpleUploadedFile(f"s{n}.csv", raw), file_sha256=str(n), uploaded_by=officer,
            mapping=MAPPING, state="importing")
        survey_import_execute(survey_import_id=survey.pk)
    assert Feedback.objects.count() == 26
    survey.refresh_from_db()
    assert (survey.created_rows, survey.duplicate_rows) == (1, 25)


def test_identical_answers_from_different_people_are_all_kept(setup):
    org, _ = setup
    checked = check_file(make_csv([["Parent carer", "4-7", "", "5", "Great", ""]] * 3), MAPPING,
                         organisation_id=org.pk)
    assert len({row["import_key"] for row in checked.rows}) == 3


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The selected file is empty"),
    (b"Who,Good\n", "no answers"),
    (b"PK\x03\x04\x00\x00binary", "cannot be read as an Excel workbook"),
    (b"\xd0\xcf\x11\xe0\x00\x00old excel", "must be a CSV or Excel (.xlsx) file"),
])
def test_unreadable_files_are_refused_at_upload(client, setup, content, message):
    org, officer = setup
    client.force_login(officer)
    response = client.post(reverse("staff:feedback:import-new"), {
        "title": "Broken", "organisation": org.pk, "received_on_0": "1", "received_on_1": "4",
        "received_on_2": "2026", "file": SimpleUploadedFile("broken.csv", content)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SurveyImport.objects.exists()


def test_a_board_member_cannot_import(client, setup):
    org, _ = setup
    client.force_login(staff_user(Role.BOARD_MEMBER, org))
    assert client.get(reverse("staff:feedback:import-new")).status_code == 403


def _confirmed(setup):
    """A checked survey, confirmed while the broker could not take the task:
    the import is owed (a pending job), not lost."""
    from django.db import transaction

    from feedback.imports import survey_import_check, survey_import_confirm

    org, officer = setup
    survey = SurveyImport.objects.create(
        title="Annual survey", organisation=org, received_on=date(2026, 3, 31),
        file=SimpleUploadedFile("s.csv", make_csv(GOOD_ROWS)), file_sha256="x",
        uploaded_by=officer)
    survey_import_check(acting_user=officer, survey_import=survey, mapping=MAPPING)
    with transaction.atomic():  # on_commit never runs here: as if the broker were down
        survey_import_confirm(acting_user=officer, survey_import=survey)
    survey.refresh_from_db()
    assert survey.state == SurveyImport.State.IMPORTING
    return survey


def test_an_import_stuck_by_a_broker_outage_is_sent_again_by_beat_and_completes(setup):
    from core import jobs
    from core.models import Job

    survey = _confirmed(setup)
    job = Job.objects.get(kind="survey_import", subject_id=survey.pk)
    Job.objects.filter(pk=job.pk).update(leased_until=None)  # the send failed
    assert jobs.dispatch() == 1  # beat sends it (in-process in these tests)
    survey.refresh_from_db()
    assert survey.state == SurveyImport.State.IMPORTED and survey.created_rows == 25
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("done", 1)
    assert jobs.dispatch() == 0


def test_an_import_stopped_by_the_soft_time_limit_is_retried_and_completes(setup, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded
    from django.utils import timezone

    from core import jobs
    from core.models import Job
    from feedback import imports

    survey = _confirmed(setup)
    job = Job.objects.get(kind="survey_import", subject_id=survey.pk)
    real = imports.survey_import_execute
    calls = []

    def slow_then_fine(*, survey_import_id):
        calls.append(survey_import_id)
        if len(calls) == 1:
            real(survey_import_id=survey_import_id)  # rows written, then time ran out
            SurveyImport.objects.filter(pk=survey_import_id).update(state="importing")
            raise SoftTimeLimitExceeded()
        return real(survey_import_id=survey_import_id)

    monkeypatch.setattr(imports, "survey_import_execute", slow_then_fine)
    assert jobs.execute(job.pk, retry=False) == "pending"
    job.refresh_from_db()
    assert job.last_error.startswith("SoftTimeLimitExceeded") and job.run_after > timezone.now()
    assert jobs.dispatch() == 0  # backing off
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    assert jobs.dispatch() == 1
    survey.refresh_from_db()
    assert survey.state == SurveyImport.State.IMPORTED
    assert Feedback.objects.filter(survey_import=survey).count() == 25  # none twice
    assert Job.objects.get(pk=job.pk).state == "done"


def test_an_import_that_keeps_failing_is_shown_failed_and_can_be_tried_again(setup, monkeypatch):
    from django.utils import timezone

    from core import jobs
    from core.models import Job
    from feedback import imports

    org, officer = setup
    survey = _confirmed(setup)
    job = Job.objects.get(kind="survey_import", subject_id=survey.pk)
    real = imports.survey_import_execute

    def broken(**kwargs):
        raise OSError("storage unavailable")

    monkeypatch.setattr(imports, "survey_import_execute", broken)
    for _ in range(jobs.kind("survey_import").max_attempts):
        Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
        jobs.execute(job.pk, retry=False)
    survey.refresh_from_db()
    job.refresh_from_db()
    assert job.state == "failed" and survey.state == SurveyImport.State.FAILED
    assert "stopped before it finished" in survey.failure
    monkeypatch.setattr(imports, "survey_import_execute", real)
    jobs.job_retry(acting_user=officer, job=job)
    survey.refresh_from_db()
    assert survey.state == SurveyImport.State.IMPORTING
    assert jobs.run_due() == 1
    survey.refresh_from_db()
    assert survey.state == SurveyImport.State.IMPORTED


# --- Removing a failed import (issue 19) ------------------------------------------------------


def _failed(setup, title="Parent carer survey 2026 (broken)"):
    from django.utils import timezone

    from core.models import Job

    org, officer = setup
    survey = SurveyImport.objects.create(
        title=title, organisation=org, received_on=date(2026, 3, 31),
        file=SimpleUploadedFile("s.csv", make_csv(GOOD_ROWS)), file_sha256="y",
        uploaded_by=officer, state=SurveyImport.State.FAILED, failure="The file is not a CSV")
    Job.objects.create(kind="survey_import", subject_id=survey.pk, organisation=org,
                       state=Job.State.FAILED, attempts=4, last_error="ImportFileError: x",
                       finished_at=timezone.now())
    return survey


def test_an_officer_removes_a_failed_import_and_it_leaves_the_list(client, setup,
                                                                     django_capture_on_commit_callbacks):
    from core.audit import Verb
    from core.models import AuditEvent, Job

    org, officer = setup
    survey = _failed(setup)
    client.force_login(officer)
    detail = client.get(reverse("staff:feedback:import-detail", args=[survey.pk])).content.decode()
    remove_url = reverse("staff:feedback:import-remove", args=[survey.pk])
    assert f'href="{remove_url}"' in detail
    page = client.get(remove_url)
    assert page.status_code == 200
    assert "Are you sure you want to remove this failed import?" in page.content.decode()
    storage, name = survey.file.storage, survey.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove_url)
    assert response.status_code == 302 and response["Location"] == reverse(
        "staff:feedback:imports")
    listing = client.get(response["Location"]).content.decode()
    assert "removed" in listing
    assert "Parent carer survey 2026 (broken)</a>" not in listing
    assert not SurveyImport.objects.filter(pk=survey.pk).exists()
    assert not Job.objects.filter(kind="survey_import", subject_id=survey.pk).exists()
    assert not storage.exists(name)
    event = AuditEvent.objects.get(verb=Verb.SURVEY_REMOVED)
    assert (event.actor, event.target_id) == (officer, str(survey.pk))


@pytest.mark.parametrize("state", ["importing", "imported"])
def test_an_import_started_or_done_cannot_be_removed(client, setup, state):
    survey = _failed(setup)
    SurveyImport.objects.filter(pk=survey.pk).update(state=state)
    client.force_login(setup[1])
    url = reverse("staff:feedback:import-remove", args=[survey.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert SurveyImport.objects.filter(pk=survey.pk).exists()


def test_rows_a_failed_import_saved_stay_in_the_inbox(client, setup):
    from tests.feedback.factories import FeedbackFactory

    survey = _failed(setup)
    row = FeedbackFactory(organisation=setup[0], survey_import=survey, channel="survey")
    client.force_login(setup[1])
    url = reverse("staff:feedback:import-remove", args=[survey.pk])
    assert "The 1 row it imported before it stopped will stay" in client.get(url).content.decode()
    client.post(url)
    row.refresh_from_db()
    assert row.survey_import is None


def test_another_organisations_officer_cannot_remove_it(client, setup):
    survey = _failed(setup)
    client.force_login(staff_user(Role.OFFICER, OrganisationFactory()))
    assert client.post(reverse("staff:feedback:import-remove", args=[survey.pk])).status_code \
        in (403, 404)
    assert SurveyImport.objects.filter(pk=survey.pk).exists()


def test_a_measure_following_a_survey_question_takes_each_new_import(setup):
    """An action plan measure that follows "Overall rating": created before
    any import, it gains the import's share of 4s and 5s (19 of 25 = 76%,
    worked out above) with n when the import completes."""
    from decimal import Decimal

    from actionplan import services as actionplan_services
    from actionplan.models import Measure
    from feedback.imports import survey_import_check
    from tests.actionplan.factories import PriorityFactory

    org, officer = setup
    measure = actionplan_services.measure_create(
        acting_user=None, priority=PriorityFactory(), code="SURVEY-RATING",
        name="Families rating the Local Offer good or very good", unit=Measure.Unit.PERCENT,
        source=Measure.Source.SURVEY, survey_question="Overall rating")
    assert not measure.values.exists()
    survey = SurveyImport.objects.create(
        title="Annual survey", organisation=org, received_on=date(2026, 3, 31),
        file=SimpleUploadedFile("s.csv", make_csv(GOOD_ROWS)), file_sha256="x",
        uploaded_by=officer, state=SurveyImport.State.IMPORTING)
    survey_import_check(acting_user=officer, survey_import=survey, mapping=MAPPING)
    SurveyImport.objects.filter(pk=survey.pk).update(state=SurveyImport.State.IMPORTING)
    survey_import_execute(survey_import_id=survey.pk)
    assert [(v.date, v.value, v.responses) for v in measure.values.all()] == [
        (date(2026, 3, 31), Decimal("76.00"), 25)]
