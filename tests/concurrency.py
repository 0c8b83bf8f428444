"""Running the same work in several threads at once, as concurrent requests or sweeps do."""

import threading
from collections.abc import Callable

from django.db import connection


def at_once(work: Callable[[], object], times: int = 2) -> list:
    """Run ``work`` in ``times`` threads released together, each on its own database
    connection; return what each returned, in the order they finished."""
    barrier = threading.Barrier(times)
    results: list = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(work())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
