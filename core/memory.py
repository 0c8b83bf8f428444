"""What a process keeps for its whole life, kept out of the cyclic collector's full passes.

A web process holds some 200,000 objects once it has served its first pages (modules, URL
patterns, compiled templates, translation catalogues). Python's collector walks every one of
them on each full pass, which came every ten or so requests and held that request 100-180 ms
(the incident list's p95 in `bench/pages`). Once the process has served
``GC_FREEZE_AFTER_REQUESTS`` requests, what has survived is frozen (:func:`gc.freeze`): later
full passes walk only what came since. Frozen objects are never freed, which is what they
are for; the garbage of the moment is collected first."""

import gc
import itertools
import threading

from django.conf import settings

_served = itertools.count(1)
_lock = threading.Lock()
_frozen = False


def freeze_after_warm_up(sender=None, **kwargs) -> None:
    """On each request finished (``request_finished``): the freeze, once, when it is due."""
    global _frozen
    due = settings.GC_FREEZE_AFTER_REQUESTS
    if _frozen or not due or next(_served) < due:
        return
    with _lock:
        if _frozen:
            return
        _frozen = True
    gc.collect()
    gc.freeze()


def reset() -> None:
    """Count again from nothing and thaw what was frozen (tests)."""
    global _served, _frozen
    gc.unfreeze()
    _served, _frozen = itertools.count(1), False
