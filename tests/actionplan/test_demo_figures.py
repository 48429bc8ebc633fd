"""`make run`'s demo runs on SQLite, the suite on Postgres: the dashboard,
public plan and board pack figures must be the same on both for the same
data. The demo is loaded into Postgres here and, in a subprocess, into a
SQLite file (`DATABASE_URL=sqlite:///…`, as `make run` does with no
DATABASE_URL), and the figures read back from each are compared.

On SQLite the month-end query once cast dates to their year number, so every
month of "status over time" counted every action as not started."""

import json
import os
import subprocess  # nosec B404 # the test's own commands, no input from outside
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from .demo_figures import demo_figures

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # load_demo refuses to run on a production-like site
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture(scope="module")
def sqlite_figures(tmp_path_factory) -> dict:
    """The figures of `make run`'s demo: migrate, load_demo and read them back,
    each in a subprocess on a fresh SQLite file, with no Redis (as `make run`)."""
    folder = tmp_path_factory.mktemp("sqlite-demo")
    env = {k: v for k, v in os.environ.items()
           if k not in {"REDIS_URL", "CELERY_BROKER_URL", "TEST_WORKER_BROKER_URL"}}
    env.update(DATABASE_URL=f"sqlite:///{folder / 'demo.sqlite3'}",
               DJANGO_SETTINGS_MODULE="sendportal.settings.local", DEBUG="true",
               MEDIA_ROOT=str(folder / "media"), PYTHONPATH=str(ROOT))

    def run(*args) -> str:
        done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env,  # nosec B603
                              capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    run("manage.py", "migrate", "--noinput", "-v0")
    run("manage.py", "load_demo")
    return json.loads(run("-m", "tests.actionplan.demo_figures"))


def _as_json(figures: dict) -> dict:
    return json.loads(json.dumps(figures, default=str))


def test_sqlite_gives_the_same_figures_as_postgres(demo, sqlite_figures):
    postgres = _as_json(demo_figures())
    assert postgres["dashboard"].keys() == sqlite_figures["dashboard"].keys()
    for name, figures in postgres["dashboard"].items():
        assert sqlite_figures["dashboard"][name] == figures, name
    assert sqlite_figures["public"] == postgres["public"]
    assert sqlite_figures["board_pack"] == postgres["board_pack"]
    assert sqlite_figures["loop"] == postgres["loop"]
    assert postgres["loop"]["last 12 months"]["received"] > 0
    assert postgres["loop"]["last 12 months"]["we_did"] > 0  # a median to compare
    assert sqlite_figures == postgres


def test_status_over_time_ends_where_at_a_glance_stands(sqlite_figures):
    """Today's column of the trend is the actions' current statuses, and the
    months before it come from the progress history, on SQLite too."""
    not_started = sqlite_figures["statuses"].index("not_started")
    for name, figures in sqlite_figures["dashboard"].items():
        month_end, counts = figures["over_time"][-1]
        assert counts == figures["by_status"], name
        for month_end, counts in figures["over_time"]:
            assert counts[not_started] < figures["totals"]["total"], (name, month_end)


def test_the_demo_board_opens_on_a_plan_whose_actions_moved(sqlite_figures):
    """Red, amber, green and complete today, and different from month to month:
    not a plan of three actions none of which has started."""
    statuses = sqlite_figures["statuses"]
    figures = sqlite_figures["dashboard"][sqlite_figures["opening_plan"]]
    now = dict(zip(statuses, figures["by_status"], strict=True))
    assert all(now[s] > 0 for s in ("off_track", "at_risk", "on_track", "complete")), now
    columns = [tuple(counts) for _, counts in figures["over_time"]]
    assert len(set(columns)) >= 6  # it changed in at least six of the twelve months
    for status in ("off_track", "at_risk", "on_track", "complete"):
        assert len({c[statuses.index(status)] for c in columns}) > 1, status
    assert figures["overdue"] and figures["stale"]  # things for the board to challenge
