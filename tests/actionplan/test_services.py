from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from actionplan import services
from actionplan.models import Action, Evidence, Meeting, ProgressUpdate, Reminder, Status
from core import jobs
from core.audit import Verb
from core.models import AuditEvent, Job, Role
from tests.conftest import pdf_info, pdf_text
from tests.core.factories import OrganisationFactory, ThemeFactory, staff_user

from .factories import ActionFactory, MeetingFactory, PriorityFactory

pytestmark = pytest.mark.django_db


def test_action_create_contract_used_by_the_charter():
    priority = PriorityFactory(number=3)
    org = OrganisationFactory()
    owner = staff_user(Role.OFFICER, org)
    first = services.action_create(
        acting_user=owner, priority=priority, title="Run participation training",
        description="For every team", lead_organisation=org, owner=owner,
        due_date=date(2027, 3, 31), is_public=True,
        source="Participation audit 2026: SEND Team")
    second = services.action_create(acting_user=None, priority=priority, title="Another",
                                    lead_organisation=org)
    assert (first.reference, second.reference) == ("3.1", "3.2")
    first.refresh_from_db()
    assert first.source == "Participation audit 2026: SEND Team"
    assert first.current_status == Status.NOT_STARTED and first.current_percent == 0
    assert first.is_public and first.owner == owner
    assert AuditEvent.objects.filter(verb=Verb.ACTION_CREATED, target_id=str(first.pk)).exists()


def test_action_create_links_themes_and_partners():
    theme = ThemeFactory()
    partner = OrganisationFactory()
    action = services.action_create(acting_user=None, priority=PriorityFactory(), title="X",
                                    lead_organisation=OrganisationFactory(), themes=[theme],
                                    partner_organisations=[partner])
    assert list(action.themes.all()) == [theme]
    assert list(action.partner_organisations.all()) == [partner]


def test_progress_is_kept_as_history_and_copied_onto_the_action():
    action = ActionFactory()
    user = staff_user(Role.OFFICER, action.lead_organisation)
    services.action_update_progress(acting_user=user, action=action, status=Status.ON_TRACK,
                                    percent=20, narrative="Started", date=date(2026, 1, 10))
    services.action_update_progress(acting_user=user, action=action, status=Status.AT_RISK,
                                    percent=35, narrative="Slipping", date=date(2026, 3, 1))
    # A back-dated update is kept but does not hide the newer one.
    services.action_update_progress(acting_user=user, action=action, status=Status.OFF_TRACK,
                                    percent=30, narrative="Late entry", date=date(2026, 2, 1))
    action.refresh_from_db()
    assert action.updates.count() == 3
    assert (action.current_status, action.current_percent, action.last_update_on) == (
        Status.AT_RISK, 35, date(2026, 3, 1))
    assert AuditEvent.objects.filter(verb=Verb.ACTION_PROGRESS_UPDATED, target_id=str(action.pk)).count() == 3


@pytest.mark.parametrize("status", [Status.COMPLETE, Status.CANCELLED])
def test_completing_or_cancelling_needs_a_narrative(status):
    action = ActionFactory()
    with pytest.raises(ValidationError) as exc:
        services.action_update_progress(acting_user=None, action=action, status=status,
                                        percent=100, narrative="  ")
    assert "narrative" in exc.value.message_dict
    assert not action.updates.exists()


def test_complete_means_100_percent_and_dates_are_not_in_the_future():
    action = ActionFactory()
    with pytest.raises(ValidationError) as exc:
        services.action_update_progress(acting_user=None, action=action, status=Status.COMPLETE,
                                        percent=90, narrative="Done",
                                        date=date.today() + timedelta(days=2))
    assert set(exc.value.message_dict) == {"percent", "date"}


def test_database_refuses_percent_outside_0_to_100_and_closing_without_narrative():
    action = ActionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressUpdate.objects.create(action=action, date=date(2026, 1, 1),
                                      status=Status.ON_TRACK, percent=101)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressUpdate.objects.create(action=action, date=date(2026, 1, 1),
                                      status=Status.COMPLETE, percent=100, narrative="")


def test_evidence_links_and_files_are_stored_with_limits(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    action = ActionFactory()
    update = services.action_update_progress(
        acting_user=None, action=action, status=Status.ON_TRACK, percent=10, narrative="",
        evidence_links=[("Board minutes", "https://example.org/minutes")],
        evidence_files=[SimpleUploadedFile("report.pdf", b"%PDF-1.7 test", "application/pdf")])
    kinds = sorted((e.link != "", bool(e.file)) for e in update.evidence.all())
    assert kinds == [(False, True), (True, False)]

    with pytest.raises(ValidationError):
        services.action_update_progress(
            acting_user=None, action=action, status=Status.ON_TRACK, percent=10, narrative="",
            evidence_files=[SimpleUploadedFile("script.exe", b"MZ", "application/octet-stream")])
    big = SimpleUploadedFile("big.pdf", b"0" * (10 * 1024 * 1024 + 1), "application/pdf")
    with pytest.raises(ValidationError):
        services.action_update_progress(acting_user=None, action=action, status=Status.ON_TRACK,
                                        percent=10, narrative="", evidence_files=[big])
    assert Evidence.objects.count() == 2
    assert action.updates.count() == 1  # the failed ones rolled back


def test_board_pack_is_built_and_rebuilding_replaces_the_same_file(
        settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    org = OrganisationFactory(name="Testshire County Council")
    owner = staff_user(Role.OFFICER, org, first_name="Priya", last_name="Shah")
    action = ActionFactory(title="Publish a co-produced Local Offer", lead_organisation=org,
                           owner=owner, due_date=date(2020, 1, 1))
    services.action_update_progress(acting_user=owner, action=action, status=Status.AT_RISK,
                                    percent=40, narrative="Waiting for the web team")
    meeting = MeetingFactory(board=action.priority.plan.board)
    meeting.reviewed_actions.set([action])

    with django_capture_on_commit_callbacks(execute=True):
        services.board_pack_request(acting_user=owner, meeting=meeting)  # eager in tests
    meeting.refresh_from_db()
    assert meeting.pack_state == Meeting.PackState.READY
    first_name = meeting.pack_file.name
    pdf = meeting.pack_file.read()
    info = pdf_info(pdf)
    assert info["Title"].startswith("Board pack: ")
    assert info["Tagged"] == "yes"
    text = pdf_text(pdf)
    assert "Publish a co-produced Local Offer" in text and "Waiting for the web team" in text
    assert "Overdue actions" in text

    with django_capture_on_commit_callbacks(execute=True):
        services.board_pack_request(acting_user=owner, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.pack_state == Meeting.PackState.READY
    assert meeting.pack_file.name == first_name
    assert len(list((tmp_path / "actionplan" / "board-packs").iterdir())) == 1


def test_board_pack_failure_is_visible(settings, tmp_path, monkeypatch,
                                       django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    meeting = MeetingFactory()

    def broken(*args, **kwargs):
        raise OSError("fonts missing")

    monkeypatch.setattr("core.pdf.render_pdf_from_template", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.board_pack_request(acting_user=None, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.pack_state == Meeting.PackState.PENDING  # tried once; it will try again
    job = Job.objects.get(kind="board_pack", subject_id=meeting.pk)
    assert job.attempts == 1 and "fonts missing" in job.last_error
    from django.utils import timezone

    while Job.objects.filter(pk=job.pk, state="pending").update(run_after=timezone.now()):
        jobs.run_due()
    meeting.refresh_from_db()
    assert meeting.pack_state == Meeting.PackState.FAILED
    assert "fonts missing" in meeting.pack_error
    assert Job.objects.get(pk=job.pk).attempts == jobs.kind("board_pack").max_attempts


def test_reminders_are_sent_once_per_week_per_action_and_kind():
    org = OrganisationFactory()
    owner = staff_user(Role.OFFICER, org, email="owner@council.example")
    today = date(2026, 11, 25)  # a Wednesday
    overdue = ActionFactory(lead_organisation=org, owner=owner, due_date=today - timedelta(days=3))
    Action.objects.filter(pk=overdue.pk).update(last_update_on=today - timedelta(days=5))
    stale = ActionFactory(lead_organisation=org, owner=owner, due_date=today + timedelta(days=60))
    Action.objects.filter(pk=stale.pk).update(last_update_on=today - timedelta(days=91))
    fresh = ActionFactory(lead_organisation=org, owner=owner, due_date=today + timedelta(days=60))
    Action.objects.filter(pk=fresh.pk).update(last_update_on=today - timedelta(days=10))
    done = ActionFactory(lead_organisation=org, owner=owner, due_date=today - timedelta(days=30))
    Action.objects.filter(pk=done.pk).update(current_status=Status.COMPLETE, current_percent=100,
                                             last_update_on=today - timedelta(days=200))
    ActionFactory(lead_organisation=org, owner=None, due_date=today - timedelta(days=3))

    assert services.reminders_send(today=today) == 2
    assert services.reminders_send(today=today) == 0
    assert services.reminders_send(today=today + timedelta(days=4)) == 0  # same ISO week (Sunday)
    assert jobs.run_due("reminder") == 2  # each e-mailed by its own job
    assert len(mail.outbox) == 2
    assert {m.subject for m in mail.outbox} == {
        f"Action {stale.reference} needs a progress update",
        f"Action {overdue.reference} is overdue"}
    assert all(m.to == ["owner@council.example"] for m in mail.outbox)
    assert "/staff/action-plan/actions/" in mail.outbox[0].body

    assert services.reminders_send(today=today + timedelta(days=5)) == 2  # next week
    assert Reminder.objects.count() == 4
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(action=overdue, kind="overdue", period="2026-W48")


def test_failed_reminder_email_is_tried_again_by_its_job(monkeypatch):
    from django.utils import timezone

    org = OrganisationFactory()
    owner = staff_user(Role.OFFICER, org)
    today = date(2026, 11, 25)
    ActionFactory(lead_organisation=org, owner=owner, due_date=today - timedelta(days=3))

    def broken(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr("django.core.mail.send_mail", broken)
    assert services.reminders_send(today=today) == 1  # recorded, with its job
    assert jobs.run_due("reminder") == 1
    job = Job.objects.get(kind="reminder")
    assert job.state == "pending" and job.last_error.startswith("ConnectionRefusedError")
    assert services.reminders_send(today=today) == 0  # not recorded twice
    monkeypatch.undo()
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    assert jobs.run_due("reminder") == 1
    assert Job.objects.get(pk=job.pk).state == "done" and len(mail.outbox) == 1


def test_plan_and_board_addresses_keep_the_dash_between_years():
    """slugify drops an en dash: "…2021–2023" became "…-20212023"."""
    plan = services.plan_create(acting_user=None, title="SEND Strategy 2021–2023",
                                area="Testshire", period_start=date(2021, 9, 1),
                                period_end=date(2023, 8, 31))
    assert plan.slug == "send-strategy-2021-2023"
    board = services.board_create(acting_user=None, name="Board 2024—2025", area="Testshire")
    assert board.slug == "board-2024-2025"
