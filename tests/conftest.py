"""Shared test harness: real Postgres, real Redis, a real Celery worker and a
real browser (Debian's Chromium driven by Playwright, checked with axe-core).

When CI is set, a test that needs a missing service fails instead of skipping,
so a green CI run always means the real thing was exercised.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

# Playwright's sync API runs an event loop in this thread; Django refuses ORM
# calls from a thread with a running loop unless told it is safe. The live
# server runs in its own thread, and fixtures use the ORM between page calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WORKER_BROKER_URL = os.environ.get("TEST_WORKER_BROKER_URL", "redis://127.0.0.1:6379/15")


def missing(what: str) -> None:
    """Skip on a developer's machine without the service; fail under CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required under CI but is not available")
    pytest.skip(f"{what} is not available")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and other cached counts start from zero in every test."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def captured_logs():
    """Everything logged during a test, at every level, as one string."""
    import io
    import logging

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous)


@pytest.fixture(autouse=True)
def _needs_postgres(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        missing("Postgres")


def redis_available(url: str = WORKER_BROKER_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_url():
    if not redis_available():
        missing("Redis")
    return WORKER_BROKER_URL


# --- Celery worker -------------------------------------------------------------------


def settings_media_root():
    """The worker writes files where the test process reads them."""
    from django.conf import settings

    return settings.MEDIA_ROOT


def _database_url_for_worker() -> str:
    cfg = connection.settings_dict
    if connection.vendor != "postgresql":
        missing("Postgres (a worker process cannot share the in-memory test database)")
    password = f":{cfg['PASSWORD']}" if cfg["PASSWORD"] else ""
    return (f"postgres://{cfg['USER']}{password}@{cfg['HOST'] or '127.0.0.1'}:"
            f"{cfg['PORT'] or 5432}/{cfg['NAME']}")


class WorkerProcess:
    """A real `celery worker` process on the test database and Redis."""

    def __init__(self, broker_url: str, database_url: str, extra_env: dict | None = None):
        self.broker_url = broker_url
        self.extra_env = extra_env or {}
        self.database_url = database_url
        self.process: subprocess.Popen | None = None
        self.log_path = ROOT / f"test-worker-{os.getpid()}.log"
        import tempfile

        # E-mails the worker sends are written here, one file each.
        self.mail_dir = Path(tempfile.mkdtemp(prefix="worker-mail-"))

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sendportal.settings.test",
            "DATABASE_URL": self.database_url,
            "TEST_CELERY_BROKER_URL": self.broker_url,
            "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "TEST_EMAIL_FILE_PATH": str(self.mail_dir),
            "TEST_MEDIA_ROOT": str(settings_media_root()),
            **self.extra_env,
        }
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "sendportal", "worker", "--pool=solo",
             "--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=INFO",
             "--hostname", f"test-worker-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        try:
            self.wait_until_ready()
        except BaseException:
            self.stop()  # never leave a worker behind to steal later tests' tasks
            raise

    def wait_until_ready(self, timeout: float = 60) -> None:
        from sendportal.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited early; see {self.log_path}")
            with app.connection_for_write(self.broker_url) as conn:
                if app.control.ping(timeout=0.5, connection=conn):
                    return
        raise RuntimeError(f"celery worker did not answer within {timeout}s; see {self.log_path}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def sent_mail(self) -> list[str]:
        """The e-mails this worker has sent, as raw messages. Django's file
        backend names a file by the second and the backend object's id, so
        two e-mails sent within one second can share a file (a new backend
        object may reuse a freed one's address): each file is split at the
        line the backend writes after every message."""
        separator = "\n" + "-" * 79 + "\n"
        return [message for path in sorted(self.mail_dir.glob("*.log"))
                for message in path.read_text().split(separator) if message.strip()]

    def kill(self) -> None:
        """Kill -9, as a crash or an OOM kill would."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def celery_broker(redis_url):
    """Send tasks to Redis for real, with nothing in-process, for one test."""
    import redis

    from sendportal.celery import app

    redis.Redis.from_url(redis_url).flushdb()
    saved = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = redis_url
    _reset_producer_pool(app)
    yield app
    app.conf.task_always_eager, app.conf.broker_url = saved
    _reset_producer_pool(app)


def _reset_producer_pool(app) -> None:
    """Drop pooled broker connections so the next send uses the current URL."""
    from kombu import pools

    pools.reset()  # closes kombu's shared pools and forgets them
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_worker(celery_broker, transactional_db):
    """A real worker process, started for the test and stopped after it.

    The test must commit what the worker should see, so it runs with
    transactional_db (as `@pytest.mark.django_db(transaction=True)` does).
    """
    worker = WorkerProcess(celery_broker.conf.broker_url, _database_url_for_worker())
    worker.start()
    yield worker
    worker.stop()


def wait_for(condition, timeout: float = 30, interval: float = 0.2):
    """Poll until `condition()` is truthy (for work done by another process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


# --- Browser -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        missing(f"Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="session")
def rendered_html(tmp_path_factory):
    """Every HTML page the server sends to the browser in any browser test,
    checked once at the end of the session by the W3C Nu Html Checker
    (vnu-jar from npm, on the machine's Java): any error fails the run."""
    folder = tmp_path_factory.mktemp("rendered-html")
    pages: dict[str, Path] = {}
    yield folder, pages
    if not pages:
        return
    java = shutil.which("java")
    if not java or not VNU_JAR.exists():
        missing("Java and node_modules/vnu-jar (the Nu Html Checker)")
    import json

    result = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
                             *[str(p) for p in pages.values()]],
                            capture_output=True, text=True, timeout=600)
    names = {p.name: url for url, p in pages.items()}
    messages = json.loads(result.stderr or "{}").get("messages", [])
    errors = [f"{names.get(str(m.get('url')).rsplit('/', 1)[-1], m.get('url'))} line {m.get('lastLine')}: {m['message']}"
              f" [{m.get('extract', '').strip()[:80]}]" for m in messages
              if m.get("type") == "error"]
    assert not errors, f"Nu Html Checker: {len(errors)} errors\n" + "\n".join(errors)


def _record_html(rendered_html):
    folder, pages = rendered_html

    def handle(route):
        if route.request.resource_type != "document" or "multipart/form-data" in (
                route.request.headers.get("content-type", "")):
            # Scripts' own requests and files pass untouched; so do uploads,
            # whose file Chromium does not hand to an interceptor.
            route.continue_()
            return
        response = route.fetch(max_redirects=0)
        if (response.status < 300 or response.status >= 400) and response.body() \
                and "text/html" in response.headers.get("content-type", ""):
            path = route.request.url.split("://", 1)[-1].split("/", 1)[-1].split("#")[0]
            key = f"{route.request.method} /{path} {response.status}"
            if key not in pages:
                file = folder / f"page-{len(pages):04d}.html"
                file.write_bytes(response.body())
                pages[key] = file
        route.fulfill(response=response)

    return handle


@pytest.fixture
def page(browser, live_server, rendered_html):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    # Record the server's HTML of every page for the Nu Html Checker; static
    # files pass straight through.
    context.route(re.compile(r"^(?!.*/static/)"), _record_html(rendered_html))
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def assert_accessible(page, context: str = "") -> None:
    """Run axe-core (WCAG 2.2 A and AA rules) on the page: 0 violations."""
    from axe_playwright_python.sync_playwright import Axe

    # After a click the next page may still be loading its stylesheet; axe
    # must judge the page as people see it.
    page.wait_for_load_state("load")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})
    violations = results.response["violations"]
    assert not violations, f"{context or page.url}: axe violations\n" + results.generate_report()


def wait_until(page, expression: str, timeout: float = 5) -> None:
    """Poll a JavaScript expression until it is true. (Playwright's
    wait_for_function evaluates strings with eval, which the portal's
    Content Security Policy forbids.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout}s: {expression}")
        page.wait_for_timeout(50)


def sign_in(page, email: str, password: str = "a-test-password-123") -> None:
    page.goto("/staff/account/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/**")


# --- PDFs ----------------------------------------------------------------------------


def pdf_info(pdf: bytes) -> dict[str, str]:
    """What poppler's pdfinfo says of a PDF (Title, Tagged, Pages, …)."""
    if not shutil.which("pdfinfo"):
        missing("pdfinfo (poppler-utils)")
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    info = {}
    for line in out.decode().splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def pdf_text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        missing("pdftotext (poppler-utils)")
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def pdf_structure(pdf: bytes) -> str:
    """The tag tree (pdfinfo -struct): headings, tables, lists a screen reader follows."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run(["pdfinfo", "-struct", f.name], capture_output=True,
                              check=True).stdout.decode()


def _struct_kids(element) -> list:
    """The structure elements directly under a tagged PDF's element (not its
    marked-content numbers or annotation references)."""
    import pikepdf

    kids = element.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
    return [k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def pdf_table_header_problems(pdf: bytes) -> list[str]:
    """What stops a screen reader finding a table cell's headers, read from
    the structure tree: every TD's /Headers id must resolve through the
    StructTreeRoot's /IDTree to a TH in the same table, and every TH must say
    its /Scope (PDF/UA-1, Matterhorn 15-003 and 15-005)."""
    import io

    import pikepdf

    problems = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root.StructTreeRoot
        ids = pikepdf.NameTree(root.IDTree) if "/IDTree" in root else {}
        cells = 0

        def table_of(element):
            while element is not None and element.get("/S") != "/Table":
                element = element.get("/P")
            return element

        stack = list(_struct_kids(root))
        while stack:
            element = stack.pop()
            stack += _struct_kids(element)
            attributes = element.get("/A")
            kind = element.get("/S")
            if kind == "/TH":
                cells += 1
                if attributes is None or attributes.get("/Scope") not in ("/Row", "/Column",
                                                                           "/Both"):
                    problems.append(f"TH {element.get('/ID')} has no Scope")
            if kind == "/TD" and attributes is not None and "/Headers" in attributes:
                cells += 1
                for header in attributes.Headers:
                    target = ids.get(str(header)) if ids else None
                    if target is None:
                        problems.append(f"TD header {header} is not in the IDTree")
                    elif target.get("/S") != "/TH":
                        problems.append(f"TD header {header} is a {target.get('/S')}, not a TH")
                    elif table_of(target).objgen != table_of(element).objgen:
                        problems.append(f"TD header {header} is a TH in another table")
        if not cells:
            problems.append("no table cells found")
    return problems


def pdf_table_text_sizes(pdf: bytes) -> set[float]:
    """The sizes (in points, rounded to 0.1) of the text drawn inside table
    cells (TD or TH in the structure tree), read from the pages' content
    streams: each marked-content number is mapped to its structure element,
    and the size is the Tf size scaled by the text and transformation
    matrices in force (WeasyPrint draws in CSS px under a 0.75 scale)."""
    import io
    import math

    import pikepdf

    def scale(m):
        return math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))

    def times(m, n):
        return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3],
                m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3]]

    sizes = set()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        # (page object, MCID) -> is the marked content inside a table cell?
        in_cell = {}
        stack = [(k, False) for k in _struct_kids(document.Root.StructTreeRoot)]
        while stack:
            element, cell = stack.pop()
            cell = cell or element.get("/S") in ("/TD", "/TH")
            kids = element.get("/K")
            kids = kids if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
            for kid in kids:
                if isinstance(kid, int):
                    in_cell[(element.Pg.objgen, kid)] = cell
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    stack.append((kid, cell))
        for page in document.pages:
            ctm, saved, tm, size, marked = [1, 0, 0, 1], [], [1, 0, 0, 1], 0, []
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "q":
                    saved.append(ctm)
                elif op == "Q":
                    ctm = saved.pop()
                elif op == "cm":
                    ctm = times([float(x) for x in operands[:4]], ctm)
                elif op == "Tm":
                    tm = [float(x) for x in operands[:4]]
                elif op == "Tf":
                    size = float(operands[1])
                elif op == "BDC":
                    mcid = operands[1].get("/MCID") if isinstance(operands[1],
                                                                 pikepdf.Dictionary) else None
                    marked.append(None if mcid is None else int(mcid))
                elif op == "BMC":
                    marked.append(None)
                elif op == "EMC" and marked:
                    marked.pop()
                elif op in ("Tj", "TJ", "'", '"'):
                    mcid = next((m for m in reversed(marked) if m is not None), None)
                    if mcid is not None and in_cell.get((page.obj.objgen, mcid)):
                        sizes.add(round(size * scale(tm) * scale(ctm), 1))
    return sizes


def warm_glossary():
    """The jargon buster's abbreviations are read from the database once per
    change to the glossary (directory.plainwords.glossary, kept under the
    `directory` generation), not once per page. Counts of a page's queries
    are taken with it already read, so they measure the page itself."""
    from directory.plainwords import glossary

    glossary()


@pytest.fixture
def django_assert_num_queries(django_assert_num_queries):
    def counted(*args, **kwargs):
        warm_glossary()
        return django_assert_num_queries(*args, **kwargs)

    return counted


@pytest.fixture
def django_assert_max_num_queries(django_assert_max_num_queries):
    def counted(*args, **kwargs):
        warm_glossary()
        return django_assert_max_num_queries(*args, **kwargs)

    return counted
