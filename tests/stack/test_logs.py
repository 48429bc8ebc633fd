"""After a full journey, the logs of gunicorn (and its access log), the worker
and beat hold no personal data and no secret: no canary name or e-mail
address, no tracking token, no reset or welcome link."""

import re
import secrets
import time

from tests.conftest import wait_for

from .conftest import body

DEMO_PASSWORD = "demo-password-2026"
LINK = re.compile(r"https://portal\.test(/staff/account/reset/[^\s]+/)")


def sign_in(stack, email, address, password=DEMO_PASSWORD):
    staff = stack.visitor(through_proxy=True, forwarded_for=address)
    token = staff.csrf("/staff/account/sign-in/")
    response = staff.post("/staff/account/sign-in/", {
        "csrfmiddlewaretoken": token, "username": email, "password": password})
    assert response.status_code == 302, response.text[:300]
    home = staff.get("/staff/")
    if home.status_code == 302 and "/two-factor/" in home.headers["location"]:
        _second_step(stack, staff, email, home.headers["location"])
    return staff


def _second_step(stack, staff, email, location):
    """Production asks administrators for an authenticator app: set one up
    (or enter its code) as the person would, with the key their app holds."""
    import time
    from binascii import unhexlify

    from django_otp.oath import TOTP

    page = staff.get(location)
    assert page.status_code == 200, page.text[:300]
    [(key, last_t)] = stack.sql(
        "SELECT d.key, d.last_t FROM otp_totp_totpdevice d JOIN core_user u ON u.id = d.user_id "
        "WHERE u.email = %s ORDER BY d.confirmed DESC, d.id DESC LIMIT 1", (email,))
    totp = TOTP(unhexlify(key))
    totp.time = time.time()
    if totp.t() <= last_t:  # a code is used once: take the next one
        totp.time += 30
    response = staff.post(location.split("?")[0], {
        "csrfmiddlewaretoken": csrf_of(page.text), "code": f"{totp.token():06d}"})
    assert response.status_code == 302, response.text[:300]


def csrf_of(page_text):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page_text).group(1)


def one_mail_to(stack, address, containing=""):
    return wait_for(lambda: [m for m in stack.smtp.to(address) if containing in body(m)],
                    timeout=60, interval=0.5)[-1]


def test_a_full_journey_leaves_no_personal_data_or_secret_in_any_log(stack):
    stack.flush_cache()
    canary = secrets.token_hex(4)
    name, email = f"Zebedee Canary{canary}", f"canary{canary}@families.example"
    [(area,)] = stack.sql("SELECT id FROM core_servicearea WHERE is_active ORDER BY id LIMIT 1")
    [(org,)] = stack.sql("SELECT id FROM core_organisation WHERE name = %s",
                         ("Gloucestershire County Council",))

    # A family gives feedback, sees the confirmation, then opens the private
    # link from its e-mail.
    family = stack.visitor()
    token = family.csrf("/feedback/give/")
    response = family.post("/feedback/give/", {
        "csrfmiddlewaretoken": token, "service_areas": [area], "about_organisation": org,
        "even_better_if": f"My name is {name}, write to {email}",
        "respondent": "parent_carer", "consent_to_quote": "no", "wants_contact": "yes",
        "contact_name": name, "contact_email": email})
    assert response.status_code == 302
    sent = family.follow(response)
    assert sent.status_code == 200
    # The database keeps only the token's digest: the family has it from the page.
    tracking = re.search(r"/feedback/track/([^/]+)/", sent.text).group(1)
    [(feedback_id,)] = stack.sql(
        "SELECT id FROM feedback_feedback WHERE contact_email = %s", (email,))
    acknowledgement = one_mail_to(stack, email, f"/feedback/track/{tracking}/")
    assert f"https://portal.test/feedback/track/{tracking}/" in body(acknowledgement)
    assert stack.visitor().get(f"/feedback/track/{tracking}/").status_code == 200

    # An officer replies; an approver approves if the organisation asks for it.
    officer = sign_in(stack, "officer@demo.example", "192.0.2.31")
    page = officer.get(f"/staff/feedback/{feedback_id}/")
    assert page.status_code == 200 and name in page.text
    # The reply carries the version of the feedback the officer saw (a reply is sent once).
    version = re.search(r'name="lock_version" value="(\d+)"', page.text).group(1)
    response = officer.post(f"/staff/feedback/{feedback_id}/", {
        "csrfmiddlewaretoken": csrf_of(page.text), "action": "reply", "outcome": "done",
        "lock_version": version,
        "text": f"Thank you {name}, we have put the pages in age groups."})
    assert response.status_code == 302
    [(reply_id, state)] = stack.sql("SELECT id, state FROM feedback_reply WHERE feedback_id = %s",
                                    (feedback_id,))
    if state != "published":
        approver = sign_in(stack, "approver@demo.example", "192.0.2.32")
        page = approver.get("/staff/feedback/replies/")
        approver.post(f"/staff/feedback/replies/{reply_id}/decide/", {
            "csrfmiddlewaretoken": csrf_of(page.text), "decision": "approve"})
    one_mail_to(stack, email, "we have put the pages in age groups")

    # A member of staff resets a password and follows the link.
    someone = stack.visitor(through_proxy=True, forwarded_for="192.0.2.33")
    token = someone.csrf("/staff/account/password-reset/")
    response = someone.post("/staff/account/password-reset/", {
        "csrfmiddlewaretoken": token, "email": "approver@demo.example"})
    assert response.status_code == 302
    reset = LINK.search(body(one_mail_to(stack, "approver@demo.example", "reset"))).group(1)
    opened = someone.get(reset)
    assert opened.status_code == 302 and opened.headers["location"].endswith("/set-password/")
    page = someone.follow(opened)
    new_password = "a-new-password-" + secrets.token_hex(6)
    done = someone.post(opened.headers["location"], {
        "csrfmiddlewaretoken": csrf_of(page.text),
        "new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302

    # An administrator adds a new member of staff, who follows the welcome link.
    admin = sign_in(stack, "admin@demo.example", "192.0.2.34")
    page = admin.get("/staff/people/add/")
    new_email = f"new{canary}@council.example"
    response = admin.post("/staff/people/add/", {
        "csrfmiddlewaretoken": csrf_of(page.text), "email": new_email, "first_name": "Newby",
        "last_name": f"Staff{canary}", "organisation": org, "role": "officer"})
    assert response.status_code == 302, response.text[:500]
    welcome = LINK.search(body(one_mail_to(stack, new_email, "/staff/account/reset/"))).group(1)
    newcomer = stack.visitor(through_proxy=True, forwarded_for="192.0.2.35")
    assert newcomer.get(welcome).status_code == 302

    time.sleep(4)  # a few more beat rounds, and let every process flush its log
    logs = stack.logs()
    assert set(logs) >= {"gunicorn.log", "gunicorn-access.log", "worker.log", "beat.log"}
    secrets_ = {"canary name": name, "canary e-mail": email, "canary": canary,
                "tracking token": tracking, "reset link": reset, "welcome link": welcome,
                "reset token": reset.rstrip("/").rsplit("/", 1)[1],
                "welcome token": welcome.rstrip("/").rsplit("/", 1)[1],
                "new staff e-mail": new_email}
    for log_name, text in logs.items():
        for what, value in secrets_.items():
            assert value not in text, f"{what} found in {log_name}"
    # The lines are there, with the secret taken out.
    access = logs["gunicorn-access.log"]
    assert "GET /feedback/track/[redacted]/" in access
    assert re.search(r"GET /staff/account/reset/[^/ ]+/\[redacted\]/", access)
    assert "GET /feedback/give/sent/" in access
