"""The triage panel's suggestion pool, measured in-process against a seeded
database without writing to it (everything runs in one transaction that is
rolled back):

    DATABASE_URL=postgres://…/sendportal_bench_day_benchday python -m bench.suggest_pool

For the feedback detail page as the demo officer, and for `for_feedback`
alone, it prints the time and queries per view: with nothing changed, after
the `feedback` tables' generation moved with 0 or 20 rows changed (the new
code refreshes row by row), and the code before this change (`--before`,
the file at `git show REF:feedback/suggest.py`): its aggregate on every view,
and its whole rebuild after any change."""

import argparse
import importlib.util
import statistics
import subprocess  # nosec B404 # git show of this repository's own file
import sys
import tempfile
import time
from pathlib import Path

from bench.profile_page import PEOPLE, ROOT, setup


def old_module(ref: str):
    source = subprocess.run(["git", "show", f"{ref}:feedback/suggest.py"], cwd=ROOT,  # nosec
                            check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "suggest_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("feedback.suggest_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def measure(label, run, repeat, before_each=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, counts = [], []
    for _ in range(repeat):
        if before_each:
            before_each()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
        counts.append(len(queries.captured_queries))
    print(f"{label:58s} median {statistics.median(times):7.1f} ms, best {min(times):7.1f} ms, "
          f"{max(counts)} queries")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", default="HEAD", help="git ref of the code to compare with")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    setup()
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    import feedback.views as views
    from core import cache
    from core.models import User
    from feedback import suggest
    from feedback.models import Feedback

    before = old_module(args.before)
    officer = User.objects.get(email=PEOPLE["officer"])
    org_id = officer.memberships.values_list("organisation_id", flat=True).first()
    item = Feedback.objects.filter(organisation_id=org_id).order_by("-received_on", "-pk").first()
    url = reverse("staff:feedback:detail", args=[item.pk])
    with transaction.atomic():
        pool = suggest.pool_for(officer, org_id)
        print(f"pool: {pool.count()} items visible, suggestions from the newest "
              f"{suggest.MAX_CANDIDATES}")
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        client.force_login(officer)

        def page():
            assert client.get(url, secure=True).status_code == 200

        def panel():
            views.suggest.for_feedback(item, views.suggest.pool_for(officer, org_id))

        from django.db import connection

        from core import changes

        for name, module in (("before", before), ("after", suggest)):
            views.suggest = module
            page()
            page()
            assert module.model() is not None, f"{name}: the model did not load"
            # The warm-up stored vectors the seeded database lacked, in this
            # transaction (rolled back at the end). In production they would
            # be committed and the generation moved on once; here their pending
            # bump would send every view to the fallback aggregate, so it is
            # dropped to measure the views that follow.
            bump = changes._after_commit["feedback"]
            connection.run_on_commit = [c for c in connection.run_on_commit if c[1] is not bump]
            measure(f"{name}: page, nothing changed", page, args.repeat)
            measure(f"{name}: panel, nothing changed", panel, args.repeat)
            if module is before:
                measure("before: panel, after any change (pool rebuilt)", panel, args.repeat,
                        before_each=before._pools.clear)
                continue

            def moved(rows=0):
                def move_on():
                    for entry in suggest._pools.values():
                        for pk in list(entry.versions)[:rows]:
                            entry.versions[pk] = (-1, None)
                    cache.bump_generation("tables:feedback")
                return move_on

            measure("after: panel, generation moved, 0 rows changed", panel, args.repeat,
                    before_each=moved(0))
            measure("after: panel, generation moved, 20 rows changed", panel, args.repeat,
                    before_each=moved(20))
            measure("after: page, generation moved, 20 rows changed", page, args.repeat,
                    before_each=moved(20))
            measure("after: panel, cold (pool read whole)", panel, args.repeat,
                    before_each=suggest._pools.clear)
        views.suggest = suggest
        transaction.set_rollback(True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
