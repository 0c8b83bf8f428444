"""Running the same work in several threads at once, as concurrent requests or sweeps do."""

import threading
from collections.abc import Callable

from django.db import connection


def at_once(work: Callable[[], object], times: int = 2) -> list:
    """Run ``work`` in ``times`` threads released together, each on its own database
    connection; return what each returned, in the order they finished. An error in any
    thread is raised here, after all have finished."""
    barrier = threading.Barrier(times)
    results: list = []
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(work())
        except BaseException as error:  # raised again in the caller's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
