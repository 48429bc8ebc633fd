"""Approvals always have a way through, and approvers hear when something
starts waiting for them (once per change, after commit, by a real worker)."""

import pytest
from django.urls import reverse

from core import tasks
from core.models import ApprovalNotice, Role, User
from feedback import services as feedback_services
from feedback.models import Reply
from reports import services as report_services
from reports.models import Report
from tests.conftest import wait_for
from tests.core.factories import OrganisationFactory, staff_user
from tests.feedback.factories import FeedbackFactory
from tests.reports.factories import draft_report, publish


@pytest.mark.django_db
def test_a_lone_approvers_new_version_names_the_way_through_and_an_officer_can_start_one(
        client, django_capture_on_commit_callbacks):
    org = OrganisationFactory(name="Testshire Parent Carer Forum")
    approver = staff_user(Role.APPROVER, org, first_name="Tom")
    officer = staff_user(Role.OFFICER, org)
    admin = staff_user(Role.ADMINISTRATOR, org, first_name="Alex", last_name="Admin")
    report = draft_report(org=org, author=officer)
    with django_capture_on_commit_callbacks(execute=True):
        publish(report, author=officer, approver=approver)

    # The only approver starts a new version: they are its author and may
    # not approve it, so the page says who can add an approver.
    client.force_login(approver)
    client.post(reverse("staff:reports:workflow", args=[report.pk]), {"action": "new_version"})
    mine = Report.objects.get(slug=report.slug, status=Report.Status.DRAFT)
    assert mine.author == approver
    report_services.report_submit(acting_user=approver, report=mine)
    html = client.get(reverse("staff:reports:edit", args=[mine.pk])).content.decode()
    assert "No one can approve this report yet" in html
    assert "Alex Admin" in html and admin.email in html
    assert 'value="approve"' not in html
    # Its administrator sees a link to add an approver, with both chosen.
    client.force_login(admin)
    html = client.get(reverse("staff:reports:edit", args=[mine.pk])).content.decode()
    link = reverse("staff:person-add") + f"?organisation={org.pk}&amp;role=approver"
    assert link in html
    form = client.get(reverse("staff:person-add") + f"?organisation={org.pk}&role=approver")
    import re

    radio = re.search(r'<input[^>]*value="approver"[^>]*>', form.content.decode()).group(0)
    assert 'checked' in radio



@pytest.mark.django_db
def test_anyone_who_drafts_starts_a_new_version_which_the_lone_approver_approves(
        client, django_capture_on_commit_callbacks):
    # The way through without a new person.
    org = OrganisationFactory(name="Testshire Parent Carer Forum")
    approver = staff_user(Role.APPROVER, org)
    officer = staff_user(Role.OFFICER, org)
    report = draft_report(org=org, author=officer)
    with django_capture_on_commit_callbacks(execute=True):
        publish(report, author=officer, approver=approver)
    client.force_login(officer)
    client.post(reverse("staff:reports:workflow", args=[report.pk]), {"action": "new_version"})
    theirs = Report.objects.get(slug=report.slug, status=Report.Status.DRAFT)
    assert theirs.author == officer
    report_services.report_submit(acting_user=officer, report=theirs)
    client.force_login(approver)
    html = client.get(reverse("staff:reports:edit", args=[theirs.pk])).content.decode()
    assert 'value="approve"' in html and "No one can approve" not in html
    client.post(reverse("staff:reports:workflow", args=[theirs.pk]), {"action": "approve"})
    theirs.refresh_from_db()
    assert theirs.status == Report.Status.APPROVED and theirs.approved_by == approver


@pytest.mark.django_db
def test_an_organisation_without_an_administrator_points_to_the_partnership(client):
    lead = OrganisationFactory(name="Testshire County Council", is_partnership_lead=True)
    staff_user(Role.ADMINISTRATOR, lead, first_name="Pat", last_name="Lead")
    forum = OrganisationFactory(name="Testshire Forum")
    officer = staff_user(Role.OFFICER, forum)
    report = draft_report(org=forum, author=officer)
    report_services.report_submit(acting_user=officer, report=report)
    client.force_login(officer)
    html = client.get(reverse("staff:reports:edit", args=[report.pk])).content.decode()
    assert "has no administrator. A partnership administrator can give it one" in html
    assert "Pat Lead" in html


@pytest.mark.django_db
def test_each_change_owes_each_eligible_approver_one_notice_by_their_choice(
        django_capture_on_commit_callbacks, mailoutbox):
    org = OrganisationFactory(name="Testshire Forum", replies_need_approval=True)
    officer = staff_user(Role.OFFICER, org)
    staff_user(Role.APPROVER, org, email="each@forum.example")
    daily = staff_user(Role.APPROVER, org, email="daily@forum.example")
    quiet = staff_user(Role.APPROVER, org, email="quiet@forum.example")
    User.objects.filter(pk=daily.pk).update(approval_email=User.ApprovalEmail.DAILY)
    User.objects.filter(pk=quiet.pk).update(approval_email=User.ApprovalEmail.NONE)
    staff_user(Role.APPROVER, OrganisationFactory(name="Elsewhere"))  # never told

    writer = staff_user(Role.APPROVER, org, email="writer@forum.example")
    report = draft_report(org=org, author=writer)
    with django_capture_on_commit_callbacks(execute=True):
        report_services.report_submit(acting_user=writer, report=report)
    # The author is not told about their own report; the daily reader waits.
    assert [m.to for m in mailoutbox] == [["each@forum.example"]]
    assert ApprovalNotice.objects.filter(state=ApprovalNotice.State.DIGEST).get().recipient == daily
    assert "/staff/reports/" in mailoutbox[0].body
    assert "http://testserver" not in mailoutbox[0].body  # SITE_URL, never the request's host
    # Returned and sent again: a new change, so a new e-mail.
    report_services.report_return(acting_user=officer, report=report)
    with django_capture_on_commit_callbacks(execute=True):
        report_services.report_submit(acting_user=writer, report=report)
    assert [m.to for m in mailoutbox] == [["each@forum.example"]] * 2

    feedback = FeedbackFactory(organisation=org, wants_contact=True,
                               contact_email="family@home.example")
    with django_capture_on_commit_callbacks(execute=True):
        reply = feedback_services.reply_create(acting_user=officer, feedback=feedback,
                                               outcome=Reply.Outcome.DONE, text="We did it.")
    assert reply.state == Reply.State.AWAITING_APPROVAL
    # Every approver but the reply's author (the writer of the report approves replies too).
    assert sorted(m.to[0] for m in mailoutbox[2:]) == ["each@forum.example",
                                                       "writer@forum.example"]
    assert not any("family@home.example" in m.body for m in mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        feedback_services.quote_propose(acting_user=officer, feedback=feedback,
                                        redacted_text="It helped.")
    assert len(mailoutbox) == 6 and "Quote" in mailoutbox[5].body

    # Sending again sends nothing more; the daily digest is one e-mail.
    from core import jobs
    from core.models import Job

    for job in Job.objects.filter(kind="approval_notice"):
        assert job.state == Job.State.DONE
        assert jobs.execute(job.pk, retry=False) is None
    assert len(mailoutbox) == 6
    tasks.send_approval_digests.apply()
    tasks.send_approval_digests.apply()
    assert len(mailoutbox) == 7 and mailoutbox[6].to == ["daily@forum.example"]
    assert "4 things are waiting" in mailoutbox[6].subject
    assert not any(m.to == ["quiet@forum.example"] for m in mailoutbox)



@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_e_mails_each_approver_once_per_queue_change(celery_worker):
    org = OrganisationFactory(name="Testshire Forum", replies_need_approval=True)
    officer = staff_user(Role.OFFICER, org)
    staff_user(Role.APPROVER, org, email="one@forum.example")
    staff_user(Role.APPROVER, org, email="two@forum.example")
    report = draft_report(org=org, author=officer)
    report_services.report_submit(acting_user=officer, report=report)
    feedback = FeedbackFactory(organisation=org)
    feedback_services.reply_create(acting_user=officer, feedback=feedback,
                                   outcome=Reply.Outcome.DONE, text="We did it.")
    feedback_services.quote_propose(acting_user=officer, feedback=feedback,
                                    redacted_text="It helped.")

    wait_for(lambda: len(celery_worker.sent_mail()) >= 6)
    wait_for(lambda: not ApprovalNotice.objects.exclude(state=ApprovalNotice.State.SENT).exists())
    # Each job delivered twice more (a broker redelivery, the dispatcher):
    # still one e-mail each.
    from core import jobs
    from core.models import Job

    spec = jobs.kind("approval_notice")
    for job in Job.objects.filter(kind="approval_notice"):
        jobs.send(spec, job.pk)
        jobs.send(spec, job.pk)
    jobs.dispatch.delay()
    import time

    time.sleep(2)
    mail = celery_worker.sent_mail()
    assert len(mail) == 6
    for address in ("one@forum.example", "two@forum.example"):
        mine = [m for m in mail if f"To: {address}" in m]
        assert len(mine) == 3, address
    assert not any(officer.email in m for m in mail)


@pytest.mark.django_db
def test_a_reply_and_a_quote_nobody_else_may_approve_name_the_way_through(client):
    org = OrganisationFactory(name="Testshire Forum", replies_need_approval=True)
    approver = staff_user(Role.APPROVER, org)
    admin = staff_user(Role.ADMINISTRATOR, org, first_name="Alex", last_name="Admin")
    feedback = FeedbackFactory(organisation=org)
    feedback_services.reply_create(acting_user=approver, feedback=feedback,
                                   outcome=Reply.Outcome.DONE, text="We did it.")
    feedback_services.quote_propose(acting_user=approver, feedback=feedback,
                                    redacted_text="It helped.")
    client.force_login(approver)
    html = client.get(reverse("staff:feedback:detail", args=[feedback.pk])).content.decode()
    assert "No one can approve this reply yet" in html
    assert "No one can approve this quote yet" in html and "officer or approver" in html
    assert "Alex Admin" in html
    # Once someone else may approve, the page says nothing of the kind.
    staff_user(Role.APPROVER, org)
    html = client.get(reverse("staff:feedback:detail", args=[feedback.pk])).content.decode()
    assert "No one can approve" not in html
    assert admin.pk
