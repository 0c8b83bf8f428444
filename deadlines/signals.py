"""What the deadline clock announces; the domains (incidents, complaints, alerts,
accountability) subscribe.

Sent inside the transaction that marked the breach, so that what a receiver writes commits or
rolls back with it; receivers leave any outside I/O to ``transaction.on_commit``.
"""

from django.dispatch import Signal

# deadlines: a batch of breaches (each deadline's record is deadline.record), sent once per
# batch and each deadline in one batch only, when it is first breached; a receiver writes the
# whole batch's consequences in a few statements, not a statement per deadline
deadlines_breached = Signal()
# deadlines, year, actor: pending deadlines that got their due time once ``year``'s working
# days were entered
due_times_set = Signal()
