"""The migrations that add the invariants settle duplicates already stored
instead of failing on them: each is unapplied, duplicates are written as the
old schema allowed, and the migration is applied again."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _migrate(*targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets))
    return executor.loader.project_state(list(targets)).apps


@pytest.fixture(autouse=True)
def _every_app_migrated_afterwards():
    """Going back unapplies whatever depends on the app, in other apps too
    (feedback's later migrations depend on core's): every leaf is applied
    again afterwards, or later tests meet a database without their tables."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _latest(app):
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] == app][0]


def test_duplicate_action_numbers_are_renumbered():
    # Only the action plan goes back: organisations stay as they are now.
    old = _migrate(("actionplan", "0002_edit_lock_version"), _latest("core"))
    Organisation = old.get_model("core", "Organisation")
    Plan = old.get_model("actionplan", "Plan")
    Priority = old.get_model("actionplan", "Priority")
    Action = old.get_model("actionplan", "Action")
    lead = Organisation.objects.create(name="Testshire", slug="testshire", kind="local_authority")
    plan = Plan.objects.create(title="Plan", slug="plan", area="Testshire",
                               period_start=date(2026, 1, 1), period_end=date(2027, 1, 1))
    priority = Priority.objects.create(plan=plan, number=3, title="Priority")
    for title in ("First", "Second", "Third"):
        Action.objects.create(priority=priority, reference="3.1", title=title,
                              lead_organisation=lead)
    Action.objects.create(priority=priority, reference="3.2", title="Fourth",
                          lead_organisation=lead)

    new = _migrate(_latest("actionplan"), _latest("core"))
    refs = dict(new.get_model("actionplan", "Action").objects.values_list("title", "reference"))
    assert refs["First"] == "3.1" and refs["Fourth"] == "3.2"  # the oldest keeps its number
    assert sorted(refs.values()) == ["3.1", "3.2", "3.3", "3.4"]


def test_names_differing_only_in_case_are_told_apart():
    old = _migrate(("core", "0004_audit_verbs"))
    Theme = old.get_model("core", "Theme")
    Theme.objects.create(name="Waiting times", slug="waiting-times")
    Theme.objects.create(name="waiting times", slug="waiting-times-2")
    Theme.objects.create(name="WAITING TIMES", slug="waiting-times-3")

    new = _migrate(_latest("core"))
    names = sorted(new.get_model("core", "Theme").objects.values_list("name", flat=True))
    assert names == ["WAITING TIMES (3)", "Waiting times", "waiting times (2)"]


def test_duplicate_published_and_in_progress_versions_are_settled():
    old = _migrate(("reports", "0005_report_search_document"), _latest("core"))
    Organisation = old.get_model("core", "Organisation")
    User = old.get_model("core", "User")
    Report = old.get_model("reports", "Report")
    org = Organisation.objects.create(name="Testshire", slug="testshire", kind="local_authority")
    author = User.objects.create(email="author@example.com")
    common = {"slug": "local-offer", "title": "Local Offer", "kind": "other", "summary": "S",
              "period_start": date(2026, 1, 1), "period_end": date(2026, 12, 31),
              "organisation": org, "author": author}
    for version, status in ((1, "published"), (2, "published"), (3, "draft"), (4, "in_review")):
        Report.objects.create(version=version, status=status, **common)

    new = _migrate(_latest("reports"), _latest("core"))
    rows = sorted(new.get_model("reports", "Report").objects.values_list("version", "slug",
                                                                        "status"))
    assert rows[0][1:] == ("local-offer", "superseded")
    assert rows[1][1:] == ("local-offer", "published")
    assert rows[2][1].startswith("local-offer-copy-") and rows[2][2] == "draft"  # kept, apart
    assert rows[3][1:] == ("local-offer", "in_review")
