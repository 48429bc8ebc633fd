"""What people found when they used reports (issue 19): a series' order and
its previous/next links, its current and previous reports, the date a
back-filled report was first published, who feedback was raised with, the
third column's heading, and renaming a series."""

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from core.audit import Verb
from core.models import AuditEvent, Role
from reports import services
from reports.models import Report, ReportSeries
from tests.conftest import pdf_text
from tests.core.factories import OrganisationFactory, ThemeFactory, staff_user
from tests.feedback.factories import FeedbackFactory
from tests.reports.factories import make_people, publish, table_report

pytestmark = pytest.mark.django_db

UPDATE, FULL = "update", "full"  # Report.Edition


@pytest.fixture
def people():
    return make_people()


def _in_series(people, title, start, end, edition=FULL, series=None, **details):
    org, officer, approver = people
    if edition != FULL:
        details["edition"] = edition
    report = table_report(org=org, author=officer, title=title, start=start, end=end,
                          period_kind=Report.PeriodKind.CUSTOM,
                          series=series, new_series="" if series else "Local Offer annual reports",
                          **details)
    return publish(report, author=officer, approver=approver)


def _shared_start_series(people):
    """Two years; in the second, three reports start on 1 September: two
    interim updates and the annual report. Published in an order unlike the
    series' own (the annual report of 2025–26 before its updates)."""
    first = _in_series(people, "Annual report 2024-25", date(2024, 9, 1), date(2025, 8, 31))
    series = first.series
    annual = _in_series(people, "Annual report 2025-26", date(2025, 9, 1), date(2026, 8, 31),
                        series=series)
    spring = _in_series(people, "Update to March 2026", date(2025, 9, 1), date(2026, 3, 31),
                        UPDATE, series=series)
    autumn = _in_series(people, "Update to December 2025", date(2025, 9, 1),
                        date(2025, 12, 31), UPDATE, series=series)
    # An update covering the whole year, published after the annual report.
    late = _in_series(people, "Update for the whole year", date(2025, 9, 1),
                      date(2026, 8, 31), UPDATE, series=series)
    return series, [first, autumn, spring, late, annual]


LINK = re.compile(r'href="/reports/([\w-]+)/" rel="(prev|next)"')


def _links(client, slug) -> dict[str, str]:
    html = client.get(reverse("reports:detail", args=[slug])).content.decode()
    return {rel: target for target, rel in LINK.findall(html)}


def test_next_and_previous_walk_every_report_of_a_series_once(client, people):
    series, ordered = _shared_start_series(people)
    slugs = [r.slug for r in ordered]

    walked, slug = [], slugs[0]
    while slug and len(walked) <= len(slugs):
        walked.append(slug)
        slug = _links(client, slug).get("next")
    assert walked == slugs  # each once, an annual report after the updates it replaces

    walked, slug = [], slugs[-1]
    while slug and len(walked) <= len(slugs):
        walked.append(slug)
        slug = _links(client, slug).get("prev")
    assert walked == slugs[::-1]


def test_reports_sharing_a_start_day_do_not_point_at_each_other(client, people):
    """Without interim updates too (every report full), previous and next
    never loop between reports that start on the same day."""
    first = _in_series(people, "Annual report 2024-25", date(2024, 9, 1), date(2025, 8, 31))
    others = [_in_series(people, title, date(2025, 9, 1), end, series=first.series)
              for title, end in (("Whole year", date(2026, 8, 31)),
                                 ("Autumn", date(2025, 12, 31)),
                                 ("Autumn and spring", date(2026, 3, 31)))]
    expected = [first.slug] + [r.slug for r in (others[1], others[2], others[0])]
    walked, slug = [], first.slug
    while slug and len(walked) <= len(expected):
        walked.append(slug)
        slug = _links(client, slug).get("next")
    assert walked == expected
    walked, slug = [], expected[-1]
    while slug and len(walked) <= len(expected):
        walked.append(slug)
        slug = _links(client, slug).get("prev")
    assert walked == expected[::-1]


def test_series_page_shows_the_current_report_then_previous_reports(
        client, people, django_assert_num_queries):
    series, ordered = _shared_start_series(people)
    with django_assert_num_queries(2):  # the series, its reports
        html = client.get(reverse("reports:series", args=[series.slug])).content.decode()
    current = html[html.index(">Current report<"):html.index(">Previous reports<")]
    previous = html[html.index(">Previous reports<"):]
    assert "Annual report 2025-26" in current
    assert "Update to" not in current
    positions = [previous.index(r.title) for r in ordered[-2::-1]]
    assert positions == sorted(positions)  # newest first, the annual report's updates first
    assert "Interim update" in previous

    html = client.get(reverse("reports:detail", args=[ordered[1].slug])).content.decode()
    assert "every year’s report" not in html
    assert "Local Offer annual reports: the current report and previous reports" in html


def test_interim_updates_are_chosen_on_the_staff_form_and_default_to_full(client, people):
    org, officer, _ = people
    client.force_login(officer)
    page = client.get(reverse("staff:reports:create")).content.decode()
    full = [tag for tag in re.findall(r"<input[^>]*>", page)
            if 'name="edition"' in tag and 'value="full"' in tag]
    assert len(full) == 1 and "checked" in full[0], full
    data = {"title": "Interim update, autumn 2026", "kind": "local_offer", "edition": "update",
            "period_kind": "custom", "period_start_0": "1", "period_start_1": "9",
            "period_start_2": "2026", "period_end_0": "31", "period_end_1": "12",
            "period_end_2": "2026", "summary": "So far.", "layout": "table"}
    response = client.post(reverse("staff:reports:create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Report.objects.get(title="Interim update, autumn 2026").edition == UPDATE
    data.pop("edition")
    client.post(reverse("staff:reports:create"), data | {"title": "Annual 2026-27"})
    assert Report.objects.get(title="Annual 2026-27").edition == FULL


def test_migration_marks_existing_interim_updates(people):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("reports.migrations.0007_report_edition_first_published_"
                              "evidence_heading")
    _, ordered = _shared_start_series(people)
    first, autumn, spring, late, annual = ordered
    Report.objects.update(edition=FULL)
    Report.objects.filter(pk=late.pk).update(title="Interim update for the whole year")
    migration.mark_interim_updates(apps, None)
    editions = dict(Report.objects.values_list("pk", "edition"))
    assert editions == {first.pk: FULL, autumn.pk: UPDATE, spring.pk: UPDATE, late.pk: UPDATE,
                        annual.pk: FULL}


# --- First published (back-filled reports) ---------------------------------------------


def _details(report, **changes):
    data = {"title": report.title, "kind": report.kind, "edition": report.edition,
            "period_kind": report.period_kind,
            "period_start_0": report.period_start.day, "period_start_1": report.period_start.month,
            "period_start_2": report.period_start.year,
            "period_end_0": report.period_end.day, "period_end_1": report.period_end.month,
            "period_end_2": report.period_end.year, "summary": report.summary,
            "layout": report.layout, "evidence_heading": report.evidence_heading,
            "series": report.series_id or "", "lock_version": report.lock_version}
    data.update(changes)
    return data


def _first_published(day: date) -> dict:
    return {"first_published_on_0": day.day, "first_published_on_1": day.month,
            "first_published_on_2": day.year}


def test_a_back_filled_report_shows_when_it_was_first_published_everywhere(
        client, people, django_capture_on_commit_callbacks):
    org, officer, approver = people
    draft = table_report(org=org, author=officer, title="Local Offer report 2018-19",
                         start=date(2018, 9, 1), end=date(2019, 8, 31))
    client.force_login(officer)
    response = client.post(reverse("staff:reports:edit", args=[draft.pk]),
                           _details(draft, **_first_published(date(2019, 10, 14))))
    assert response.status_code == 302, response.content.decode()[:3000]
    report = publish(draft, author=officer, approver=approver,
                     capture=django_capture_on_commit_callbacks)
    assert report.first_published_on == date(2019, 10, 14)
    client.logout()
    today = f"{timezone.localdate():%-d %B %Y}"

    page = client.get(reverse("reports:detail", args=[report.slug])).content.decode()
    assert "14 October 2019" in page and today not in page
    archive = client.get(reverse("reports:index")).content.decode()
    assert "on 14 October 2019" in archive and today not in archive
    feed = ET.fromstring(client.get(reverse("reports:feed")).content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    published = feed.find("a:entry/a:published", ns).text
    assert datetime.fromisoformat(published).date() == date(2019, 10, 14)
    report.refresh_from_db()
    text = " ".join(pdf_text(report.pdf_file.read()).split())
    assert "Published 14 October 2019" in text and today not in text


def test_first_published_date_is_checked_and_kept_when_wrong(client, people):
    org, officer, approver = people
    draft = table_report(org=org, author=officer, title="Local Offer report 2019-20",
                         start=date(2019, 9, 1), end=date(2020, 8, 31))
    client.force_login(officer)
    url = reverse("staff:reports:edit", args=[draft.pk])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(url, _details(draft, **_first_published(tomorrow)))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The date it was first published must be today or in the past" in html
    assert 'href="#first_published_on"' in html or 'href="#id_first_published_on' in html
    assert f'value="{tomorrow.year}"' in html  # what was typed is kept

    # A new version can not claim a first publication after the portal's own.
    report = publish(draft, author=officer, approver=approver)
    Report.objects.filter(pk=report.pk).update(
        published_at=timezone.make_aware(datetime(2021, 1, 10, 12)))
    second = services.report_new_version(acting_user=officer, report=report)
    response = client.post(reverse("staff:reports:edit", args=[second.pk]),
                           _details(second, **_first_published(date(2021, 2, 1))))
    assert response.status_code == 400
    assert ("The date it was first published must be on or before the day the portal "
            "published it (10 January 2021)") in response.content.decode()
    response = client.post(reverse("staff:reports:edit", args=[second.pk]),
                           _details(second, **_first_published(date(2020, 10, 1))))
    assert response.status_code == 302


# --- Who feedback was raised with ------------------------------------------------------


def test_feedback_given_to_the_council_and_shared_with_the_forum_says_so(client):
    council = OrganisationFactory(name="Gloucestershire County Council")
    forum = OrganisationFactory(name="Gloucestershire Parent Carer Forum",
                                kind="parent_carer_forum")
    theme = ThemeFactory(name="Being heard")
    feedback = FeedbackFactory(organisation=council, channel="phone",
                               received_on=date(2026, 5, 1))
    feedback.themes.add(theme)
    feedback.shared_with.add(forum)
    officer, chair = staff_user(Role.OFFICER, forum), staff_user(Role.APPROVER, forum)
    report = services.report_create(
        acting_user=officer, organisation=forum, title="What you told the forum",
        kind="annual_survey", period_start=date(2026, 4, 1), period_end=date(2026, 9, 30),
        summary="Summary.")
    services.item_save(acting_user=officer, report=report, new_topic="Being listened to",
                       theme=theme, you_said="Nobody called back.", we_did="We call back.",
                       outcome="done")
    publish(report, author=officer, approver=chair)
    html = client.get(reverse("reports:detail", args=[report.slug])).content.decode()
    assert "raised this with Gloucestershire Parent Carer Forum" not in html
    assert ("<strong>1 person</strong> raised this with Gloucestershire County Council by phone "
            "between 1 April 2026 and 30 September 2026. It was shared with Gloucestershire "
            "Parent Carer Forum.") in html


# --- Evidence on the staff page and the third column's heading ---------------------------


def test_staff_page_does_not_say_none_yet_for_an_item_with_only_a_link(client, people):
    org, officer, _ = people
    report = table_report(org=org, author=officer, topics=[("Short breaks", [
        ("No places.", "Places are shown.", "done", "", "Short breaks /reports/")])])
    client.force_login(officer)
    html = client.get(reverse("staff:reports:edit", args=[report.pk])).content.decode()
    row = re.search(r'>Evidence</dt><dd class="govuk-summary-list__value">(.*?)</dd>', html)[1]
    assert row == "1 link"


def test_the_report_names_its_third_column_on_the_page_and_in_the_pdf(
        client, people, django_capture_on_commit_callbacks):
    org, officer, approver = people
    report = table_report(org=org, author=officer, evidence_heading="Evidence or feedback")
    report = publish(report, author=officer, approver=approver,
                     capture=django_capture_on_commit_callbacks)
    html = client.get(reverse("reports:detail", args=[report.slug])).content.decode()
    headers = re.findall(r'app-yswd-table__evidence">([^<]*)</th>', html)
    assert headers and set(headers) == {"Evidence or feedback"}
    assert " ".join(pdf_text(report.pdf_file.read()).split()).count("Evidence or feedback") >= 3

    client.force_login(officer)
    second = services.report_new_version(acting_user=officer, report=report)
    response = client.post(reverse("staff:reports:edit", args=[second.pk]),
                           _details(second, evidence_heading="What changed"))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.evidence_heading == "What changed"
    assert ">What changed</dt>" in client.get(
        reverse("staff:reports:edit", args=[second.pk])).content.decode()
    client.post(reverse("staff:reports:edit", args=[second.pk]),
                _details(second, evidence_heading="  "))
    second.refresh_from_db()
    assert second.evidence_heading == "Evidence"


# --- Renaming a series -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # real commits move the generations on
def test_a_series_is_renamed_from_the_staff_pages_audited_and_pages_follow(
        people, django_capture_on_commit_callbacks):
    org, officer, approver = people
    with django_capture_on_commit_callbacks(execute=True):
        series, ordered = _shared_start_series(people)
    public = Client()
    cache.clear()
    series_url = reverse("reports:series", args=[series.slug])
    report_url = reverse("reports:detail", args=[ordered[0].slug])
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=600):
        public.get(series_url), public.get(report_url)
        assert public.get(series_url).get("X-Page-Cache") == "hit"

        staff = Client()
        staff.force_login(officer)
        report_page = staff.get(reverse("staff:reports:edit", args=[ordered[0].pk]))
        edit_url = reverse("staff:reports:series-edit", args=[series.pk])
        assert f'href="{edit_url}?report={ordered[0].pk}"' in report_page.content.decode()
        page = staff.get(f"{edit_url}?report={ordered[0].pk}").content.decode()
        assert 'value="Local Offer annual reports"' in page
        response = staff.post(edit_url, {"name": "  ", "report": ordered[0].pk})
        assert response.status_code == 400
        assert "Enter the name of the series" in response.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = staff.post(edit_url, {"name": "Local Offer reports",
                                             "report": ordered[0].pk})
        assert response.status_code == 302
        assert response["Location"] == reverse("staff:reports:edit", args=[ordered[0].pk])

        series.refresh_from_db()
        assert (series.name, series.slug) == ("Local Offer reports", "local-offer-annual-reports")
        event = AuditEvent.objects.get(verb=Verb.REPORT_SERIES_RENAMED)
        assert (event.actor_id, event.data) == (officer.pk, {"from": "Local Offer annual reports",
                                                             "to": "Local Offer reports"})
        for url in (series_url, report_url):  # a kept page follows the rename
            html = public.get(url).content.decode()
            assert "Local Offer reports" in html and "Local Offer annual reports" not in html


def test_a_series_name_is_unique_in_its_organisation_and_others_cannot_rename_it(people):
    org, officer, approver = people
    series = ReportSeries.objects.create(name="Local Offer feedback", slug="lo",
                                         organisation=org)
    ReportSeries.objects.create(name="EHCP reviews", slug="ehcp", organisation=org)
    staff = Client()
    staff.force_login(approver)
    url = reverse("staff:reports:series-edit", args=[series.pk])
    response = staff.post(url, {"name": "ehcp reviews"})
    assert response.status_code == 400
    assert "Your organisation already has a series called ehcp reviews" in \
        response.content.decode()
    assert 'value="ehcp reviews"' in response.content.decode()

    outsider = Client()
    outsider.force_login(staff_user(Role.OFFICER))
    assert outsider.post(url, {"name": "Taken over"}).status_code == 404
    board = Client()
    board.force_login(staff_user(Role.ADMINISTRATOR, org))
    assert board.post(url, {"name": "Taken over"}).status_code == 403
    series.refresh_from_db()
    assert series.name == "Local Offer feedback"


@pytest.mark.django_db(transaction=True)  # real commits move the generations on
def test_kept_series_and_report_pages_follow_a_new_report_in_the_series(
        people, django_capture_on_commit_callbacks):
    """An interim update published later goes before the annual report it
    belongs to: the kept series page and the annual report's previous link
    move with it."""
    with django_capture_on_commit_callbacks(execute=True):
        first = _in_series(people, "Annual report 2024-25", date(2024, 9, 1), date(2025, 8, 31))
        annual = _in_series(people, "Annual report 2025-26", date(2025, 9, 1),
                            date(2026, 8, 31), series=first.series)
    public = Client()
    cache.clear()
    series_url = reverse("reports:series", args=[first.series.slug])
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=600):
        assert _links(public, annual.slug)["prev"] == first.slug
        public.get(series_url)
        assert public.get(series_url).get("X-Page-Cache") == "hit"
        with django_capture_on_commit_callbacks(execute=True):
            update = _in_series(people, "Update to December 2025", date(2025, 9, 1),
                                date(2025, 12, 31), UPDATE, series=first.series)
        assert _links(public, annual.slug)["prev"] == update.slug
        html = public.get(series_url).content.decode()
        previous = html[html.index(">Previous reports<"):]
        assert previous.index(update.title) < previous.index(first.title)


def test_the_staff_series_page_reads_a_fixed_number_of_queries(client, people):
    """The rename page lists every report of the series: its queries do not
    grow with them."""
    org, officer, approver = people
    first = _in_series(people, "Annual report 2023-24", date(2023, 9, 1), date(2024, 8, 31))
    series = first.series
    client.force_login(officer)
    url = reverse("staff:reports:series-edit", args=[series.pk]) + f"?report={first.pk}"

    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    assert few == 5  # pinned: a change in what the page reads shows here
    for year in (2024, 2025, 2026):
        _in_series(people, f"Annual report {year}-{str(year + 1)[2:]}", date(year, 9, 1),
                   date(year + 1, 8, 31), series=series)
    assert queries() == few
