"""Settings for the test suite: the real Postgres and Redis by default.

When Postgres cannot be reached and CI is not set, the suite falls back to
SQLite and the tests that need Postgres skip (tests/conftest.py); under CI they
fail instead.
"""

import os
from pathlib import Path

import dj_database_url

from sendportal.env import env_str

from .base import *  # noqa: F403
from .base import BASE_DIR

SECRET_KEY = "test-only-not-secret-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

TEST_DATABASE_URL = env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sendportal")


def _postgres_reachable(url: str) -> bool:
    try:
        import psycopg

        cfg = dj_database_url.parse(url)
        psycopg.connect(
            host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"],
            password=cfg["PASSWORD"], dbname="postgres", connect_timeout=3,
        ).close()
        return True
    except Exception:
        return False


if TEST_DATABASE_URL.startswith("postgres") and not _postgres_reachable(TEST_DATABASE_URL):
    TEST_DATABASE_URL = "sqlite:///" + os.path.join(os.getcwd(), "test.sqlite3")
DATABASES = {"default": dj_database_url.parse(TEST_DATABASE_URL)}

# Tests that need a broker or worker switch to Redis themselves (tests/conftest.py);
# everything else runs tasks in-process, for real, and sees their errors.
REDIS_URL = env_str("REDIS_URL")
# The worker that the suite starts is given TEST_CELERY_BROKER_URL.
CELERY_BROKER_URL = env_str("TEST_CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                      "LOCATION": "sendportal-test"}}
CACHES["derived"] = CACHES["template_fragments"] = CACHES["default"]  # one store
if env_str("TEST_CACHE_REDIS_URL"):
    # A worker started by a test shares the test's Redis and key prefix, so
    # the generations its writes move on are the ones the test's pages read
    # (tests/core/test_freshness.py).
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                         "LOCATION": env_str("TEST_CACHE_REDIS_URL"),
                         "KEY_PREFIX": env_str("TEST_CACHE_KEY_PREFIX")}
    CACHES["derived"] = {**CACHES["default"], "BACKEND": "core.cache.FailSoftRedisCache"}
    CACHES["template_fragments"] = CACHES["derived"]
# Off, so query counts measure the page itself; tests of the page cache turn it on.
PUBLIC_PAGE_CACHE_SECONDS = 0
STAFF_PAGE_CACHE_SECONDS = 0
CACHES["staff_pages"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                         "LOCATION": "staff-pages-test"}
CACHES["long_pages"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                        "LOCATION": "long-pages-test"}

# The worker process the suite starts writes e-mails to files the test reads.
EMAIL_BACKEND = env_str("TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env_str("TEST_EMAIL_FILE_PATH", "/tmp/sendportal-test-mail")  # nosec B108 # tests only
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(env_str("TEST_MEDIA_ROOT", str(BASE_DIR / "test-media")))

# Two-factor sign-in is tested where it is the subject (tests/core/test_two_factor.py,
# which turns it on as production has it); elsewhere administrators sign in with a password.
STAFF_TWO_FACTOR_REQUIRED_ROLES: list[str] = []
