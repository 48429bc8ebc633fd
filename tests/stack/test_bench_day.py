"""`make bench-day` works: a few seconds of the working day at a tiny volume.

Runs `python -m bench.day` as `make bench-day` does — gunicorn, a Celery
worker and beat, the bare baseline and the load driver — on a database of
its own (this suite's DATABASE_URL name + `_bench_day_smoke`, kept between
runs like the benchmark's, so only the first run migrates and loads the demo)
and a Redis database of its own (the bench flushes it). Checks the table has
a measured row for every page class with no errors, that every submission
the portal answered is stored, and that every process the bench started is
gone when it returns. It does not judge p95: a few seconds on a shared
machine says nothing about it (the committed table does).
"""

import os
import re
import subprocess
import sys
import urllib.parse

from bench.day import CLASSES
from tests.conftest import ROOT


def _smoke_urls() -> tuple[str, str]:
    db = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    name = db.path.lstrip("/") + "_bench_day_smoke"
    redis = urllib.parse.urlsplit(os.environ["REDIS_URL"])
    # The suite uses the databases given in REDIS_URL and TEST_WORKER_BROKER_URL
    # (14 and 15 by default); 11 is the bench's own.
    return (urllib.parse.urlunsplit(db._replace(path=f"/{name}")),
            urllib.parse.urlunsplit(redis._replace(path="/11")))


def test_bench_day_runs_the_stack_and_measures_every_class(tmp_path):
    database_url, redis_url = _smoke_urls()
    table = tmp_path / "day.md"
    env = dict(os.environ, BENCH_DAY_DATABASE_URL=database_url, BENCH_DAY_REDIS_URL=redis_url)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the bench sets its own for each process
    done = subprocess.run(
        [sys.executable, "-m", "bench.day", "--scale", "0.01", "--clients", "3", "--rate", "0",
         "--warmup", "0", "--minutes", "0.05", "--output", str(table)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]  # 1: a p95 missed
    text = table.read_text()

    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 10 and cells[2].replace(",", "").isdigit():
            rows[cells[0]] = {"requests": int(cells[2].replace(",", "")),
                              "errors": int(cells[7])}
    assert set(rows) == {name for name, _, _ in CLASSES}
    for name, row in rows.items():
        assert row["requests"] > 0, name
        assert row["errors"] == 0, (name, text)
    assert "Errors in all: 0." in text

    submissions = re.search(r"(\d+) sent, (\d+) answered, (\d+) stored with this run's mark",
                            text)
    sent, answered, stored = map(int, submissions.groups())
    assert sent == answered == stored > 0, text
    assert "worker running and beat running to the end" in text
    # Private links never reach the table.
    assert not re.search(r"/feedback/track/(?!<token>)", text)

    groups = re.search(r"Process groups started: ([\d ]+)", done.stdout).group(1).split()
    assert len(groups) == 4  # portal, baseline, worker, beat
    for pgid in map(int, groups):
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"process group {pgid} is still running")
