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
    assert event.data == {"from": r["council"].pk, "to": r["trust"].pk, "assignee": None}
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


# Session, user, roles, the staff panel's counts, the routes (with their area, theme,
# organisation, officer), the two figures, the form's four choices (areas, themes,
# organisations, officers).
ROUTING_PAGE_QUERIES = 10


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


REROUTE_PAGE_QUERIES = 5


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
