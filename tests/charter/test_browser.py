"""Real Chromium, checked with axe-core: 0 violations on every page, errors too."""

from datetime import date

import pytest

from actionplan import services as actionplan_services
from charter import services
from tests.actionplan.factories import ActionFactory, PriorityFactory
from tests.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_charter_page(page, world):
    action = ActionFactory(title="Publish a co-produced Local Offer", is_public=True,
                           lead_organisation=world["lead"])
    actionplan_services.action_update_progress(acting_user=None, action=action,
                                               status="at_risk", percent=30,
                                               date=date(2026, 2, 1), narrative="Delayed")
    services.evidence_link_add(acting_user=None, commitment=world["commitment"],
                               effect="keeps", action=action)
    services.evidence_link_add(acting_user=None, commitment=world["commitment"],
                               effect="breaks", title="Local Offer report",
                               url="/reports/local-offer/", summary="Pages were hard to find.")
    statements = list(world["charter"].statements.all())
    for rating in (5, 4, 4, 2, 1, 3):
        services.pulse_submit(pulse_round=world["round"],
                              ratings={s.pk: rating for s in statements})
    page.goto("/charter/")
    assert page.get_by_role("heading", level=1).inner_text() == "Testshire Co-production Charter"
    # One card a statement (it reads at 320 px), the round's result beside its name.
    assert page.get_by_role("definition").filter(
        has_text="50% agree (3 of 6 answers)").first.is_visible()
    assert page.get_by_text("Pages were hard to find.").is_visible()
    assert_accessible(page, "public charter page")


def test_pulse_form_and_its_errors(page, world):
    page.goto("/charter/testshire-charter/")
    page.get_by_role("link", name="Answer 2 short questions").click()
    assert_accessible(page, "pulse form")
    page.get_by_role("group", name="1. I am an equal partner").get_by_label("Agree",
                                                                          exact=True).check()
    page.get_by_role("button", name="Send answers").click()
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    assert "Select how much you agree that “My views and experiences are represented”" in (
        summary.inner_text())
    assert page.get_by_role("group", name="1. I am an equal partner").get_by_label(
        "Agree", exact=True).is_checked()
    assert_accessible(page, "pulse form with errors")
    page.get_by_role("group", name="2. My views").get_by_label("Strongly disagree").check()
    page.get_by_role("button", name="Send answers").click()
    assert page.get_by_role("heading", name="Your answers were sent").is_visible()
    assert_accessible(page, "pulse thanks")


def test_audit_form_and_results(page, world):
    sign_in(page, world["people"]["lead_officer"].email)
    page.goto(f"/staff/charter/audits/{world['audit'].pk}/answers/")
    assert_accessible(page, "audit form")
    page.get_by_role("group", name="1.1 From the start").get_by_label("3 – Embedded").check()
    page.get_by_role("button", name="Complete the audit").click()
    assert page.title().startswith("Error: ")
    assert "Describe the evidence for 1.1" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "audit form with errors")
    page.get_by_role("button", name="Save and come back later").click()
    page.goto(f"/staff/charter/audits/{world['audit'].pk}/")
    assert page.get_by_role("table", name="Summary").is_visible()
    assert_accessible(page, "audit results")
    page.goto("/staff/charter/audits/")
    assert_accessible(page, "audit list")
    PriorityFactory(number=2)
    page.goto(f"/staff/charter/audits/{world['audit'].pk}/actions/new/")
    page.get_by_role("button", name="Add to the action plan").click()
    assert_accessible(page, "improvement action with errors")


def test_staff_charter_editor(page, world):
    sign_in(page, world["people"]["lead_approver"].email)
    page.goto("/staff/charter/")
    assert_accessible(page, "charter list")
    page.goto(f"/staff/charter/{world['draft'].pk}/")
    assert page.get_by_role("button", name="Move up").count() == 1  # the 2nd statement only
    assert_accessible(page, "draft editor")
    page.get_by_role("link", name="Add a commitment").click()
    page.get_by_role("button", name="Save commitment").click()
    assert "Enter the commitment" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "add commitment with errors")
    page.get_by_label("Our commitment").fill("Listening is calm and respectful")
    page.get_by_role("button", name="Save commitment").click()
    page.get_by_role("button", name="Move up Listening is calm and respectful").click()
    first = page.locator("h4").first.inner_text()
    assert "Listening is calm and respectful" in first
    assert_accessible(page, "draft editor with controls")
    page.get_by_role("link", name="Delete Listening is calm and respectful").click()
    assert_accessible(page, "delete confirmation")
    page.get_by_role("button", name="Yes, delete it").click()
    page.get_by_role("link", name="Adopt this version").click()
    page.get_by_role("button", name="Adopt this version").click()
    assert "Enter the review date" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "adopt with errors")
    page.goto(f"/staff/charter/{world['charter'].pk}/pulse/")
    assert_accessible(page, "pulse rounds")
    page.goto(f"/staff/charter/{world['charter'].pk}/sign/")
    assert_accessible(page, "sign")
    page.goto("/staff/charter/evidence/new/")
    page.get_by_role("button", name="Link the evidence").click()
    assert_accessible(page, "link evidence with errors")
    page.goto("/staff/charter/evidence/")
    assert_accessible(page, "evidence list")


def test_organisation_choice_and_its_error(page, world):
    """Issue 19: the organisation choice of a new charter offers only the
    organisations the person drafts for, after a "Choose an organisation"
    prompt (never "---------"); left unchosen, a GOV.UK error whose summary
    link lands on the choice, and what was typed is kept."""
    from django.urls import reverse

    from core.models import Membership, Role
    from tests.core.test_partners_browser import shots

    person = world["people"]["lead_officer"]
    Membership.objects.create(user=person, organisation=world["other"], role=Role.OFFICER)
    sign_in(page, person.email)
    page.goto(reverse("staff:charter:charter_create"))
    choice = page.get_by_label("Organisation that looks after the charter")
    assert choice.locator("option").all_inner_texts() == [
        "Choose an organisation", "Otherwhere NHS Trust", "Testshire County Council"]
    assert_accessible(page, "new charter")
    page.get_by_label("Title").fill("Otherwhere Working Agreement")
    page.get_by_label("Local area or partnership").fill("Otherwhere")
    page.get_by_role("button", name="Create draft").click()
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    assert "Select the organisation that looks after the charter" in summary.inner_text()
    assert page.get_by_label("Title").input_value() == "Otherwhere Working Agreement"
    assert_accessible(page, "new charter, organisation not chosen")
    shots(page, "charter-organisation-error")
    summary.get_by_role("link", name="Select the organisation that looks after the charter").click()
    assert page.evaluate("document.activeElement.id") == "id_organisation"
    choice.select_option(label="Otherwhere NHS Trust")
    page.get_by_role("button", name="Create draft").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith(
        "Otherwhere Working Agreement")


def test_the_partnership_decides_whether_its_lead_acts_for_partners(page, world):
    """The lead organisation's settings page asks it (off by default); a
    partner's page does not."""
    from django.urls import reverse

    from core.models import Organisation
    from tests.core.test_partners_browser import shots

    sign_in(page, world["people"]["partnership_administrator"].email)
    page.goto(reverse("staff:organisation-settings", args=[world["partnership"].pk]))
    question = page.get_by_role("group", name="May your administrators act for every partner")
    assert question.get_by_label("No, each partner acts only for itself").is_checked()
    assert_accessible(page, "lead organisation settings")
    shots(page, "lead-organisation-settings")
    question.get_by_label("Yes, our administrators may act for every partner").check()
    page.get_by_role("button", name="Save settings").click()
    assert Organisation.objects.get(pk=world["partnership"].pk).lead_acts_for_partners
    page.goto(reverse("staff:charter:charter_edit", args=[world["draft"].pk]))
    assert page.get_by_label("Title").is_visible()

    page.context.clear_cookies()
    sign_in(page, world["people"]["partner_administrator"].email)
    page.goto(reverse("staff:organisation-settings", args=[world["partner"].pk]))
    assert page.get_by_text("act for every partner").count() == 0
