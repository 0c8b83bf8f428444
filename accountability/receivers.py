"""Violations the platform finds itself, from the facts incidents and complaints announce
(inside their transactions): breached deadlines, escalation channels, wrong dispatches,
planned work not announced beforehand."""

from django.dispatch import receiver

from complaints.signals import complaint_transitioned
from deadlines.signals import deadlines_breached
from maintenance.signals import planned_work_announced_late

from . import services
from .models import Violation
from .selectors import deadline_penalty_rules, penalty_rules_by_trigger, rules_triggered_by


@receiver(deadlines_breached, dispatch_uid="accountability.on_breaches")
def on_breaches(sender, deadlines, **kwargs):
    """A batch of breaches: self-inspection reports not made in time are deemed confirmed;
    the other breaches propose the violations of the rules they are assessed by (the same
    rules the pages say a breach of its kind is assessed by), the whole batch at once."""
    by_trigger = penalty_rules_by_trigger()
    proposals = []
    for deadline in deadlines:
        if (
            deadline.kind == services.REPORT_KIND
            and deadline.content_type.model_class() is Violation
        ):
            services.violation_confirm_late_report(violation_id=deadline.object_id)
            continue
        proposals += [(rule, deadline) for rule in deadline_penalty_rules(deadline, by_trigger)]
    services.violations_propose_for_breaches(breaches=proposals)


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


@receiver(planned_work_announced_late, dispatch_uid="accountability.on_planned_work_late")
def on_planned_work_late(sender, work, reason, actor, **kwargs):
    """Work that affects customers, not announced in writing before it started (submitted
    after its window opened, or found behind a fault): its owning department is assessed
    (seed 003 第八条8), once per work."""
    for rule in rules_triggered_by("planned_work:late"):
        services.violation_propose(
            rule=rule,
            evidence=work,
            evidence_key=f"planned_work:{work.pk}:late",
            department=work.owning_department,
            occurred_at=work.starts_at,
            description=f"{work.number} {work.title}",
        )
