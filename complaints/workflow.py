"""The complaint workflow of seed 002 (首问责任制 flow chart), with django-fsm-2.

received ─ resolved at first contact ──────────────────────────────→ archived
    └─ dispatch → dispatched ─ hand over (30 min) → assigned ─ contact (30 min) → in_progress
                     │  └─ not ours → returned ─ re-dispatch ┘            │
                     └──────────────────────────────────── reply (三清) → replied
    replied ─ callback, satisfied → archived;  unsatisfied → assigned (a repeat)

Transitions only change fields; `services.py` locks, records and notifies.
"""

from django.utils.translation import gettext_lazy
from django_fsm import transition

from organisation.models import Role
from organisation.selectors import in_customer_service, user_department, user_has_role

from .choices import ComplaintState as S


def is_customer_service(complaint, user) -> bool:
    """The hotline and the customer-service departments take, dispatch and call back."""
    return user_has_role(
        user, Role.HOTLINE_AGENT, Role.WORKING_GROUP, Role.ADMIN
    ) or in_customer_service(user)


def is_department_contact(complaint, user) -> bool:
    """The handling department's interface person or leader."""
    return user_department(user) == complaint.department and user_has_role(
        user, Role.INTERFACE_PERSON, Role.DEPARTMENT_LEADER
    )


def is_assigner(complaint, user) -> bool:
    """Who names the handler: the handling department's interface person or leader, and the
    working group."""
    return is_department_contact(complaint, user) or user_has_role(
        user, Role.WORKING_GROUP, Role.ADMIN
    )


def is_handler(complaint, user) -> bool:
    return (complaint.handler_id is not None and complaint.handler_id == user.pk) or (
        is_department_contact(complaint, user)
    )


def is_callback_person(complaint, user) -> bool:
    """An employee-referred VIP complaint is answered by the referring employee; every other
    one by the customer-service centre (seed 002)."""
    if complaint.is_vip and complaint.referred_by_id is not None:
        return complaint.referred_by_id == user.pk
    return is_customer_service(complaint, user)


def not_linked(complaint) -> bool:
    return complaint.incident_id is None


def may_link(complaint, user) -> bool:
    return is_customer_service(complaint, user) or is_handler(complaint, user)


# Who may, said to whoever may not (the 403 page); ``%(department)s`` is the handling
# department.
FORBIDDEN = {
    "resolve_first_contact": gettext_lazy(
        "Only the hotline and the customer-service departments can resolve a complaint during "
        "the call."
    ),
    "dispatch": gettext_lazy(
        "Only the hotline and the customer-service departments can dispatch a complaint."
    ),
    "return_to_cs": gettext_lazy(
        "Only the handling department's interface person or leader (%(department)s) can return "
        "this complaint."
    ),
    "hand_over": gettext_lazy(
        "Only the handling department's interface person or leader (%(department)s) can hand "
        "this complaint over."
    ),
    "assign": gettext_lazy(
        "Only the handling department's interface person or leader (%(department)s) or the "
        "working group can assign this complaint."
    ),
    "contact": gettext_lazy(
        "Only the first-responsible handler or the handling department's interface person or "
        "leader (%(department)s) can record the contact with the customer."
    ),
    "reply": gettext_lazy(
        "Only the first-responsible handler or the handling department's interface person or "
        "leader (%(department)s) can reply to this complaint."
    ),
    "close_satisfied": gettext_lazy(
        "Only the customer-service centre (for an employee-referred VIP complaint, the "
        "referring employee) can call the customer back."
    ),
    "reopen_unsatisfied": gettext_lazy(
        "Only the customer-service centre (for an employee-referred VIP complaint, the "
        "referring employee) can call the customer back."
    ),
    "convene": gettext_lazy(
        "Only the first-responsible handler or the handling department's interface person or "
        "leader (%(department)s) can convene another department."
    ),
    "raise_incident": gettext_lazy(
        "Only the hotline and the customer-service departments can raise a suspected incident "
        "from a complaint; the customer-service department classifies it."
    ),
    "link": gettext_lazy(
        "Only the hotline, the customer-service departments and the complaint's handler can "
        "link it to an incident."
    ),
}


class ComplaintWorkflow:
    repeat_count: int  # a field of the model this mixes into

    @transition(field="state", source=S.RECEIVED, target=S.ARCHIVED, permission=is_customer_service)
    def resolve_first_contact(self, satisfaction: str):
        self.satisfaction = satisfaction

    @transition(
        field="state",
        source=(S.RECEIVED, S.RETURNED),
        target=S.DISPATCHED,
        permission=is_customer_service,
    )
    def dispatch(self, department):
        self.department = department
        self.handler = None

    @transition(
        field="state",
        source=(S.DISPATCHED, S.ASSIGNED),
        target=S.RETURNED,
        permission=is_department_contact,
    )
    def return_to_cs(self):
        """Not this department's: back to CS with a reason, for re-dispatch."""
        self.handler = None

    @transition(
        field="state", source=S.DISPATCHED, target=S.ASSIGNED, permission=is_department_contact
    )
    def hand_over(self, handler):
        self.handler = handler

    @transition(
        field="state",
        source=(S.ASSIGNED, S.IN_PROGRESS, S.REPLIED),
        target=None,
        permission=is_assigner,
    )
    def assign(self, handler):
        """Another person of the handling department takes the complaint on."""
        self.handler = handler

    @transition(field="state", source=S.ASSIGNED, target=S.IN_PROGRESS, permission=is_handler)
    def contact(self):
        """The handler has reached the customer."""

    @transition(field="state", source=S.IN_PROGRESS, target=S.REPLIED, permission=is_handler)
    def reply(self):
        """The result, with the three clears."""

    @transition(field="state", source=S.REPLIED, target=S.ARCHIVED, permission=is_callback_person)
    def close_satisfied(self):
        self.satisfaction = "satisfied"

    @transition(field="state", source=S.REPLIED, target=S.ASSIGNED, permission=is_callback_person)
    def reopen_unsatisfied(self):
        """Handled again by the department, as a repeat."""
        self.satisfaction = "unsatisfied"
        self.repeat_count += 1

    @transition(
        field="state",
        source=(S.DISPATCHED, S.ASSIGNED, S.IN_PROGRESS),
        target=None,
        permission=is_handler,
    )
    def convene(self):
        """Another department joins a cross-department case, with a written assignment."""

    @transition(field="state", source="*", target=None, permission=may_link)
    def link(self, incident):
        self.incident = incident

    @transition(
        field="state",
        source="*",
        target=None,
        permission=is_customer_service,
        conditions=[not_linked],
    )
    def raise_incident(self):
        """The hotline suspects a major incident behind the complaint (major complaints are a
        source of warnings the CS centre monitors, seed 000 第八条(二)): it reports one, which
        the CS department classifies; the complaint is linked to it."""
