"""The easy-read form and its easy-read privacy notice in Chromium, judged
against easy-read guidance (Mencap; DHSC "Making written information easier
to understand"): text of 14 pt or more at every width, a picture on the left
of every key sentence and question, the safety message in view without any
action. Set EASYREAD_SHOTS to a folder to keep screenshots for a person to
look at."""

import os
from pathlib import Path

import pytest

from tests.conftest import assert_accessible
from tests.core.factories import OrganisationFactory, ServiceAreaFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("EASYREAD_SHOTS")
WIDTHS = (320, 1280)
# 14 pt, easy read's smallest text, in CSS pixels (1 pt = 4/3 px).
SMALLEST_PX = 14 * 4 / 3

# Every element in <main> that shows text (its own words, or a control's):
# the ones whose computed size is under `min`.
SMALL_TEXT = """min => {
  const small = [];
  for (const el of document.querySelectorAll('main *')) {
    const words = [...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    const control = el.matches('input:not([type=hidden]):not([type=radio]), textarea, select, button');
    if (!words && !control) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < min) {
      small.push(`${el.tagName.toLowerCase()}.${el.className || ''} ${size}px: `
                 + (el.textContent || el.name || '').trim().slice(0, 50));
    }
  }
  return small;
}"""

# Each key sentence (the page's paragraphs) and each question (legend or
# label) with its picture: is there one, with empty alt text, on its left
# and level with it?
PICTURES = """() => {
  const rows = [];
  const texts = document.querySelectorAll(
    'main .app-easy-read p.govuk-body, main .app-easy-read legend, main .app-easy-read label.govuk-label:not(.govuk-radios__label)');
  for (const text of texts) {
    if (!text.offsetParent) continue;  // a question not shown yet
    const row = text.closest('.app-pictured') || text.querySelector('.app-pictured');
    const img = row && row.querySelector('img.app-picture');
    let ok = false;
    if (img && img.getAttribute('alt') === '') {
      const i = img.getBoundingClientRect();
      const words = (row.querySelector('.app-pictured__words') || row).getBoundingClientRect();
      ok = i.right <= words.left + 1 && i.top < words.bottom && i.bottom > words.top;
    }
    rows.push({text: text.textContent.trim().slice(0, 60), ok});
  }
  return rows;
}"""


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def check_at_every_width(page, name: str) -> None:
    """14 pt text, nothing scrolling sideways, axe: at a phone's and a
    desktop's width."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        small = page.evaluate(SMALL_TEXT, SMALLEST_PX)
        assert not small, f"{name} at {width} px: text under 14 pt:\n" + "\n".join(small)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"{name}-{width}")
    assert_accessible(page, name)


@pytest.fixture
def areas():
    OrganisationFactory(name="Testshire County Council")
    ServiceAreaFactory(name="Local Offer", easy_read_name="Finding out what help there is",
                       picture="information")
    ServiceAreaFactory(name="Transport", easy_read_name="Getting to school, like a bus or taxi",
                       picture="transport")


def test_easy_read_text_is_14_point_or_more_at_every_width(page, areas):
    page.goto("/feedback/give/easy-read/")
    check_at_every_width(page, "easy-read-form")
    page.get_by_role("button", name="Send").click()
    page.locator(".govuk-error-summary").wait_for()
    check_at_every_width(page, "easy-read-errors")
    # The contact questions, once shown, and their errors.
    page.get_by_label("Yes, by e-mail").check()
    page.get_by_role("button", name="Send").click()
    page.locator(".govuk-error-summary").wait_for()
    check_at_every_width(page, "easy-read-contact-error")


def test_every_key_sentence_and_question_has_a_picture_on_its_left(page, areas):
    page.goto("/feedback/give/easy-read/")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        rows = page.evaluate(PICTURES)
        assert len(rows) >= 10
        missing = [row["text"] for row in rows if not row["ok"]]
        assert not missing, f"at {width} px, no picture on the left of: {missing}"


def test_the_safety_message_is_in_view_without_any_action(page, areas):
    page.goto("/feedback/give/easy-read/")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        safety = page.get_by_text("tell a grown-up you trust today", exact=False)
        assert safety.is_visible()
        assert not page.evaluate("el => !!el.closest('details')", safety.element_handle())
        night = page.get_by_text("not read at night or at weekends", exact=False)
        assert night.is_visible()
        # Near the top: before the first question, not after the form.
        first_question = page.locator("main form legend").first.bounding_box()
        assert night.bounding_box()["y"] < first_question["y"]
    # On a computer it is on the first screen, with no scrolling.
    assert page.get_by_text("tell a grown-up you trust today", exact=False).bounding_box()[
        "y"] + 40 < 800


def test_error_summary_links_land_on_their_question(page, areas):
    page.goto("/feedback/give/easy-read/")
    page.get_by_role("button", name="Send").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    links = summary.locator("a")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert targets == ["#id_feeling", "#id_who", "#id_wants_contact"]
    for i, target in enumerate(targets):
        summary.locator("a").nth(i).click()
        assert page.evaluate("document.activeElement.id") == target[1:]


def test_easy_read_privacy_notice(page, areas):
    page.goto("/feedback/give/easy-read/")
    page.get_by_role("link", name="easy read privacy notice").click()
    page.get_by_role("heading", name="How we keep your answers safe").wait_for()
    check_at_every_width(page, "easy-read-privacy")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        missing = [row["text"] for row in page.evaluate(PICTURES) if not row["ok"]]
        assert not missing, f"at {width} px, no picture on the left of: {missing}"
    # The normal privacy notice leads to it too.
    page.goto("/privacy/")
    page.get_by_role("link", name="privacy notice in easy read").click()
    page.get_by_role("heading", name="How we keep your answers safe").wait_for()
