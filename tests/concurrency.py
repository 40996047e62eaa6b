"""Run code at the same moment on several real database connections (one thread each), for
tests of contended rows on PostgreSQL (use with django_db(transaction=True))."""

import threading

from django.db import connection


def race(*jobs):
    """Run the jobs at once, each in its own thread (own connection); what each returned or raised."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results
