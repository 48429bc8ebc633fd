"""Background work (core.jobs) on the production stack: nothing owed is lost
to a Redis outage, each job is done once, a worker killed mid-import is
resumed, and work that keeps failing is shown to administrators and counted
in /healthz.

One test, in three acts, because the stack is slow to start and each act
builds on the one before."""

import csv
import io
import time
from collections import Counter
from urllib.parse import urlsplit

from django.urls import reverse

from tests.conftest import wait_for

from .conftest import body
from .test_logs import sign_in
from .test_outage import Browsers, _in_parallel

FAMILIES = 50
SMALL, BIG = 2000, 30000
REFUSED = "always-refused@families.example"


def _one(stack, query, params=()):
    rows = stack.sql(query, params)
    return rows[0] if rows else None


def _survey_csv(rows: int, tag: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Rating", "Better"])
    for n in range(rows):
        writer.writerow([str(1 + n % 5), f"{tag} answer {n}"])
    return out.getvalue().encode()


def _upload_and_check(officer, token, organisation_id, rows, tag) -> int:
    response = officer.request("POST", reverse("staff:feedback:import-new"), data={
        "csrfmiddlewaretoken": token, "title": f"{tag} survey", "organisation": organisation_id,
        "received_on_0": "31", "received_on_1": "3", "received_on_2": "2026",
    }, files={"file": (f"{tag}.csv", _survey_csv(rows, tag), "text/csv")})
    assert response.status_code == 302, response.text[:500]
    detail = urlsplit(response.headers["location"]).path
    survey_id = int(detail.rstrip("/").rsplit("/", 1)[1])
    checked = officer.post(detail, {"csrfmiddlewaretoken": token, "col_rating": "Rating",
                                    "col_even_better_if": "Better", "statistics": ["Rating"],
                                    "positive_from": "4"})
    assert checked.status_code == 200 and f"Import {rows:,} rows" in checked.text, \
        checked.text[:500]
    return survey_id


def _confirm(officer, token, survey_id) -> None:
    response = officer.post(reverse("staff:feedback:import-detail", args=[survey_id]),
                            {"csrfmiddlewaretoken": token, "action": "confirm"})
    assert response.status_code == 302, response.text[:500]


def _import(stack, survey_id):
    return _one(stack, "SELECT state, processed_rows, created_rows, duplicate_rows, "
                       "(SELECT count(*) FROM feedback_feedback f WHERE f.survey_import_id = s.id) "
                       "FROM feedback_surveyimport s WHERE id = %s", (survey_id,))


def _job(stack, kind, subject_id):
    return _one(stack, "SELECT state, attempts, last_error FROM core_job WHERE kind = %s "
                       "AND subject_id = %s ORDER BY id DESC LIMIT 1", (kind, subject_id))


def test_background_work_survives_redis_down_a_killed_worker_and_shows_what_keeps_failing(
        stack, redis_up, worker_up, smtp_up):
    stack.flush_cache()
    admin = sign_in(stack, "admin@demo.example", "198.51.100.81")
    officer = sign_in(stack, "officer@demo.example", "198.51.100.82")
    [(organisation_id,)] = stack.sql(
        "SELECT m.organisation_id FROM core_membership m JOIN core_user u ON u.id = m.user_id "
        "WHERE u.email = 'officer@demo.example' ORDER BY m.id LIMIT 1")
    [(meeting_id,)] = stack.sql("SELECT id FROM actionplan_meeting ORDER BY id LIMIT 1")
    [(area,)] = stack.sql("SELECT id FROM core_servicearea WHERE is_active ORDER BY id LIMIT 1")
    [(jobs_before,)] = stack.sql("SELECT coalesce(max(id), 0) FROM core_job")
    packs_before = len(stack.sql("SELECT 1 FROM core_auditevent WHERE verb = "
                                 "'board_pack_generated' AND target_id = %s",
                                 (str(meeting_id),)))
    officer_token = officer.csrf(reverse("staff:feedback:import-new"))
    admin_token = admin.csrf(reverse("staff:person-add"))
    small = _upload_and_check(officer, officer_token, organisation_id, SMALL, "Outage")
    big = _upload_and_check(officer, officer_token, organisation_id, BIG, "Killed")
    newcomer = f"newcomer-{time.time_ns()}@council.example"
    stack.smtp.refuse_to.add(REFUSED)  # this family's relay refuses every try
    sent_before = len(stack.smtp.messages())

    # --- Act 1: Redis is down while work is asked for ---------------------------------
    stack.wait_until_idle()
    stack.stop_redis()
    _confirm(officer, officer_token, small)
    added = admin.post(reverse("staff:person-add"), {
        "csrfmiddlewaretoken": admin_token, "email": newcomer, "first_name": "Nia",
        "last_name": "Evans", "job_title": "", "organisation": organisation_id,
        "role": "officer"})
    assert added.status_code == 302, added.text[:500]
    asked = admin.post(reverse("staff:actionplan:board_pack_generate", args=[meeting_id]),
                       {"csrfmiddlewaretoken": admin_token})
    assert asked.status_code == 302, asked.text[:500]
    browsers = Browsers(stack)

    def give(n):
        email = REFUSED if n == FAMILIES else f"jobs-{n}@families.example"
        response = browsers.visitor.post("/feedback/give/", {
            "csrfmiddlewaretoken": browsers.token("/feedback/give/"),
            "service_areas": [area], "even_better_if": f"Jobs outage test {n}",
            "respondent": "parent_carer", "consent_to_quote": "no", "wants_contact": "yes",
            "contact_email": email})
        assert response.status_code == 302, response.text[:500]
        return email

    families = [e for e in _in_parallel(give, FAMILIES + 1) if e != REFUSED]
    assert len(set(families)) == FAMILIES
    # Everything is owed, nothing sent, nothing stuck: a pending job each.
    assert len(stack.smtp.messages()) == sent_before
    assert _import(stack, small)[0] == "importing"
    pending = Counter(kind for (kind,) in stack.sql(
        "SELECT kind FROM core_job WHERE id > %s AND state = 'pending'", (jobs_before,)))
    assert pending == {"notification": FAMILIES + 1, "survey_import": 1, "welcome_email": 1,
                       "board_pack": 1}

    stack.start_redis()  # beat's dispatcher sends what is owed
    wait_for(lambda: _import(stack, small)[0] == "imported", timeout=120, interval=1)
    wait_for(lambda: len({a for m in stack.smtp.messages() for a in families if a == m["To"]})
             == FAMILIES and stack.smtp.to(newcomer), timeout=120, interval=1)
    wait_for(lambda: _one(stack, "SELECT pack_state FROM actionplan_meeting WHERE id = %s",
                          (meeting_id,))[0] == "ready", timeout=120, interval=1)
    time.sleep(6)  # a few more dispatcher rounds change nothing
    received = Counter(m["To"] for m in stack.smtp.messages())
    assert all(received[address] == 1 for address in families)
    assert received[newcomer] == 1
    assert "/staff/account/reset/" in body(stack.smtp.to(newcomer)[0])
    assert _import(stack, small)[1:] == (SMALL, SMALL, 0, SMALL)
    assert len(stack.sql("SELECT 1 FROM core_auditevent WHERE verb = 'board_pack.generated' "
                         "AND target_id = %s", (str(meeting_id),))) == packs_before + 1
    [(refused_notification,)] = stack.sql(
        "SELECT n.id FROM feedback_notification n JOIN feedback_feedback f ON "
        "f.id = n.feedback_id WHERE f.contact_email = %s", (REFUSED,))
    done = stack.sql("SELECT kind, state, attempts FROM core_job WHERE id > %s AND NOT "
                     "(kind = 'notification' AND subject_id = %s)",
                     (jobs_before, refused_notification))
    assert len(done) == FAMILIES + 3
    assert {(state, attempts) for _, state, attempts in done} == {("done", 1)}

    # --- Act 2: a worker killed (SIGKILL) mid-import --------------------------------------
    _confirm(officer, officer_token, big)
    wait_for(lambda: _import(stack, big)[1] >= 1000, timeout=90, interval=0.05)
    stack.worker.kill()
    state, processed, *_ = _import(stack, big)
    assert state == "importing" and processed < BIG, "the import finished before the kill"
    assert _job(stack, "survey_import", big)[:2] == ("pending", 1)
    stack.start_worker()
    wait_for(lambda: _import(stack, big)[0] == "imported", timeout=180, interval=1)
    # Resumed, not restarted: every row once, counted as this import's own.
    assert _import(stack, big)[1:] == (BIG, BIG, 0, BIG)
    assert _job(stack, "survey_import", big)[:2] == ("done", 2)

    # --- Act 3: work that keeps failing is shown, and counted -----------------------------
    wait_for(lambda: _job(stack, "notification", refused_notification)[0] == "failed",
             timeout=180, interval=1)
    state, attempts, error = _job(stack, "notification", refused_notification)
    assert attempts == 5 and error == "SMTPDataError"  # the class only, never the address
    assert not stack.smtp.to(REFUSED)
    page = admin.get(reverse("staff:jobs"))
    assert page.status_code == 200
    assert "E-mail about feedback" in page.text and "SMTPDataError" in page.text
    assert REFUSED not in page.text
    health = stack.visitor().get("/healthz").json()
    assert health["checks"]["jobs"]["failed"] >= 1
