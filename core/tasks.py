from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task(ignore_result=True)
def heartbeat(name: str = "worker") -> None:
    """Prove that beat, the broker, a worker and the database work together.
    Safe to run any number of times: it only moves a timestamp forward."""
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})


def enqueue_on_commit(task, *args) -> None:
    """Send `task` to the broker once the current transaction commits.

    If the broker cannot be reached, the work is not lost: callers store what
    the task needs first (a row in a pending state), and a beat job sends
    anything still pending. So a broker failure here is logged (ids only)
    and swallowed, never shown to the person who submitted something.
    """
    import logging

    from django.db import transaction
    from kombu.exceptions import KombuError

    def send():
        try:
            task.apply_async(args=args)
        except (KombuError, OSError) as exc:  # the broker could not be reached
            logging.getLogger(__name__).warning(
                "could not enqueue %s%r now (%s); it stays pending", task.name, args,
                exc.__class__.__name__,
            )

    transaction.on_commit(send)
