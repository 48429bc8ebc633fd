"""The HTTP benchmark: the portal under gunicorn against a bare Django view.

    make bench-http                          # see README, "HTTP benchmark"
    make bench-http BENCH_HTTP_ARGS="--duration 3 --clients 20"

Runs the portal with production settings (bench/portal_settings.py) on
Postgres and Redis (cache and broker) with a Celery worker, and a bare Django
project (bench/baseline_settings.py) under the same gunicorn command. Seeds
the volume once (`seed_volume --if-empty`; the database is kept between runs),
signs in staff over HTTP, then drives every page with wrk at 1, 10 and 20
connections and prints a table: throughput, p50/p95/p99, errors and the ratio
to the baseline's throughput at the same concurrency, measured just before
and just after that page (so a noisy neighbour in that minute affects both
alike). Ends with the peak memory of each process.

BENCH_DATABASE_URL and BENCH_REDIS_URL name the database (created if
missing, seeded once, kept) and Redis it uses, so that two people on one
machine do not share (or reseed) each other's.
"""

import argparse
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEMO_PASSWORD = "demo-password-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Http:
    """A tiny client that speaks to the portal as if through a TLS proxy."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def headers(self, extra=None) -> dict:
        h = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(extra or {})
        return h

    def request(self, method: str, path: str, body: str | None = None, extra=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(method, path, body=body, headers=self.headers(extra))
        resp = conn.getresponse()
        data = resp.read().decode("utf-8", "replace")
        for raw in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = raw.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return resp.status, resp.headers, data

    def csrf(self, path: str) -> str:
        status, _, html = self.request("GET", path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if status != 200 or not match:
            raise RuntimeError(f"no CSRF token on {path} ({status})")
        return match.group(1)

    def post_form(self, path: str, fields: dict) -> tuple[int, str]:
        fields = {"csrfmiddlewaretoken": self.csrf(path), **fields}
        status, headers, _ = self.request(
            "POST", path, urllib.parse.urlencode(fields, doseq=True),
            {"Content-Type": "application/x-www-form-urlencoded",
             "Origin": f"https://127.0.0.1:{self.port}",
             "Referer": f"https://127.0.0.1:{self.port}{path}"})
        return status, headers.get("Location", "")

    def sign_in(self, email: str) -> str:
        status, location = self.post_form("/staff/account/sign-in/",
                                          {"username": email, "password": DEMO_PASSWORD})
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"signing in {email} failed ({status})")
        return self.cookies["sessionid"]


def wrk(url: str, *, clients: int, duration: float, headers: dict, body: str = "") -> dict:
    env = dict(os.environ, BENCH_HEADERS="\n".join(f"{k}: {v}" for k, v in headers.items()),
               BENCH_BODY=body)
    cmd = ["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{duration:g}s", "--timeout", "10s",
           "-s", str(ROOT / "bench" / "report.lua"), url]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


def peak_rss_mib(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True).stdout
    return [int(p) for p in out.split()]


def sql(dsn: str, query: str, params=None):
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(query, params).fetchall()


def ensure_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def portal_env(db_url: str, redis_url: str, static_root: str, **extra: str) -> dict:
    """The environment of the portal's processes (web, worker, beat) in a benchmark."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.portal_settings",
               DATABASE_URL=db_url, REDIS_URL=redis_url, CELERY_BROKER_URL=redis_url,
               SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1,localhost",
               BENCH_STATIC_ROOT=static_root, LOG_LEVEL="WARNING",
               MEDIA_ROOT=str(Path(tempfile.gettempdir()) / "bench-media"),
               # Production refuses to start without a real transport; no e-mail
               # leaves a benchmark: they are kept as files.
               EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
               EMAIL_FILE_PATH=str(Path(tempfile.gettempdir()) / "bench-mail"),
               # Every POST comes from one address: the limiter must not be what is measured.
               FEEDBACK_RATE_LIMIT_PER_HOUR="1000000", OPEN_DATA_RATE_LIMIT_PER_HOUR="100000000",
               PYTHONPATH=str(ROOT))
    return {**env, **extra}


def migrated(db_url: str) -> bool:
    """Whether every migration file of the portal's apps is applied (a start
    of Django saved: seconds on a busy machine)."""
    if not sql(db_url, "SELECT 1 FROM pg_tables WHERE tablename = 'django_migrations'"):
        return False
    applied = set(sql(db_url, "SELECT app, name FROM django_migrations"))
    files = {(path.parent.parent.name, path.stem) for path in ROOT.glob("*/migrations/0*.py")}
    return files <= applied


def prepare(env: dict, db_url: str, scale: float) -> None:
    """Migrate, load the demo and seed the volume once; the database is kept between runs."""
    manage = [str(VENV_BIN / "python"), str(ROOT / "manage.py")]

    def run(*cmd):
        subprocess.run([*manage, *cmd], env=env, check=True, cwd=ROOT)

    ensure_database(db_url)
    print("Preparing the database (migrate, demo, volume; kept between runs)…", flush=True)
    if not migrated(db_url):
        run("migrate", "--noinput", "-v0")
    if not sql(db_url, "SELECT 1 FROM core_user WHERE email = 'officer@demo.example'"):
        run("load_demo", "--allow-without-debug")
    if not sql(db_url, "SELECT 1 FROM core_auditevent WHERE verb = 'volume.seeded'"):
        started = time.monotonic()
        run("seed_volume", "--if-empty", "--scale", str(scale))
        print(f"  volume seeded ({time.monotonic() - started:.0f} s)")
    # collectstatic compresses every file (half a minute on a busy machine):
    # skipped when the folder holds what the same sources gave last time.
    static_root = Path(env["BENCH_STATIC_ROOT"])
    stamp = static_root / ".bench-sources"
    sources = hashlib.sha256()
    for path in sorted((ROOT / "static").rglob("*")):
        if path.is_file() and path.parts[len(ROOT.parts) + 1] in ("dist", "js", "images"):
            sources.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    if not stamp.exists() or stamp.read_text() != sources.hexdigest():
        run("collectstatic", "--noinput", "-v0")
        stamp.write_text(sources.hexdigest())


# Seconds of load on each page before it is measured (not counted).
WARM_UP_SECONDS = 1.0

GUNICORN = [str(VENV_BIN / "gunicorn"), "sendportal.wsgi:application", "--workers", "3",
            "--timeout", "60", "--log-level", "warning"]


def start_servers(env: dict, logs: Path, portal_port: int, base_port: int,
                  *, beat: bool = False) -> list[subprocess.Popen]:
    """The portal and the baseline under the same gunicorn command, one Celery
    worker (and beat if asked), each in its own session so that all of a
    process's children can be stopped with it; waits until both answer. The
    caller stops them with stop_processes() (also when this raises: they are
    appended to the list as they start)."""
    procs: list[subprocess.Popen] = []

    def start(name, cmd, proc_env):
        procs.append(subprocess.Popen(cmd, env=proc_env, cwd=ROOT, start_new_session=True,
                                      stdout=open(logs / f"{name}.log", "w"),
                                      stderr=subprocess.STDOUT))

    try:
        start("portal", [*GUNICORN, "--bind", f"127.0.0.1:{portal_port}"], env)
        start("baseline", [*GUNICORN, "--bind", f"127.0.0.1:{base_port}"],
              dict(env, DJANGO_SETTINGS_MODULE="bench.baseline_settings"))
        start("worker", [str(VENV_BIN / "celery"), "-A", "sendportal", "worker",
                         "--concurrency=1", "--loglevel=WARNING"], env)
        if beat:
            start("beat", [str(VENV_BIN / "celery"), "-A", "sendportal", "beat",
                           "--loglevel=WARNING", "--schedule", str(logs / "beat-schedule")], env)
        for port in (portal_port, base_port):
            for _ in range(240):
                try:
                    if Http(port).request("GET", "/")[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.5)
            else:
                raise RuntimeError(f"server on {port} did not start; logs in {logs}")
    except BaseException:
        stop_processes(procs)
        raise
    return procs


def stop_processes(procs: list[subprocess.Popen]) -> None:
    """SIGTERM to each process's whole group (gunicorn's and Celery's
    children too), then SIGKILL to any group still there after 20 s."""
    for proc in procs:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # anything left in its group
        except ProcessLookupError:
            pass
        if proc.poll() is None:
            proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--clients", default="1,10,20", help="concurrent connections")
    parser.add_argument("--scale", type=float, default=1.0, help="seed_volume --scale")
    parser.add_argument("--only", default="",
                        help="measure only pages whose name contains this (several: "
                             "separated by '|'), or one group: 'public' or 'staff'")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure every page this many times (spread out); the table "
                             "gives each page's median round")
    parser.add_argument("--output", default="", help="also write the table to this file")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2
    clients = [int(c) for c in args.clients.split(",")]

    db_url = os.environ.get("BENCH_DATABASE_URL",
                            "postgres://postgres@127.0.0.1:5432/sendportal_bench_http")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = portal_env(db_url, redis_url, static_root)
    prepare(env, db_url, args.scale)

    procs: list[subprocess.Popen] = []
    portal_port, base_port = free_port(), free_port()
    try:
        logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
        procs = start_servers(env, logs, portal_port, base_port)
        results = measure(args, clients, db_url, portal_port, base_port)
        memory = [("web (gunicorn, 3 workers)", procs[0]), ("worker (Celery)", procs[2]),
                  ("baseline (gunicorn, 3 workers)", procs[1])]
        memory_rows = []
        for label, proc in memory:
            kids = children(proc.pid)
            grandkids = [g for k in kids for g in children(k)]
            peaks = [peak_rss_mib(p) for p in [proc.pid, *kids, *grandkids]]
            memory_rows.append((label, max(peaks), sum(peaks)))
    finally:
        stop_processes(procs)
        shutil.rmtree(static_root, ignore_errors=True)

    text = render(args, clients, results, memory_rows, db_url)
    print(text)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text)
        print(f"Written to {args.output}")
    return 0


PUBLIC, STAFF = "public", "staff"


def measure(args, clients, db_url, portal_port, base_port) -> dict:
    one = lambda q: sql(db_url, q)[0][0]  # noqa: E731
    # Only digests are stored: give a replied-to feedback a token we know.
    token = secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode()).hexdigest()  # hex: safe in the statement
    sql(db_url, f"UPDATE feedback_feedback SET tracking_digest = '{digest}' WHERE id = ("  # nosec B608
                "SELECT id FROM feedback_feedback WHERE responded_at IS NOT NULL "
                "ORDER BY id DESC LIMIT 1) RETURNING id")
    report_slug = one("SELECT slug FROM reports_report WHERE status = 'published' "
                      "ORDER BY published_at DESC LIMIT 1")
    year = one("SELECT extract(year FROM period_end)::int FROM reports_report "
               "WHERE status = 'published' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    theme = one("SELECT id FROM core_theme ORDER BY id LIMIT 1")
    stress_id, stress_slug = sql(db_url, "SELECT id, slug FROM actionplan_plan "
                                         "WHERE title LIKE '%(stress case)' LIMIT 1")[0]

    officer, board = Http(portal_port), Http(portal_port)
    officer_session = officer.sign_in("officer@demo.example")
    board_session = board.sign_in("board@demo.example")
    form = Http(portal_port)
    form_token = form.csrf("/feedback/give/")
    area = one("SELECT id FROM core_servicearea ORDER BY id LIMIT 1")
    post_body = urllib.parse.urlencode({
        "csrfmiddlewaretoken": form_token, "service_areas": area,
        "what_went_well": "The new transport escort knew my son's needs.",
        "even_better_if": "Tell us sooner when the route changes.", "rating": "4",
        "respondent": "parent_carer", "consent_to_quote": "no", "wants_contact": "no",
    })
    status, location = form.request(
        "POST", "/feedback/give/", post_body,
        {"Content-Type": "application/x-www-form-urlencoded",
         "Origin": f"https://127.0.0.1:{portal_port}",
         "Referer": f"https://127.0.0.1:{portal_port}/feedback/give/"})[:2]
    if status != 302:
        raise RuntimeError(f"the feedback POST does not work ({status})")

    def as_(client: Http | None, session: str | None = None) -> dict:
        h = {"X-Forwarded-Proto": "https"}
        if client is not None:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        return h

    # As a browser asks: kept public pages are also kept gzipped (core.pagecache).
    gzipped = dict(as_(None), **{"Accept-Encoding": "gzip, deflate, br"})
    post_headers = dict(as_(form), Origin=f"https://127.0.0.1:{portal_port}",
                        Referer=f"https://127.0.0.1:{portal_port}/feedback/give/")
    pages = [
        (PUBLIC, "home", "/", as_(None), ""),
        (PUBLIC, "archive, filtered", f"/reports/?kind=annual_survey&year={year}", as_(None), ""),
        (PUBLIC, "archive, searched", "/reports/?q=transport", as_(None), ""),
        (PUBLIC, "a report", f"/reports/{report_slug}/", as_(None), ""),
        (PUBLIC, "feedback form (GET)", "/feedback/give/", as_(None), ""),
        (PUBLIC, "feedback form (POST)", "/feedback/give/", post_headers, post_body),
        (PUBLIC, "tracking page (private link)", f"/feedback/track/{token}/", as_(None), ""),
        (PUBLIC, "charter", "/charter/", as_(None), ""),
        (PUBLIC, "action plan", "/action-plan/", as_(None), ""),
        (PUBLIC, "Atom feed", "/reports/feed/", as_(None), ""),
        (PUBLIC, "API: reports", "/api/reports/", as_(None), ""),
        (PUBLIC, "API: reports, filtered", f"/api/reports/?year={year}&kind=annual_survey",
         as_(None), ""),
        (PUBLIC, "API: a report", f"/api/reports/{report_slug}/", as_(None), ""),
        (PUBLIC, "API: actions", "/api/actions/", as_(None), ""),
        (PUBLIC, "API: actions, page 20", "/api/actions/?page=20", as_(None), ""),
        (PUBLIC, "API: charters", "/api/charters/", as_(None), ""),
        (PUBLIC, "API: organisations", "/api/organisations/", as_(None), ""),
        (PUBLIC, "API: themes", "/api/themes/", as_(None), ""),
        (PUBLIC, "API: service areas", "/api/service-areas/", as_(None), ""),
        (PUBLIC, "API: figures", "/api/figures/", as_(None), ""),
        (PUBLIC, "CSV: reports", "/api/reports.csv", as_(None), ""),
        (PUBLIC, "CSV: actions", "/api/actions.csv", as_(None), ""),
        (STAFF, "inbox (officer)", "/staff/feedback/", as_(officer), ""),
        (STAFF, "inbox, filtered (officer)",
         f"/staff/feedback/?status=&theme={theme}&channel=email", as_(officer), ""),
        (STAFF, "staff home (officer)", "/staff/", as_(officer), ""),
        (STAFF, "dashboard (board)", "/staff/action-plan/dashboard/", as_(board), ""),
        (STAFF, "action list (officer)", "/staff/action-plan/", as_(officer), ""),
        # The plan of 2,000 actions that carry 2,000 measures with 50,000 values.
        (PUBLIC, "action plan, stress case", f"/action-plan/{stress_slug}/", as_(None), ""),
        (STAFF, "dashboard, stress case (board)",
         f"/staff/action-plan/dashboard/?plan={stress_id}", as_(board), ""),
        # The long public answers again, asked for as a browser asks (gzip accepted).
        (PUBLIC, "action plan, stress case (gzip)", f"/action-plan/{stress_slug}/", gzipped, ""),
        (PUBLIC, "API: actions (gzip)", "/api/actions/", gzipped, ""),
        (PUBLIC, "CSV: reports (gzip)", "/api/reports.csv", gzipped, ""),
        (PUBLIC, "CSV: actions (gzip)", "/api/actions.csv", gzipped, ""),
        (PUBLIC, "home (gzip)", "/", gzipped, ""),
    ]
    if args.only:
        wanted = args.only.split("|")
        pages = [p for p in pages if any(w in p[1] or w == p[0] for w in wanted)]
    del officer_session, board_session

    portal = f"http://127.0.0.1:{portal_port}"
    baseline_url = f"http://127.0.0.1:{base_port}/"
    baseline: dict[int, list[float]] = {c: [] for c in clients}

    def measure_baseline() -> dict[int, float]:
        runs = {}
        for c in clients:
            runs[c] = wrk(baseline_url, clients=c, duration=args.duration, headers={})["rps"]
            baseline[c].append(runs[c])
        return runs

    def warm_up(path: str, headers: dict) -> None:
        """Load the page, not counted, just before it is measured, as a live
        site's workers would have it: each gunicorn worker keeps its own copy
        of a kept staff page and of a long public page, so one request warmed
        one worker of three and the other two made the page inside the
        measured seconds. Just before, because what an earlier page did (the
        POST's feedback) or five minutes (a kept staff page's life) makes it
        anew."""
        wrk(portal + path, clients=max(clients), duration=WARM_UP_SECONDS, headers=headers)
        drain(portal_port)

    # Rounds: the whole list again, each page's ratio in the table the
    # median of its rounds (on a shared machine a ratio moves by about
    # ±0.03 between runs; the rounds are spread out, so their noise differs).
    measured: dict[tuple[str, int], list] = {}
    # The baseline is measured just before and just after each page, and the
    # page's ratio is to the mean of those two: on a shared machine the
    # baseline alone moved between 1,400 and 3,300 req/s within one run, so
    # only a baseline measured in the same minute shares the page's noise.
    before_page = measure_baseline()
    for _ in range(args.rounds):
        for kind, name, path, headers, body in pages:
            if not body:
                warm_up(path, headers)
            before = one("SELECT count(*) FROM feedback_feedback") if body else None
            page_rows = []
            for c in clients:
                print(f"  {name} at {c}…", flush=True)
                r = wrk(portal + path, clients=c, duration=args.duration, headers=headers,
                        body=body)
                if body:
                    time.sleep(1.0)  # let requests cut off at the end finish
                    after = one("SELECT count(*) FROM feedback_feedback")
                    r["stored"] = after - before
                    before = after
                page_rows.append((kind, name, path, c, r))
                drain(portal_port)
            after_page = measure_baseline()
            for row in page_rows:
                c, r = row[3], row[4]
                r["baseline_rps"] = (before_page[c] + after_page[c]) / 2
                r["ratio"] = r["rps"] / r["baseline_rps"] if r["baseline_rps"] else 0
                measured.setdefault((name, c), []).append(row)
            before_page = after_page
    rows = []
    for kind, name, path, _, _ in pages:
        for c in clients:
            runs = sorted(measured[(name, c)], key=lambda row: row[4]["ratio"])
            kind, name, path, c, r = runs[len(runs) // 2]  # the median round's run
            r["ratios"] = [row[4]["ratio"] for row in measured[(name, c)]]
            r["stored_all"] = sum(row[4].get("stored", 0) for row in runs)
            r["ok_all"] = sum(row[4]["ok"] for row in runs)
            # Judged round by round: one round's extra rows (cut off by wrk's
            # stop, stored anyway) must not hide another round's lost ones.
            r["lost_in_a_round"] = any(row[4].get("stored", 0) < row[4]["ok"]
                                       for row in runs if "stored" in row[4])
            rows.append((kind, name, path, c, r))
    return {"rows": rows, "baseline": baseline}


def drain(port: int) -> None:
    """Wait for requests that wrk left queued at its stop, so they do not
    slow down the next measurement."""
    for _ in range(3):
        try:
            Http(port).request("GET", "/accessibility/")
        except OSError:
            time.sleep(1)


def _ms(us: int) -> str:
    return f"{us / 1000:.0f}" if us >= 10_000 else f"{us / 1000:.1f}"


def render(args, clients, results, memory_rows, db_url) -> str:
    base = {c: statistics.median(v) for c, v in results["baseline"].items()}
    counts = sql(db_url, "SELECT (SELECT count(*) FROM feedback_feedback), "
                         "(SELECT count(*) FROM actionplan_action), "
                         "(SELECT count(*) FROM reports_report WHERE status = 'published')")[0]
    lines = [
        f"# HTTP benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; "
        "shared with other work, so compare ratios, not absolute figures.",
        f"Data: {counts[0]:,} feedback, {counts[1]:,} actions, {counts[2]:,} published reports "
        "(`seed_volume` on top of the demo).",
        "Portal: gunicorn, 3 sync workers, production settings, Postgres, Redis cache and "
        "broker, one Celery worker. Baseline: a bare Django view rendering a small template "
        "under the same gunicorn command. wrk, "
        f"{args.duration:g} s per measurement, after {WARM_UP_SECONDS:g} s of the same page "
        "not counted"
        + (f"; every page measured in {args.rounds} rounds, the table giving each page's "
           "median round (every round's ratio in the last column)." if args.rounds > 1
           else "."),
        "",
        "Baseline throughput, measured just before and just after each page: "
        + ", ".join(f"{c} clients median {base[c]:,.0f} req/s over {len(results['baseline'][c])} "
                    f"runs (from {min(results['baseline'][c]):,.0f} to "
                    f"{max(results['baseline'][c]):,.0f})" for c in clients)
        + ". Each page's ratio is to the mean of the two baseline runs around it "
        "(the baseline column).",
        "",
        "| page | clients | req/s | p50 ms | p95 ms | p99 ms | errors | baseline req/s "
        "| ratio to baseline | target at 20 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for kind, name, path, c, r in results["rows"]:
        ratio = r["ratio"]
        errors = r["bad_status"] + r["socket_errors"]
        target = ""
        if c == 20:
            want_ratio, want_p95 = (0.5, 200) if kind == PUBLIC else (0.25, 300)
            met = ratio >= want_ratio and r["p95_us"] / 1000 < want_p95 and errors == 0
            target = ("met" if met else "**missed**") + f" (≥{want_ratio}×, p95<{want_p95})"
        extra = ""
        if len(r["ratios"]) > 1:
            extra = "; rounds " + ", ".join(f"{x:.2f}" for x in sorted(r["ratios"]))
        if "stored" in r:  # over every round: nothing answered may be lost in any
            stored, ok = r["stored_all"], r["ok_all"]
            extra += f"; stored {stored} for {ok} answered"
            if stored < ok or r["lost_in_a_round"]:
                extra += " **LOST SUBMISSIONS**"
            elif stored > ok:
                extra += f" (+{stored - ok} cut off by wrk's stop, stored anyway)"
        shown = re.sub(r"/track/[^/]+/", "/track/<token>/", path.split("?")[0])
        if not r["requests"]:
            target += " (no response within the measurement)"
        lines.append(f"| {name} `{shown}{'?…' if '?' in path else ''}` | {c} | "
                     f"{r['rps']:,.0f} | {_ms(r['p50_us'])} | {_ms(r['p95_us'])} | "
                     f"{_ms(r['p99_us'])} | {errors} | {r['baseline_rps']:,.0f} | {ratio:.2f} "
                     f"| {target}{extra} |")
    lines += ["", "Peak memory (VmHWM):", "", "| processes | largest one | all together |",
              "|---|---:|---:|"]
    for label, largest, total in memory_rows:
        lines.append(f"| {label} | {largest:.0f} MiB | {total:.0f} MiB |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
