"""Another partner's unpublished reports are theirs: every staff report
address, walked from the URL resolver, answers 404 (or 403) to officers,
approvers and administrators of another organisation, and the staff list
does not show them. Feedback that is not shared is checked the same way."""

import pytest
from django.urls import URLPattern, get_resolver, reverse

from core.models import Role
from feedback.models import Feedback
from tests.core.factories import OrganisationFactory, staff_user
from tests.feedback.factories import FeedbackFactory
from tests.reports.factories import draft_report, make_people

pytestmark = pytest.mark.django_db

OTHER_ROLES = [Role.OFFICER, Role.APPROVER, Role.ADMINISTRATOR]


def _routes(namespace: str) -> list[URLPattern]:
    resolver = get_resolver()
    for part in namespace.split(":"):
        resolver = resolver.namespace_dict[part][1]
    return [p for p in resolver.url_patterns if isinstance(p, URLPattern)]


def _kwargs(pattern: URLPattern, values: dict) -> dict | None:
    names = list(pattern.pattern.converters)
    if not names:
        return None  # a list or "new" page: checked separately
    return {name: values[name] for name in names}


def test_every_staff_report_route_is_walked():
    names = {p.name for p in _routes("staff:reports")}
    # If a route is added, the walk below covers it only when its arguments
    # are known: this guards against a new address escaping the walk.
    for pattern in _routes("staff:reports"):
        assert set(pattern.pattern.converters) <= {"pk", "item_pk", "topic_pk"}, pattern.name
    assert {"list", "edit", "workflow", "item-create", "item-edit", "item-action"} <= names


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_another_organisations_draft_is_not_readable_or_listed(client, role):
    trust = OrganisationFactory(name="Testshire NHS Trust")
    _, officer, _ = make_people(trust)
    report = draft_report(org=trust, author=officer, title="Trust draft not for partners")
    item = report.items.first()
    council = OrganisationFactory(name="Testshire County Council")
    client.force_login(staff_user(role, council))

    values = {"pk": report.pk, "item_pk": item.pk, "topic_pk": item.topic_id}
    walked = 0
    for pattern in _routes("staff:reports"):
        kwargs = _kwargs(pattern, values)
        if kwargs is None:
            continue
        url = reverse(f"staff:reports:{pattern.name}", kwargs=kwargs)
        for method, data in (("get", {}), ("post", {"action": "submit", "heading": "x",
                                                   "title": "Taken over"})):
            response = getattr(client, method)(url, data)
            assert response.status_code in (403, 404), (method, url, response.status_code)
            assert "Trust draft not for partners" not in response.content.decode()
        walked += 1
    assert walked >= 5

    listing = client.get(reverse("staff:reports:list"))
    assert listing.status_code == 200
    assert "Trust draft not for partners" not in listing.content.decode()
    home = client.get(reverse("staff:home")).content.decode()
    assert "Trust draft not for partners" not in home
    # The public addresses of a draft answer 404 as well.
    for name in ("detail", "version", "pdf", "pdf-status"):
        kwargs = {"slug": report.slug} if name == "detail" else {"slug": report.slug,
                                                                   "version": 1}
        assert client.get(reverse(f"reports:{name}", kwargs=kwargs)).status_code == 404
    report.refresh_from_db()
    assert report.title == "Trust draft not for partners" and report.status == "draft"
    assert report.items.count() == 2


def test_own_organisation_still_sees_and_edits_its_draft(client):
    org, officer, approver = make_people()
    report = draft_report(org=org, author=officer, title="Our own draft")
    administrator = staff_user(Role.ADMINISTRATOR, org)
    for person in (officer, approver, administrator):
        client.force_login(person)
        assert "Our own draft" in client.get(reverse("staff:reports:list")).content.decode()
        assert client.get(reverse("staff:reports:edit", args=[report.pk])).status_code == 200


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_another_organisations_feedback_is_not_readable_unless_shared(client, role):
    trust = OrganisationFactory(name="Testshire NHS Trust")
    feedback = FeedbackFactory(organisation=trust, even_better_if="Private words of a family")
    council = OrganisationFactory(name="Testshire County Council")
    client.force_login(staff_user(role, council))
    detail = reverse("staff:feedback:detail", args=[feedback.pk])
    assert client.get(detail).status_code == 404
    assert client.post(detail, {"action": "note", "text": "x"}).status_code == 404
    inbox = client.get(reverse("staff:feedback:inbox") + "?status=").content.decode()
    assert feedback.reference not in inbox
    # Shared with the council: officers and approvers there may read it.
    feedback.shared_with.add(council)
    expected = 404 if role == Role.ADMINISTRATOR else 200
    assert client.get(detail).status_code == expected
    assert Feedback.objects.get(pk=feedback.pk).notes.count() == 0


def test_staff_list_query_count_is_pinned_and_ignores_other_organisations(
        client, django_assert_num_queries):
    org, officer, _ = make_people()
    draft_report(org=org, author=officer, items=0, title="Ours")
    other = OrganisationFactory(name="Elsewhere Trust")
    _, other_officer, _ = make_people(other)
    client.force_login(officer)
    with django_assert_num_queries(3) as first:
        assert client.get(reverse("staff:reports:list")).status_code == 200
    for n in range(3):
        draft_report(org=org, author=officer, items=0, title=f"Ours {n}")
        draft_report(org=other, author=other_officer, items=0, title=f"Theirs {n}")
    with django_assert_num_queries(len(first.captured_queries)):
        html = client.get(reverse("staff:reports:list")).content.decode()
    assert "Ours 2" in html and "Theirs" not in html
