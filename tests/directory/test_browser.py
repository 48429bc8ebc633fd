"""In Chromium, checked with axe-core: an officer publishes a profile (its
errors first, each summary link landing on its question), families see it at
320 px and at desktop width, consent is withdrawn and it is gone; the jargon
buster and a written-out abbreviation's link to it."""

import os
from pathlib import Path

import pytest
from PIL import Image

from core.models import Role
from directory.models import GlossaryTerm
from tests.conftest import assert_accessible, sign_in
from tests.core.factories import OrganisationFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 900}
WIDE = {"width": 1200, "height": 900}


@pytest.fixture
def glossary():
    GlossaryTerm.objects.create(abbreviation="SEND", term="special educational needs and "
                                "disabilities", meaning="Needing extra help to learn.",
                                easy_read_meaning="When a child needs extra help.")
    GlossaryTerm.objects.create(abbreviation="EHCP", term="education, health and care plan",
                                meaning="A legal plan of the help a child must get.")
    GlossaryTerm.objects.create(term="Local Offer", meaning="Information about services.")


def _shots(tmp_path) -> Path:
    """Where screenshots go: SCREENSHOT_DIR to look at them, else thrown away."""
    return Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)


def _photo(tmp_path):
    path = tmp_path / "priya.png"
    Image.new("RGB", (300, 300), (29, 93, 144)).save(path)
    return str(path)


def test_an_officer_publishes_a_profile_and_removes_it_when_consent_is_withdrawn(
        page, glossary, tmp_path):
    officer = staff_user(Role.OFFICER, OrganisationFactory(name="Testshire County Council"))
    sign_in(page, officer.email)
    page.goto("/staff/directory/profiles/add/")
    page.get_by_label("Name", exact=True).fill("Priya Shah")
    page.get_by_label("Photo (optional)", exact=True).set_input_files(_photo(tmp_path))
    page.get_by_role("button", name="Save and publish").click()
    assert page.title().startswith("Error: ")
    assert_accessible(page, "profile form with errors")
    summary = page.locator(".govuk-error-summary")
    # Each link takes focus to its question.
    for name, target in (("Enter their role", "id_role"),
                         ("Describe the photo, for people who cannot see it", "id_photo_alt"),
                         ("Enter how they agreed", "id_consent_how")):
        summary.get_by_role("link", name=name).click()
        assert page.evaluate("document.activeElement.id") == target
    assert page.get_by_label("Name", exact=True).input_value() == "Priya Shah"
    page.get_by_label("Role", exact=True).fill("SEND Participation Officer")
    page.get_by_role("radio", name="Education and the council’s SEND services").check()
    page.get_by_label("What they do").fill("Runs the workshops where families tell us what "
                                           "works, and makes sure every EHCP review hears them.")
    page.get_by_label("Photo (optional)", exact=True).set_input_files(_photo(tmp_path))
    page.get_by_label("Describe the photo (optional)").fill("Priya smiling, by a bookcase")
    page.get_by_label("Day").fill("14")
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("How they agreed").fill("Signed consent form")
    page.get_by_label("They have agreed to this wording").check()
    page.get_by_role("button", name="Save and publish").click()
    assert page.get_by_text("Priya Shah’s profile is published").is_visible()
    assert_accessible(page, "staff profiles")

    page.goto("about:blank")  # no session script left to follow the sign-out
    page.context.clear_cookies()
    for size, name in ((NARROW, "320"), (WIDE, "desktop")):
        page.set_viewport_size(size)
        page.goto("/who-we-are/")
        assert page.get_by_role("img", name="Priya smiling, by a bookcase").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        page.screenshot(path=str(_shots(tmp_path) / f"who-we-are-{name}.png"), full_page=True)
        assert_accessible(page, f"who we are at {name}")
    # Written out at the first use in body text, not in the heading.
    main = page.locator("main").inner_text()
    assert "education, health and care plan (EHCP)" in main
    page.get_by_role("link", name="EHCP").click()
    assert page.url.endswith("/jargon-buster/#term-ehcp")

    sign_in(page, officer.email)
    page.goto("/staff/directory/profiles/")
    page.screenshot(path=str(_shots(tmp_path) / "staff-profiles.png"), full_page=True)
    page.locator("main a", has_text="Consent withdrawn").first.click()
    assert_accessible(page, "withdraw confirmation")
    page.get_by_role("button", name="Remove profile and photo").click()
    assert page.get_by_text("The profile and its photo have been removed").is_visible()
    page.goto("about:blank")  # no session script left to follow the sign-out
    page.context.clear_cookies()
    page.goto("/who-we-are/")
    assert not page.get_by_text("Priya Shah").count()


def test_the_jargon_buster_at_320_px(page, glossary, tmp_path):
    page.set_viewport_size(NARROW)
    page.goto("/jargon-buster/")
    assert page.get_by_role("heading", name="special educational needs and disabilities (SEND)"
                            ).is_visible()
    assert page.get_by_text("In easy words:").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    page.get_by_role("navigation", name="Letters").get_by_role("link", name="L").click()
    assert page.url.endswith("#letter-L")
    page.screenshot(path=str(_shots(tmp_path) / "jargon-buster-320.png"), full_page=True)
    assert_accessible(page, "jargon buster")
    # The standard form: its heading stays short, the words follow it.
    page.goto("/feedback/give/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tell us about SEND services"
    assert "special educational needs and disabilities (SEND)" in page.locator("main").inner_text()
    assert_accessible(page, "the feedback form with SEND written out")
