"""Where one page's time goes, in-process (no gunicorn, no network).

    python -m bench.profile_page /staff/feedback/ --as officer [--repeat 30] [--profile]
    python -m bench.profile_page /feedback/give/ --post [--repeat 30] [--profile]

Runs the portal's production settings (as bench/http.py does) against
DATABASE_URL and REDIS_URL, signs in the demo person named by --as (officer,
approver, board, admin; none for a visitor), warms the page up, then asks for it
--repeat times with Django's test client and prints the median and best
milliseconds per request, the queries per request and their time. --profile
adds a cProfile of the repeated requests (top functions by cumulative time).
On a machine shared with other work, the best time is the steadiest figure.
Pages kept whole (public pages, the busiest staff pages) are measured as
served from the cache once warm; PUBLIC_PAGE_CACHE_SECONDS=0 or
STAFF_PAGE_CACHE_SECONDS=0 measures making them. PROFILE_SORT=tottime sorts
the profile by each function's own time; PROFILE_DUMP=<file> also writes
the raw profile there (pstats), to group by package or compare runs.

--post measures the public feedback form's POST as bench/http.py sends it: a
visitor (no one signed in) gets the form for its CSRF cookie and token, then
posts the same valid answers --repeat times, CSRF checked as in production.
Each POST stores a feedback (it is a real submission in DATABASE_URL), and the
script checks that every one of them was stored.
"""

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PEOPLE = {"officer": "officer@demo.example", "approver": "approver@demo.example",
          "board": "board@demo.example", "admin": "admin@demo.example"}


def setup() -> None:
    static_root = Path(tempfile.gettempdir()) / "bench-profile-static"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.portal_settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    os.environ.setdefault("EMAIL_FILE_PATH", str(Path(tempfile.gettempdir()) / "bench-mail"))
    os.environ.setdefault("BENCH_STATIC_ROOT", str(static_root))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("FEEDBACK_RATE_LIMIT_PER_HOUR", "1000000")
    sys.path.insert(0, str(ROOT))
    import django
    django.setup()
    if not (static_root / "staticfiles.json").exists():
        from django.core.management import call_command
        call_command("collectstatic", "--noinput", verbosity=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--as", dest="person", default="", choices=["", *PEOPLE])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--queries", action="store_true", help="print each query once")
    parser.add_argument("--wsgi", action="store_true",
                        help="call Django's WSGI handler itself rather than the test client, "
                             "so what runs at each request's start and end (closing or "
                             "health-checking the database connection) is counted too; "
                             "prints this process's CPU time a request as well")
    parser.add_argument("--gzip", action="store_true",
                        help="with --wsgi: accept gzip, as a browser does")
    parser.add_argument("--post", action="store_true",
                        help="POST the feedback form's valid answers to the path (a visitor)")
    args = parser.parse_args()
    setup()

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.models import User

    client = Client(HTTP_X_FORWARDED_PROTO="https", enforce_csrf_checks=args.post)
    if args.person:
        client.force_login(User.objects.get(email=PEOPLE[args.person]))

    def get():
        response = client.get(args.path, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"{args.path}: {response.status_code}")
        return response

    if args.wsgi:
        get = wsgi_get(args, client)

    if args.post:
        get, stored = post_form(args, client, get().content.decode())

    for _ in range(3):
        get()
    # Django keeps each query's time in whole milliseconds: timed here instead.
    timings = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - started) * 1000)

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timed):
        get()
    captured = list(queries.captured_queries)
    sql_ms = sum(timings)
    if args.queries:
        for q, ms in zip(captured, timings, strict=False):
            print(f"{ms:7.2f} ms  {q['sql'][:300]}")

    times = []
    profiler = cProfile.Profile() if args.profile else None
    cpu_started = time.process_time()
    for _ in range(args.repeat):
        reset_queries()
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        get()
        if profiler:
            profiler.disable()
        times.append((time.perf_counter() - started) * 1000)
    print(f"{args.path} as {args.person or 'visitor'}: median {statistics.median(times):.1f} ms, "
          f"best {min(times):.1f} ms over {args.repeat}; {len(captured)} queries "
          f"({sql_ms:.1f} ms of SQL); this process's CPU "
          f"{(time.process_time() - cpu_started) * 1000 / args.repeat:.2f} ms a request"
          + (f"; {wsgi_get.sizes[-1]:,} bytes" if args.wsgi else ""))
    if args.post:
        missing = args.repeat + 4 - stored()
        print(f"stored every submission: {'yes' if not missing else f'NO, {missing} missing'}")
    if profiler:
        if os.environ.get("PROFILE_DUMP"):
            profiler.dump_stats(os.environ["PROFILE_DUMP"])
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(args.top)
    return 0


def wsgi_get(args, client):
    """A function that asks for the page through django.core.handlers.wsgi
    (as gunicorn does), with the client's cookies (its signed-in session)."""
    import io
    import sys as _sys

    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    sizes = wsgi_get.sizes = []
    cookie = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    path, _, query = args.path.partition("?")

    def get():
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
            "SERVER_NAME": "testserver", "SERVER_PORT": "443", "HTTP_HOST": "testserver",
            "HTTP_X_FORWARDED_PROTO": "https", "HTTP_COOKIE": cookie, "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "https", "wsgi.input": io.BytesIO(b""), "wsgi.errors": _sys.stderr,
            "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": True,
            "wsgi.run_once": False, "SERVER_PROTOCOL": "HTTP/1.1",
            **({"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"} if args.gzip else {}),
        }
        status = []
        body = b"".join(handler(environ, lambda s, h, *a: status.append(s)))
        sizes.append(len(body))
        if not status or not status[0].startswith("200"):
            raise SystemExit(f"{args.path}: {status}")
        return body

    return get


def post_form(args, client, form_html: str):
    """A function that posts the feedback form once (checking it was
    accepted), and one that counts the feedback stored since this call."""
    import re

    from core.models import ServiceArea
    from feedback.models import Feedback

    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_html)
    if not match:
        raise SystemExit(f"{args.path}: no CSRF token in the form")
    area = ServiceArea.objects.filter(is_active=True).order_by("id").values_list("id", flat=True)[0]
    data = {
        "csrfmiddlewaretoken": match.group(1), "service_areas": area,
        "what_went_well": "The new transport escort knew my son's needs.",
        "even_better_if": "Tell us sooner when the route changes.", "rating": "4",
        "respondent": "parent_carer", "consent_to_quote": "no", "wants_contact": "no",
    }
    origin = "https://testserver"
    first_id = Feedback.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def post():
        response = client.post(args.path, data, secure=True, HTTP_ORIGIN=origin,
                               HTTP_REFERER=origin + args.path)
        if response.status_code != 302:
            raise SystemExit(f"POST {args.path}: {response.status_code}")
        return response

    def stored() -> int:
        return Feedback.objects.filter(id__gt=first_id).count()

    return post, stored


if __name__ == "__main__":
    raise SystemExit(main())
