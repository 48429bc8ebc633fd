"""A Redis outage loses nothing: every public form stores what families send
and shows them their reference; when Redis is back, every owed e-mail
arrives once (beat's minute job, every few seconds on this stack)."""

import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import wait_for

from .conftest import body

PER_FORM = 100
REFERENCE = re.compile(r"FB-\d{4}-\d{5}")


def _count(stack, query, params=()):
    return stack.sql(query, params)[0][0]


def _in_parallel(job, n, threads=4):
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(job, range(n)))


class Browsers(threading.local):
    """One visitor (browser) per thread (threading.local runs __init__ again
    in each thread), each with its own session and one CSRF token per form
    page, so 100 submissions need 200 requests, not 300."""

    def __init__(self, stack):
        self.visitor = stack.visitor()
        self.tokens = {}

    def token(self, path):
        if path not in self.tokens:
            self.tokens[path] = self.visitor.csrf(path)
        return self.tokens[path]


def test_with_redis_down_every_public_form_stores_and_every_email_arrives_once_later(
        stack, redis_up):
    [(area,)] = stack.sql("SELECT id FROM core_servicearea WHERE is_active ORDER BY id LIMIT 1")
    [(slug, version)] = stack.sql("SELECT slug, version FROM reports_report "
                                  "WHERE status = 'published' ORDER BY id LIMIT 1")
    [(round_id, charter_id, charter_slug)] = stack.sql(
        "SELECT r.id, c.id, c.slug FROM charter_pulseround r JOIN charter_charter c "
        "ON c.id = r.charter_id WHERE r.access = 'public' AND r.state = 'open'")
    statements = [pk for (pk,) in stack.sql(
        "SELECT id FROM charter_statement WHERE charter_id = %s", (charter_id,))]
    [(known_reference,)] = stack.sql("SELECT reference FROM feedback_feedback ORDER BY id LIMIT 1")
    before = {
        "web_form": _count(stack, "SELECT count(*) FROM feedback_feedback WHERE channel = 'web_form'"),
        "easy_read": _count(stack, "SELECT count(*) FROM feedback_feedback WHERE channel = 'easy_read'"),
        "page_useful": _count(stack, "SELECT count(*) FROM feedback_feedback WHERE channel = 'page_useful'"),
        "pulse": _count(stack, "SELECT count(*) FROM charter_pulseresponse WHERE round_id = %s",
                        (round_id,)),
    }
    stack.wait_until_idle()
    # Counted once the stack is quiet: an e-mail still on its way from before
    # the outage is not one sent during it.
    sent_before = len(stack.smtp.messages())
    stack.stop_redis()
    assert stack.visitor().get("/healthz").status_code == 503  # it is really down
    browsers = Browsers(stack)

    def give(n, path="/feedback/give/", easy=False):
        family = browsers
        token = family.token(path)
        family = family.visitor
        email = f"{'easy' if easy else 'give'}-{n}@families.example"
        data = ({"csrfmiddlewaretoken": token, "feeling": "5", "better": f"Easy read {n}",
                 "who": "parent_carer", "wants_contact": "email", "contact_email": email}
                if easy else
                {"csrfmiddlewaretoken": token, "service_areas": [area],
                 "even_better_if": f"Outage test {n}", "respondent": "parent_carer",
                 "consent_to_quote": "no", "wants_contact": "yes", "contact_email": email})
        response = family.post(path, data)
        assert response.status_code == 302, response.text[:500]
        confirmation = family.follow(response)
        assert confirmation.status_code == 200
        assert "Feedback sent" in confirmation.text
        return REFERENCE.search(confirmation.text).group(0), email

    given = _in_parallel(give, PER_FORM)
    easy = _in_parallel(lambda n: give(n, "/feedback/give/easy-read/", easy=True), PER_FORM)
    assert len({ref for ref, _ in given + easy}) == 2 * PER_FORM  # everyone saw their own

    def lookup(n):
        family = browsers
        token = family.token("/feedback/track/")
        family = family.visitor
        response = family.post("/feedback/track/", {"csrfmiddlewaretoken": token,
                                                    "reference": known_reference})
        assert response.status_code == 200 and known_reference in response.text
        return True

    assert all(_in_parallel(lookup, PER_FORM))

    report_path = f"/reports/{slug}/v/{version}/"

    def useful(n):
        reader = browsers
        token = reader.token(report_path)
        reader = reader.visitor
        response = reader.post(report_path + "useful/", {"csrfmiddlewaretoken": token,
                                                         "useful": "no",
                                                         "comment": f"Outage comment {n}"})
        assert response.status_code == 200 and "Thank you for your answer" in response.text
        return True

    assert all(_in_parallel(useful, PER_FORM))

    pulse_path = f"/charter/{charter_slug}/pulse/"

    def pulse(n):
        someone = browsers
        token = someone.token(pulse_path)
        someone = someone.visitor
        response = someone.post(pulse_path, {"csrfmiddlewaretoken": token,
                                             **{f"statement_{pk}": "4" for pk in statements}})
        assert response.status_code == 302 and response.headers["location"].endswith("/thanks/")
        assert someone.follow(response).status_code == 200
        return True

    assert all(_in_parallel(pulse, PER_FORM))

    after = {
        "web_form": _count(stack, "SELECT count(*) FROM feedback_feedback WHERE channel = 'web_form'"),
        "easy_read": _count(stack, "SELECT count(*) FROM feedback_feedback WHERE channel = 'easy_read'"),
        "page_useful": _count(stack, "SELECT count(*) FROM feedback_feedback WHERE channel = 'page_useful'"),
        "pulse": _count(stack, "SELECT count(*) FROM charter_pulseresponse WHERE round_id = %s",
                        (round_id,)),
    }
    assert {k: after[k] - before[k] for k in after} == {
        "web_form": PER_FORM, "easy_read": PER_FORM, "page_useful": PER_FORM, "pulse": PER_FORM}
    # The limiter said so in the log, without an address.
    web_log = stack.logs()["gunicorn.log"]
    assert "rate limit cache unreachable, failing open" in web_log
    # Nothing went out while Redis was down; it is all owed, not lost.
    assert len(stack.smtp.messages()) == sent_before
    owed = [email for _, email in given + easy]
    assert _count(stack, "SELECT count(*) FROM feedback_notification n JOIN feedback_feedback f "
                         "ON f.id = n.feedback_id WHERE n.state = 'pending' "
                         "AND f.contact_email = ANY(%s)", (owed,)) == len(owed)

    stack.start_redis()
    wait_for(lambda: len({a for m in stack.smtp.messages() for a in owed if a in m["To"]})
             == len(owed), timeout=150, interval=1)
    # Once each: a few more beat rounds change nothing.
    wait_for(lambda: _count(stack, "SELECT count(*) FROM feedback_notification n JOIN "
                                   "feedback_feedback f ON f.id = n.feedback_id WHERE "
                                   "n.state = 'sent' AND f.contact_email = ANY(%s)",
                            (owed,)) == len(owed), timeout=30)
    time.sleep(8)
    received = Counter(m["To"] for m in stack.smtp.messages() if m["To"] in owed)
    assert set(received) == set(owed)
    assert set(received.values()) == {1}
    for message in stack.smtp.messages()[-5:]:
        if message["To"] in owed:
            assert "/feedback/track/" in body(message)
