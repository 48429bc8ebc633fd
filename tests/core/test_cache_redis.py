"""The cache has a Redis of its own, bounded and evicting, apart from the
broker's: in docker-compose.yml (as docker-compose itself reads it), in the
settings, and in a real redis-server started with the compose file's own
arguments and flooded through the portal's cache backend."""

import os
import shutil
import socket
import subprocess
import sys
from urllib.parse import urlparse

import pytest
import redis
import yaml

from tests.conftest import ROOT, missing, wait_for


def _compose() -> dict:
    compose = shutil.which("docker-compose")
    if not compose:
        missing("docker-compose")
    result = subprocess.run([compose, "-f", str(ROOT / "docker-compose.yml"), "config"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def _option(command: list[str], name: str) -> str | None:
    return command[command.index(name) + 1] if name in command else None


def test_compose_gives_the_cache_its_own_bounded_evicting_redis():
    services = _compose()["services"]
    cache_command = services["cache"]["command"]
    assert _option(cache_command, "--maxmemory-policy") == "allkeys-lru"
    assert _option(cache_command, "--maxmemory") not in (None, "0")
    # The broker never evicts: a message pushed out would be a job delayed.
    assert _option(services["redis"]["command"], "--maxmemory-policy") == "noeviction"
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert urlparse(env["CACHE_REDIS_URL"]).hostname == "cache"
        assert urlparse(env["CELERY_BROKER_URL"]).hostname == "redis"
        assert "cache" in services[name]["depends_on"]


def _cache_location(**env) -> str:
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.CACHES['default']['LOCATION'], settings.CACHES['derived']['LOCATION'],"
            " settings.CELERY_BROKER_URL)")
    base = {k: v for k, v in os.environ.items()
            if k not in ("REDIS_URL", "CACHE_REDIS_URL", "CELERY_BROKER_URL")}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60, text=True,
                            capture_output=True,
                            env={**base, "DJANGO_SETTINGS_MODULE": "sendportal.settings.local",
                                 **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_settings_read_the_cache_redis_apart_from_the_broker_falling_back_to_redis_url():
    assert _cache_location(REDIS_URL="redis://broker:6379/0") == [
        "redis://broker:6379/0"] * 3
    assert _cache_location(REDIS_URL="redis://broker:6379/0",
                           CACHE_REDIS_URL="redis://cache:6379/0") == [
        "redis://cache:6379/0", "redis://cache:6379/0", "redis://broker:6379/0"]


@pytest.fixture
def compose_cache_redis(tmp_path):
    """redis-server with the compose file's arguments for the cache (the
    memory limit lowered to 4 MB, so that the flood is quick)."""
    server = shutil.which("redis-server")
    if not server:
        missing("redis-server")
    command = _compose()["services"]["cache"]["command"]
    args = list(command[1:])
    args[args.index("--maxmemory") + 1] = "4mb"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([server, *args, "--port", str(port), "--bind", "127.0.0.1",
                                "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    wait_for(answers, timeout=10, interval=0.05)
    yield f"redis://127.0.0.1:{port}/0", client
    process.terminate()
    process.wait(timeout=10)


def test_a_flood_of_pages_into_the_cache_redis_stays_within_its_limit(compose_cache_redis):
    from core.cache import FailSoftRedisCache

    url, client = compose_cache_redis
    cache = FailSoftRedisCache(url, {"KEY_PREFIX": "sendportal", "TIMEOUT": 600})
    page = b"<html>" + os.urandom(8_000).hex().encode() + b"</html>"  # 16 kB, a kept page
    for n in range(2_000):  # 32 MB offered to a 4 MB cache
        cache.set(f"public-page:{n}", (1, page, "text/html"), 600)
    info = client.info("memory")
    assert info["maxmemory"] == 4 * 1024 * 1024
    assert info["used_memory"] <= info["maxmemory"] * 1.05
    assert client.info("stats")["evicted_keys"] > 0
    assert client.dbsize() < 2_000
    assert cache.get("public-page:1999") == (1, page, "text/html")  # the newest is kept
