"""Facts complaints announce; downstream apps (accountability) subscribe.

Sent inside the transaction that made the change, so that what a receiver writes (a
violation) commits or rolls back with it.
"""

from django.dispatch import Signal

# complaint, action, from_state, to_state, actor
complaint_transitioned = Signal()
