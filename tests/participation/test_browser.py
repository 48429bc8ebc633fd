"""Issue 25, "done" 1, in Chromium with the keyboard alone and axe-core on
every page (error states too): a family finds an opportunity from `/`, says
they would like to take part, joins the register, later changes and then
leaves it through its private link; an officer invites register members and
sees who responded; a lapsed entry is erased by the retention run."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from core import jobs
from core.models import Job
from feedback.services import retention_apply
from participation import services
from participation.models import AboutYou, Interest, Invitation, RegisterEntry
from tests.conftest import assert_accessible, sign_in
from tests.feedback.test_browser import tab_to

from .conftest import join

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/involve-shots"))
NARROW = {"width": 320, "height": 900}


def press(page, selector: str, key: str = "Enter", limit: int = 150) -> None:
    """Tab to the element and press the key; Enter (on a link or a button)
    waits for the page it leads to."""
    tab_to(page, selector, limit=limit)
    if key == "Enter" and not selector.startswith(".govuk-error-summary"):
        with page.expect_navigation():
            page.keyboard.press(key)
    else:
        page.keyboard.press(key)


def type_into(page, selector: str, text: str, limit: int = 150) -> None:
    tab_to(page, selector, limit=limit)
    page.keyboard.type(text)


def test_a_family_takes_part_joins_changes_and_leaves_the_register(page, world):
    page.set_viewport_size(NARROW)
    page.goto("/")
    press(page, "a[href='/get-involved/']")
    page.wait_for_url("**/get-involved/")
    assert_accessible(page, "get involved")
    page.screenshot(path=str(SHOTS / "get-involved-320.png"), full_page=True)
    press(page, f"a[href='{world['opportunity'].get_absolute_url()}']")
    page.wait_for_url(f"**{world['opportunity'].get_absolute_url()}")
    assert_accessible(page, "an opportunity")
    press(page, "a.govuk-button")  # I'd like to take part
    page.wait_for_url("**/take-part/")
    assert_accessible(page, "I'd like to take part")
    type_into(page, "#id_needs", "A quiet room, please")
    press(page, "button[name=send]")
    page.wait_for_url("**/take-part/")
    assert page.title().startswith("Error: ")
    assert_accessible(page, "I'd like to take part, with errors")
    press(page, ".govuk-error-summary a[href='#id_name']")  # the summary link lands on its field
    assert page.evaluate("document.activeElement.id") == "id_name"
    page.keyboard.type("Sam Jones")
    assert page.input_value("#id_needs") == "A quiet room, please"  # nothing typed lost
    type_into(page, "#id_email", "sam@example.com")
    tab_to(page, "input[name=child_age]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # "5 to 10"
    press(page, "button[name=send]")
    page.wait_for_url("**/take-part/sent/")
    assert_accessible(page, "thank you")
    assert Interest.objects.get().name == "Sam Jones"
    assert AboutYou.objects.get().child_age == "5-10"

    # Join the register from the thank-you page.
    press(page, "a[href='/get-involved/register/']")
    page.wait_for_url("**/get-involved/register/")
    press(page, "button[name=join]")
    page.wait_for_url("**/get-involved/register/")
    assert_accessible(page, "join the register, with errors")
    press(page, ".govuk-error-summary a[href='#id_consent']")
    assert page.evaluate("document.activeElement.id") == "id_consent"
    page.screenshot(path=str(SHOTS / "register-errors-320.png"), full_page=True)
    type_into(page, "#id_name", "Sam Jones")
    press(page, "input[name=topics][value=adulthood]", "Space")
    press(page, "input[name=kinds][value=workshop]", "Space")
    press(page, "input[name=channels][value=email]", "Space")
    type_into(page, "#id_email", "sam@example.com")
    press(page, "#id_consent", "Space")
    press(page, "button[name=join]")
    page.wait_for_url("**/register/joined/")
    assert_accessible(page, "joined")
    private_url = page.get_attribute("#private-link", "href")
    entry = RegisterEntry.objects.get()
    assert entry.consent_wording in page.evaluate("document.body.innerText") or entry.consented_at

    # Later: change the choices, then leave, through the private link.
    page.goto(private_url)
    assert_accessible(page, "private link")
    press(page, "input[name=topics][value=health]", "Space")
    press(page, "button[name=save]")
    assert page.get_by_text("Your choices are saved").is_visible()
    entry.refresh_from_db()
    assert sorted(entry.topics) == ["adulthood", "health"]
    press(page, "a[href$='/leave/']")
    page.wait_for_url("**/leave/")
    assert_accessible(page, "leave")
    press(page, "button.govuk-button--warning")
    assert page.get_by_role("heading", name="You have left the register").is_visible()
    assert_accessible(page, "left")
    assert not RegisterEntry.objects.exists()


def test_an_officer_invites_register_members_and_sees_who_responded(page, world):
    aisha = join()
    join(name="Jo Williams", email="", address="12 Church Street\nCinderford", channels=("post",))
    sign_in(page, world["officer"].email)
    page.goto("/staff/get-involved/")
    assert_accessible(page, "opportunities")
    press(page, f"a[href='/staff/get-involved/{world['opportunity'].pk}/']")
    page.wait_for_url(f"**/staff/get-involved/{world['opportunity'].pk}/")
    assert_accessible(page, "opportunity for staff")
    press(page, "button[name=invite]")
    assert page.title().startswith("Error: ")
    assert_accessible(page, "invite, with errors")
    press(page, ".govuk-error-summary a")
    assert page.evaluate("document.activeElement.name") == "entries"
    page.keyboard.press("Space")
    press(page, "input[name=entries]:not(:checked)", "Space")
    press(page, "button[name=invite]")
    assert page.get_by_text("2 invitations sent").is_visible()
    # The e-mail goes through the job framework (sent on commit, or here by
    # the worker's own function if it is still due); the letter is listed to post.
    jobs.run_due("participation_invitation")
    assert list(Job.objects.filter(kind="participation_invitation")
                .values_list("state", flat=True)) == [Job.State.DONE]
    assert [m.to for m in mail.outbox] == [["aisha@example.com"]]
    invitation = Invitation.objects.get(entry=aisha)
    # The family answers from the e-mail's link, with the keyboard.
    page.context.clear_cookies()
    page.goto(f"/get-involved/answer/{services.answer_token(invitation)}/")
    assert_accessible(page, "answer an invitation")
    tab_to(page, "input[name=answer]")
    page.keyboard.press("Space")
    press(page, "button[name=send]")
    assert page.get_by_text("We have your answer").is_visible()
    sign_in(page, world["officer"].email)
    page.set_viewport_size(NARROW)
    page.goto(f"/staff/get-involved/{world['opportunity'].pk}/")
    table = page.locator("#invitations").inner_text()
    assert "Yes, would like to take part" in table and "To send by post" in table
    assert_accessible(page, "who responded")
    page.screenshot(path=str(SHOTS / "who-responded-320.png"), full_page=True)


def test_a_lapsed_entry_is_erased_by_the_retention_run(page, world):
    lapsed = join(name="Lapsed Member", email="lapsed@example.com")
    join(name="Current Member", email="current@example.com")
    RegisterEntry.objects.filter(pk=lapsed.pk).update(
        renewed_at=timezone.now() - timedelta(days=400),
        renewal_asked_at=timezone.now() - timedelta(days=31))
    sign_in(page, world["officer"].email)
    page.goto("/staff/get-involved/register/")
    assert page.get_by_text("Lapsed Member").is_visible()
    run = retention_apply()
    assert run.register_erased_count == 1
    page.reload()
    assert page.get_by_text("Lapsed Member").count() == 0
    assert page.get_by_text("Current Member").is_visible()
    assert_accessible(page, "register")


def test_the_other_pages_at_320_px_with_their_error_states(page, world):
    """Axe (and, at the end of the run, the Nu Html Checker) on the pages the
    journeys above do not open, at 320 px."""
    from .conftest import make_opportunity

    page.set_viewport_size(NARROW)
    closed = make_opportunity(world["county"], title="Short breaks focus group", days=-30,
                              outcome="Short breaks can now be booked online.",
                              outcome_url="/reports/")
    entry = join(about={"child_age": "5-10"})
    for path in (closed.get_absolute_url(), f"/get-involved/{closed.slug}/easy-read/",
                 f"/get-involved/{world['opportunity'].slug}/easy-read/",
                 f"/get-involved/register/renew/{services.renew_token(entry)}/",
                 "/get-involved/register/joined/"):
        page.goto(path)
        assert_accessible(page, path)
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], path
    sign_in(page, world["administrator"].email)
    for path, button in (("/staff/get-involved/representation/", None),
                         ("/staff/get-involved/new/", "save"),
                         (f"/staff/get-involved/{world['opportunity'].pk}/edit/", None),
                         ("/staff/get-involved/representation/figures/need/", "save"),
                         ("/staff/get-involved/register/", None)):
        page.goto(path)
        assert_accessible(page, path)
        if button:
            page.evaluate("document.querySelectorAll('main input[type=text], main textarea')"
                          ".forEach(e => e.value = '')")
            with page.expect_navigation():
                page.locator(f"button[name={button}]").click()
            assert page.title().startswith("Error: "), path
            assert_accessible(page, f"{path} with errors")
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], path
    page.goto("/staff/get-involved/representation/")
    page.screenshot(path=str(SHOTS / "representation-320.png"), full_page=True)
