"""The board pack made by a real Celery worker process."""

from datetime import date

import pytest
from django.urls import reverse

from actionplan import services
from actionplan.models import Meeting, Status
from core.models import Role
from tests.conftest import pdf_info, pdf_structure, pdf_text, wait_for
from tests.core.factories import OrganisationFactory, staff_user

from .factories import ActionFactory, MeetingFactory, PriorityFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis,
              pytest.mark.django_db(transaction=True)]


def test_board_pack_is_made_by_a_real_worker(celery_worker, client):
    org = OrganisationFactory(name="Testshire County Council")
    officer = staff_user(Role.OFFICER, org)
    priority = PriorityFactory(number=4, title="Families are equal partners")
    reviewed = ActionFactory(priority=priority, reference="4.1", lead_organisation=org,
                             title="Embed one-page profiles in every plan",
                             due_date=date(2025, 3, 31))
    services.action_update_progress(acting_user=officer, action=reviewed,
                                    status=Status.OFF_TRACK, percent=30,
                                    narrative="Training paused while the team is recruited")
    ActionFactory(priority=priority, reference="4.2", lead_organisation=org,
                                      title="Publish the participation strategy",
                                      due_date=date(2025, 1, 31))
    meeting = MeetingFactory(board=priority.plan.board, title="Spring board",
                             date=date(2026, 4, 16))
    meeting.reviewed_actions.set([reviewed])

    client.force_login(officer)
    response = client.post(reverse("staff:actionplan:board_pack_generate", args=[meeting.pk]))
    assert response.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).pack_state == Meeting.PackState.PENDING

    ready = wait_for(lambda: Meeting.objects.filter(pk=meeting.pk,
                                                    pack_state="ready").first(), timeout=90)
    pdf = ready.pack_file.read()
    assert pdf.startswith(b"%PDF")
    info = pdf_info(pdf)
    assert info["Title"] == f"Board pack: {meeting.board.name}, 16 April 2026"
    assert info["Tagged"] == "yes"
    text = pdf_text(pdf)
    assert "Embed one-page profiles in every plan" in text
    assert "Training paused while the team is recruited" in text
    assert "Publish the participation strategy" in text  # in the overdue list
    structure = pdf_structure(pdf)
    assert "H1" in structure and "Table" in structure

    page = client.get(reverse("staff:actionplan:meeting_detail", args=[meeting.pk]))
    assert "Download the board pack (PDF)" in page.content.decode()
    download = client.get(reverse("staff:actionplan:board_pack_download", args=[meeting.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == pdf

    # Again: the same file is replaced, not a second one added.
    first_name = ready.pack_file.name
    client.post(reverse("staff:actionplan:board_pack_generate", args=[meeting.pk]))
    again = wait_for(lambda: Meeting.objects.filter(pk=meeting.pk, pack_state="ready",
                                                    pack_generated_at__gt=ready.pack_generated_at
                                                    ).first(), timeout=90)
    assert again.pack_file.name == first_name


def test_resume_takes_up_a_board_pack_whose_worker_died_but_not_one_being_built(
        celery_broker):
    from datetime import timedelta

    import psycopg
    from django.utils import timezone

    from core import jobs
    from core.locks import _key
    from core.models import Job
    from tests.conftest import _database_url_for_worker

    meeting = MeetingFactory()
    Meeting.objects.filter(pk=meeting.pk).update(pack_state=Meeting.PackState.PENDING)
    Job.objects.create(kind="board_pack", subject_id=meeting.pk, attempts=1,
                       leased_until=timezone.now() - timedelta(seconds=1))
    building = psycopg.connect(_database_url_for_worker(), autocommit=True)  # "a worker"
    building.execute("SELECT pg_advisory_lock(%s, %s)", (_key("core.jobs.board_pack"), meeting.pk))
    assert jobs.dispatch() == 0
    building.close()  # the worker dies: Postgres releases its lock
    assert jobs.dispatch() == 1
    assert jobs.dispatch() == 0  # leased again: once per period
