import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from core.models import Membership, Organisation, ServiceArea, Theme, User
from tests.conftest import ROOT, missing

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "sendportal.settings.production",
    "SECRET_KEY": "k" * 30 + "-a-long-random-value-for-testing-only-" + "z" * 10,
    "ALLOWED_HOSTS": "send.example.gov.uk",
    "DATABASE_URL": "sqlite:////tmp/never-opened.sqlite3",
    "EMAIL_HOST": "smtp.example.gov.uk",
    "PATH": os.environ.get("PATH", ""),
}


def _manage(*args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_font_stack_naming_gds_transport_is_refused_at_start():
    """The charts drawn on the server use BRAND_FONT_STACK: it is refused as
    static/build.mjs refuses it for the stylesheet."""
    result = _manage("check", env={**PRODUCTION_ENV,
                                   "BRAND_FONT_STACK": '"GDS Transport", arial, sans-serif'})
    assert result.returncode != 0
    assert "BRAND_FONT_STACK must be a plain font-family list" in result.stderr
    assert _manage("check", env={**PRODUCTION_ENV, "BRAND_FONT_STACK": "Verdana, sans-serif"}
                   ).returncode == 0


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("drop", ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_HOST"])
def test_production_settings_refuse_to_start_without(drop):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != drop}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert drop in result.stderr


@pytest.mark.parametrize("backend", ["console", "locmem", "dummy"])
def test_production_refuses_an_email_backend_that_does_not_deliver(backend):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "EMAIL_HOST"}
    env["EMAIL_BACKEND"] = f"django.core.mail.backends.{backend}.EmailBackend"
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "EMAIL_BACKEND" in result.stderr


def test_production_may_keep_emails_as_files_for_operators():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "EMAIL_HOST"}
    env["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
    result = _manage("check", env=env)
    assert result.returncode == 0, result.stderr


def test_nothing_a_form_needs_lives_only_in_the_cache():
    """Sessions, messages and CSRF must work with Redis down: sessions are
    kept in the database with a copy in the fail-soft cache; messages and
    CSRF never use the cache."""
    result = _manage("shell", "-c", "from django.conf import settings as s; "
                     "print(s.SESSION_ENGINE, s.SESSION_CACHE_ALIAS, "
                     "s.CACHES[s.SESSION_CACHE_ALIAS]['BACKEND'], "
                     "s.MESSAGE_STORAGE, s.CSRF_USE_SESSIONS)",
                     env={**PRODUCTION_ENV, "REDIS_URL": "redis://redis.example:6379/0"})
    assert result.returncode == 0, result.stderr
    engine, alias, backend, messages, csrf_in_session = (
        result.stdout.strip().splitlines()[-1].split())
    assert engine == "django.contrib.sessions.backends.cached_db"  # the database, and a copy
    assert alias == "derived" and backend == "core.cache.FailSoftRedisCache"
    assert "cache" not in messages and csrf_in_session == "False"


def test_docker_compose_file_is_valid():
    compose = shutil.which("docker-compose")
    if not compose:
        missing("docker-compose")
    result = subprocess.run([compose, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr


def test_no_library_files_are_committed():
    """GOV.UK Frontend comes from npm at build time, never copied in."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout
    if not tracked:
        pytest.skip("not a git checkout")
    assert "govuk-frontend.min" not in tracked
    assert "static/dist/" not in tracked
    assert not any(Path(p).name.startswith("govuk-frontend") for p in tracked.splitlines())


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open(os.devnull, "w"))
    counts = [m.objects.count() for m in (Organisation, User, Membership, Theme, ServiceArea)]
    call_command("load_demo", stdout=open(os.devnull, "w"))
    assert [m.objects.count() for m in (Organisation, User, Membership, Theme, ServiceArea)] == counts
    assert Organisation.objects.filter(name="Gloucestershire Parent Carer Forum").exists()


@pytest.mark.django_db
def test_load_demo_refuses_with_debug_off(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")
