"""What alerts do when incidents announce facts (inside the incident's transaction)."""

from django.dispatch import receiver

from deadlines.signals import deadlines_breached
from incidents.choices import State
from incidents.classification import level_rank
from incidents.signals import incident_level_changed, incident_transitioned

from . import services
from .models import AlertRecipient


@receiver(incident_transitioned, dispatch_uid="alerts.on_transition")
def on_transition(sender, incident, action, from_state, to_state, actor, **kwargs):
    if action == "publish":
        services.alert_publish(incident=incident, actor=actor)
    elif action == "acknowledge" and actor is not None:
        services.acknowledge_for_incident(incident=incident, actor=actor)
    if to_state == State.CANCELLED:
        services.alerts_withdraw(incident=incident)
    elif to_state == State.CLOSED:
        services.stop_escalations(incident=incident)


@receiver(incident_level_changed, dispatch_uid="alerts.on_level")
def on_level(sender, incident, from_level, to_level, automatic, actor, **kwargs):
    """A published incident whose level rises publishes an upgraded alert at once."""
    if level_rank(to_level) > level_rank(from_level) and incident.alerts.exists():
        services.alert_publish(incident=incident, actor=actor)


@receiver(deadlines_breached, dispatch_uid="alerts.on_breaches")
def on_breaches(sender, deadlines, **kwargs):
    """Escalate the silence of the recipients whose acknowledgment limits were breached."""
    services.silences_escalate(
        deadlines=[
            deadline
            for deadline in deadlines
            if deadline.kind in (services.ACK_KIND, services.ESCALATED_KIND)
            and deadline.content_type.model_class() is AlertRecipient
        ]
    )
