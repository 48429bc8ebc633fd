"""Reports that look like the "You said, we did" pages councils publish
(issue 13): topics and the table layout, series and periods, honest counts,
the publisher everywhere, and "Was this page useful?" without false work."""

import re
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import Role
from feedback import services as feedback_services
from feedback.models import Feedback, SurveyImport, SurveyStatistic
from reports import services
from reports.forms import ItemForm
from reports.models import Report, ReportTopic, UsefulCount
from tests.conftest import pdf_info, pdf_structure, pdf_text
from tests.core.factories import OrganisationFactory, ThemeFactory, staff_user
from tests.feedback.factories import FeedbackFactory
from tests.reports.factories import (
    approved_quote,
    draft_report,
    make_people,
    publish,
    published_report,
    table_report,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return make_people()


def _pdf(report) -> bytes:
    report.refresh_from_db()
    assert report.pdf_state == Report.PdfState.READY, report.pdf_error
    return report.pdf_file.read()


def _streams(pdf: bytes) -> bytes:
    """The PDF with its compressed streams unpacked (the XMP metadata may be one)."""
    import zlib

    chunks = [pdf]
    for part in pdf.split(b"stream")[1:]:
        body = part.split(b"endstream")[0].strip(b"\r\n")
        try:
            chunks.append(zlib.decompress(body))
        except zlib.error:
            pass
    return b"".join(chunks)


def _page_texts(pdf: bytes) -> list[str]:
    pages = int(pdf_info(pdf)["Pages"])
    return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-", "-"], input=pdf,
                           capture_output=True, check=True).stdout.decode()
            for n in range(1, pages + 1)]


# --- 1. Topics and the table layout, in HTML and PDF ---------------------------------


def test_table_layout_has_you_said_we_did_evidence_per_topic_in_html_and_pdf(
        client, people, django_capture_on_commit_callbacks):
    org, officer, approver = people
    report = publish(table_report(org=org, author=officer), author=officer, approver=approver,
                     capture=django_capture_on_commit_callbacks)

    html = client.get(reverse("reports:detail", args=[report.slug])).content.decode()
    tables = re.findall(r"<table class=\"govuk-table app-yswd-table\".*?</table>", html, re.S)
    assert len(tables) == 3  # one per topic
    for table in tables:
        headers = re.findall(r"<th [^>]*>(.*?)</th>", table)
        assert headers == ["You said", "We did", "Evidence"]
    for topic in ("Finding information", "Preparing for adulthood", "Short breaks"):
        assert f">{topic}</h2>" in html
    assert 'govuk-tag govuk-tag--blue">In progress</strong>' in html
    assert '<a class="govuk-link app-evidence-link" href="https://example.gov.uk/local-offer/by-age">' \
           'Local Offer by age</a>' in html

    pdf = _pdf(report)
    text = pdf_text(pdf)
    assert text.count("You said") == 3 and text.count("We did") == 3
    assert text.count("Evidence") == 3
    assert "IN PROGRESS" in text  # the tag, upper-cased by the PDF's style
    structure = pdf_structure(pdf)
    assert structure.count("Table (block)") == 3 and structure.count("TH ") == 9
    assert "THead" in structure and "TBody" in structure
    info = pdf_info(pdf)
    assert info["Tagged"] == "yes"
    assert b'pdfuaid:part="1"' in _streams(pdf)  # declared PDF/UA-1 in its XMP metadata
    assert int(info["Pages"]) <= 2  # three short items flow on; no page each


def test_a_three_item_sections_report_pdf_is_at_most_two_pages(
        people, django_capture_on_commit_callbacks):
    org, officer, approver = people
    report = publish(draft_report(org=org, author=officer, items=3), author=officer,
                     approver=approver, capture=django_capture_on_commit_callbacks)
    assert int(pdf_info(_pdf(report))["Pages"]) <= 2  # it was 4: one page per item


def test_a_long_table_repeats_its_header_row_on_every_page(
        people, django_capture_on_commit_callbacks):
    org, officer, approver = people
    long_topic = [("Waiting times", [
        (f"Families waited too long for therapy, item {n}. " * 6,
         f"We recruited more therapists, item {n}. " * 6, "done", "", "")
        for n in range(14)])]
    report = publish(table_report(org=org, author=officer, topics=long_topic),
                     author=officer, approver=approver,
                     capture=django_capture_on_commit_callbacks)
    pages = _page_texts(_pdf(report))
    assert len(pages) >= 3
    for page in pages[1:]:
        assert "You said" in page and "We did" in page and "Evidence" in page


def test_existing_items_are_put_under_topics_by_the_data_migration(people):
    """The data migration: items move under a topic named after their theme,
    or "General", in the order they came."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("reports.migrations.0003_topics_series_periods_useful")
    org, officer, _ = people
    theme = ThemeFactory(name="Waiting times")
    report = draft_report(org=org, author=officer, items=2, theme=theme)
    item = report.items.first()
    other = services.item_save(acting_user=officer, report=report, new_topic="Elsewhere",
                               you_said="x", we_did="y", outcome="done")
    # As the items were before topics: clear their topics (the column is not null,
    # so point them all at a throwaway topic the migration does not look at).
    report.items.update(topic=ReportTopic.objects.create(report=report, title="old", position=9))
    ReportTopic.objects.exclude(title="old").delete()
    migration.items_under_topics(apps, None)
    item.refresh_from_db()
    other.refresh_from_db()
    assert item.topic.title == "Waiting times" and other.topic.title == "General"
    assert item.topic.position == 1 and other.topic.position == 2


def test_topics_are_added_renamed_reordered_and_deleted_only_when_empty(client, people):
    org, officer, _ = people
    report = table_report(org=org, author=officer)
    client.force_login(officer)
    url = reverse("staff:reports:topics", args=[report.pk])
    assert client.post(url, {"title": "Finding information"}).status_code == 400  # taken
    bad = client.post(url, {"title": ""})
    assert bad.status_code == 400 and "Enter the topic&#x27;s name" in bad.content.decode()
    assert client.post(url, {"title": "Transport"}).status_code == 302
    titles = list(report.topics.values_list("title", flat=True))
    assert titles == ["Finding information", "Preparing for adulthood", "Short breaks",
                      "Transport"]
    transport = report.topics.get(title="Transport")
    topic_url = reverse("staff:reports:topic", args=[report.pk, transport.pk])
    client.post(topic_url, {"action": "up"})
    client.post(topic_url, {"action": "rename", "title": "Home to school transport"})
    assert list(report.topics.values_list("title", flat=True))[2] == "Home to school transport"
    full = report.topics.get(title="Short breaks")
    client.post(reverse("staff:reports:topic", args=[report.pk, full.pk]), {"action": "delete"})
    assert report.topics.filter(pk=full.pk).exists()  # it has an item
    client.post(topic_url, {"action": "delete"})
    assert not report.topics.filter(pk=transport.pk).exists()


def test_items_are_put_under_a_topic_and_move_within_it(client, people):
    org, officer, _ = people
    report = table_report(org=org, author=officer)
    topic = report.topics.get(title="Short breaks")
    client.force_login(officer)
    url = reverse("staff:reports:item-create", args=[report.pk])
    page = client.get(url + f"?topic={topic.pk}").content.decode()
    assert f'<option value="{topic.pk}" selected>Short breaks</option>' in page
    missing = client.post(url, {"you_said": "x", "we_did": "y", "outcome": "done"})
    assert missing.status_code == 400
    assert "Choose the topic this item goes under, or name a new one" in missing.content.decode()
    client.post(url, {"topic": topic.pk, "you_said": "Second", "we_did": "y", "outcome": "done",
                      "evidence_links": "not a link"})
    assert not topic.items.filter(you_said="Second").exists()  # the link line is refused
    client.post(url, {"topic": topic.pk, "you_said": "Second", "we_did": "y", "outcome": "done"})
    first, second = topic.items.order_by("position")
    client.post(reverse("staff:reports:item-action", args=[report.pk, second.pk]),
                {"action": "up"})
    assert list(topic.items.order_by("position").values_list("you_said", flat=True))[0] == \
        "Second"


def test_a_new_version_keeps_topics_and_evidence(people):
    org, officer, approver = people
    first = publish(table_report(org=org, author=officer), author=officer, approver=approver)
    second = services.report_new_version(acting_user=officer, report=first)
    assert list(second.topics.values_list("title", flat=True)) == \
        list(first.topics.values_list("title", flat=True))
    assert second.items.filter(topic__report=second).count() == 3
    assert second.items.get(topic__title="Short breaks").evidence == "Live since April."


# --- 2. Series and periods -------------------------------------------------------------


def _annual_series(org, officer, approver):
    reports = []
    series = None
    for year in (2023, 2024, 2025):
        report = table_report(org=org, author=officer,
                              title=f"Local Offer annual feedback report {year}-{year % 100 + 1}",
                              start=date(year, 9, 1), end=date(year + 1, 8, 31), series=series,
                              new_series="" if series else "Local Offer annual feedback report")
        reports.append(publish(report, author=officer, approver=approver))
        series = reports[-1].series
    return series, reports


def test_series_page_lists_every_year_newest_first_and_reports_link_to_neighbours(
        client, people, django_assert_num_queries):
    org, officer, approver = people
    series, (r23, r24, r25) = _annual_series(org, officer, approver)
    assert series.slug == "local-offer-annual-feedback-report"
    draft_report(org=org, author=officer, title="Not yet")  # drafts are never listed
    with django_assert_num_queries(2):  # the series, its reports
        html = client.get(reverse("reports:series", args=[series.slug])).content.decode()
    positions = [html.index(r.title) for r in (r25, r24, r23)]
    assert positions == sorted(positions)
    assert "2025–26 academic year (September 2025 to August 2026)" in html
    assert "Published by Testshire County Council" in html

    middle = client.get(reverse("reports:detail", args=[r24.slug])).content.decode()
    assert f'href="{reverse("reports:detail", args=[r23.slug])}" rel="prev"' in middle
    assert f'href="{reverse("reports:detail", args=[r25.slug])}" rel="next"' in middle
    assert f'href="{series.get_absolute_url()}"' in middle
    newest = client.get(reverse("reports:detail", args=[r25.slug])).content.decode()
    assert 'rel="next"' not in newest and 'rel="prev"' in newest
    assert client.get(reverse("reports:series", args=["no-such-series"])).status_code == 404


def test_series_page_query_count_does_not_grow_with_its_reports(
        client, people, django_assert_num_queries):
    org, officer, approver = people
    series, _ = _annual_series(org, officer, approver)
    with django_assert_num_queries(2):
        client.get(reverse("reports:series", args=[series.slug]))
    publish(table_report(org=org, author=officer, title="2026-27", start=date(2026, 9, 1),
                         end=date(2027, 8, 31), series=series), author=officer, approver=approver)
    with django_assert_num_queries(2):
        client.get(reverse("reports:series", args=[series.slug]))


def test_periods_are_said_in_the_words_people_use():
    def label(kind, start, end):
        report = Report(period_kind=kind, period_start=start, period_end=end)
        return report.period_label, report.period_description

    assert label("academic_year", date(2025, 9, 1), date(2026, 8, 31)) == (
        "2025–26 academic year", "2025–26 academic year (September 2025 to August 2026)")
    assert label("financial_year", date(2025, 4, 1), date(2026, 3, 31))[0] == \
        "financial year 2025–26"
    assert label("custom", date(2025, 9, 1), date(2026, 8, 31))[0] == \
        "September 2025 to August 2026"
    assert label("custom", date(2026, 4, 3), date(2026, 9, 30))[0] == \
        "3 April 2026 to 30 September 2026"
    assert label("calendar_year", date(2026, 1, 1), date(2026, 12, 31))[1] == \
        "2026 (January to December 2026)"


def test_an_academic_year_must_run_september_to_august(client, people):
    org, officer, _ = people
    client.force_login(officer)
    response = client.post(reverse("staff:reports:create"), {
        "title": "Wrong year", "kind": "local_offer", "period_kind": "academic_year",
        "period_start_0": "1", "period_start_1": "4", "period_start_2": "2025",
        "period_end_0": "31", "period_end_1": "3", "period_end_2": "2026",
        "summary": "x", "layout": "table"})
    assert response.status_code == 400
    assert "An academic year runs from 1 September to 31 August" in response.content.decode()
    assert not Report.objects.exists()
    with pytest.raises(ValidationError):
        table_report(org=org, author=officer, start=date(2025, 4, 1), end=date(2026, 3, 31))


def test_archive_lists_a_september_to_august_report_under_both_years(client, people):
    org, officer, approver = people
    report = publish(table_report(org=org, author=officer), author=officer, approver=approver)
    earlier = published_report(org=org, author=officer, approver=approver, title="Spring 2026")

    def titles(query):
        response = client.get(reverse("reports:index") + query)
        html = response.content.decode()
        return response, {r.title for r in (report, earlier) if r.title in html}

    assert titles("?year=2025")[1] == {report.title}
    assert titles("?year=2026")[1] == {report.title, earlier.title}
    response, _ = titles("")
    html = response.content.decode()
    assert "Reports covering the year" in html
    assert '<option value="2025">2025</option>' in html and "2025–26 academic year" in html


@pytest.mark.parametrize("query", ["?year=2024", "?year=next", "?publisher=99999",
                                   "?kind=magazine", "?theme=abc"])
def test_invalid_archive_filters_give_an_error_never_every_report(client, people, query):
    org, officer, approver = people
    report = published_report(org=org, author=officer, approver=approver)
    response = client.get(reverse("reports:index") + query)
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html and "govuk-error-message" in html
    field = query[1:].split("=")[0]
    assert f'href="#id_{field}"' in html  # the summary links to the field
    assert report.title not in html
    assert "<title>Error:" in html


# --- 3. Honest counts and pick-lists ---------------------------------------------------


@pytest.fixture
def two_organisations():
    """A hand-worked fixture. Theme "Being heard", period 1 April to 30 September 2026.

    forum:   web form 2 + phone 1 in the period           -> 3
             + 1 outside the period, 1 survey answer,
               1 "was this useful" comment                 -> not counted
    council: web form 5 in the period, one of them shared
             with the forum                                -> council 5; forum +1 = 4
    So the forum's report says 4 (3 online form, 1 phone); the council's says 5.
    """
    council = OrganisationFactory(name="Testshire County Council")
    forum = OrganisationFactory(name="Testshire Parent Carer Forum", kind="parent_carer_forum")
    theme = ThemeFactory(name="Being heard")

    def fb(org, channel="web_form", day=date(2026, 5, 1), **kwargs):
        feedback = FeedbackFactory(organisation=org, channel=channel, received_on=day, **kwargs)
        feedback.themes.add(theme)
        return feedback

    fb(forum), fb(forum), fb(forum, "phone")
    fb(forum, day=date(2026, 10, 2)), fb(forum, "survey")
    fb(forum, "page_useful", needs_reply=False, response_due_on=None)
    council_feedback = [fb(council) for _ in range(5)]
    council_feedback[0].shared_with.add(forum)
    return council, forum, theme


def _one_item_report(org, author, theme, **item):
    report = services.report_create(
        acting_user=author, organisation=org, title=f"What you told {org.name}",
        kind="annual_survey", period_start=date(2026, 4, 1), period_end=date(2026, 9, 30),
        summary="Summary.", layout="table")
    services.item_save(acting_user=author, report=report, new_topic="Being listened to",
                       theme=theme, you_said="Members did not feel heard.",
                       we_did="We sit on every panel now.", outcome="in_progress", **item)
    return report


def test_a_forums_report_counts_only_its_own_and_shared_feedback(client, two_organisations):
    council, forum, theme = two_organisations
    forum_officer, forum_chair = staff_user(Role.OFFICER, forum), staff_user(Role.APPROVER, forum)
    officer, approver = staff_user(Role.OFFICER, council), staff_user(Role.APPROVER, council)
    forum_report = publish(_one_item_report(forum, forum_officer, theme), author=forum_officer,
                           approver=forum_chair)
    council_report = publish(_one_item_report(council, officer, theme), author=officer,
                             approver=approver)
    forum_item, council_item = forum_report.items.get(), council_report.items.get()
    assert forum_item.raised_count == 4
    assert forum_item.raised_by_channel == {"web_form": 3, "phone": 1}
    assert council_item.raised_count == 5
    html = client.get(reverse("reports:detail", args=[forum_report.slug])).content.decode()
    # One of the four was given to the council and shared with the forum (issue 19).
    assert ("<strong>4 people</strong> raised this with Testshire Parent Carer Forum (3) and "
            "Testshire County Council (1) between 1 April 2026 and 30 September 2026: 3 through "
            "the online form, 1 by phone. Feedback given to others was shared with Testshire "
            "Parent Carer Forum.") in html


def test_a_survey_item_shows_the_surveys_own_n_not_a_count_of_feedback(client,
                                                                      two_organisations):
    council, forum, theme = two_organisations
    forum_officer, forum_chair = staff_user(Role.OFFICER, forum), staff_user(Role.APPROVER, forum)
    survey = SurveyImport.objects.create(title="Forum members' survey 2026", organisation=forum,
                                         received_on=date(2026, 6, 1), file="x.csv",
                                         file_sha256="0" * 64, uploaded_by=forum_officer)
    stat = SurveyStatistic.objects.create(survey_import=survey, question="I feel listened to",
                                          responses=86, positive=31)
    report = publish(_one_item_report(forum, forum_officer, theme, statistics=[stat]),
                     author=forum_officer, approver=forum_chair)
    assert report.items.get().raised_count is None
    html = client.get(reverse("reports:detail", args=[report.slug])).content.decode()
    assert "raised this with" not in html
    assert "in the Forum members&#x27; survey 2026, which 86 people answered." in html


def test_pick_lists_offer_only_what_the_organisation_may_use_grouped_by_survey(
        client, two_organisations):
    council, forum, theme = two_organisations
    forum_officer, forum_chair = staff_user(Role.OFFICER, forum), staff_user(Role.APPROVER, forum)
    officer, approver = staff_user(Role.OFFICER, council), staff_user(Role.APPROVER, council)

    def survey(org, title, uploader, question):
        imp = SurveyImport.objects.create(title=title, organisation=org,
                                          received_on=date(2026, 6, 1), file="x.csv",
                                          file_sha256="0" * 64, uploaded_by=uploader)
        return SurveyStatistic.objects.create(survey_import=imp, question=question,
                                              responses=40, positive=20)

    forum_a = survey(forum, "Forum survey A", forum_officer, "Forum question A")
    forum_b = survey(forum, "Forum survey B", forum_officer, "Forum question B")
    council_stat = survey(council, "Council survey", officer, "Council question")
    own_quote = approved_quote(org=forum, proposer=forum_officer, approver=forum_chair,
                               theme=theme, text="Forum member's words")
    council_quote = approved_quote(org=council, proposer=officer, approver=approver,
                                   theme=theme, text="Council family's words")
    shared_quote = approved_quote(org=council, proposer=officer, approver=approver,
                                  theme=theme, text="Shared family's words")
    shared_quote.feedback.shared_with.add(forum)

    report = _one_item_report(forum, forum_officer, theme)
    client.force_login(forum_officer)
    html = client.get(reverse("staff:reports:item-create", args=[report.pk])).content.decode()
    assert "Forum question A" in html and "Forum question B" in html
    assert "Council question" not in html and "Council survey" not in html
    assert "Forum member&#x27;s words" in html and "Shared family&#x27;s words" in html
    assert "Council family&#x27;s words" not in html
    # One group (fieldset and legend) per survey.
    assert "Statistics from Forum survey A (received 1 June 2026)" in html
    assert "Statistics from Forum survey B (received 1 June 2026)" in html
    form = ItemForm(report=report)
    offered = [pk for name in form.statistic_fields for pk, _ in form.fields[name].choices]
    assert sorted(offered) == sorted([forum_a.pk, forum_b.pk])
    # The service refuses another organisation's statistic or quote, whatever the form sent.
    with pytest.raises(ValidationError):
        services.item_save(acting_user=forum_officer, report=report, new_topic="T",
                           you_said="x", we_did="y", outcome="done", statistics=[council_stat])
    with pytest.raises(ValidationError):
        services.item_save(acting_user=forum_officer, report=report, new_topic="T",
                           you_said="x", we_did="y", outcome="done", quotes=[council_quote])
    item = services.item_save(acting_user=forum_officer, report=report, new_topic="T",
                              you_said="x", we_did="y", outcome="done",
                              quotes=[own_quote, shared_quote], statistics=[forum_b])
    assert item.quotes.count() == 2
    posted = client.post(reverse("staff:reports:item-create", args=[report.pk]), {
        "topic": report.topics.first().pk, "you_said": "x", "we_did": "y", "outcome": "done",
        "statistics_1": [council_stat.pk]})
    assert posted.status_code == 400  # not offered, so not accepted


# --- 4. The publisher everywhere, and a valid Atom feed --------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def _rfc3339(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def assert_valid_atom(body: bytes) -> ET.Element:
    """RFC 4287's must-haves, checked one by one (no validator package is
    installable here): a feed with one id, title and updated; an author on
    the feed or on every entry; each entry with one id, title, updated, a
    link and an author; dates in RFC 3339; ids absolute IRIs."""
    feed = ET.fromstring(body)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, f"feed needs exactly one {name}"
    assert re.match(r"^[a-z][a-z0-9+.-]*:", feed.findtext(f"{ATOM}id"))
    _rfc3339(feed.findtext(f"{ATOM}updated"))
    feed_authors = feed.findall(f"{ATOM}author")
    for author in feed_authors:
        assert author.findtext(f"{ATOM}name").strip()
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, f"entry needs exactly one {name}"
        assert re.match(r"^[a-z][a-z0-9+.-]*:", entry.findtext(f"{ATOM}id"))
        _rfc3339(entry.findtext(f"{ATOM}updated"))
        links = entry.findall(f"{ATOM}link")
        assert any(link.get("rel", "alternate") == "alternate" for link in links)
        authors = entry.findall(f"{ATOM}author")
        assert authors or feed_authors, "atom:entry must have an author (RFC 4287 4.1.2)"
        for author in authors:
            assert author.findtext(f"{ATOM}name").strip()
    return feed


def test_atom_feed_is_valid_and_names_each_entrys_publisher(client, two_organisations,
                                                            settings):
    council, forum, theme = two_organisations
    forum_officer, forum_chair = staff_user(Role.OFFICER, forum), staff_user(Role.APPROVER, forum)
    officer, approver = staff_user(Role.OFFICER, council), staff_user(Role.APPROVER, council)
    publish(_one_item_report(forum, forum_officer, theme), author=forum_officer,
            approver=forum_chair)
    publish(_one_item_report(council, officer, theme), author=officer, approver=approver)
    response = client.get(reverse("reports:feed"))
    feed = assert_valid_atom(response.content)
    assert feed.find(f"{ATOM}author/{ATOM}name").text == settings.ORGANISATION_NAME
    entries = {e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}author/{ATOM}name")
               for e in feed.findall(f"{ATOM}entry")}
    assert entries == {"What you told Testshire Parent Carer Forum": forum.name,
                       "What you told Testshire County Council": council.name}


def test_archive_home_and_pdf_name_the_publisher(client, two_organisations,
                                                 django_capture_on_commit_callbacks):
    council, forum, theme = two_organisations
    forum_officer, forum_chair = staff_user(Role.OFFICER, forum), staff_user(Role.APPROVER, forum)
    officer, approver = staff_user(Role.OFFICER, council), staff_user(Role.APPROVER, council)
    forum_report = publish(_one_item_report(forum, forum_officer, theme), author=forum_officer,
                           approver=forum_chair, capture=django_capture_on_commit_callbacks)
    council_report = publish(_one_item_report(council, officer, theme), author=officer,
                             approver=approver)
    archive = client.get(reverse("reports:index")).content.decode()
    assert "Published by Testshire Parent Carer Forum on" in archive
    assert "Published by Testshire County Council on" in archive
    home = client.get("/").content.decode()
    assert "published by Testshire Parent Carer Forum on" in home
    page = client.get(reverse("reports:detail", args=[forum_report.slug])).content.decode()
    assert "Published by</dt><dd class=\"govuk-summary-list__value\">Testshire Parent Carer " \
           "Forum" in page
    pdf = _pdf(forum_report)
    assert pdf_info(pdf)["Author"] == "Testshire Parent Carer Forum"
    assert "Published by Testshire Parent Carer Forum" in pdf_text(pdf)
    # The publisher filter.
    only_forum = client.get(reverse("reports:index") + f"?publisher={forum.pk}").content.decode()
    assert forum_report.title in only_forum and council_report.title not in only_forum


def test_home_page_query_count_is_pinned(client, people, django_assert_num_queries):
    org, officer, approver = people
    published_report(org=org, author=officer, approver=approver, title="One")
    from django.core.cache import cache

    from reports.selectors import HOME_FIGURES_KEY

    # latest reports with their publishers, and the figures (measured as
    # computed, not as read from the cache beat fills), and the loop's three
    cache.delete(HOME_FIGURES_KEY)
    with django_assert_num_queries(6) as first:
        client.get("/")
    for n in range(3):
        published_report(org=org, author=officer, approver=approver, title=f"More {n}")
    cache.delete(HOME_FIGURES_KEY)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/")


def test_table_report_page_query_count_does_not_grow_with_topics(
        client, people, django_assert_num_queries):
    org, officer, approver = people
    series, (r23, r24, r25) = _annual_series(org, officer, approver)
    # report, versions, series neighbours, topics, items, quotes, statistics, actions,
    # and the loop's figures for the period (three)
    with django_assert_num_queries(11):
        client.get(reverse("reports:detail", args=[r24.slug]))
    big_topics = [(f"Topic {n}", [(f"Said {n}", f"Did {n}", "done", "", "")] * 2)
                  for n in range(6)]
    big = publish(table_report(org=org, author=officer, title="Big", topics=big_topics,
                               start=date(2026, 9, 1), end=date(2027, 8, 31), series=series),
                  author=officer, approver=approver)
    with django_assert_num_queries(11):
        client.get(reverse("reports:detail", args=[big.slug]))


# --- 5. "Was this page useful?" ------------------------------------------------------


def test_a_bare_answer_is_counted_and_only_a_comment_reaches_the_inbox(client, people):
    org, officer, approver = people
    report = published_report(org=org, author=officer, approver=approver)
    url = reverse("reports:useful", args=[report.slug, 1])
    assert client.post(url, {"useful": "yes"}).status_code == 200
    assert client.post(url, {"useful": "no"}).status_code == 200
    assert not Feedback.objects.exists()  # a bare yes or no is nobody's work
    client.post(url, {"useful": "yes", "comment": "Please add a summary table."})
    counts = UsefulCount.objects.get(report=report)
    assert (counts.yes, counts.no) == (2, 1)
    feedback = Feedback.objects.get()
    assert feedback.channel == "page_useful" and not feedback.needs_reply
    assert feedback.response_due_on is None
    assert feedback.even_better_if == "Please add a summary table."

    client.force_login(officer)
    detail = client.get(reverse("staff:feedback:detail", args=[feedback.pk])).content.decode()
    assert "No reply needed" in detail and "Write a reply" not in detail
    assert "Reply due" not in detail and "Overdue" not in detail
    inbox = client.get(reverse("staff:feedback:inbox")).content.decode()
    assert "No reply needed" in inbox
    with pytest.raises(ValidationError):
        feedback_services.reply_create(acting_user=officer, feedback=feedback, outcome="done",
                                       text="Thanks")
    # It can be closed once read, though no reply was written.
    client.post(reverse("staff:feedback:detail", args=[feedback.pk]),
                {"action": "status", "status": "closed"})
    feedback.refresh_from_db()
    assert feedback.status == "closed"

    staff_page = client.get(reverse("staff:reports:edit", args=[report.pk])).content.decode()
    assert "Answers to version 1: <strong>2</strong> yes, <strong>1</strong> no." in staff_page


def test_answers_are_counted_per_version(client, people):
    org, officer, approver = people
    first = published_report(org=org, author=officer, approver=approver)
    second = publish(services.report_new_version(acting_user=officer, report=first),
                     author=officer, approver=approver)
    client.post(reverse("reports:useful", args=[first.slug, 1]), {"useful": "no"})
    client.post(reverse("reports:useful", args=[first.slug, 2]), {"useful": "yes"})
    assert UsefulCount.objects.get(report=first).no == 1
    assert UsefulCount.objects.get(report=second).yes == 1


def test_staff_report_page_query_count_is_pinned(client, people, django_assert_num_queries):
    org, officer, approver = people
    report = publish(table_report(org=org, author=officer), author=officer, approver=approver)
    client.force_login(officer)
    url = reverse("staff:reports:edit", args=[report.pk])
    client.get(url)
    with django_assert_num_queries(8) as first:
        client.get(url)
    big = publish(table_report(org=org, author=officer, title="Bigger", topics=[
        (f"Topic {n}", [(f"Said {n}", "Did", "done", "", "")] * 2) for n in range(5)]),
        author=officer, approver=approver)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("staff:reports:edit", args=[big.pk]))


def test_topics_page_query_count_is_pinned(client, people, django_assert_num_queries):
    org, officer, _ = people
    report = table_report(org=org, author=officer)
    client.force_login(officer)
    url = reverse("staff:reports:topics", args=[report.pk])
    # user, roles, the report, its topics with their item counts (the session
    # is read from its cached copy)
    with django_assert_num_queries(4) as first:
        client.get(url)
    for n in range(4):
        services.topic_add(acting_user=officer, report=report, title=f"More {n}")
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


# Who may manage a draft's topics: editors of its organisation only.
TOPIC_ACCESS = {"anonymous": 302, "officer": 200, "approver": 200, "other_officer": 404,
                "board": 403, "administrator": 403}


@pytest.mark.parametrize("kind", list(TOPIC_ACCESS))
def test_topic_pages_permission_matrix(client, people, kind):
    org, officer, approver = people
    report = table_report(org=org, author=officer)
    topic = report.topics.first()
    users = {"officer": officer, "approver": approver,
             "other_officer": staff_user(Role.OFFICER, OrganisationFactory(name="Elsewhere")),
             "board": staff_user(Role.BOARD_MEMBER, org),
             "administrator": staff_user(Role.ADMINISTRATOR, org)}
    if kind != "anonymous":
        client.force_login(users[kind])
    expected = TOPIC_ACCESS[kind]
    for url in (reverse("staff:reports:topics", args=[report.pk]),
                reverse("staff:reports:topic", args=[report.pk, topic.pk])):
        assert client.get(url).status_code == expected
    client.post(reverse("staff:reports:topics", args=[report.pk]), {"title": "Sneaked in"})
    assert report.topics.filter(title="Sneaked in").exists() is (expected == 200)
    client.post(reverse("staff:reports:topic", args=[report.pk, topic.pk]),
                {"action": "rename", "title": "Renamed"})
    topic.refresh_from_db()
    assert (topic.title == "Renamed") is (expected == 200)


def test_series_page_is_public_and_hides_unpublished_series(client, people):
    org, officer, _ = people
    draft = table_report(org=org, author=officer, new_series="Only drafts so far")
    assert client.get(reverse("reports:series", args=[draft.series.slug])).status_code == 404


def test_topics_of_a_published_report_cannot_change(client, people):
    org, officer, approver = people
    report = publish(table_report(org=org, author=officer), author=officer, approver=approver)
    client.force_login(officer)
    page = client.get(reverse("staff:reports:topics", args=[report.pk])).content.decode()
    assert "Only a draft’s topics can be changed." in page
    response = client.post(reverse("staff:reports:topics", args=[report.pk]), {"title": "New"})
    assert response.status_code == 400 and not report.topics.filter(title="New").exists()
