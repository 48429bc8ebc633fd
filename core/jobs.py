"""One way to do background work.

A change that needs work done in the background (an e-mail, a PDF, a survey
import) writes a `Job` row in its own transaction with `enqueue(kind,
subject_id)`. Only once that transaction commits is a Celery message sent,
and it carries nothing but the job's id. So:

- if the broker is down at that moment, nothing is lost: the row is pending
  and beat's `dispatch` (every half minute) sends it when the broker is back;
- a failure is retried by Celery's own `autoretry_for` / `retry_backoff`
  (capped), and recorded on the row (attempts, last error, run after); after
  the kind's last try the job is failed, shown to administrators on the
  "Background work" page and counted in /healthz, with "try again";
- a worker killed mid-job releases the job's advisory lock (core.locks) with
  its database connection; the dispatcher sends again a pending job whose
  lease ran out and whose lock is free, long before the broker's visibility
  timeout would;
- a job is worked on by one worker at a time (the advisory lock is per kind
  and subject), and a delivery that finds it done, failed, locked or not yet
  due does nothing: duplicate deliveries are harmless.

Each kind registers its handler with `@jobs.register(kind, ...)` in its
app's tasks.py. A handler takes the subject's id, must be safe to run twice,
and does no network I/O inside a database transaction.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .audit import Verb
from .locks import job_is_running, job_lock
from .models import Job

logger = logging.getLogger(__name__)


class GiveUp(Exception):
    """Raised (as a subclass) by work that no retry can fix, whatever the
    kind that meets it: the job fails at once instead of trying again, as
    for a kind's own `give_up_on` (a transport that refused the request
    itself, core.notify)."""


# A delivery this early for a job not yet due (Celery's ETA and our clock
# differ a little) still runs it.
EARLY_SLACK = timedelta(seconds=2)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    handler: Callable[[int], object]
    max_attempts: int
    backoff: int
    backoff_max: int
    give_up_on: tuple
    on_failed: Callable[[int, str], None] | None
    on_retry: Callable[[int], None] | None
    coalesce: bool
    error_detail: bool
    staff_url: Callable[[int], str] | None
    task: object

    def delay_after(self, attempts: int) -> int:
        """Seconds to wait after `attempts` failed tries: Celery's own
        exponential back-off (what `retry_backoff` counts down), capped."""
        return get_exponential_backoff_interval(factor=self.backoff, retries=attempts - 1,
                                                maximum=self.backoff_max, full_jitter=False)


_kinds: dict[str, Kind] = {}


def register(name: str, *, label: str, max_attempts: int = 5, backoff: int = 60,
             backoff_max: int = 3600, give_up_on: tuple = (),
             on_failed: Callable[[int, str], None] | None = None,
             on_retry: Callable[[int], None] | None = None, idempotent: bool = True,
             coalesce: bool = False, error_detail: bool = False,
             staff_url: Callable[[int], str] | None = None,
             soft_time_limit: int | None = None, time_limit: int | None = None):
    """Make `handler(subject_id)` the work done for jobs of kind `name`.

    `give_up_on`: errors that no retry can fix (a file that is not CSV): the
    job fails at once. `on_failed(subject_id, error)` marks the subject's own
    state failed (where its pages show it); `on_retry(subject_id)` sets it
    back to pending when someone presses "try again". `idempotent` work is
    acknowledged late and redelivered if its worker is lost. `coalesce`:
    asking again while a job for the subject is pending reuses it (a PDF is
    made once however often it is asked for), where each request of other
    kinds is its own job (two reset requests, two e-mails). `error_detail`:
    the error's message is kept with its class name (for work whose errors
    never carry people's details; an SMTP error can name an address).
    `staff_url(subject_id)`: the staff page of the subject, linked from the
    "Background work" page."""

    give_up_on = (*give_up_on, GiveUp)

    def decorate(handler):
        options = {"name": f"jobs.{name}", "bind": True, "ignore_result": True,
                   "autoretry_for": (Exception,), "dont_autoretry_for": give_up_on,
                   "retry_backoff": backoff, "retry_backoff_max": backoff_max,
                   "retry_jitter": False, "max_retries": max_attempts,
                   "acks_late": idempotent, "reject_on_worker_lost": idempotent}
        if soft_time_limit:
            options["soft_time_limit"] = soft_time_limit
        if time_limit:
            options["time_limit"] = time_limit

        def run(task, job_id: int) -> None:
            execute(job_id, retry=not task.request.is_eager)

        run.__name__ = run.__qualname__ = f"run_{name}"
        run.__doc__ = handler.__doc__
        task = shared_task(**options)(run)
        _kinds[name] = Kind(name=name, label=label, handler=handler, max_attempts=max_attempts,
                            backoff=backoff, backoff_max=backoff_max, give_up_on=give_up_on,
                            on_failed=on_failed, on_retry=on_retry, coalesce=coalesce,
                            error_detail=error_detail, staff_url=staff_url, task=task)
        return handler

    return decorate


def kind(name: str) -> Kind:
    if name not in _kinds:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")  # every app registers its kinds in tasks.py
    return _kinds[name]


def kinds() -> dict[str, Kind]:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")
    return dict(_kinds)


def _lease() -> timedelta:
    return timedelta(seconds=settings.RESUME_STALE_AFTER_SECONDS)


def _lock_name(kind_name: str) -> str:
    return f"core.jobs.{kind_name}"


# --- Writing ---------------------------------------------------------------------------


def enqueue(kind_name: str, subject_id: int, *, organisation_id: int | None = None,
            run_after=None) -> Job:
    """Record that `kind_name` work is owed for `subject_id`, in the caller's
    transaction, and send it to a worker once that commits (or, with a later
    `run_after`, let beat's dispatcher send it once it is due). For a kind that
    coalesces, asking again while a job for the same subject is pending
    brings that one forward (it runs now), and asking again after it failed
    starts it afresh (so the failed one leaves the staff page), rather than
    adding another."""
    spec = kind(kind_name)
    now = timezone.now()
    if run_after is not None and run_after > now:
        job = Job.objects.create(kind=kind_name, subject_id=subject_id,
                                 organisation_id=organisation_id, run_after=run_after,
                                 leased_until=None)
        return job
    with transaction.atomic():
        job = (Job.objects.select_for_update()
               .filter(kind=kind_name, subject_id=subject_id)
               .exclude(state=Job.State.DONE)
               .order_by("pk").first()) if spec.coalesce else None
        if job is None:
            job = Job.objects.create(kind=kind_name, subject_id=subject_id,
                                     organisation_id=organisation_id, run_after=now,
                                     leased_until=now + _lease())
        else:
            if job.state == Job.State.FAILED:  # asked for again on its own page
                job.state, job.attempts, job.finished_at = Job.State.PENDING, 0, None
            job.run_after, job.leased_until = now, now + _lease()
            job.save(update_fields=["state", "attempts", "finished_at", "run_after",
                                    "leased_until", "updated_at"])
    transaction.on_commit(lambda: send(spec, job.pk))
    return job


def send(spec: Kind, job_id: int) -> bool:
    """Hand job `job_id` to the broker. If the broker cannot be reached the
    work is not lost (the row is pending): it is logged, ids only, and the
    lease dropped so that the dispatcher sends it as soon as it can."""
    from kombu.exceptions import KombuError

    try:
        spec.task.apply_async(args=[job_id])
    except (KombuError, OSError) as exc:
        logger.warning("could not enqueue job %s (%s) now (%s); it stays pending", job_id,
                       spec.name, exc.__class__.__name__)
        Job.objects.filter(pk=job_id, state=Job.State.PENDING).update(leased_until=None)
        return False
    return True


# --- Running ---------------------------------------------------------------------------


def execute(job_id: int, *, retry: bool = True) -> str | None:
    """Do job `job_id` once, if it is pending and due and no one else is on
    it; return its state afterwards (None when nothing was done).

    A failure before the kind's last try is recorded and, with `retry`,
    raised again so that Celery's autoretry schedules the next delivery;
    without it (eager runs, tests) the dispatcher will."""
    job = Job.objects.filter(pk=job_id).only("kind", "subject_id", "state").first()
    if job is None or job.state != Job.State.PENDING:
        return None
    spec = kind(job.kind)
    with job_lock(_lock_name(job.kind), job.subject_id) as taken:
        if not taken:
            return None  # another delivery is working on this subject now
        now = timezone.now()
        with transaction.atomic():
            job = Job.objects.select_for_update().get(pk=job_id)
            if job.state != Job.State.PENDING or job.run_after > now + EARLY_SLACK:
                return None
            job.attempts += 1
            job.leased_until = now + _lease()
            job.save(update_fields=["attempts", "leased_until", "updated_at"])
        try:
            spec.handler(job.subject_id)
        except Exception as exc:
            error = exc.__class__.__name__
            if spec.error_detail and str(exc):
                error = f"{error}: {str(exc)[:200]}"
            logger.warning("job %s (%s %s) failed, try %s of %s: %s", job.pk, job.kind,
                           job.subject_id, job.attempts, spec.max_attempts,
                           exc.__class__.__name__)
            if isinstance(exc, spec.give_up_on) or job.attempts >= spec.max_attempts:
                _fail(spec, job, error)
                return Job.State.FAILED
            Job.objects.filter(pk=job.pk).update(
                last_error=error[:300], leased_until=None, updated_at=timezone.now(),
                run_after=timezone.now() + timedelta(seconds=spec.delay_after(job.attempts)))
            if retry:
                raise
            return Job.State.PENDING
        Job.objects.filter(pk=job.pk).update(state=Job.State.DONE, leased_until=None,
                                             finished_at=timezone.now(),
                                             updated_at=timezone.now())
        return Job.State.DONE


def _fail(spec: Kind, job: Job, error: str) -> None:
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED, last_error=error[:300],
                                             leased_until=None, finished_at=timezone.now(),
                                             updated_at=timezone.now())
        if spec.on_failed:
            spec.on_failed(job.subject_id, error)


# Acknowledged on receipt: beat sends it again in half a minute anyway, and
# an acknowledgement cut off by a broker outage after the work must not
# cost the worker (kombu ends it).
@shared_task(ignore_result=True, acks_late=False)
def dispatch(limit: int = 500) -> int:
    """Beat, every half minute: send again every pending job that is due and
    not leased: the broker was down when it was enqueued, its back-off after
    a failed try has run out, or its worker died (lease run out, advisory
    lock free). Each one sent is leased, so it goes out once per lease, not
    once per beat. Returns how many were sent."""
    now = timezone.now()
    with transaction.atomic():
        due = list(Job.objects.select_for_update(skip_locked=True)
                   .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now),
                           state=Job.State.PENDING, run_after__lte=now)
                   .order_by("run_after", "pk").only("pk", "kind", "subject_id", "run_after")[:limit])
        due = [job for job in due if not job_is_running(_lock_name(job.kind), job.subject_id)]
        # Leased for as long as it has already waited (at least the lease,
        # at most an hour): a job that is merely queued behind slow or
        # absent workers is sent again ever more rarely, not every period.
        # A worker that dies mid-job is still replaced after one lease: the
        # job's lease restarts when a worker takes it up.
        for job in due:
            waited = min(max(now - job.run_after, _lease()), timedelta(hours=1))
            Job.objects.filter(pk=job.pk).update(leased_until=now + waited)
    for job in due:
        logger.info("job %s (%s %s) is due; sent again", job.pk, job.kind, job.subject_id)
        send(kind(job.kind), job.pk)
    return len(due)


# --- Staff -----------------------------------------------------------------------------


@transaction.atomic
def job_retry(*, acting_user, job: Job) -> Job:
    """"Try again" for a failed job: pending again with fresh tries, its
    subject set back to pending where it shows its own state, sent after
    commit."""
    from .services import audit_record

    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.state != Job.State.FAILED:
        return job
    spec = kind(job.kind)
    now = timezone.now()
    job.state, job.attempts, job.finished_at = Job.State.PENDING, 0, None
    job.run_after, job.leased_until = now, now + _lease()
    job.save(update_fields=["state", "attempts", "finished_at", "run_after", "leased_until",
                            "updated_at"])
    if spec.on_retry:
        spec.on_retry(job.subject_id)
    audit_record(actor=acting_user, verb=Verb.JOB_RETRIED, target=job, summary=spec.label,
                 data={"kind": job.kind, "subject": job.subject_id})
    transaction.on_commit(lambda: send(spec, job.pk))
    return job


def run_due(kind_name: str | None = None) -> int:
    """Do, here and now, every pending job that is due (of `kind_name`, if
    given), without a broker: for tests and for a shell when the broker is
    out for a long time. Failures are recorded as a worker would; returns how
    many jobs ran."""
    due = Job.objects.filter(state=Job.State.PENDING, run_after__lte=timezone.now())
    if kind_name:
        due = due.filter(kind=kind_name)
    ran = 0
    for pk in list(due.order_by("run_after", "pk").values_list("pk", flat=True)):
        ran += execute(pk, retry=False) is not None
    return ran
