"""Violations the platform finds itself, from the facts incidents and complaints announce
(inside their transactions): breached deadlines, escalation channels, wrong dispatches."""

from django.dispatch import receiver

from complaints.signals import complaint_transitioned
from deadlines.signals import deadline_breached

from . import services
from .models import Violation
from .selectors import deadline_penalty_rules, penalty_rules_by_trigger, rules_triggered_by


@receiver(deadline_breached, dispatch_uid="accountability.on_breach")
def on_breach(sender, deadline, **kwargs):
    if deadline.kind == services.REPORT_KIND and deadline.content_type.model_class() is Violation:
        services.violation_confirm_late_report(violation_id=deadline.object_id)
        return
    record = deadline.record
    # the same rules the pages say a breach of this kind is assessed by
    for rule in deadline_penalty_rules(deadline, penalty_rules_by_trigger()):
        services.violation_propose(
            rule=rule,
            evidence=record,
            evidence_key=f"deadline:{deadline.pk}",
            deadline=deadline,
            department=deadline.responsible_department,
            person=deadline.responsible_person,
            occurred_at=deadline.due_at,
            description=f"{deadline.name}: {getattr(record, 'number', '')}",
        )


@receiver(complaint_transitioned, dispatch_uid="accountability.on_complaint")
def on_complaint(sender, complaint, action, from_state, to_state, actor, **kwargs):
    if action == "dispatch" and complaint.round == 0:
        # where the customer took the complaint, and key customers (seed 003 第九条)
        triggers = [f"escalation:{complaint.escalation}"] if complaint.is_escalated else []
        if complaint.is_vip:
            triggers.append("complaint:vip")
        for trigger in triggers:
            for rule in rules_triggered_by(trigger):
                services.violation_propose(
                    rule=rule,
                    evidence=complaint,
                    evidence_key=f"complaint:{complaint.pk}:{trigger}",
                    department=complaint.department,
                    occurred_at=complaint.created_at,
                    description=f"{complaint.number} {complaint.summary}",
                )
    elif action == "return_to_cs":
        # a wrong dispatch, sent back: the dispatcher answers for it (seed 003 第八条10)
        dispatch = complaint.timeline.filter(action="dispatch").order_by("-at").first()
        dispatcher = dispatch.actor if dispatch else complaint.first_ask_owner
        department = getattr(getattr(dispatcher, "profile", None), "department", None)
        if department is None:
            return
        for rule in rules_triggered_by("complaint:returned"):
            services.violation_propose(
                rule=rule,
                evidence=complaint,
                evidence_key=f"complaint:{complaint.pk}:returned:{complaint.round}",
                department=department,
                person=dispatcher,
                description=f"{complaint.number} {complaint.summary}",
            )
