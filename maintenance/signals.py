"""Facts planned work announces; higher apps subscribe (complaints: counts of linked
complaints once a work overruns; accountability: the late announcement's violation).

Sent inside the transaction that made the change, so that what a receiver writes commits or
rolls back with it.
"""

from django.dispatch import Signal

# work, reason ("submitted_after_start" | "unannounced"), actor
planned_work_announced_late = Signal()
# work: it ended after its announced window, so the complaints linked to it count after all
planned_work_overran = Signal()
