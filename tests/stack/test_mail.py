"""An e-mail counts as sent only when the relay accepted it: with the SMTP
relay down, then refusing, the notification stays pending (the failure
recorded); when the relay takes it, it is sent, once."""

import time

from tests.conftest import wait_for


def _notification(stack, email):
    rows = stack.sql("SELECT n.state, n.attempts, n.last_error FROM feedback_notification n "
                     "JOIN feedback_feedback f ON f.id = n.feedback_id "
                     "WHERE f.contact_email = %s AND n.kind = 'acknowledgement'", (email,))
    return rows[0] if rows else None


def test_a_notification_is_sent_only_when_the_relay_accepts_it(stack, smtp_up):
    stack.flush_cache()
    [(area,)] = stack.sql("SELECT id FROM core_servicearea WHERE is_active ORDER BY id LIMIT 1")
    email = f"relay-{time.time_ns()}@families.example"

    stack.smtp.stop()  # the relay is down: connections are refused
    family = stack.visitor()
    token = family.csrf("/feedback/give/")
    response = family.post("/feedback/give/", {
        "csrfmiddlewaretoken": token, "service_areas": [area], "even_better_if": "Relay test",
        "respondent": "parent_carer", "consent_to_quote": "no", "wants_contact": "yes",
        "contact_email": email})
    assert response.status_code == 302

    state, attempts, error = wait_for(
        lambda: (n := _notification(stack, email)) and n[1] >= 1 and n, timeout=60)
    assert state == "pending" and error == "ConnectionRefusedError"

    stack.smtp.refuse = True  # up again, but answering 451 to every message
    stack.smtp.start()
    state, attempts, error = wait_for(
        lambda: (n := _notification(stack, email)) and n[2] == "SMTPDataError" and n, timeout=60)
    assert state == "pending"
    assert not stack.smtp.to(email)

    stack.smtp.refuse = False
    wait_for(lambda: stack.smtp.to(email), timeout=60)
    wait_for(lambda: _notification(stack, email)[0] == "sent", timeout=20)
    time.sleep(7)  # more beat rounds send nothing more
    assert len(stack.smtp.to(email)) == 1
    state, attempts, error = _notification(stack, email)
    assert state == "sent" and error == "" and attempts >= 3
