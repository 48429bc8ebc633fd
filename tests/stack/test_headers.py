"""Headers and the healthcheck, as gunicorn with production settings sends them."""

import re
import shlex
import subprocess
import sys

from tests.conftest import ROOT

from .conftest import HOST


def test_no_server_banner_and_a_permissions_policy_on_every_page(stack):
    visitor = stack.visitor()
    for path in ("/", "/feedback/give/", "/staff/account/sign-in/", "/healthz",
                 "/static/does-not-exist.css", "/no-such-page/"):
        response = visitor.get(path)
        assert "server" not in response.headers, (path, response.headers.get("server"))
        assert "camera=()" in response.headers["permissions-policy"], path


def test_staff_and_tracking_pages_are_never_stored(stack):
    officer = stack.visitor(through_proxy=True, forwarded_for="192.0.2.21")
    token = officer.csrf("/staff/account/sign-in/")
    signed_in = officer.post("/staff/account/sign-in/", {
        "csrfmiddlewaretoken": token, "username": "officer@demo.example",
        "password": "demo-password-2026"})
    assert signed_in.status_code == 302
    for path in ("/staff/", "/staff/feedback/", "/staff/account/sign-in/"):
        cache_control = officer.get(path).headers["cache-control"]
        assert "no-store" in cache_control and "private" in cache_control, path

    # Only digests are stored: a family's token is the one its page shows.
    family = stack.visitor()
    [(area,)] = stack.sql("SELECT id FROM core_servicearea WHERE is_active ORDER BY id LIMIT 1")
    given = family.post("/feedback/give/", {
        "csrfmiddlewaretoken": family.csrf("/feedback/give/"), "service_areas": [area],
        "even_better_if": "Header check.", "respondent": "parent_carer",
        "consent_to_quote": "no", "wants_contact": "no"})
    assert given.status_code == 302
    token = re.search(r"/feedback/track/([^/]+)/", family.follow(given).text).group(1)
    tracking = stack.visitor().get(f"/feedback/track/{token}/")
    assert tracking.status_code == 200
    assert "no-store" in tracking.headers["cache-control"]
    assert tracking.headers["referrer-policy"] == "no-referrer"


def test_plain_http_is_redirected_to_https(stack):
    import httpx

    response = httpx.get(stack.url + "/feedback/give/", headers={"Host": HOST})
    assert response.status_code == 301
    assert response.headers["location"] == f"https://{HOST}/feedback/give/"


def test_the_compose_healthcheck_passes(stack):
    """Run docker-compose.yml's own healthcheck command against the stack:
    plain HTTP from inside, no proxy header, a Host from ALLOWED_HOSTS."""
    compose = (ROOT / "docker-compose.yml").read_text()
    web = compose[compose.index("\n  web:"):compose.index("\n  worker:")]
    test_line = re.search(r"test: (\[.*\])", web[web.index("healthcheck:"):]).group(1)
    command = [part.strip().strip('"') for part in test_line.strip("[]").split('", "')]
    assert command[:3] == ["CMD", "python", "-c"], command
    code = command[3].replace("127.0.0.1:8000", f"127.0.0.1:{stack.web_port}")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=30, env={**stack.env})
    assert result.returncode == 0, shlex.join(command) + "\n" + result.stderr
