"""The approval of planned work (seed 003 第八条8: 要点、审批、提前书面申告), with django-fsm-2:

draft ─ submit → submitted ─ approve → approved (announced in writing) ─ complete → completed
                     └──── reject → rejected ─ revise → draft
draft ─ record as unannounced (a fault was caused by work nobody announced) → unannounced

Who approves: the customer-service department 客户服务部, which runs the working group's
announcements (seed 000 第八条), or the working group itself. Transitions only change
fields; ``services.py`` locks, records and announces.
"""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_fsm import transition

from organisation.models import DepartmentKind, Role
from organisation.selectors import user_department, user_has_role


def is_approver(work, user) -> bool:
    """The customer-service department's interface person or leader, the working group."""
    if user_has_role(user, Role.WORKING_GROUP, Role.ADMIN):
        return True
    department = user_department(user)
    return (
        department is not None
        and department.kind == DepartmentKind.CUSTOMER_SERVICE
        and user_has_role(user, Role.INTERFACE_PERSON, Role.DEPARTMENT_LEADER)
    )


def is_owner(work, user) -> bool:
    """Its author, or the owning department's interface person or leader."""
    if work is not None and work.author_id == user.pk:
        return True
    return (
        work is not None
        and user_department(user) == work.owning_department
        and user_has_role(user, Role.INTERFACE_PERSON, Role.DEPARTMENT_LEADER)
    )


def may_record_unannounced(work, user) -> bool:
    """The owning department of the fault it caused (its interface person or leader), or
    the working group."""
    if user_has_role(user, Role.WORKING_GROUP, Role.ADMIN):
        return True
    incident = getattr(work, "incident", None)
    return (
        incident is not None
        and user_department(user) == incident.owning_department
        and user_has_role(user, Role.INTERFACE_PERSON, Role.DEPARTMENT_LEADER)
    )


# Who may, said to whoever may not (the 403 page); ``%(department)s`` is the owning department.
FORBIDDEN = {
    "submit": gettext_lazy(
        "Only its author or the owning department's interface person or leader "
        "(%(department)s) can submit this planned work."
    ),
    "approve": gettext_lazy(
        "Only the customer-service department's interface person or leader and the working "
        "group can approve planned work."
    ),
    "reject": gettext_lazy(
        "Only the customer-service department's interface person or leader and the working "
        "group can reject planned work."
    ),
    "revise": gettext_lazy(
        "Only its author or the owning department's interface person or leader "
        "(%(department)s) can revise this planned work."
    ),
    "edit": gettext_lazy(
        "Only its author or the owning department's interface person or leader "
        "(%(department)s) can change this planned work."
    ),
    "complete": gettext_lazy(
        "Only its author or the owning department's interface person or leader "
        "(%(department)s) can report this planned work done."
    ),
    "record_unannounced": gettext_lazy(
        "Only the incident's owning department (its interface person or leader) and the "
        "working group can record a fault as caused by unannounced planned work."
    ),
}


class PlannedWorkWorkflow:
    # fields of the model this mixes into
    submitted_at: datetime | None
    decided_at: datetime | None
    completed_at: datetime | None
    late: str

    @transition(field="state", source="draft", target="draft", permission=is_owner)
    def edit(self):
        """Change what is registered (a draft only: approved work is announced as it was)."""

    @transition(field="state", source="draft", target="submitted", permission=is_owner)
    def submit(self):
        self.submitted_at = timezone.now()

    @transition(field="state", source="submitted", target="approved", permission=is_approver)
    def approve(self, actor, note: str = ""):
        self.decided_at = timezone.now()
        self.decided_by = actor
        self.decision_note = note

    @transition(field="state", source="submitted", target="rejected", permission=is_approver)
    def reject(self, actor, note: str):
        self.decided_at = timezone.now()
        self.decided_by = actor
        self.decision_note = note

    @transition(field="state", source="rejected", target="draft", permission=is_owner)
    def revise(self):
        """Back to a draft, to change and submit again."""
        self.decided_at = None
        self.decided_by = None

    @transition(field="state", source="approved", target="completed", permission=is_owner)
    def complete(self, at):
        self.completed_at = at

    @transition(
        field="state", source="draft", target="unannounced", permission=may_record_unannounced
    )
    def record_unannounced(self):
        """Work found behind a fault that nobody announced."""
        self.late = "unannounced"
