""""Someone is working on this right now", as Postgres knows it.

A background job (a report PDF, a board pack) holds a session-level advisory
lock while it works. If its worker is killed, the database connection closes
and Postgres releases the lock at once, so the resume job can tell a job that
is still being worked on (lock held: leave it) from one whose worker died
(lock free: enqueue it again), however long the work takes. A duplicate
delivery that finds the lock held stops at once instead of rendering twice.

On SQLite (a local run with no services) there is one process: the lock is
always granted.
"""

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def _key(namespace: str) -> int:
    return zlib.crc32(namespace.encode()) & 0x7FFFFFFF


@contextmanager
def job_lock(namespace: str, pk: int) -> Iterator[bool]:
    """Try to take the lock for (namespace, pk); yield whether it was taken,
    and release it on the way out."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_key(namespace), pk])
        taken = cursor.fetchone()[0]
    try:
        yield taken
    finally:
        if taken:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_key(namespace), pk])


def job_is_running(namespace: str, pk: int) -> bool:
    """Whether some session holds the lock for (namespace, pk) now."""
    with job_lock(namespace, pk) as taken:
        return not taken if connection.vendor == "postgresql" else False
