"""Every page the URL configuration has, in Chromium, as a new user would
meet it: at 320 CSS px, with the keyboard, checked by axe-core and (at the
end of the session, see tests/conftest.py) by the W3C Nu Html Checker."""

import re
from collections import defaultdict
from urllib.parse import urlparse

import pytest

from tests.a11y.conftest import ADDRESSES, pages, url_names
from tests.conftest import assert_accessible, sign_in, wait_until

pytestmark = [pytest.mark.browser]

NARROW = {"width": 320, "height": 900}

# What each page is checked for, in the page itself.
PAGE_FACTS = """() => {
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const duplicateIds = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
  const controls = [...document.querySelectorAll(
      'input:not([type=hidden]), select, textarea, button')];
  const badNames = [];
  for (const el of controls) {
    const isButton = el.tagName === 'BUTTON' || ['submit', 'button', 'reset'].includes(el.type);
    let sources = (el.labels ? el.labels.length : 0) + (el.hasAttribute('aria-label') ? 1 : 0)
      + (el.hasAttribute('aria-labelledby') ? 1 : 0);
    if (isButton && sources === 0 && (el.textContent.trim() || el.value)) sources = 1;
    const labelText = el.labels && el.labels.length ? el.labels[0].textContent.trim() : '';
    const named = labelText || el.getAttribute('aria-label') || el.textContent.trim() || el.value
      || (el.getAttribute('aria-labelledby') || '').split(' ').map(
           id => (document.getElementById(id) || {}).textContent || '').join('').trim();
    if (sources !== 1 || !named) {
      badNames.push(`${el.tagName.toLowerCase()}#${el.id || '?'}[name=${el.name}] has ${sources} names`);
    }
  }
  const postForms = [...document.querySelectorAll('form[method=post]')];
  const badActions = postForms.filter(f => !f.hasAttribute('action')
      || f.getAttribute('action').includes('#')).map(f => f.outerHTML.slice(0, 120));
  const tablesOutside = [...document.querySelectorAll('main table')].filter(
      t => !t.closest('.app-table-scroll')).map(t => (t.caption || {}).textContent || 'a table');
  const regions = [...document.querySelectorAll('.app-table-scroll')].map(r => ({
      // A tab stop only where it scrolls (static/js/portal.js).
      ok: r.getAttribute('role') === 'region' && !!r.getAttribute('aria-label')
          && (r.getAttribute('tabindex') === '0') === (r.scrollWidth > r.clientWidth),
      scrolls: r.scrollWidth > r.clientWidth}));
  const current = [...document.querySelectorAll('.app-staff-nav [aria-current]')].map(
      a => [a.getAttribute('href'), a.getAttribute('aria-current')]);
  const navHere = !!document.querySelector(`.app-staff-nav a[href="${location.pathname}"]`);
  // What sticks out, for the message when a page scrolls sideways.
  const wide = [...document.querySelectorAll('body *')].filter(e =>
      e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.app-table-scroll'))
    .slice(-3).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' '
      + Math.round(e.getBoundingClientRect().right) + 'px: ' + e.textContent.trim().slice(0, 40));
  return {wide, duplicateIds, badNames, badActions, tablesOutside, regions, current, navHere,
          scrollWidth: document.documentElement.scrollWidth, title: document.title};
}"""


def test_every_address_is_crawled():
    """A page added to the URL configuration must be added to ADDRESSES (to
    be crawled, with its forms' error states) or say why it is not HTML."""
    names = set(url_names())
    assert names - set(ADDRESSES) == set(), "add these to ADDRESSES in tests/a11y/conftest.py"
    assert set(ADDRESSES) - names == set(), "these are no longer in the URL configuration"


def visit_all(page, world, failures):
    """Yield (who, name, path, facts) for every page, signed in as its visitor."""
    by_who = defaultdict(list)
    for who, name, path in pages(world):
        by_who[who].append((name, path))
    for who, entries in by_who.items():
        page.context.clear_cookies()
        if who != "public":
            sign_in(page, who)
        for name, path in entries:
            response = page.goto(path)
            if response.status != 200:
                failures.append(f"{path} ({name}) as {who}: {response.status}")
                continue
            yield who, name, path


@pytest.mark.django_db(transaction=True)
def test_every_page_at_320_px_with_one_name_per_control_and_unique_ids(page, world):
    page.set_viewport_size(NARROW)
    problems, titles = [], defaultdict(set)
    for who, name, path in visit_all(page, world, problems):
        facts = page.evaluate(PAGE_FACTS)
        where = f"{path} ({name}, as {who})"
        titles[facts["title"]].add(urlparse(page.url).path)  # where a redirect ended
        if facts["duplicateIds"]:
            problems.append(f"{where}: ids used more than once: {facts['duplicateIds']}")
        if facts["badNames"]:
            problems.append(f"{where}: controls without exactly one name: {facts['badNames']}")
        if facts["badActions"]:
            problems.append(f"{where}: forms posting to a fragment or without action: "
                            f"{facts['badActions']}")
        # WCAG 1.4.10: nothing scrolls sideways at 320 px, except a data
        # table inside its own focusable, labelled region.
        if facts["scrollWidth"] > NARROW["width"]:
            problems.append(f"{where}: the page scrolls sideways ({facts['scrollWidth']} px): "
                            f"{facts['wide']}")
        if facts["tablesOutside"] and path.startswith("/staff/"):
            problems.append(f"{where}: tables outside a scrolling region: {facts['tablesOutside']}")
        if not all(r["ok"] for r in facts["regions"]):
            problems.append(f"{where}: a table region without role or label, or a tab "
                            "stop where nothing scrolls (or none where it does)")
        if path.startswith("/staff/"):
            expected = [[path, "page"]] if facts["navHere"] else []
            if facts["current"] != expected:
                problems.append(f"{where}: staff navigation marks {facts['current']}, "
                                f"expected {expected}")
        try:
            assert_accessible(page, where)
        except AssertionError as exc:
            problems.append(str(exc).split("\n\nassert")[0][:2000])
    shared = {title: sorted(paths) for title, paths in titles.items() if len(paths) > 1}
    if shared:
        problems.append(f"pages sharing a title: {shared}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db(transaction=True)
def test_staff_tables_scroll_inside_their_region_not_the_page(page, world):
    """The inbox at 320 px: its table is wider than the screen, so its
    region scrolls, and the page does not."""
    page.set_viewport_size(NARROW)
    sign_in(page, "admin@demo.example")
    page.goto("/staff/feedback/?status=")
    region = page.locator(".app-table-scroll").first
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    # It can be scrolled from the keyboard: focus it, press the right arrow.
    region.focus()
    page.keyboard.press("ArrowRight")
    wait_until(page, "document.querySelector('.app-table-scroll').scrollLeft > 0")


CLEAR_FORM = """form => {
  for (const el of form.querySelectorAll('input, textarea, select')) {
    if (['hidden', 'submit', 'button'].includes(el.type)) continue;
    if (el.type === 'radio' || el.type === 'checkbox') el.checked = false;
    else if (el.tagName === 'SELECT') el.selectedIndex = -1;
    else if (el.type !== 'file') el.value = '';
  }
}"""

# The questions of a form: every control but hidden fields, submit buttons
# and the honeypot ("website"). As XPath, for lxml (HTML's type and method
# values are matched without regard to case).
def _lower(attribute: str) -> str:
    return f"translate({attribute}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"


POST_FORMS_IN_MAIN = f"//main//form[{_lower('@method')} = 'post']"
QUESTIONS_IN_FORM = (
    f".//input[not({_lower('@type')} = 'hidden') and not({_lower('@type')} = 'submit')"
    " and not(@name = 'website')] | .//textarea | .//select")

FOCUS_FACTS = """link => {
  const el = document.activeElement;
  // The question's own group: the outermost (a date's day, month and year
  // boxes each sit in a group of their own inside it).
  let group = el.closest('.govuk-form-group');
  while (group && group.parentElement && group.parentElement.closest('.govuk-form-group')) {
    group = group.parentElement.closest('.govuk-form-group');
  }
  const messages = group ? [...group.querySelectorAll('.govuk-error-message')].map(
      m => m.textContent.replace('Error:', '').trim()) : [];
  return {id: el.id, tag: el.tagName, target: link.getAttribute('href').slice(1),
          text: link.textContent.trim(), messages};
}"""


def error_state_forms(world, problems, rendered_html):
    """(who, name, path, form index) for every POST form with questions on
    every crawled page: found from the pages, not listed by hand.

    The pages are fetched through Django's test client and their HTML read
    with lxml, not loaded in Chromium: which forms a page has, and which ask
    questions, is in the HTML the server sends (the portal's scripts add no
    form and no question). Each page goes to the Nu Html Checker as the
    browser's pages do (tests/conftest.py)."""
    from django.test import Client
    from lxml import html as lxml_html

    folder, recorded = rendered_html
    found = []
    by_who = defaultdict(list)
    for who, name, path in pages(world):
        by_who[who].append((name, path))
    for who, entries in by_who.items():
        client = Client()
        if who != "public":
            response = client.post("/staff/account/sign-in/", {
                "username": who, "password": "a-test-password-123"})
            assert response.status_code == 302, (who, response.status_code)
        for name, path in entries:
            response = client.get(path, follow=True)
            if response.status_code != 200:
                problems.append(f"{path} ({name}) as {who}: {response.status_code}")
                continue
            if "text/html" in response.get("Content-Type", ""):
                query = response.request.get("QUERY_STRING")
                key = (f"GET {response.request['PATH_INFO']}{'?' + query if query else ''} "
                       f"{response.status_code}")
                if key not in recorded:
                    file = folder / f"page-{len(recorded):04d}.html"
                    file.write_bytes(response.content)
                    recorded[key] = file
            document = lxml_html.document_fromstring(response.content)
            for i, form in enumerate(document.xpath(POST_FORMS_IN_MAIN)):
                if form.xpath(QUESTIONS_IN_FORM):
                    found.append((who, name, path, i))
    return found


def submit_empty(page, path, index, *, skip_link_first):
    page.goto(path)
    if skip_link_first:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.classList.contains('govuk-skip-link')")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"#main-content$"))
    form = page.locator("main form[method=post]").nth(index)
    form.evaluate(CLEAR_FORM)
    with page.expect_navigation():
        form.locator("button[type=submit], input[type=submit], button:not([type])").last.click()


@pytest.mark.django_db(transaction=True)
def test_every_error_summary_link_takes_focus_to_its_question(page, world, rendered_html):
    problems, states, links = [], 0, 0
    forms = error_state_forms(world, problems, rendered_html)
    assert len(forms) > 20  # the crawl found the forms
    current_who = None
    for who, name, path, index in forms:
        if who != current_who:
            page.context.clear_cookies()
            if who != "public":
                sign_in(page, who)
            current_who = who
        for skip_link_first in (False, True):
            where = f"{path} form {index} ({name}, as {who}{', after the skip link' if skip_link_first else ''})"
            submit_empty(page, path, index, skip_link_first=skip_link_first)
            summary = page.locator(".govuk-error-summary")
            if not summary.count():
                break  # this form has nothing required; it saved
            states += 1
            if "#" in page.url:
                problems.append(f"{where}: the error page's address has a fragment: {page.url}")
            # GOV.UK Frontend moves focus to the summary, so a screen reader reads it first.
            try:
                wait_until(page, "document.activeElement && "
                                 "document.activeElement.matches('.govuk-error-summary')", 3)
            except AssertionError:
                problems.append(f"{where}: the error summary did not get focus")
            summary_links = summary.first.locator("a")
            for j in range(summary_links.count()):
                link = summary_links.nth(j)
                link.focus()
                page.keyboard.press("Enter")
                facts = link.evaluate(FOCUS_FACTS)
                links += 1
                if facts["id"] != facts["target"] or facts["tag"] not in {"INPUT", "SELECT",
                                                                          "TEXTAREA"}:
                    problems.append(f"{where}: “{facts['text']}” left focus on "
                                    f"{facts['tag']}#{facts['id']}, not #{facts['target']}")
                elif form_level := not any(facts["text"] in m for m in facts["messages"]):
                    if name != "login":  # "Enter a correct e-mail address and password" is the form's
                        problems.append(f"{where}: “{facts['text']}” reached a question that "
                                        f"does not show that error ({facts['messages']}), "
                                        f"{form_level}")
    assert states > 20 and links > 40, (states, links)
    assert not problems, "\n".join(problems)
