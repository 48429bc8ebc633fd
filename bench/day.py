"""A real working day, measured: the production stack under a mixed load.

    make bench-day                                   # see README, "A working day"
    make bench-day BENCH_DAY_ARGS="--minutes 1 --clients 6"

Runs what a council runs — gunicorn (production settings), a Celery worker
and Celery beat — on the county-scale data (`seed_volume`, kept between runs
in its own database), beside a bare Django view under the same gunicorn
command (bench/baseline_settings.py). Then `--clients` simulated people at
once, each a process of its own, spend `--minutes` doing what the MIX below
says, visits arriving at random at `--rate` a second in all (0: one after
another with no pause, the most the stack can take): families give
feedback through the public form (CSRF token and all) and follow their
private page, officers signed in triage, reply and record progress on
actions, a board member reads the dashboard, the public read the home page,
reports, the plan and the feed, and now and then someone opens the bare
view, so the baseline is measured under the same load in the same run.

Every request is timed from connect to the last byte and counted under its
page class (CLASSES). The table gives, per class, requests per second,
p50/p95/p99, errors (any status of 400 or above, or no answer) and the share
served from kept pages (the portal's `X-Page-Cache: hit` header, set by
core/pagecache.py on public and staff pages alike), and checks the targets:
p95 under 300 ms for staff pages and 200 ms for public ones, no errors, and
every submission stored (the rows carrying this run's mark are counted after
the run, once the worker is done, against the submissions answered).

Private links appear in no output: the table names the tracking page
`/feedback/track/<token>/`, and tokens live only in the driver's memory.
"""

import argparse
import hashlib
import html.parser
import multiprocessing
import os
import platform
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

from bench.http import (
    ROOT,
    Http,
    children,
    free_port,
    peak_rss_mib,
    portal_env,
    prepare,
    sql,
    start_servers,
    stop_processes,
)

PUBLIC, STAFF, BASELINE = "public", "staff", "baseline"

# Page classes, in the table's order: (name, group, address shown).
CLASSES = [
    ("home", PUBLIC, "/"),
    ("reports archive", PUBLIC, "/reports/"),
    ("a report", PUBLIC, "/reports/<slug>/"),
    ("action plan", PUBLIC, "/action-plan/"),
    ("Atom feed", PUBLIC, "/reports/feed/"),
    ("feedback form", PUBLIC, "/feedback/give/"),
    ("feedback submitted (POST)", PUBLIC, "/feedback/give/"),
    ("feedback sent", PUBLIC, "/feedback/give/sent/"),
    ("private tracking page", PUBLIC, "/feedback/track/<token>/"),
    ("inbox (officer)", STAFF, "/staff/feedback/"),
    ("a feedback (officer)", STAFF, "/staff/feedback/<id>/"),
    ("triage (POST)", STAFF, "/staff/feedback/<id>/"),
    ("reply (POST)", STAFF, "/staff/feedback/<id>/"),
    ("action list (officer)", STAFF, "/staff/action-plan/"),
    ("progress form (officer)", STAFF, "/staff/action-plan/actions/<id>/update/"),
    ("progress recorded (POST)", STAFF, "/staff/action-plan/actions/<id>/update/"),
    ("dashboard (board)", STAFF, "/staff/action-plan/dashboard/"),
    ("bare Django view", BASELINE, "/ (baseline)"),
]
CLASS_GROUP = {name: group for name, group, _ in CLASSES}
TARGET_P95_MS = {PUBLIC: 200, STAFF: 300}

# What each simulated person does next: a visit is one of these, drawn with
# these weights (shares of visits, not of requests: a family's visit is four
# requests, a public reader's one).
MIX = {
    "public reads a page": 44,         # one of READING below
    "family gives feedback": 12,       # form, POST, "sent" page, private page
    "family follows their page": 8,    # their private page again
    "officer triages": 12,             # inbox, a feedback, triage POST, the feedback again
    "officer replies": 6,              # a feedback, reply POST, the feedback again
    "officer records progress": 6,     # action list, progress form, POST, action list
    "board member reads": 7,           # the dashboard
    "bare Django view": 5,             # the baseline, under the same load
}
READING = {"home": 35, "reports archive": 15, "a report": 25, "action plan": 15, "Atom feed": 10}

FEEDBACK_TEXTS = [  # from the seeds' themes; each gets this run's mark appended
    ("The EHCP coordinator rang back the same day.", "Tell us who our new coordinator is."),
    ("The short breaks activity was brilliant for my daughter.", "More places in the holidays."),
    ("School transport is reliable now.", "Tell us sooner when the route changes."),
    ("The Local Offer page on therapies was clear.", "The search does not find respite."),
    ("Our SENCo listened at the annual review.", "Send the draft plan before the meeting."),
]


# --- Forms -----------------------------------------------------------------------------


class Forms(html.parser.HTMLParser):
    """Every <form> of a page as a browser would submit it: hidden and text
    inputs, checked boxes and radios, selected options, textareas; with the
    values each radio group offers, and the submit buttons' name=value."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "fields": [], "radios": {},
                          "buttons": []}
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "radio":
                form["radios"].setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form["fields"].append((name, a.get("value", "on")))
            elif kind == "checkbox":
                if "checked" in a:
                    form["fields"].append((name, a.get("value", "on")))
            elif kind == "submit":
                form["buttons"].append((name, a.get("value", "")))
            elif kind != "file":
                form["fields"].append((name, a.get("value", "")))
        elif tag == "button" and name:
            form["buttons"].append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = name
            form["fields"].append((name, ""))
        elif tag == "option" and self._select and "selected" in a:
            form["fields"] = [f for f in form["fields"] if f != (self._select, "")]
            form["fields"].append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            form["fields"].append((name, ""))

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            name, value = self._form["fields"].pop()
            self._form["fields"].append((name, value + data))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def with_button(self, name: str, value: str) -> dict | None:
        return next((f for f in self.forms if (name, value) in f["buttons"]
                     or (name, value) in f["fields"]), None)

    def with_field(self, name: str) -> dict | None:
        return next((f for f in self.forms if any(n == name for n, _ in f["fields"])
                     or name in f["radios"]), None)


def filled(form: dict, **changes) -> list[tuple[str, str]]:
    """The form's fields with `changes` (a name to a value, or to a list of values)."""
    fields = [(n, v) for n, v in form["fields"] if n not in changes]
    for name, value in changes.items():
        for v in (value if isinstance(value, list) else [value]):
            fields.append((name, str(v)))
    return fields


# --- One simulated person ---------------------------------------------------------------


class Person:
    """One client process: draws visits from MIX until the deadline and
    records every request as (class, seconds, ok, kept)."""

    def __init__(self, index: int, plan: dict):
        self.index = index
        self.plan = plan
        self.rng = random.Random(plan["seed"] * 1000 + index)
        self.samples: list[tuple[str, float, bool, bool]] = []
        self.problems: list[str] = []
        self.visits = 0
        self.next_start = time.monotonic()
        self.submitted = self.answered = 0  # feedback POSTs sent, and answered 302
        self.tokens: list[str] = []
        port = plan["portal_port"]
        self.officer = Http(port)
        self.officer.cookies = dict(plan["officer_cookies"])
        self.board = Http(port)
        self.board.cookies = dict(plan["board_cookies"])
        self.baseline = Http(plan["base_port"])
        # Each person triages, replies to and updates their own rows: two
        # people on one row would be an edit conflict (409), which is the
        # portal working, not what this measures.
        self.feedback_ids = plan["feedback_ids"][index::plan["clients"]]
        self.action_ids = plan["action_ids"][index::plan["clients"]]

    def hit(self, name: str, client: Http, method: str, path: str,
            fields: list | None = None, referer: str | None = None):
        body, extra = None, {}
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            origin = f"https://127.0.0.1:{client.port}"
            extra = {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin,
                     "Referer": origin + (referer or path)}
        started = time.perf_counter()
        try:
            status, headers, page = client.request(method, path, body, extra)
        except OSError as exc:
            self.samples.append((name, time.perf_counter() - started, False, False))
            self.problems.append(f"{name}: {type(exc).__name__}")
            return None, None, ""
        seconds = time.perf_counter() - started
        ok = status < 400
        self.samples.append((name, seconds, ok, headers.get("X-Page-Cache") == "hit"))
        if not ok:
            self.problems.append(f"{name}: HTTP {status}")
        return status, headers, page

    def run(self, warm_until: float, deadline: float) -> dict:
        """Warm up (the same mix, not counted: each gunicorn worker loads what
        it loads on first use, as on a live site that has been up a while),
        then one visit of every kind (and every public page), so that every
        class is measured even in a short run, then visits drawn from MIX until the deadline."""
        visits = list(MIX)
        weights = [MIX[v] for v in visits]
        while time.monotonic() < warm_until:
            self.visit(self.rng.choices(visits, weights)[0])
            self.pace()
        warm_errors = sum(1 for s in self.samples if not s[2])
        warm_problems, self.samples, self.problems = self.problems, [], []
        self.visits = 0
        tour = visits[self.index % len(visits):] + visits[:self.index % len(visits)]
        self.next_start = time.monotonic()
        for visit in tour:
            if visit == "public reads a page":
                for page in READING:
                    self.visit_public_reads(page)
                    self.visits += 1
                    self.pace()
            else:
                self.visit(visit)
                self.pace()
        while time.monotonic() < deadline:
            self.visit(self.rng.choices(visits, weights)[0])
            self.pace()
        return {"samples": self.samples, "problems": self.problems,
                "warm_errors": warm_errors, "warm_problems": warm_problems,
                "submitted": self.submitted, "answered": self.answered, "visits": self.visits}

    def visit(self, name: str) -> None:
        getattr(self, "visit_" + "_".join(name.split()[:2]))()
        self.visits += 1

    def pace(self) -> None:
        """Visits arrive at random (a Poisson process) at `rate` a second
        across all people; a person running behind goes on at once, so the
        rate reached is reported beside the one asked for. Rate 0: no pause."""
        rate = self.plan["rate"] / self.plan["clients"]
        if not rate:
            return
        self.next_start = max(self.next_start + self.rng.expovariate(rate),
                              time.monotonic() - 1 / rate)
        wait = self.next_start - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    # The visits, named after MIX's keys' first two words.

    def visit_public_reads(self, name: str | None = None):
        pages = list(READING)
        name = name or self.rng.choices(pages, [READING[p] for p in pages])[0]
        path = {"home": "/", "reports archive": "/reports/",
                "a report": f"/reports/{self.rng.choice(self.plan['report_slugs'])}/",
                "action plan": "/action-plan/", "Atom feed": "/reports/feed/"}[name]
        self.hit(name, Http(self.plan["portal_port"]), "GET", path)

    def visit_family_gives(self):
        family = Http(self.plan["portal_port"])
        _, _, page = self.hit("feedback form", family, "GET", "/feedback/give/")
        form = Forms(page).with_field("csrfmiddlewaretoken")
        if form is None:
            self.problems.append("feedback form: no form on the page")
            return
        good, better = self.rng.choice(FEEDBACK_TEXTS)
        self.submitted += 1
        status, headers, _ = self.hit("feedback submitted (POST)", family, "POST",
                                      "/feedback/give/", filled(
            form, service_areas=self.rng.choice(self.plan["areas"]), what_went_well=good,
            even_better_if=f"{better} {self.plan['mark']}", rating=self.rng.randint(1, 5),
            respondent="parent_carer", consent_to_quote="no", wants_contact="no"))
        if status != 302:
            self.problems.append(f"feedback submitted (POST): {status}, not a redirect")
            return
        self.answered += 1
        _, _, page = self.hit("feedback sent", family, "GET", headers["Location"])
        match = re.search(r"/feedback/track/([A-Za-z0-9_-]+)/", page)
        if not match:
            self.problems.append("feedback sent: no private link on the page")
            return
        self.tokens.append(match.group(1))
        self.hit("private tracking page", family, "GET", f"/feedback/track/{match.group(1)}/")

    def visit_family_follows(self):
        if not self.tokens:
            return self.visit_family_gives()
        self.hit("private tracking page", Http(self.plan["portal_port"]), "GET",
                 f"/feedback/track/{self.rng.choice(self.tokens)}/")

    def next_feedback(self) -> int | None:
        if not self.feedback_ids:
            return None
        self.feedback_ids.append(self.feedback_ids.pop(0))
        return self.feedback_ids[-1]

    def visit_officer_triages(self):
        self.hit("inbox (officer)", self.officer, "GET", "/staff/feedback/")
        pk = self.next_feedback()
        if pk is None:
            return
        path = f"/staff/feedback/{pk}/"
        _, _, page = self.hit("a feedback (officer)", self.officer, "GET", path)
        form = Forms(page).with_button("action", "triage")
        if form is None:
            self.problems.append("a feedback (officer): no triage form")
            return
        themes = self.rng.sample(self.plan["themes"], 2)
        status, _, _ = self.hit("triage (POST)", self.officer, "POST", path,
                                filled(form, action="triage", themes=themes))
        if status == 302:
            self.hit("a feedback (officer)", self.officer, "GET", path)

    def visit_officer_replies(self):
        pk = self.next_feedback()
        if pk is None:
            return
        path = f"/staff/feedback/{pk}/"
        _, _, page = self.hit("a feedback (officer)", self.officer, "GET", path)
        form = Forms(page).with_button("action", "reply")
        if form is None:  # answered already, or needing no reply: a triage instead
            form = Forms(page).with_button("action", "triage")
            if form is not None:
                self.hit("triage (POST)", self.officer, "POST", path,
                         filled(form, action="triage"))
            return
        outcomes = form["radios"].get("outcome") or ["done"]
        status, _, _ = self.hit("reply (POST)", self.officer, "POST", path, filled(
            form, action="reply", outcome=outcomes[0],
            text="Thank you for telling us. We have passed this to the team, and we will "
                 "write again when it has changed.", reason=""))
        if status == 302:
            self.hit("a feedback (officer)", self.officer, "GET", path)

    def visit_officer_records(self):
        self.hit("action list (officer)", self.officer, "GET", "/staff/action-plan/")
        if not self.action_ids:
            return
        self.action_ids.append(self.action_ids.pop(0))
        path = f"/staff/action-plan/actions/{self.action_ids[-1]}/update/"
        _, _, page = self.hit("progress form (officer)", self.officer, "GET", path)
        form = Forms(page).with_field("percent")
        if form is None:
            self.problems.append("progress form (officer): no form on the page")
            return
        today = datetime.now(UTC)
        statuses = form["radios"].get("status") or ["on_track"]
        status, _, _ = self.hit("progress recorded (POST)", self.officer, "POST", path, filled(
            form, status="on_track" if "on_track" in statuses else statuses[0],
            percent=self.rng.randint(10, 90), date_0=today.day, date_1=today.month,
            date_2=today.year,
            narrative="Met the provider; the new referral route starts next month.",
            public_narrative=""))
        if status == 302:
            self.hit("action list (officer)", self.officer, "GET", "/staff/action-plan/")

    def visit_board_member(self):
        self.hit("dashboard (board)", self.board, "GET", "/staff/action-plan/dashboard/")

    def visit_bare_Django(self):
        self.hit("bare Django view", self.baseline, "GET", "/")


def _person(args) -> dict:
    index, plan, warm_until, deadline = args
    return Person(index, plan).run(warm_until, deadline)


# --- The run ---------------------------------------------------------------------------


def make_plan(db_url: str, portal_port: int, base_port: int, clients: int, seed: int,
              rate: float) -> dict:
    one = lambda q: sql(db_url, q)[0][0]  # noqa: E731
    org = one("SELECT o.id FROM core_organisation o JOIN core_membership m "
              "ON m.organisation_id = o.id JOIN core_user u ON u.id = m.user_id "
              "WHERE u.email = 'officer@demo.example' LIMIT 1")
    officer, board = Http(portal_port), Http(portal_port)
    officer.sign_in("officer@demo.example")
    board.sign_in("board@demo.example")
    return {
        "seed": seed, "clients": clients, "rate": rate, "portal_port": portal_port, "base_port": base_port,
        "mark": f"(bench-day {secrets.token_hex(4)})",
        "officer_cookies": officer.cookies, "board_cookies": board.cookies,
        "report_slugs": [r[0] for r in sql(db_url, "SELECT slug FROM reports_report WHERE "
                                                   "status = 'published' ORDER BY published_at "
                                                   "DESC LIMIT 40")],
        "areas": [r[0] for r in sql(db_url, "SELECT id FROM core_servicearea ORDER BY id")],
        "themes": [r[0] for r in sql(db_url, "SELECT id FROM core_theme ORDER BY id")],
        # Open feedback of the officer's organisation that wants a reply, newest first.
        "feedback_ids": [r[0] for r in sql(db_url, (
            "SELECT id FROM feedback_feedback WHERE organisation_id = %s AND needs_reply "
            "AND responded_at IS NULL AND status <> 'closed' ORDER BY id DESC LIMIT 4000"),
            [org])],
        "action_ids": [r[0] for r in sql(db_url, (
            "SELECT id FROM actionplan_action WHERE lead_organisation_id = %s AND "
            "current_status NOT IN ('complete', 'cancelled') ORDER BY id DESC LIMIT 4000"),
            [org])],
    }


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]


def summarise(samples: list, seconds: float) -> list[dict]:
    rows = []
    for name, group, shown in CLASSES:
        mine = [s for s in samples if s[0] == name]
        times = [s[1] * 1000 for s in mine]
        rows.append({"name": name, "group": group, "shown": shown, "requests": len(mine),
                     "rps": len(mine) / seconds if seconds else 0.0,
                     "p50": percentile(times, 50), "p95": percentile(times, 95),
                     "p99": percentile(times, 99),
                     "errors": sum(1 for s in mine if not s[2]),
                     "kept": sum(1 for s in mine if s[3]) / len(mine) if mine else 0.0})
    return rows


def wait_for_jobs(db_url: str, timeout: float) -> int:
    """Wait (up to `timeout` s) until no background job is pending; the number still pending."""
    deadline = time.monotonic() + timeout
    while True:
        pending = sql(db_url, "SELECT count(*) FROM core_job WHERE state = 'pending' "
                              "AND run_after <= now()")[0][0]
        if not pending or time.monotonic() > deadline:
            return pending
        time.sleep(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=3.0, help="length of the mixed load")
    parser.add_argument("--clients", type=int, default=8,
                        help="simulated people at once (each a process)")
    parser.add_argument("--rate", type=float, default=3.0,
                        help="visits a second across all people, arriving at random; "
                             "0: each person goes on at once (the most the stack can take)")
    parser.add_argument("--warmup", type=float, default=30.0,
                        help="seconds of the same mix before measuring, not counted")
    parser.add_argument("--scale", type=float, default=1.0, help="seed_volume --scale")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the mix")
    parser.add_argument("--note", default="", help="a line about the machine, for the table")
    parser.add_argument("--output", default="",
                        help="write the table here (default docs/benchmarks/day-<date>.md; "
                             "'-' to print only)")
    args = parser.parse_args(argv)

    db_url = os.environ.get("BENCH_DAY_DATABASE_URL",
                            "postgres://postgres@127.0.0.1:5432/sendportal_bench_day")
    # Flushed at the start: a database of its own, not bench-http's 0.
    redis_url = os.environ.get("BENCH_DAY_REDIS_URL", "redis://127.0.0.1:6379/3")
    # Kept between runs, one for each database (collectstatic is skipped when unchanged).
    static_root = str(Path(tempfile.gettempdir()) / ("bench-day-static-" + hashlib.sha256(
        db_url.encode()).hexdigest()[:12]))
    Path(static_root).mkdir(exist_ok=True)
    logs = Path(tempfile.mkdtemp(prefix="bench-day-logs-"))
    env = portal_env(db_url, redis_url, static_root, EMAIL_FILE_PATH=str(logs / "mail"))
    # Before preparing, not after: a first run's demo queues its PDFs' jobs
    # through this Redis, and flushing them away left them to beat's
    # dispatcher a minute later (the smoke test waited a whole minute).
    subprocess.run(["redis-cli", "-u", redis_url, "FLUSHDB"], check=True,  # nosec B603 B607
                   capture_output=True)
    prepare(env, db_url, args.scale)
    portal_port, base_port = free_port(), free_port()
    procs: list[subprocess.Popen] = []
    try:
        procs = start_servers(env, logs, portal_port, base_port, beat=True)
        print("Process groups started: " + " ".join(str(p.pid) for p in procs), flush=True)
        plan = make_plan(db_url, portal_port, base_port, args.clients, args.seed,
                         args.rate)
        stored_before = sql(db_url, "SELECT count(*) FROM feedback_feedback")[0][0]
        print(f"Mixed load: {args.clients} people, {args.warmup:g} s of warm-up, then "
              f"{args.minutes:g} min measured…", flush=True)
        load_before = os.getloadavg()[0]
        warm_until = time.monotonic() + args.warmup
        deadline = warm_until + args.minutes * 60
        context = multiprocessing.get_context("fork")
        with context.Pool(args.clients) as pool:
            results = pool.map(_person, [(i, plan, warm_until, deadline)
                                         for i in range(args.clients)])
        seconds = time.monotonic() - warm_until
        load_after = os.getloadavg()[0]
        pending = wait_for_jobs(db_url, 60)
        stored = sql(db_url, "SELECT count(*) FROM feedback_feedback "
                             "WHERE even_better_if LIKE %s", ["%" + plan["mark"]])[0][0]
        since = [seconds + 60]
        failed_jobs, jobs = sql(db_url, (
            "SELECT count(*) FILTER (WHERE state = 'failed'), count(*) FROM core_job "
            "WHERE created_at >= now() - make_interval(secs => %s)"), since)[0]
        stored_after = sql(db_url, "SELECT count(*) FROM feedback_feedback")[0][0]
        memory = []
        for label, proc in (("web (gunicorn, 3 workers)", procs[0]),
                            ("worker (Celery)", procs[2]), ("beat (Celery)", procs[3])):
            kids = children(proc.pid)
            pids = [proc.pid, *kids, *(g for k in kids for g in children(k))]
            memory.append((label, max(peak_rss_mib(p) for p in pids)))
        alive = {"worker": procs[2].poll() is None, "beat": procs[3].poll() is None}
    finally:
        stop_processes(procs)

    samples = [s for r in results for s in r["samples"]]
    problems = [p for r in results for p in r["problems"]]
    submitted = sum(r["submitted"] for r in results)
    answered = sum(r["answered"] for r in results)
    rows = summarise(samples, seconds)
    facts = {"seconds": seconds, "load": (load_before, load_after), "clients": args.clients, "rate": args.rate,
             "visits": sum(r["visits"] for r in results), "submitted": submitted,
             "answered": answered, "stored": stored, "new_rows": stored_after - stored_before,
             "pending_jobs": pending, "failed_jobs": failed_jobs, "jobs": jobs,
             "problems": problems, "warm_errors": sum(r["warm_errors"] for r in results),
             "warm_problems": [p for r in results for p in r["warm_problems"]],
             "warmup": args.warmup, "memory": memory, "alive": alive, "note": args.note,
             "counts": sql(db_url, "SELECT (SELECT count(*) FROM feedback_feedback), "
                                   "(SELECT count(*) FROM actionplan_action), "
                                   "(SELECT count(*) FROM reports_report "
                                   "WHERE status = 'published')")[0]}
    text = render(rows, facts)
    print(text)
    if args.output != "-":
        out = Path(args.output or ROOT / "docs" / "benchmarks"
                   / f"day-{datetime.now(UTC):%Y-%m-%d}.md")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        print(f"Written to {out}")
    if problems or facts["warm_problems"] or failed_jobs:
        print(f"The processes' logs are kept in {logs}")
    else:
        shutil.rmtree(logs, ignore_errors=True)
    met = all(r["errors"] == 0 and (r["group"] == BASELINE or not r["requests"]
                                    or r["p95"] < TARGET_P95_MS[r["group"]]) for r in rows)
    return 0 if met and stored == answered else 1


def _ms(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def render(rows: list[dict], facts: dict) -> str:
    base = next(r for r in rows if r["group"] == BASELINE)
    total = sum(r["requests"] for r in rows)
    errors = sum(r["errors"] for r in rows)
    lines = [
        f"# A working day, measured: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"{platform.python_implementation()} {platform.python_version()}; the load driver "
        "runs on the same machine. Load average (1 min) as the warm-up began "
        f"{facts['load'][0]:.1f}, at the end {facts['load'][1]:.1f}. " + (facts["note"] or ""),
        f"Data: {facts['counts'][0]:,} feedback, {facts['counts'][1]:,} actions, "
        f"{facts['counts'][2]:,} published reports (`seed_volume` on top of the demo).",
        "Stack: gunicorn (3 sync workers, production settings), one Celery worker and Celery "
        "beat, Postgres, Redis (cache and broker). Baseline: a bare Django view rendering a "
        "small template under the same gunicorn command, drawn into the same mix.",
        f"Load: {facts['clients']} simulated people at once drawing visits from the mix, "
        + (f"{facts['rate']:g} visit{'s' if facts['rate'] != 1 else ''} a second asked for "
           "in all, arriving at random, "
           if facts["rate"] else "each going on at once (no pause), ")
        + f"for {facts['seconds']:.0f} s: {facts['visits']:,} visits "
        f"({facts['visits'] / facts['seconds']:.2f} a second reached), {total:,} requests "
        f"({total / facts['seconds']:.1f} a second).",
        "",
        "Mix (shares of visits, `MIX` and `READING` in bench/day.py): "
        + ", ".join(f"{k} {v}" for k, v in MIX.items())
        + "; a public reader's page: " + ", ".join(f"{k} {v}" for k, v in READING.items())
        + ".",
        "",
        "| page class | address | requests | req/s | p50 ms | p95 ms | p99 ms | errors "
        "| kept | target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        if r["group"] == BASELINE:
            target = "(the baseline)"
        else:
            want = TARGET_P95_MS[r["group"]]
            met = r["requests"] and r["p95"] < want and r["errors"] == 0
            target = ("met" if met else "**missed**") + f" ({r['group']}: p95 < {want}, 0 errors)"
        ratio = f" ({r['p50'] / base['p50']:.1f}× baseline p50)" if base["p50"] and r[
            "group"] != BASELINE and r["requests"] else ""
        lines.append(f"| {r['name']} | `{r['shown']}` | {r['requests']:,} | {r['rps']:.1f} | "
                     f"{_ms(r['p50'])}{ratio} | {_ms(r['p95'])} | {_ms(r['p99'])} | "
                     f"{r['errors']} | {r['kept']:.0%} | {target} |")
    stored_ok = facts["stored"] == facts["answered"]
    lines += [
        "",
        f"Errors in all: {errors}." + (" First ones: " + "; ".join(facts["problems"][:5])
                                       if facts["problems"] else "")
        + f" During the {facts['warmup']:g} s of warm-up (not in the table): "
        f"{facts['warm_errors']} errors" + (" (" + "; ".join(facts["warm_problems"][:5]) + ")"
                                            if facts["warm_problems"] else "") + ".",
        f"Submissions (warm-up included): {facts['submitted']} sent, "
        f"{facts['answered']} answered, "
        f"{facts['stored']} stored with this run's mark "
        + ("(every one stored)." if stored_ok else "**(SUBMISSIONS LOST)**.")
        + f" Feedback rows added during the run: {facts['new_rows']}.",
        f"Background work: {facts['jobs']} job rows written during the run, "
        f"{facts['failed_jobs']} failed, {facts['pending_jobs']} still due at the end; "
        f"worker {'running' if facts['alive']['worker'] else '**stopped**'} and beat "
        f"{'running' if facts['alive']['beat'] else '**stopped**'} to the end.",
        "",
        "kept: the share of responses served from a kept page (`X-Page-Cache: hit`). "
        "Latency is measured by the driver from connect to the last byte.",
        "",
        "Peak memory (VmHWM): " + ", ".join(f"{label} {mib:.0f} MiB"
                                            for label, mib in facts["memory"]) + ".",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
