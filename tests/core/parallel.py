"""Run callables at the same moment in threads, each with its own database
connection (Django's connections are per thread), for tests that need real
concurrency on Postgres with `transactional_db`."""

import threading

from django.db import connections


def run_together(*calls, timeout: float = 30) -> list:
    """Start every call at once (a barrier), wait for all, and return each
    one's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout)
            results[index] = call()
        except BaseException as exc:  # reported to the test, not lost in the thread
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a concurrent call did not finish"
    return results
