"""Reply templates (issue 24): kept per organisation and outcome; the
officer picks one in the reply form ("Use template", on the server, so it
works without JavaScript) and edits it; nothing of the family is filled in."""

import re

import pytest
from django.urls import reverse

from core.models import AuditEvent, Role
from feedback import services
from feedback.models import Reply, ReplyTemplate
from feedback.reply_templates import reply_template_save
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    council = OrganisationFactory(name="Testshire County Council")
    trust = OrganisationFactory(name="Testshire NHS Trust")
    approver = staff_user(Role.APPROVER, council)
    # Written as someone might, with what looks like a placeholder: it stays words.
    not_possible = reply_template_save(
        acting_user=approver, organisation=council, outcome=Reply.Outcome.NOT_POSSIBLE,
        title="Outside our duties", text="Thank you {contact_name}. We cannot do this.",
        reason="This is not possible because ")
    reply_template_save(acting_user=approver, organisation=trust, outcome=Reply.Outcome.DONE,
                        title="Trust: done", text="The trust has done it.")
    feedback = services.feedback_submit(
        service_areas=[ServiceAreaFactory()], even_better_if="Shorter forms.",
        about_organisation=council, wants_contact=True, contact_name="Jordan Example",
        contact_email="jordan@example.com")
    return {"council": council, "trust": trust, "approver": approver,
            "not_possible": not_possible, "feedback": feedback}


def _post(client, feedback, **data):
    return client.post(reverse("staff:feedback:detail", args=[feedback.pk]),
                       {"action": "reply", "lock_version": feedback.lock_version, **data})


def test_use_template_fills_the_reply_form_with_words_only_and_sends_nothing(client, setup):
    feedback = setup["feedback"]
    client.force_login(staff_user(Role.OFFICER, setup["council"]))
    page = client.get(reverse("staff:feedback:detail", args=[feedback.pk])).content.decode()
    # Only the answering organisation's templates are offered, by outcome.
    assert "Outside our duties" in page and "Trust: done" not in page
    assert '<optgroup label="Not possible">' in page
    response = _post(client, feedback, template=setup["not_possible"].pk, use_template="",
                     outcome="", text="", reason="")
    html = response.content.decode()
    assert response.status_code == 200
    assert not Reply.objects.exists()  # nothing sent
    assert "Thank you {contact_name}. We cannot do this.</textarea>" in html
    assert "This is not possible because</textarea>" in html
    assert re.search(r'<input[^>]*value="not_possible"[^>]*checked', html)
    # The family's name is never put in (it shows only in the contact panel).
    assert html.count("Jordan Example") == 1
    assert "govuk-error-summary" not in html


def test_use_template_keeps_what_was_typed(client, setup):
    feedback = setup["feedback"]
    client.force_login(staff_user(Role.OFFICER, setup["council"]))
    html = _post(client, feedback, template=setup["not_possible"].pk, use_template="",
                 text="Dear Jordan,", reason="").content.decode()
    assert "Dear Jordan,\n\nThank you {contact_name}. We cannot do this.</textarea>" in html


def test_use_template_without_choosing_one_says_so(client, setup):
    feedback = setup["feedback"]
    client.force_login(staff_user(Role.OFFICER, setup["council"]))
    response = _post(client, feedback, template="", use_template="", text="Kept words")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#reply_template"' in html and "Select the template to use" in html
    assert "Kept words" in html


def test_the_edited_reply_is_sent_as_written(client, setup):
    feedback = setup["feedback"]
    client.force_login(staff_user(Role.OFFICER, setup["council"]))
    response = _post(client, feedback, template=setup["not_possible"].pk, outcome="not_possible",
                     text="Thank you. We cannot do this.", reason="The law does not let us.")
    assert response.status_code == 302
    reply = Reply.objects.get()
    assert (reply.text, reply.reason) == ("Thank you. We cannot do this.",
                                          "The law does not let us.")


def test_another_organisations_template_cannot_be_used(client, setup):
    feedback = setup["feedback"]
    client.force_login(staff_user(Role.OFFICER, setup["council"]))
    other = ReplyTemplate.objects.get(title="Trust: done")
    response = _post(client, feedback, template=other.pk, use_template="")
    assert response.status_code == 400
    assert "The family has done it" not in response.content.decode()


def test_template_pages_permissions(client, setup):
    url = reverse("staff:feedback:reply-templates")
    edit = reverse("staff:feedback:reply-template-edit", args=[setup["not_possible"].pk])
    assert client.get(url).status_code == 302
    for role in (Role.OFFICER, Role.BOARD_MEMBER):
        client.force_login(staff_user(role, setup["council"]))
        assert client.get(url).status_code == 403, role
    for role in (Role.APPROVER, Role.ADMINISTRATOR):
        client.force_login(staff_user(role, setup["trust"]))  # another organisation's
        page = client.get(url).content.decode()
        assert "Trust: done" in page and "Outside our duties" not in page
        assert client.get(edit).status_code == 404
        assert client.post(url, {"remove": setup["not_possible"].pk}).status_code == 404
    client.force_login(staff_user(Role.ADMINISTRATOR, setup["council"]))
    assert client.get(edit).status_code == 200


def test_template_form_errors_and_saving(client, setup):
    client.force_login(setup["approver"])
    url = reverse("staff:feedback:reply-templates")
    response = client.post(url, {"organisation": setup["council"].pk, "outcome": "not_possible",
                                 "title": "Budget", "text": "Kept reply", "reason": ""})
    html = response.content.decode()
    assert response.status_code == 400 and 'href="#id_reason"' in html and "Kept reply" in html
    # Not another organisation's.
    assert client.post(url, {"organisation": setup["trust"].pk, "outcome": "done",
                             "title": "x", "text": "y"}).status_code == 400
    duplicate = client.post(url, {"organisation": setup["council"].pk, "outcome": "done",
                                  "title": "Outside our duties", "text": "y"})
    assert duplicate.status_code == 400
    assert "already has a template with this name" in duplicate.content.decode()
    assert client.post(url, {"organisation": setup["council"].pk, "outcome": "in_progress",
                             "title": "Being looked at", "text": "We are on it."}).status_code == 302
    template = ReplyTemplate.objects.get(title="Being looked at")
    edit = reverse("staff:feedback:reply-template-edit", args=[template.pk])
    assert client.post(edit, {"organisation": setup["council"].pk, "outcome": "done",
                              "title": "Done now", "text": "Done."}).status_code == 302
    template.refresh_from_db()
    assert (template.title, template.outcome) == ("Done now", "done")
    assert client.post(url, {"remove": template.pk}).status_code == 302
    assert AuditEvent.objects.filter(verb="reply_template.removed").count() == 1


def test_template_page_query_count_does_not_grow(client, setup, django_assert_num_queries):
    client.force_login(setup["approver"])
    url = reverse("staff:feedback:reply-templates")
    client.get(url)
    with django_assert_num_queries(TEMPLATES_PAGE_QUERIES):
        client.get(url)
    for n in range(5):
        reply_template_save(acting_user=setup["approver"], organisation=setup["council"],
                            outcome="done", title=f"T{n}", text="x")
    with django_assert_num_queries(TEMPLATES_PAGE_QUERIES):
        client.get(url)


# The same with one template or six: user and roles, the staff panel, the
# templates (with their organisation), the form's organisations; the session is
# read from its cached copy.
TEMPLATES_PAGE_QUERIES = 5


def test_template_edit_page_query_count_is_pinned(client, setup, django_assert_num_queries):
    client.force_login(setup["approver"])
    url = reverse("staff:feedback:reply-template-edit", args=[setup["not_possible"].pk])
    client.get(url)
    with django_assert_num_queries(TEMPLATE_EDIT_QUERIES):
        client.get(url)


# user, roles, the staff panel, the template, the organisations to choose from
# (the session is read from its cached copy).
TEMPLATE_EDIT_QUERIES = 5
