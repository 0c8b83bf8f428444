"""What public notices do when incidents announce facts (inside the incident's transaction)."""

from django.dispatch import receiver

from incidents.choices import State
from incidents.signals import incident_transitioned

from . import services


@receiver(incident_transitioned, dispatch_uid="notices.on_transition")
def on_transition(sender, incident, action, from_state, to_state, actor, **kwargs):
    """Resolved or closed: the public notice says the service is back."""
    if to_state in (State.RESOLVED, State.CLOSED):
        services.notices_resolve_for_incident(incident=incident)
