"""The dashboard as people use it, in Chromium: by keyboard at 1280 px, and
on a 320 px screen (screenshots in /tmp/shots-board/ to look at)."""

from pathlib import Path

import pytest

from tests.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-board")

# Every focusable element that is not a control: where it is, and whether it scrolls.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  return {tag: el.tagName, cls: el.className, label: el.getAttribute("aria-label"),
          tabindex: el.getAttribute("tabindex"),
          scrolls: el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight};
}"""

# The size on screen, in CSS px, of every word in the charts people can see.
CHART_TEXT = """() => [...document.querySelectorAll("svg.app-chart")]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .flatMap(svg => [...svg.querySelectorAll("text")].map(t => ({
     chart: svg.getAttribute("aria-labelledby"), text: t.textContent,
     px: parseFloat(getComputedStyle(t).fontSize) * svg.getScreenCTM().a})))"""


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_tabbing_through_the_dashboard_stops_only_where_something_scrolls(page, world):
    """Six table regions were tab stops at 1280 px, where none of them scrolls."""
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, world["people"]["board_member"].email)
    page.goto("/staff/action-plan/dashboard/")
    page.wait_for_load_state("load")
    assert page.locator(".app-table-scroll").count() >= 6
    stops, seen = [], 0
    page.locator("body").focus()
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            break
        seen += 1
        if focused["tag"] not in {"A", "BUTTON", "INPUT", "SELECT", "TEXTAREA", "SUMMARY"}:
            stops.append(focused)
    assert seen > 10  # it did tab through the page
    assert [s for s in stops if not s["scrolls"]] == []
    _shot(page, "dashboard-1280.png")


def test_a_table_region_that_scrolls_still_takes_focus(page, world):
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, world["people"]["board_member"].email)
    page.goto("/staff/action-plan/dashboard/")
    page.wait_for_load_state("load")
    regions = page.evaluate("""() => [...document.querySelectorAll(".app-table-scroll")]
      .map(r => ({scrolls: r.scrollWidth > r.clientWidth, focusable: r.tabIndex === 0}))""")
    assert any(r["scrolls"] for r in regions)
    assert all(r["scrolls"] == r["focusable"] for r in regions), regions


@pytest.mark.parametrize("width", [320, 1280])
def test_chart_words_are_at_least_body_size_on_a_small_screen(page, world, width):
    """Scaled to 320 px, the wide charts wrote their words 6 to 7 px high. On
    small screens a narrow drawing, at its own size, writes them at 19 px."""
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, world["people"]["board_member"].email)
    page.goto("/staff/action-plan/dashboard/")
    page.wait_for_load_state("load")
    words = page.evaluate(CHART_TEXT)
    charts = {w["chart"] for w in words}
    assert len(charts) == 3, charts  # one drawing of each chart shows
    smallest = min(w["px"] for w in words)
    if width == 320:
        assert smallest >= 16, sorted(words, key=lambda w: w["px"])[:3]
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert_accessible(page, "dashboard at 320 px")
    else:
        assert smallest >= 14, sorted(words, key=lambda w: w["px"])[:3]
    _shot(page, f"dashboard-charts-{width}.png")


def test_public_plan_at_320_px(page, world):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/action-plan/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page, "public plan at 320 px")
    _shot(page, "public-plan-320.png")


def test_a_finished_plans_dashboard_says_so_and_passes_axe(page, world):
    from datetime import date

    plan = world["plan"]
    plan.period_start, plan.period_end = date(2021, 9, 1), date(2024, 8, 31)
    plan.save()
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, world["people"]["board_member"].email)
    page.goto(f"/staff/action-plan/dashboard/?plan={plan.pk}")
    assert page.get_by_text("This plan ended on 31 August 2024").is_visible()
    assert_accessible(page, "finished plan's dashboard at 320 px")
    _shot(page, "dashboard-finished-plan-320.png")
