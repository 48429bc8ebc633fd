"""The production stack, started once per test session for tests marked `stack`.

Promises about outages, logs and proxies only mean something where they
must hold, so these tests run against what a council runs:

- gunicorn with `sendportal.settings.production` and the repository's
  gunicorn.conf.py, HTTPS signalled by X-Forwarded-Proto as a TLS-terminating
  proxy does, SECURE_SSL_REDIRECT on;
- its own `redis-server` on a spare port (cache and broker) that tests may
  stop and start;
- a Celery worker and Celery beat on production settings (beat's minute jobs
  every few seconds, CELERY_BEAT_MINUTE_SECONDS, so the tests stay short);
- a real SMTP sink (aiosmtpd) that records every message and can refuse or
  go down;
- a Postgres database of its own, created, migrated and loaded with the demo
  content here, dropped at the end.

Every process's stdout/stderr, and gunicorn's access log, go to files that
tests read (`stack.logs()`). Tests talk HTTP with `stack.visitor()`:
straight to gunicorn from 127.0.0.1, or "through the proxy" from 127.0.0.2,
the one address in TRUSTED_PROXIES (loopback is 127.0.0.0/8 on Linux, so a
client socket can be bound to either).
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT, missing, wait_for

HOST = "portal.test"
PROXY_ADDRESS = "127.0.0.2"
DIRECT_ADDRESS = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.stack)


# --- SMTP sink -------------------------------------------------------------------------


class SmtpSink:
    """A real SMTP server (aiosmtpd) in a thread, recording every message.
    `refuse = True` answers 451 to every message, `refuse_to` to messages for
    those addresses; stop() takes it down."""

    def __init__(self, port: int):
        self.port = port
        self.refuse = False
        self.refuse_to: set[str] = set()
        self._messages: list[Message] = []
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        if self.refuse or self.refuse_to & set(envelope.rcpt_tos):
            return "451 4.3.0 Try again later"
        message = message_from_bytes(envelope.original_content or envelope.content)
        with self._lock:
            self._messages.append(message)
        return "250 OK"

    def start(self) -> None:
        import logging

        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port,
                                      ready_timeout=10)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages(self) -> list[Message]:
        with self._lock:
            return list(self._messages)

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages() if address in (m["To"] or "")]


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    return payload.decode(message.get_content_charset() or "utf-8") if payload else ""


# --- Processes -------------------------------------------------------------------------


class Process:
    def __init__(self, name: str, args: list[str], env: dict, log_dir: Path):
        self.name, self.args, self.env = name, args, env
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen | None = None
        self._log = None

    def start(self) -> None:
        self._log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=self._log,
                                      stderr=subprocess.STDOUT, start_new_session=True)

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self, timeout: float = 20) -> None:
        if self.running():
            self.popen.terminate()
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        if self._log:
            self._log.close()
            self._log = None

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a crash would."""
        if self.running():
            os.kill(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
        if self._log:
            self._log.close()
            self._log = None


# --- HTTP ----------------------------------------------------------------------------


class Visitor:
    """Someone with a browser: keeps cookies (sent back over plain HTTP even
    though they are Secure, as the TLS proxy would), sends the proxy's
    X-Forwarded-Proto, and comes either straight to gunicorn or through the
    trusted proxy with an X-Forwarded-For."""

    def __init__(self, stack: "Stack", *, through_proxy: bool = False,
                 forwarded_for: str | None = None):
        import httpx

        source = PROXY_ADDRESS if through_proxy else DIRECT_ADDRESS
        self.forwarded_for = forwarded_for
        self.http = httpx.Client(base_url=stack.url, timeout=30, follow_redirects=False,
                                 transport=httpx.HTTPTransport(local_address=source))
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs):
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "Origin": f"https://{HOST}",
                   **kwargs.pop("headers", {})}
        if self.forwarded_for:
            headers.setdefault("X-Forwarded-For", self.forwarded_for)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.http.request(method, path, headers=headers, **kwargs)
        for raw in response.headers.get_list("set-cookie"):
            pair, _, attributes = raw.partition(";")
            name, _, value = pair.strip().partition("=")
            if "max-age=0" in attributes.lower() or '1970' in attributes:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value.strip('"')
        self.http.cookies.clear()
        return response

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict, **kwargs):
        return self.request("POST", path, data=data, **kwargs)

    def csrf(self, path: str) -> str:
        """Open a form page and return its CSRF token."""
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)

    def follow(self, response):
        """Follow a redirect (within the portal)."""
        assert response.status_code in (301, 302, 303), response.status_code
        return self.get(urlsplit(response.headers["location"]).path or "/")

    def close(self) -> None:
        self.http.close()


# --- The stack -----------------------------------------------------------------------

# The STATIC_ROOT of each stack running now whose collectstatic has finished.
_COLLECTED_STATIC: list[Path] = []
# The migrated, empty database a running stack keeps for the session's next one.
_MIGRATED_TEMPLATE: list[str] = []


class Stack:
    def __init__(self, base_database_url: str, *, name: str = "prodstack",
                 extra_env: dict | None = None):
        import dj_database_url

        self.dir = Path(tempfile.mkdtemp(prefix="sendportal-stack-"))
        self.logs_dir = self.dir / "logs"
        self.logs_dir.mkdir()
        self.redis_port, self.web_port, self.smtp_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.web_port}"
        cfg = dj_database_url.parse(base_database_url)
        self.db = {"host": cfg["HOST"] or "127.0.0.1", "port": cfg["PORT"] or 5432,
                   "user": cfg["USER"], "password": cfg["PASSWORD"] or None,
                   "dbname": f"{cfg['NAME']}_{name}"}
        password = f":{cfg['PASSWORD']}" if cfg["PASSWORD"] else ""
        self.database_url = (f"postgres://{cfg['USER']}{password}@{self.db['host']}:"
                             f"{self.db['port']}/{self.db['dbname']}")
        self.secret_key = secrets.token_urlsafe(60)
        self._template: str | None = None
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", str(self.dir)),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            # This checkout's code, even where the virtualenv's editable
            # install points at another checkout (a git worktree).
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "sendportal.settings.production",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": f"{HOST},127.0.0.1,localhost",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/1",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp_port),
            "EMAIL_USE_TLS": "false",
            "SITE_URL": f"https://{HOST}",
            "STATIC_ROOT": str(self.dir / "static"),
            "MEDIA_ROOT": str(self.dir / "media"),
            "TRUSTED_PROXIES": PROXY_ADDRESS,
            "TRUSTED_PROXY_COUNT": "1",
            "CELERY_BEAT_MINUTE_SECONDS": "3",
            "RESUME_STALE_AFTER_SECONDS": "10",
            "NOTIFICATION_RETRY_BASE_SECONDS": "2",
            "GUNICORN_BIND": f"127.0.0.1:{self.web_port}",
            "GUNICORN_WORKERS": "4",
            "GUNICORN_ACCESS_LOG": str(self.logs_dir / "gunicorn-access.log"),
            "GUNICORN_ERROR_LOG": "-",
            **(extra_env or {}),
        }
        python = sys.executable
        self.redis = Process("redis", [
            "redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.dir)], self.env, self.logs_dir)
        self.web = Process("gunicorn", [
            python, "-m", "gunicorn", "sendportal.wsgi", "--config", "gunicorn.conf.py"],
            self.env, self.logs_dir)
        self.worker = Process("worker", [
            python, "-m", "celery", "-A", "sendportal", "worker", "--pool=threads",
            "--concurrency=4", "--without-gossip", "--without-mingle", "--loglevel=INFO",
            "--hostname", f"stack-{os.getpid()}@%h"], self.env, self.logs_dir)
        self.beat = Process("beat", [
            python, "-m", "celery", "-A", "sendportal", "beat", "--loglevel=INFO",
            "--schedule", str(self.dir / "beat-schedule")], self.env, self.logs_dir)
        self.smtp = SmtpSink(self.smtp_port)

    # -- lifecycle --

    def manage(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, timeout=timeout)
        (self.logs_dir / "manage.log").open("a").write(result.stdout + result.stderr)
        assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr[-3000:]}"
        return result.stdout

    def _admin_sql(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(**{**self.db, "dbname": "postgres"}, autocommit=True) as conn:
            conn.execute(statement)

    def start(self) -> None:
        self._admin_sql(f'DROP DATABASE IF EXISTS "{self.db["dbname"]}" WITH (FORCE)')
        self.smtp.start()
        self.start_redis()
        self.create_migrated_database()
        self.collect_static()
        self.manage("load_demo", "--allow-without-debug")
        self.web.start()
        self.start_worker()
        self.beat.start()
        wait_for(self._web_answers, timeout=60, interval=0.3)

    def create_migrated_database(self) -> None:
        """The first stack of a session creates its database and migrates it,
        then keeps a copy of the migrated (still empty) database as a template;
        a second stack in the session starts from that copy, with the same
        tables and rows that every migration gives, without running them again."""
        name = self.db["dbname"]
        if _MIGRATED_TEMPLATE:
            self._admin_sql(f'CREATE DATABASE "{name}" TEMPLATE "{_MIGRATED_TEMPLATE[0]}"')
            return
        self._admin_sql(f'CREATE DATABASE "{name}"')
        self.manage("migrate", "--noinput")
        template = f"{name}_migrated"
        self._admin_sql(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        self._admin_sql(f'CREATE DATABASE "{template}" TEMPLATE "{name}"')
        _MIGRATED_TEMPLATE.append(template)
        self._template = template

    def collect_static(self) -> None:
        """collectstatic compresses every file, tens of seconds on a busy
        machine. Its output depends only on the sources and the production
        settings (the same for every stack: a bucket holds media, never
        static files), so a second stack in a session copies the first's."""
        static_root = Path(self.env["STATIC_ROOT"])
        collected = next((p for p in _COLLECTED_STATIC if (p / "staticfiles.json").exists()),
                         None)
        if collected is None:
            self.manage("collectstatic", "--noinput")
            _COLLECTED_STATIC.append(static_root)
        else:
            shutil.copytree(collected, static_root)

    def stop(self) -> None:
        if Path(self.env["STATIC_ROOT"]) in _COLLECTED_STATIC:
            _COLLECTED_STATIC.remove(Path(self.env["STATIC_ROOT"]))
        for process in (self.beat, self.worker, self.web, self.redis):
            try:
                process.stop()
            except Exception:  # keep stopping the others
                pass
        self.smtp.stop()
        try:
            self._admin_sql(f'DROP DATABASE IF EXISTS "{self.db["dbname"]}" WITH (FORCE)')
            if self._template:
                _MIGRATED_TEMPLATE.remove(self._template)
                self._admin_sql(f'DROP DATABASE IF EXISTS "{self._template}" WITH (FORCE)')
        except Exception:
            pass
        if not os.environ.get("KEEP_STACK_LOGS"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def _web_answers(self) -> bool:
        import httpx

        if not self.web.running():
            raise RuntimeError(f"gunicorn exited; see {self.web.log_path}:\n"
                               + self.web.log_path.read_text()[-3000:])
        try:  # any answer means gunicorn is serving (test_headers checks /healthz itself)
            httpx.get(self.url + "/healthz", headers={"Host": HOST}, timeout=5)
            return True
        except httpx.HTTPError:
            return False

    def redis_ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.redis_port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def start_redis(self) -> None:
        self.redis.start()
        wait_for(self.redis_ping, timeout=20, interval=0.1)

    def stop_redis(self) -> None:
        self.redis.stop()
        assert not self.redis_ping()

    def flush_cache(self) -> None:
        """Empty the cache (rate-limit buckets) in the stack's own Redis."""
        import redis

        redis.Redis(port=self.redis_port, db=0).flushdb()

    def wait_until_idle(self, timeout: float = 240) -> None:
        """Wait until no background job is pending (the demo's PDFs at start):
        a task whose late acknowledgement is cut off by a Redis stop makes
        kombu end the worker, so outage tests start from a quiet stack."""
        wait_for(lambda: not self.sql("SELECT 1 FROM core_job WHERE state = 'pending' "
                                      "LIMIT 1"), timeout=timeout, interval=0.5)
        import time

        time.sleep(2)  # the last acknowledgements reach Redis

    def start_worker(self) -> None:
        self.worker.start()
        wait_for(lambda: "ready." in self.worker.log_path.read_text(errors="replace")
                 or self._worker_died(), timeout=60, interval=0.2)

    def _worker_died(self) -> bool:
        if not self.worker.running():
            raise RuntimeError("celery worker exited:\n"
                               + self.worker.log_path.read_text()[-3000:])
        return False

    # -- looking in --

    def sql(self, query: str, params: tuple | dict = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(**self.db, autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def logs(self) -> dict[str, str]:
        """Every captured log of gunicorn, its access log, the worker and beat."""
        return {path.name: path.read_text(errors="replace")
                for path in sorted(self.logs_dir.glob("*.log"))
                if path.name != "manage.log" and path.name != "redis.log"}

    def visitor(self, **kwargs) -> Visitor:
        return Visitor(self, **kwargs)


@pytest.fixture(scope="session")
def stack():
    for tool in ("redis-server",):
        if not shutil.which(tool):
            missing(tool)
    try:
        import aiosmtpd  # noqa: F401
        import httpx  # noqa: F401
    except ImportError:
        missing("aiosmtpd and httpx (pip install -e '.[dev]')")
    from sendportal.settings.test import TEST_DATABASE_URL

    if not TEST_DATABASE_URL.startswith("postgres"):
        missing("Postgres")
    if not (ROOT / "static" / "dist").exists():
        missing("the compiled assets (make assets)")
    stack = Stack(os.environ.get("DATABASE_URL", TEST_DATABASE_URL))
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def redis_up(stack):
    """Whatever a test did to Redis, it runs again afterwards."""
    yield
    if not stack.redis_ping():
        stack.start_redis()


@pytest.fixture
def smtp_up(stack):
    yield
    stack.smtp.refuse = False
    stack.smtp.refuse_to.clear()
    if stack.smtp._controller is None:
        stack.smtp.start()


@pytest.fixture
def worker_up(stack):
    yield
    if not stack.worker.running():
        stack.start_worker()
