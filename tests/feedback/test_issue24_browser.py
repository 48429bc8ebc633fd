"""Routing, reply templates and paper cards in Chromium (issue 24): cards
logged from the keyboard alone, one after another; "Use template" with and
without JavaScript; axe on the pages and their error states."""

import pytest

from core.models import Role
from feedback import services
from feedback.cards import card_batch_print
from feedback.models import Feedback, Reply
from feedback.reply_templates import reply_template_save
from tests.conftest import assert_accessible, sign_in, wait_until
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, staff_user
from tests.feedback.test_browser import tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def forum():
    org = OrganisationFactory(name="Testshire Parent Carer Forum")
    ServiceAreaFactory(name="Local Offer")
    ServiceAreaFactory(name="Short breaks")
    return org


def test_a_pile_of_cards_is_logged_from_the_keyboard(page, forum):
    officer = staff_user(Role.OFFICER, forum, email="jo@forum.example")
    batch = card_batch_print(acting_user=officer, organisation=forum, paper="A5",
                             easy_read=False, size=2)
    first, second = batch.cards.values_list("reference", flat=True)
    sign_in(page, "jo@forum.example")
    page.goto("/staff/feedback/cards/log/")
    assert_accessible(page, "card log")
    for n, reference in enumerate((first, second)):
        if n == 0:
            tab_to(page, "input[name=reference]")
        else:  # after a card is logged, the box is ready for the next one
            wait_until(page, "document.activeElement && document.activeElement.name === 'reference'")
        page.keyboard.type(reference.lower())
        tab_to(page, "input[name=service_areas]")
        page.keyboard.press("Space")
        tab_to(page, "textarea[name=even_better_if]")
        page.keyboard.type(f"Card {n}: more Saturday sessions.")
        tab_to(page, "button[name=log]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator(".govuk-notification-banner").count() or \
            f"Card {reference} logged" in page.content()
    assert Feedback.objects.filter(channel="feedback_card").count() == 2
    # The same card again: refused, clearly, with the answers kept.
    page.locator("input[name=reference]").fill(first)
    page.locator("textarea[name=even_better_if]").fill("Typed twice")
    with page.expect_navigation():
        page.locator("button[name=log]").click()
    assert "was logged already" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "card logged twice")
    page.set_viewport_size({"width": 320, "height": 900})
    page.screenshot(path="/tmp/i24-card-log-320.png", full_page=True)


@pytest.mark.parametrize("javascript", [True, False])
def test_use_template_with_and_without_javascript(browser, live_server, forum, javascript):
    approver = staff_user(Role.APPROVER, forum, email="helen@forum.example")
    staff_user(Role.OFFICER, forum, email="jo@forum.example")
    reply_template_save(acting_user=approver, organisation=forum, outcome="in_progress",
                        title="Raised with partners", text="We have raised this with the council.")
    feedback = services.feedback_submit(service_areas=[], even_better_if="Shorter forms.",
                                        about_organisation=forum)
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  java_script_enabled=javascript)
    page = context.new_page()
    try:
        sign_in(page, "jo@forum.example")
        page.goto(f"/staff/feedback/{feedback.pk}/")
        page.locator("select[name=template]").select_option(label="Raised with partners")
        with page.expect_navigation():
            page.locator("button[name=use_template]").click()
        assert page.locator("#reply_text").input_value() == \
            "We have raised this with the council."
        assert page.locator("input[name=outcome][value=in_progress]").is_checked()
        if javascript:
            assert_accessible(page, "reply form from a template")
            page.locator("#reply_text").screenshot(path="/tmp/i24-use-template-text.png")
            page.screenshot(path="/tmp/i24-use-template.png", full_page=True)
        page.locator("#reply_text").fill("We have raised this with the council. "
                                                 "They will reply by May.")
        with page.expect_navigation():
            page.locator("button[name=save_reply]").click()
        assert Reply.objects.get().text.endswith("They will reply by May.")
    finally:
        context.close()


def test_routing_page_and_its_errors_pass_axe(page, forum):
    forum.is_partnership_lead = True
    forum.save()
    staff_user(Role.ADMINISTRATOR, forum, email="ravi@forum.example")
    sign_in(page, "ravi@forum.example")
    page.goto("/staff/feedback/routing/")
    assert_accessible(page, "routing")
    with page.expect_navigation():
        page.locator("button[name=save_route]").click()
    assert page.locator(".govuk-error-summary").count() == 1
    assert_accessible(page, "routing errors")
    page.screenshot(path="/tmp/i24-routing.png", full_page=True)
    page.set_viewport_size({"width": 320, "height": 900})
    page.screenshot(path="/tmp/i24-routing-320.png", full_page=True)


def test_a_card_batch_page_in_each_state_and_an_offered_route_pass_axe(page, forum):
    from feedback.cards import card_batch_pdf_build, card_batch_pdf_request
    from feedback.models import CardBatch
    from feedback.routing import route_save
    from tests.core.factories import ThemeFactory

    officer = staff_user(Role.OFFICER, forum, email="jo@forum.example")
    batch = card_batch_print(acting_user=officer, organisation=forum, paper="A5",
                             easy_read=True, size=2, prepare_pdf=False)
    sign_in(page, "jo@forum.example")
    url = f"/staff/feedback/cards/{batch.pk}/"
    CardBatch.objects.filter(pk=batch.pk).update(pdf_state=CardBatch.PdfState.PENDING)
    page.goto(url)
    assert "Being prepared" in page.content()
    assert_accessible(page, "cards being prepared")
    CardBatch.objects.filter(pk=batch.pk).update(pdf_state=CardBatch.PdfState.FAILED,
                                                 pdf_error="OSError")
    page.goto(url)
    assert_accessible(page, "cards could not be prepared")
    page.set_viewport_size({"width": 320, "height": 900})
    page.screenshot(path="/tmp/i24-card-batch-failed-320.png", full_page=True)
    card_batch_pdf_request(batch=batch)
    card_batch_pdf_build(batch.pk)
    page.goto(url)
    assert "Download the cards to print" in page.content()
    assert_accessible(page, "cards ready")
    page.screenshot(path="/tmp/i24-card-batch-ready-320.png", full_page=True)
    # Feedback someone has started on, then tagged with a theme routed elsewhere.
    admin = staff_user(Role.ADMINISTRATOR, forum)
    breaks = ServiceAreaFactory(name="Holiday clubs")
    heard = ThemeFactory(name="Being heard")
    council = OrganisationFactory(name="Testshire County Council")
    route_save(acting_user=admin, service_area=breaks, theme=None, organisation=forum)
    route_save(acting_user=admin, service_area=breaks, theme=heard, organisation=council)
    feedback = services.feedback_submit(service_areas=[breaks],
                                        even_better_if="Ask parents before changing times.")
    services.note_add(acting_user=officer, feedback=feedback, text="Rang the club")
    services.feedback_set_themes(acting_user=officer, feedback=feedback, themes=[heard])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/staff/feedback/{feedback.pk}/")
    assert "Suggested by the routing table" in page.content()
    assert_accessible(page, "route offered")
    page.screenshot(path="/tmp/i24-route-offered.png", full_page=True)
    page.set_viewport_size({"width": 320, "height": 900})
    page.screenshot(path="/tmp/i24-route-offered-320.png", full_page=True)
