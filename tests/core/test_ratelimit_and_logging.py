"""The shared rate limiter and the log redaction, in-process. (On the
production stack: tests/stack.)"""

import logging

from django.core.cache.backends.redis import RedisCache

from core import ratelimit
from core.logging import RedactSecretsFilter, redact


def test_buckets_count_per_address_under_a_keyed_hash(rf, settings):
    request = rf.post("/", REMOTE_ADDR="203.0.113.5")
    assert [ratelimit.over_limit(request, "test", 2) for _ in range(3)] == [False, False, True]
    assert ratelimit.over_limit(rf.post("/", REMOTE_ADDR="203.0.113.6"), "test", 2) is False
    key = ratelimit.bucket_key("test", "203.0.113.5", 3600)
    assert "203.0.113.5" not in key
    settings.SECRET_KEY = "another-secret-" + "y" * 50
    assert ratelimit.bucket_key("test", "203.0.113.5", 3600) != key


def test_the_limiter_fails_open_when_the_cache_is_unreachable(rf, monkeypatch, caplog):
    unreachable = RedisCache("redis://127.0.0.1:1/0", {
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}})
    monkeypatch.setattr(ratelimit, "cache", unreachable)
    before = ratelimit.fail_open_count()
    request = rf.post("/", REMOTE_ADDR="203.0.113.77")
    with caplog.at_level(logging.WARNING, logger="core.ratelimit"):
        assert [ratelimit.over_limit(request, "give", 1) for _ in range(3)] == [False] * 3
    assert ratelimit.fail_open_count() == before + 3
    assert "failing open: bucket=give error=ConnectionError" in caplog.text
    assert "203.0.113.77" not in caplog.text


def test_secrets_in_addresses_are_redacted_from_log_lines():
    line = ('127.0.0.1 - - "GET /feedback/track/abcDEF123_-x/ HTTP/1.1" 200 '
            '"https://portal.test/charter/pulse/tok3n/" '
            '"GET /staff/account/reset/MTI/c4x9-0a1b2c3d4e5f/ HTTP/1.1"')
    cleaned = redact(line)
    for secret in ("abcDEF123_-x", "tok3n", "c4x9-0a1b2c3d4e5f"):
        assert secret not in cleaned
    assert "/feedback/track/[redacted]/" in cleaned
    # What is not a secret stays readable.
    for kept in ("/feedback/track/ HTTP", "/staff/account/reset/MTI/set-password/",
                 "/staff/account/reset/done/", "/charter/glos/pulse/"):
        assert redact(kept) == kept


def test_the_filter_redacts_arguments_too():
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1,
                               "Internal Server Error: %s", ("/feedback/track/s3cret/",), None)
    assert RedactSecretsFilter().filter(record)
    assert record.getMessage() == "Internal Server Error: /feedback/track/[redacted]/"

