"""A report PDF whose worker is killed mid-render (SIGKILL, as an OOM kill
would) is made within two minutes: beat's dispatcher (core.jobs) takes up a
job whose lease ran out (RESUME_STALE_AFTER_SECONDS: 90 s in production, 10 s
here) and whose advisory lock its dead worker released,
long before the broker's hour-long visibility timeout would hand the message
back. Exactly one file results."""

import time

from tests.conftest import wait_for


def _state(stack, report_id):
    return stack.sql("SELECT pdf_state, pdf_attempts, pdf_file FROM reports_report "
                     "WHERE id = %s", (report_id,))[0]


def test_a_pdf_whose_worker_was_killed_is_made_within_two_minutes(stack, worker_up):
    from celery import Celery

    [(report_id, filename_slug, version)] = stack.sql(
        "SELECT id, slug, version FROM reports_report WHERE status = 'published' "
        "ORDER BY id LIMIT 1")
    wait_for(lambda: _state(stack, report_id)[0] == "ready", timeout=120)  # the demo's own render
    # A long report, so that rendering takes long enough to be killed during it.
    stack.sql("UPDATE reports_report SET summary = repeat('Families told us the pages were "
              "hard to follow, so we rewrote them with parents. ', 1500), "
              "pdf_state = 'pending', pdf_attempts = 0, updated_at = now() WHERE id = %s "
              "RETURNING id", (report_id,))
    # Its job, as report_publish writes it, handed to the broker.
    [(job_id,)] = stack.sql(
        "INSERT INTO core_job (kind, subject_id, state, attempts, last_error, run_after, "
        "leased_until, created_at, updated_at) VALUES ('report_pdf', %s, 'pending', 0, '', "
        "now(), now() + interval '10 seconds', now(), now()) RETURNING id", (report_id,))
    broker = Celery(broker=stack.env["CELERY_BROKER_URL"])
    broker.send_task("jobs.report_pdf", args=[job_id])

    wait_for(lambda: _state(stack, report_id)[1] >= 1, timeout=60, interval=0.05)
    stack.worker.kill()
    killed_at = time.monotonic()
    assert _state(stack, report_id)[:2] == ("pending", 1), "the render finished before the kill"
    stack.start_worker()

    wait_for(lambda: _state(stack, report_id)[0] == "ready", timeout=120, interval=1)
    recovered_in = time.monotonic() - killed_at
    assert recovered_in < 120
    state, attempts, pdf_file = _state(stack, report_id)
    assert attempts == 2  # the killed one and the resumed one
    assert stack.sql("SELECT state, attempts FROM core_job WHERE id = %s", (job_id,)) == [
        ("done", 2)]
    files = list((stack.dir / "media" / "reports").glob(f"*{filename_slug}*v{version}*"))
    assert [f.name for f in files] == [pdf_file.rsplit("/", 1)[1]]
    assert files[0].read_bytes().startswith(b"%PDF")
    print(f"PDF recovered {recovered_in:.0f} s after its worker was killed")
