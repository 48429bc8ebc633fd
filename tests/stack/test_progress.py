"""Issue #20, done means 2, on the production stack: with Redis stopped at
the moment an action linked to a family's feedback completes, the family's
progress message arrives once after Redis returns (beat's dispatcher sends
the job that was stored first); and no family words, e-mail address, phone
number or token is in any log or job payload."""

import re
from urllib.parse import urlsplit

from tests.conftest import wait_for

from .conftest import body

EMAIL = "stack-progress@families.example"
PHONE = "07700 900456"
WORDS = "The transport escort changed three times this term."


def _shell(stack, code: str) -> str:
    return stack.manage("shell", "-c", code)


def _dispatches(stack) -> int:
    return stack.logs()["beat.log"].count("core.jobs.dispatch")


def test_with_redis_down_when_the_action_completes_the_message_arrives_once_later(
        stack, redis_up, worker_up):
    [(area,)] = stack.sql("SELECT id FROM core_servicearea WHERE is_active ORDER BY id LIMIT 1")
    family = stack.visitor()
    token = family.csrf("/feedback/give/")
    response = family.post("/feedback/give/", {
        "csrfmiddlewaretoken": token, "service_areas": [area], "even_better_if": WORDS,
        "respondent": "parent_carer", "consent_to_quote": "no", "wants_contact": "yes",
        "contact_email": EMAIL, "contact_phone": PHONE, "wants_progress": "on"})
    assert response.status_code == 302, response.text[:300]
    [(feedback_id, reference, wants)] = stack.sql(
        "SELECT id, reference, wants_progress FROM feedback_feedback WHERE contact_email = %s",
        (EMAIL,))
    assert wants
    # An officer links it to a public action (the service a staff page calls).
    action_id = int(_shell(stack, (
        "from actionplan.models import Action; from actionplan import services as s; "
        "from feedback.models import Feedback; from core.models import User; "
        "a = Action.objects.filter(is_public=True, priority__plan__is_published=True)"
        ".exclude(current_status__in=['complete', 'cancelled']).order_by('pk').first(); "
        "s.action_link_feedback(acting_user=User.objects.get(email='officer@demo.example'), "
        f"action=a, feedback=Feedback.objects.get(pk={feedback_id})); print(a.pk)")).split()[-1])
    stack.wait_until_idle()
    sent_before = len(stack.smtp.to(EMAIL))  # the acknowledgement

    stack.stop_redis()
    _shell(stack, (
        "from actionplan.models import Action; from actionplan import services as s; "
        "from core.models import User; "
        "s.action_update_progress(acting_user=User.objects.get(email='officer@demo.example'), "
        f"action=Action.objects.get(pk={action_id}), status='complete', percent=100, "
        "narrative='Finished.', public_narrative='Every escort has been trained.')"))
    # Stored first: the message and its job are owed, not lost.
    [(message_id, state)] = stack.sql(
        "SELECT id, state FROM feedback_progressmessage WHERE feedback_id = %s", (feedback_id,))
    assert state == "pending"
    assert stack.sql("SELECT state FROM core_job WHERE kind = 'progress_message' "
                     "AND subject_id = %s", (message_id,)) == [("pending",)]
    assert len(stack.smtp.to(EMAIL)) == sent_before

    stack.start_redis()
    wait_for(lambda: len(stack.smtp.to(EMAIL)) > sent_before, timeout=150, interval=1)
    wait_for(lambda: stack.sql("SELECT state FROM feedback_progressmessage WHERE id = %s",
                               (message_id,)) == [("sent",)], timeout=30)
    # Once: two more rounds of beat's dispatcher send nothing more.
    rounds = _dispatches(stack)
    wait_for(lambda: _dispatches(stack) >= rounds + 2, timeout=60, interval=0.5)
    news = [m for m in stack.smtp.to(EMAIL) if m["Subject"].startswith("News about")]
    assert len(news) == 1 and len(stack.smtp.to(EMAIL)) == sent_before + 1
    text = body(news[0])
    assert reference in news[0]["Subject"] and "is complete" in text
    links = re.findall(r"https://portal\.test(/feedback/progress/\S+)", text)
    assert len(links) == 2
    # The way back works on the stack.
    way_back = next(link for link in links if "/stop/" not in link)
    page = family.get(way_back)
    assert page.status_code == 200 and "Every escort has been trained." in page.text

    # Nothing of the family's in any log or job payload.
    secrets = [WORDS, EMAIL, PHONE, *[urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1]
                                      for link in links]]
    jobs = " ".join(str(row) for row in stack.sql(
        "SELECT * FROM core_job WHERE kind = 'progress_message'"))
    logs = stack.logs()
    for secret in secrets:
        assert secret not in jobs
        for name, log in logs.items():
            assert secret not in log, (name, secret[:12])
    assert "/feedback/progress/[redacted]" in logs["gunicorn-access.log"]
