from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import Feedback
from reports import services
from reports.models import Report
from reports.selectors import closing_the_loop_figures
from tests.conftest import pdf_text
from tests.core.factories import ThemeFactory
from tests.feedback.factories import FeedbackFactory
from tests.reports.factories import approved_quote, draft_report, make_people, published_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return make_people()


def test_archive_filters_and_search(client, people):
    org, officer, approver = people
    waiting = ThemeFactory(name="Waiting times")
    a = published_report(org=org, author=officer, approver=approver,
                         title="Annual parent carer survey 2026", kind="annual_survey")
    b = published_report(org=org, author=officer, approver=approver, theme=waiting,
                         title="Therapy waiting lists", kind="quality_assurance")

    def titles(query):
        html = client.get(reverse("reports:index") + query).content.decode()
        return {r.title for r in (a, b) if r.title in html}

    assert titles("") == {a.title, b.title}
    assert titles("?kind=annual_survey") == {a.title}
    assert titles(f"?theme={waiting.pk}") == {b.title}
    assert titles("?year=2026") == {a.title, b.title}
    response = client.get(reverse("reports:index") + "?year=2019")
    html = response.content.decode()
    # Only years that have reports are offered; another is an error, never every report.
    assert response.status_code == 400
    assert "Select a year from the list" in html and "govuk-error-summary" in html
    assert a.title not in html and b.title not in html


@pytest.mark.postgres
def test_full_text_search_understands_word_forms(client, people):
    org, officer, approver = people
    report = published_report(org=org, author=officer, approver=approver,
                              title="Short breaks review")
    services_item = report.items.first()
    assert services_item
    html = client.get(reverse("reports:index") + "?q=grouping+page").content.decode()
    assert report.title in html  # "grouped pages" matches "grouping page" by stemming
    assert "1 report matches" in html
    none = client.get(reverse("reports:index") + "?q=helicopter").content.decode()
    assert report.title not in none


def test_atom_feed_lists_published_reports_only(client, people):
    org, officer, approver = people
    published = published_report(org=org, author=officer, approver=approver, title="Published one")
    draft_report(org=org, author=officer, title="Secret draft")
    response = client.get(reverse("reports:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "Published one" in body and "Secret draft" not in body
    assert f"/reports/{published.slug}/v/1/" in body


def test_was_this_page_useful_arrives_in_the_inbox(client, people):
    org, officer, approver = people
    report = published_report(org=org, author=officer, approver=approver)
    url = reverse("reports:useful", args=[report.slug, 1])
    bad = client.post(url, {"comment": "Kept comment"})
    assert bad.status_code == 400
    assert "Select yes or no" in bad.content.decode() and "Kept comment" in bad.content.decode()
    response = client.post(url, {"useful": "no", "comment": "The tables were hard to read."})
    assert response.status_code == 200 and "Thank you for your answer" in response.content.decode()
    feedback = Feedback.objects.get(channel="page_useful")
    assert feedback.even_better_if == "The tables were hard to read."
    assert feedback.source_url == report.get_absolute_url()
    assert feedback.organisation == org
    client.force_login(officer)
    detail = client.get(reverse("staff:feedback:detail", args=[feedback.pk])).content.decode()
    assert report.get_absolute_url() in detail


def test_report_page_query_count_is_constant_in_the_number_of_items(
        client, people, django_assert_num_queries):
    org, officer, approver = people
    theme = ThemeFactory()
    small = published_report(org=org, author=officer, approver=approver, items=1, theme=theme,
                             title="Small")
    big = published_report(org=org, author=officer, approver=approver, items=12, theme=theme,
                           title="Big")
    for item in big.items.all():
        quote = approved_quote(org=org, proposer=officer, approver=approver, theme=theme,
                               text=f"Quote for {item.pk}")
        item.quotes.add(quote)
    # +1 since topics: the report, its versions, topics, items, quotes, statistics, actions;
    # +3 since the loop's figures for its period (feedback/loop_figures.py).
    with django_assert_num_queries(10) as first:
        client.get(reverse("reports:detail", args=[small.slug]))
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("reports:detail", args=[big.slug]))


def test_archive_query_count_is_constant(client, people, django_assert_num_queries):
    org, officer, approver = people
    published_report(org=org, author=officer, approver=approver, title="R0")
    # +1 for the publisher filter's choices.
    with django_assert_num_queries(6) as first:
        client.get(reverse("reports:index"))
    for n in range(1, 12):
        published_report(org=org, author=officer, approver=approver, title=f"R{n}", items=1)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("reports:index") + "?page=2")


def test_no_personal_data_reaches_the_page_feed_or_pdf(client, people,
                                                      django_capture_on_commit_callbacks):
    org, officer, approver = people
    theme = ThemeFactory(name="Communication")
    secret_words = "Call Jo Bloggs on 07700 900123, mum of Oliver at Hillview School"
    feedback = FeedbackFactory(organisation=org, received_on=date(2026, 5, 1),
                               even_better_if=secret_words, wants_contact=True,
                               contact_name="Jo Bloggs", contact_email="jo.bloggs@example.com")
    feedback.themes.add(theme)
    quote = approved_quote(org=org, proposer=officer, approver=approver, theme=theme,
                           text="Nobody phoned us back for weeks.")
    report = draft_report(org=org, author=officer, items=0, theme=theme)
    services.item_save(acting_user=officer, report=report, new_topic="General", heading="Communication", theme=theme,
                       you_said="Families told us calls were not returned.",
                       we_did="Every family now has a named caseworker.", outcome="done",
                       quotes=[quote])
    services.report_submit(acting_user=officer, report=report)
    services.report_approve(acting_user=approver, report=report)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_publish(acting_user=officer, report=report)
    report.refresh_from_db()

    page = client.get(reverse("reports:detail", args=[report.slug])).content.decode()
    feed = client.get(reverse("reports:feed")).content.decode()
    pdf = pdf_text(report.pdf_file.read())
    for text in (page, feed, pdf):
        for secret in ("Jo Bloggs", "jo.bloggs@example.com", "07700", "Oliver", "Hillview"):
            assert secret not in text
    assert "Nobody phoned us back for weeks." in page and "Nobody phoned us back" in pdf
    assert "2 people" in page  # counted from feedback: the family's piece and the quote's


def test_home_page_figures_are_computed_from_feedback(client, people):
    org, officer, _ = people
    today = timezone.localdate()
    london = ZoneInfo("Europe/London")

    def answered(received, working_days_later):
        from core.working_days import add_working_days

        reply_day = add_working_days(received, working_days_later)
        FeedbackFactory(organisation=org, received_on=received, status="responded",
                        responded_at=datetime(reply_day.year, reply_day.month, reply_day.day, 12,
                                              tzinfo=london))

    start = today - timedelta(days=100)
    answered(start, 5)
    answered(start, 10)
    answered(start, 30)
    FeedbackFactory(organisation=org, received_on=start)  # not answered yet
    FeedbackFactory(organisation=org, received_on=today - timedelta(days=400))  # too old
    FeedbackFactory(organisation=org, received_on=start, channel="survey", status="closed")
    figures = closing_the_loop_figures(today)
    assert figures["received"] == 4
    assert figures["answered"] == 3 and figures["answered_percent"] == 75
    assert figures["median_working_days"] == 10
    assert figures["survey_answers"] == 1
    html = client.get("/").content.decode()
    assert "75%" in html and "3 of 4" in html


def test_pdf_states_show_on_the_page(client, people):
    org, officer, approver = people
    report = published_report(org=org, author=officer, approver=approver)
    url = reverse("reports:detail", args=[report.slug])
    for state, words in [("pending", "being prepared"), ("failed", "not available"),
                         ("ready", "Download this report as a PDF")]:
        Report.objects.filter(pk=report.pk).update(pdf_state=state)
        assert words in client.get(url).content.decode()
    status = client.get(reverse("reports:pdf-status", args=[report.slug, 1])).json()
    assert status == {"state": "ready", "done": True, "message": "PDF: ready"}


def test_the_archive_title_says_what_a_search_found(client, people):
    """A screen reader user hears the page title first: after a search it
    must say that these are results, how many, and which page."""
    import re

    org, officer, approver = people
    published_report(org=org, author=officer, approver=approver,
                     title="Annual parent carer survey 2026", kind="annual_survey")
    published_report(org=org, author=officer, approver=approver,
                     title="Therapy waiting lists", kind="quality_assurance")

    def title(query):
        html = client.get(reverse("reports:index") + query).content.decode()
        return re.search(r"<title>(.*?)</title>", html, re.S).group(1)

    assert title("").startswith("“You said, we did” reports – ")
    assert title("?kind=annual_survey").startswith("Filtered: 1 report – “You said, we did” reports")
    assert title("?q=therapy&kind=").startswith("Search results for ‘therapy’: ")
    assert title("?year=2019").startswith("Error: “You said, we did” reports")
