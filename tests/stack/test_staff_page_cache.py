"""Kept staff pages on the production stack (gunicorn's four processes, each
with its own kept pages, and Redis holding the generations they share): an
officer's inbox is kept, a family's feedback stored by any process shows on
the officer's next look whichever process answers it, and with Redis down
the inbox is made afresh every time rather than kept or failing, its session
read from the database; a sign-out then ends every session of that person."""

import re
import secrets

from .test_logs import sign_in

REFERENCE = re.compile(r"FB-\d{4}-\d{5}")


def _looks(officer, path, times=12):
    responses = [officer.get(path) for _ in range(times)]
    assert all(r.status_code == 200 for r in responses), [r.status_code for r in responses]
    return responses


def test_a_kept_inbox_shows_new_feedback_at_once_from_every_process(stack, redis_up):
    officer = sign_in(stack, "officer@demo.example", "198.51.100.91")
    word = "lantern" + secrets.token_hex(4)
    inbox = f"/staff/feedback/?status=&q={word}"
    # Twelve looks over four processes: each process keeps its own page.
    looks = _looks(officer, inbox)
    assert any(r.headers.get("x-page-cache") == "hit" for r in looks)
    assert all("no-store" in r.headers["cache-control"] for r in looks)

    # Through the proxy from an address of its own: other tests have used
    # up 127.0.0.1's submissions for the hour.
    family = stack.visitor(through_proxy=True, forwarded_for="198.51.100.92")
    [(area,)] = stack.sql("SELECT id FROM core_servicearea WHERE is_active ORDER BY id LIMIT 1")
    given = family.post("/feedback/give/", {
        "csrfmiddlewaretoken": family.csrf("/feedback/give/"), "service_areas": [area],
        "even_better_if": f"The {word} group ran late.", "respondent": "parent_carer",
        "consent_to_quote": "no", "wants_contact": "no"})
    assert given.status_code == 302
    reference = REFERENCE.search(family.follow(given).text).group(0)

    for response in _looks(officer, inbox):
        assert reference in response.text  # never an inbox kept from before it
    stack.wait_until_idle()  # the worker's own writes (the e-mail owed) are seen too
    assert all(reference in r.text for r in _looks(officer, inbox, times=4))

    chair = sign_in(stack, "forum.chair@demo.example", "198.51.100.93")
    generation = "SELECT session_generation FROM core_user WHERE email = %s"
    [(before,)] = stack.sql(generation, ("forum.chair@demo.example",))
    token = chair.csrf("/staff/")  # the sign-out button's form
    cookies = dict(chair.cookies)

    stack.stop_redis()
    for response in _looks(officer, inbox, times=6):
        assert response.headers.get("x-page-cache") is None  # nothing known: made afresh
        assert reference in response.text
    # Sessions are read from the database while Redis is down. A sign-out
    # cannot confirm the session's cached copy is gone, so every session of
    # that person ends (core.signals): a copy Redis kept would open nothing.
    signed_out = chair.post("/staff/account/sign-out/", {"csrfmiddlewaretoken": token})
    assert signed_out.status_code == 302
    assert stack.sql(generation, ("forum.chair@demo.example",)) == [(before + 1,)]
    stack.start_redis()
    holder = stack.visitor(through_proxy=True, forwarded_for="198.51.100.93")
    holder.cookies = cookies  # the cookie as it was before signing out
    refused = holder.get("/staff/")
    assert refused.status_code == 302 and "/sign-in/" in refused.headers["location"]
    assert officer.get(inbox).status_code == 200  # nobody else was signed out
