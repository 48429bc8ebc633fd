"""Routing (issue 24): new feedback goes to the organisation the routing
table names for what it is about, and to its officer, from every channel;
the family is told who will answer; moving it by hand is recorded."""

import csv
import io
import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent, Organisation, Role
from feedback import services
from feedback.imports import survey_import_execute
from feedback.models import Feedback, Notification, Reroute, SurveyImport
from feedback.routing import reroute_figures, route_for, route_save
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, ThemeFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def area_routes():
    """Testshire: the council answers by default; therapies go to the NHS
    trust's officer, the Local Offer to the council's Local Offer team."""
    council = OrganisationFactory(name="Testshire County Council",
                                  kind=Organisation.Kind.LOCAL_AUTHORITY)
    trust = OrganisationFactory(name="Testshire Health and Care NHS Foundation Trust",
                                public_name="Testshire Health and Care",
                                kind=Organisation.Kind.NHS_PROVIDER)
    admin = staff_user(Role.ADMINISTRATOR, council)
    council.is_partnership_lead = True
    council.save()
    therapy = ServiceAreaFactory(name="Health: therapies")
    local_offer = ServiceAreaFactory(name="Local Offer")
    trust_officer = staff_user(Role.OFFICER, trust, first_name="Tamsin", last_name="Hale",
                               email="tamsin.hale@trust.example")
    route_save(acting_user=admin, service_area=therapy, theme=None, organisation=trust,
               team="Children's therapies", assignee=trust_officer)
    route_save(acting_user=admin, service_area=local_offer, theme=None, organisation=council,
               team="Local Offer team")
    return {"council": council, "trust": trust, "therapy": therapy, "local_offer": local_offer,
            "trust_officer": trust_officer, "admin": admin}


def test_public_form_feedback_goes_to_the_routed_inbox_and_officer_and_says_who(
        client, area_routes):
    r = area_routes
    response = client.post(reverse("feedback:give"), {
        "service_areas": [r["therapy"].pk], "even_better_if": "Speech therapy waits are long.",
        "respondent": "parent_carer", "consent_to_quote": "no", "wants_contact": "no"})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.organisation, feedback.assigned_to) == (r["trust"], r["trust_officer"])
    # The officer is told, like any assignment.
    assert Notification.objects.filter(feedback=feedback, kind="assignment",
                                       recipient_user=r["trust_officer"]).exists()
    page = client.get(response["Location"]).content.decode()
    # The family is told who answers by the organisation's public name, never
    # the officer's name or e-mail, nor the staff-only team.
    assert "Testshire Health and Care will answer your feedback" in page
    assert "Tamsin" not in page and "tamsin.hale" not in page and "therapies</" not in page
    assert "Children&#x27;s therapies" not in page and "Children's therapies" not in page
    token = re.search(r"/feedback/track/([^/]+)/", page).group(1)
    private = client.get(reverse("feedback:track-token", args=[token])).content.decode()
    assert "Who will answer" in private and "Testshire Health and Care" in private
    by_reference = client.post(reverse("feedback:track"), {"reference": feedback.reference})
    assert "Testshire Health and Care" in by_reference.content.decode()


def test_easy_read_feedback_is_routed_too(client, area_routes):
    r = area_routes
    response = client.post(reverse("feedback:give-easy-read"), {
        "feeling": "1", "better": "More quiet rooms.", "who": "young_person",
        "wants_contact": "no", "service_area": r["therapy"].pk})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.channel, feedback.organisation, feedback.assigned_to) == (
        "easy_read", r["trust"], r["trust_officer"])
    assert "Testshire Health and Care" in client.get(response["Location"]).content.decode()


def test_feedback_about_no_routed_area_goes_where_it_went_before(client, area_routes):
    other = ServiceAreaFactory(name="Transport")
    client.post(reverse("feedback:give"), {
        "service_areas": [other.pk], "even_better_if": "The bus is late.",
        "respondent": "parent_carer", "consent_to_quote": "no", "wants_contact": "no"})
    feedback = Feedback.objects.get()
    assert (feedback.organisation, feedback.assigned_to) == (area_routes["council"], None)


def test_two_routed_areas_the_first_answers_and_the_other_can_read(area_routes):
    r = area_routes
    feedback = services.feedback_submit(service_areas=[r["local_offer"], r["therapy"]],
                                        even_better_if="Both.")
    # "Health: therapies" sorts before "Local Offer".
    assert feedback.organisation == r["trust"]
    assert list(feedback.shared_with.all()) == [r["council"]]


def test_a_theme_route_is_narrower_than_the_area_route(area_routes):
    r = area_routes
    waits = ThemeFactory(name="Waiting times")
    icb = OrganisationFactory(name="Testshire ICB", kind=Organisation.Kind.NHS_COMMISSIONER)
    route_save(acting_user=r["admin"], service_area=r["therapy"], theme=waits, organisation=icb)
    assert route_for([r["therapy"]], [waits]).organisation_id == icb.pk
    assert route_for([r["therapy"]]).organisation_id == r["trust"].pk
    assert route_for([]) is None


def test_a_route_officer_must_work_for_the_routed_organisation(area_routes):
    r = area_routes
    with pytest.raises(ValidationError):
        route_save(acting_user=r["admin"], service_area=ServiceAreaFactory(), theme=None,
                   organisation=r["council"], assignee=r["trust_officer"])


def test_staff_logged_feedback_is_routed_unless_an_organisation_is_chosen(client, area_routes):
    r = area_routes
    officer = staff_user(Role.OFFICER, r["council"])
    client.force_login(officer)
    post = {"channel": "phone", "received_on_0": "3", "received_on_1": "11",
            "received_on_2": "2026", "organisation": "", "service_areas": [r["therapy"].pk],
            "even_better_if": "Ring back sooner.", "respondent": "parent_carer"}
    response = client.post(reverse("staff:feedback:log"), post)
    assert response.status_code == 302
    routed = Feedback.objects.get()
    assert (routed.organisation, routed.assigned_to) == (r["trust"], r["trust_officer"])
    # The council officer cannot open the trust's feedback: they are told where it went.
    assert response["Location"] == reverse("staff:feedback:log")
    assert "It has gone to Testshire Health and Care NHS Foundation Trust" in \
        client.get(response["Location"]).content.decode()
    # Chosen by hand, the choice wins.
    client.post(reverse("staff:feedback:log"), {**post, "organisation": r["council"].pk})
    chosen = Feedback.objects.exclude(pk=routed.pk).get()
    assert (chosen.organisation, chosen.assigned_to) == (r["council"], None)


def test_imported_rows_are_routed_and_the_importer_can_still_read_them(client, area_routes):
    r = area_routes
    forum = OrganisationFactory(name="Testshire Parent Carer Forum",
                                kind=Organisation.Kind.PARENT_CARER_FORUM)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Service", "Better"])
    writer.writerows([["Health: therapies", "Shorter waits"], ["Local Offer", "Clearer pages"],
                      ["", "Nothing to add"]])
    survey = SurveyImport.objects.create(
        title="Forum survey 2026", organisation=forum, received_on=date(2026, 6, 1),
        file=SimpleUploadedFile("s.csv", out.getvalue().encode()), file_sha256="x",
        uploaded_by=staff_user(Role.OFFICER, forum),
        mapping={"columns": {"service_area": "Service", "even_better_if": "Better"},
                 "statistics": []})
    survey_import_execute(survey_import_id=survey.pk)
    rows = {f.even_better_if: f for f in Feedback.objects.prefetch_related("shared_with")}
    assert rows["Shorter waits"].organisation == r["trust"]
    assert rows["Shorter waits"].assigned_to == r["trust_officer"]
    assert rows["Clearer pages"].organisation == r["council"]
    assert rows["Nothing to add"].organisation == forum
    assert [list(rows[k].shared_with.all()) for k in ("Shorter waits", "Clearer pages")] == [
        [forum], [forum]]


def test_rerouting_is_recorded_with_its_reason_and_counted(area_routes):
    r = area_routes
    feedback = services.feedback_submit(service_areas=[r["local_offer"]],
                                        even_better_if="The therapy pages are out of date.")
    officer = staff_user(Role.OFFICER, r["council"])
    with pytest.raises(ValidationError):
        services.feedback_reroute(acting_user=officer, feedback=feedback,
                                  organisation=r["trust"], reason="  ")
    services.feedback_reroute(acting_user=officer, feedback=feedback, organisation=r["trust"],
                              reason="About therapy information the trust writes")
    feedback.refresh_from_db()
    assert feedback.organisation == r["trust"]
    # The council keeps read access, to follow it.
    assert list(feedback.shared_with.all()) == [r["council"]]
    reroute = Reroute.objects.get()
    assert (reroute.from_organisation, reroute.to_organisation, reroute.actor, reroute.reason) == (
        r["council"], r["trust"], officer, "About therapy information the trust writes")
    event = AuditEvent.objects.get(verb="feedback.rerouted")
    # Ids in the audit log, never the reason (it may name people).
    assert event.data == {"from": r["council"].pk, "to": r["trust"].pk, "assignee": None,
                          "by_rule": False}
    services.feedback_submit(service_areas=[r["local_offer"]], even_better_if="Another.")
    figures = reroute_figures(since=date(2000, 1, 1))
    assert (figures.received, figures.rerouted, figures.percent) == (2, 1, 50)
    assert figures.by_area == [("Local Offer", 2, 1)]


# --- Pages --------------------------------------------------------------------------------


def test_routing_page_only_for_partnership_administrators(client, area_routes):
    r = area_routes
    url = reverse("staff:feedback:routing")
    assert client.get(url).status_code == 302  # anonymous: sign in
    for role in (Role.OFFICER, Role.APPROVER, Role.BOARD_MEMBER, Role.ADMINISTRATOR):
        client.force_login(staff_user(role, r["trust"]))  # an administrator of a partner too
        assert client.get(url).status_code == 403, role
        assert client.post(url, {"remove": Feedback.objects.none().count()}).status_code == 403
    client.force_login(r["admin"])
    page = client.get(url).content.decode()
    assert "Health: therapies" in page and "Tamsin Hale" in page


def test_routing_page_saves_changes_and_removes_routes(client, area_routes):
    r = area_routes
    client.force_login(r["admin"])
    url = reverse("staff:feedback:routing")
    errors = client.post(url, {"service_area": "", "organisation": r["trust"].pk,
                               "team": "Kept team"})
    html = errors.content.decode()
    assert errors.status_code == 400 and "Select the service area" in html
    assert 'href="#id_service_area"' in html and "Kept team" in html
    wrong = client.post(url, {"service_area": r["local_offer"].pk,
                              "organisation": r["council"].pk,
                              "assignee": r["trust_officer"].pk})
    assert wrong.status_code == 400
    assert "Choose an officer of the organisation that answers" in wrong.content.decode()
    # Saving an area that has a route changes it.
    assert client.post(url, {"service_area": r["local_offer"].pk,
                             "organisation": r["trust"].pk}).status_code == 302
    assert route_for([r["local_offer"]]).organisation_id == r["trust"].pk
    route = r["local_offer"].routes.get()
    assert client.post(url, {"remove": route.pk}).status_code == 302
    assert route_for([r["local_offer"]]) is None
    assert client.post(url, {"remove": "²"}).status_code == 404
    assert AuditEvent.objects.filter(verb="route.removed").count() == 1


def test_routing_page_query_count_does_not_grow(client, area_routes, django_assert_num_queries):
    r = area_routes
    client.force_login(r["admin"])
    url = reverse("staff:feedback:routing")
    client.get(url)
    with django_assert_num_queries(ROUTING_PAGE_QUERIES):
        client.get(url)
    for n in range(5):
        area = ServiceAreaFactory(name=f"Area {n}")
        route_save(acting_user=r["admin"], service_area=area, theme=None,
                   organisation=r["trust"], assignee=r["trust_officer"])
        services.feedback_submit(service_areas=[area], even_better_if="x")
    with django_assert_num_queries(ROUTING_PAGE_QUERIES):
        client.get(url)


# User, roles, the staff panel's counts, the routes (with their area, theme,
# organisation, officer), the two figures, the form's four choices (areas, themes,
# organisations, officers); the session is read from its cached copy.
ROUTING_PAGE_QUERIES = 9


def test_reroute_page_permissions_and_errors(client, area_routes):
    r = area_routes
    feedback = services.feedback_submit(service_areas=[r["local_offer"]], even_better_if="x")
    url = reverse("staff:feedback:reroute", args=[feedback.pk])
    assert client.get(url).status_code == 302
    client.force_login(staff_user(Role.OFFICER, r["trust"]))  # another organisation
    assert client.get(url).status_code == 404
    client.force_login(staff_user(Role.ADMINISTRATOR, r["council"]))  # reads, does not handle
    assert client.get(url).status_code == 403
    client.force_login(staff_user(Role.BOARD_MEMBER, r["council"]))
    assert client.get(url).status_code == 403
    officer = staff_user(Role.OFFICER, r["council"])
    client.force_login(officer)
    detail = client.get(reverse("staff:feedback:detail", args=[feedback.pk])).content.decode()
    assert f'href="{url}"' in detail
    errors = client.post(url, {"organisation": r["trust"].pk, "reason": "",
                               "lock_version": feedback.lock_version})
    assert errors.status_code == 400 and 'href="#id_reason"' in errors.content.decode()
    done = client.post(url, {"organisation": r["trust"].pk, "reason": "Therapy information",
                             "lock_version": feedback.lock_version})
    assert done.status_code == 302
    feedback.refresh_from_db()
    assert feedback.organisation == r["trust"]
    # The council officer can still read it (shared), not handle it.
    assert client.get(reverse("staff:feedback:detail", args=[feedback.pk])).status_code == 200
    assert client.get(url).status_code == 403


def test_reroute_page_query_count_is_pinned(client, area_routes, django_assert_num_queries):
    r = area_routes
    feedback = services.feedback_submit(service_areas=[r["local_offer"]], even_better_if="x")
    client.force_login(staff_user(Role.OFFICER, r["council"]))
    url = reverse("staff:feedback:reroute", args=[feedback.pk])
    client.get(url)
    with django_assert_num_queries(REROUTE_PAGE_QUERIES):
        client.get(url)
    for n in range(5):
        OrganisationFactory(name=f"Partner {n}")
    with django_assert_num_queries(REROUTE_PAGE_QUERIES):
        client.get(url)


REROUTE_PAGE_QUERIES = 4


def test_the_acknowledgement_e_mail_says_who_will_answer(area_routes, mailoutbox):
    from feedback.tasks import send_notification

    feedback = services.feedback_submit(
        service_areas=[area_routes["therapy"]], even_better_if="Shorter waits.",
        wants_contact=True, contact_email="family@example.com")
    notification = Notification.objects.get(feedback=feedback, kind="acknowledgement")
    send_notification(notification.pk)
    body = next(m.body for m in mailoutbox if m.to == ["family@example.com"])
    assert "Testshire Health and Care will answer it." in body
    assert "Tamsin" not in body


def test_a_route_officer_who_has_left_is_not_given_new_feedback(area_routes):
    r = area_routes
    r["trust_officer"].is_active = False
    r["trust_officer"].save()
    feedback = services.feedback_submit(service_areas=[r["therapy"]], even_better_if="x")
    assert (feedback.organisation, feedback.assigned_to) == (r["trust"], None)
    assert not Notification.objects.filter(feedback=feedback, kind="assignment").exists()


# --- Re-routing after tagging -------------------------------------------------------------


@pytest.fixture
def theme_route(area_routes):
    """Therapies go to the trust, but waiting times for therapies to the ICB's
    commissioning officer (its own route, for the area and the theme)."""
    r = area_routes
    waits = ThemeFactory(name="Waiting times")
    icb = OrganisationFactory(name="Testshire ICB", kind=Organisation.Kind.NHS_COMMISSIONER)
    icb_officer = staff_user(Role.OFFICER, icb, email="commissioning@icb.example")
    route_save(acting_user=r["admin"], service_area=r["therapy"], theme=waits, organisation=icb,
               assignee=icb_officer)
    trust_officer = r["trust_officer"]
    feedback = services.feedback_submit(service_areas=[r["therapy"]],
                                        even_better_if="We waited a year for speech therapy.")
    assert (feedback.organisation, feedback.assigned_to) == (r["trust"], trust_officer)
    return {**r, "waits": waits, "icb": icb, "icb_officer": icb_officer, "feedback": feedback}


def test_tagging_a_theme_with_its_own_route_moves_untouched_feedback(theme_route):
    r = theme_route
    feedback = r["feedback"]
    other = ThemeFactory(name="Communication")
    services.feedback_set_themes(acting_user=r["trust_officer"], feedback=feedback,
                                 themes=[other, r["waits"]])
    feedback.refresh_from_db()
    # The rule's organisation and officer answer it; the trust can still read it.
    assert (feedback.organisation, feedback.assigned_to) == (r["icb"], r["icb_officer"])
    assert list(feedback.shared_with.all()) == [r["trust"]]
    reroute = Reroute.objects.get(feedback=feedback)
    assert (reroute.from_organisation, reroute.to_organisation, reroute.reason,
            reroute.by_rule, reroute.actor) == (
        r["trust"], r["icb"], "Theme tagged: Waiting times", True, r["trust_officer"])
    assert feedback.route_suggested_to is None
    assert Notification.objects.filter(feedback=feedback, kind=Notification.Kind.ASSIGNMENT,
                                       recipient_user=r["icb_officer"]).count() == 1
    # Moved by the table, not by hand: not a sign the table is wrong.
    figures = reroute_figures(since=date(2000, 1, 1))
    assert (figures.received, figures.rerouted) == (1, 0)
    # Tagging again (same themes, or one without a route) moves nothing more.
    services.feedback_set_themes(acting_user=r["icb_officer"], feedback=feedback,
                                 themes=[other, r["waits"], ThemeFactory(name="Transitions")])
    assert Reroute.objects.filter(feedback=feedback).count() == 1


@pytest.mark.parametrize("handled", ["note", "assigned", "status", "reply", "rerouted_by_hand"])
def test_feedback_already_handled_is_not_moved_but_the_route_is_offered(theme_route, handled):
    r = theme_route
    feedback, officer = r["feedback"], r["trust_officer"]
    colleague = staff_user(Role.OFFICER, r["trust"])
    if handled == "note":
        services.note_add(acting_user=officer, feedback=feedback, text="Called the family")
    elif handled == "assigned":
        services.feedback_assign(acting_user=officer, feedback=feedback, assignee=colleague)
    elif handled == "status":
        services.feedback_change_status(acting_user=officer, feedback=feedback,
                                        status=Feedback.Status.IN_REVIEW)
    elif handled == "reply":
        services.reply_create(acting_user=officer, feedback=feedback, outcome="in_progress",
                              text="We are looking into the waiting list.")
    else:  # sent here by hand from the council, then back: someone chose
        services.feedback_reroute(acting_user=officer, feedback=feedback,
                                  organisation=r["council"], reason="Council contract")
        services.feedback_reroute(acting_user=staff_user(Role.OFFICER, r["council"]),
                                  feedback=feedback, organisation=r["trust"],
                                  reason="The trust runs it")
    reroutes = Reroute.objects.filter(feedback=feedback).count()
    feedback.refresh_from_db()
    services.feedback_set_themes(acting_user=officer, feedback=feedback, themes=[r["waits"]])
    feedback.refresh_from_db()
    assert feedback.organisation == r["trust"]
    assert Reroute.objects.filter(feedback=feedback).count() == reroutes
    assert (feedback.route_suggested_to, feedback.route_suggested_because) == (
        r["icb"], "Theme tagged: Waiting times")
    event = AuditEvent.objects.get(verb="feedback.route_suggested")
    assert event.data == {"to": r["icb"].pk, "theme": r["waits"].pk}


def test_closed_feedback_and_themes_routed_to_the_same_organisation_are_left_alone(theme_route):
    r = theme_route
    same = ThemeFactory(name="Equipment")
    route_save(acting_user=r["admin"], service_area=r["therapy"], theme=same,
               organisation=r["trust"])
    feedback = r["feedback"]
    services.feedback_set_themes(acting_user=r["trust_officer"], feedback=feedback, themes=[same])
    feedback.refresh_from_db()
    assert feedback.organisation == r["trust"] and feedback.route_suggested_to is None
    services.reply_create(acting_user=r["trust_officer"], feedback=feedback, outcome="done",
                          text="The clinic has a new therapist.")
    feedback.refresh_from_db()
    services.feedback_change_status(acting_user=r["trust_officer"], feedback=feedback,
                                    status=Feedback.Status.CLOSED)
    feedback.refresh_from_db()
    services.feedback_set_themes(acting_user=r["trust_officer"], feedback=feedback,
                                 themes=[same, r["waits"]])
    feedback.refresh_from_db()
    assert feedback.organisation == r["trust"] and feedback.route_suggested_to is None
    assert not Reroute.objects.exists()


def test_triage_page_moves_untouched_feedback_and_says_so(client, theme_route):
    r = theme_route
    feedback = r["feedback"]
    client.force_login(r["trust_officer"])
    url = reverse("staff:feedback:detail", args=[feedback.pk])
    response = client.post(url, {"action": "triage", "assigned_to": r["trust_officer"].pk,
                                 "themes": [r["waits"].pk], "service_areas": [r["therapy"].pk],
                                 "lock_version": feedback.lock_version}, follow=True)
    assert response.status_code == 200
    assert "sends feedback with that theme to Testshire ICB" in response.content.decode()
    feedback.refresh_from_db()
    assert feedback.organisation == r["icb"]
    # Still readable by the trust's officer, no longer theirs to handle.
    assert client.get(reverse("staff:feedback:reroute", args=[feedback.pk])).status_code == 403


def test_offered_route_is_filled_in_on_the_send_on_page_or_kept(client, theme_route):
    r = theme_route
    feedback, officer = r["feedback"], r["trust_officer"]
    services.note_add(acting_user=officer, feedback=feedback, text="Spoke to the clinic")
    services.feedback_set_themes(acting_user=officer, feedback=feedback, themes=[r["waits"]])
    feedback.refresh_from_db()
    client.force_login(officer)
    detail_url = reverse("staff:feedback:detail", args=[feedback.pk])
    page = client.get(detail_url).content.decode()
    assert "Suggested by the routing table" in page and "Send it to Testshire ICB" in page
    send_on = client.get(reverse("staff:feedback:reroute", args=[feedback.pk])).content.decode()
    assert re.search(rf'<option value="{r["icb"].pk}" selected>', send_on)
    assert "Theme tagged: Waiting times</textarea>" in send_on
    # Kept here from an out-of-date page: refused, nothing changed.
    stale = client.post(detail_url, {"action": "keep_route",
                                     "lock_version": feedback.lock_version - 1}, follow=True)
    assert "Someone changed this feedback" in stale.content.decode()
    assert Feedback.objects.get(pk=feedback.pk).route_suggested_to == r["icb"]
    # Kept here: the offer goes, the decision is audited; a later tag may offer again.
    kept = client.post(detail_url, {"action": "keep_route", "lock_version": feedback.lock_version},
                       follow=True)
    assert "stays with Testshire Health and Care NHS Foundation Trust" in kept.content.decode()
    feedback.refresh_from_db()
    assert feedback.route_suggested_to is None and feedback.organisation == r["trust"]
    assert AuditEvent.objects.filter(verb="feedback.route_kept", actor=officer).count() == 1
    assert "Suggested by the routing table" not in client.get(detail_url).content.decode()
    # Offered again and taken: sending it on clears the offer.
    services.feedback_set_themes(acting_user=officer, feedback=feedback, themes=[])
    services.feedback_set_themes(acting_user=officer, feedback=feedback, themes=[r["waits"]])
    feedback.refresh_from_db()
    assert feedback.route_suggested_to == r["icb"]
    client.post(reverse("staff:feedback:reroute", args=[feedback.pk]), {
        "organisation": r["icb"].pk, "reason": feedback.route_suggested_because,
        "lock_version": feedback.lock_version})
    feedback.refresh_from_db()
    assert (feedback.organisation, feedback.route_suggested_to) == (r["icb"], None)
    assert Reroute.objects.get(feedback=feedback).by_rule is False
