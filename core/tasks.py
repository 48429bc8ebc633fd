from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task(ignore_result=True)
def heartbeat(name: str = "worker") -> None:
    """Prove that beat, the broker, a worker and the database work together.
    Safe to run any number of times: it only moves a timestamp forward."""
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})
