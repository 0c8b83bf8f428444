"""Facts incidents announce; downstream apps (alerts, accountability) subscribe.

Each is sent inside the transaction that made the change, so that what a receiver writes
(an alert and its outbox, a violation) commits or rolls back with it; receivers leave any
outside I/O to ``transaction.on_commit``.
"""

from django.dispatch import Signal

# incident, action, from_state, to_state, actor
incident_transitioned = Signal()
# incident, from_level, to_level, automatic, actor
incident_level_changed = Signal()
# incident, department, reason (cooperation reason), actor
incident_department_joined = Signal()
