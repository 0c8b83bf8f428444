"""What the deadline clock announces; the domains (alerts, accountability) subscribe.

Sent inside the transaction that marked the breach, so that what a receiver writes commits or
rolls back with it; receivers leave any outside I/O to ``transaction.on_commit``.
"""

from django.dispatch import Signal

# deadline (its record is deadline.record); sent once, when the deadline is first breached
deadline_breached = Signal()
# deadlines: the batch of breaches just marked (one send per batch, before the per-deadline
# signal), for the domains that write them on their records' timelines
deadlines_breached = Signal()
# deadlines, year, actor: pending deadlines that got their due time once ``year``'s working
# days were entered
due_times_set = Signal()
