"""The incident workflow (django-fsm-2): who may move an incident from which state to which.

Transitions only change fields and do no I/O; `services.py` locks the row, calls them, saves
and writes the timeline. Permissions are predicates ``(incident, user) -> bool``.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import transition

from organisation.models import DepartmentKind, Role
from organisation.selectors import user_department, user_has_role

from .choices import ActionItemState, Level, Source, State, SubmissionKind

OPEN_STATES = (State.RECEIVED, State.CLASSIFIED, State.DISPATCHED, State.HANDLING)
LIVE_STATES = (*OPEN_STATES, State.RESOLVED, State.IMPROVING)
SUBMISSION_STATES = (State.HANDLING, State.RESOLVED, State.IMPROVING)


# --- who -----------------------------------------------------------------------------------


# who reports incidents (seed 000 第八条): monitoring systems, interface persons, leaders and
# the managers
REPORTER_ROLES = (
    Role.EXTERNAL_SYSTEM,
    Role.INTERFACE_PERSON,
    Role.DEPARTMENT_LEADER,
    Role.WORKING_GROUP,
    Role.LEADERSHIP_GROUP,
    Role.ADMIN,
)


def may_report(user) -> bool:
    return user_has_role(user, *REPORTER_ROLES)


def is_working_group(incident, user) -> bool:
    return user_has_role(user, Role.WORKING_GROUP, Role.ADMIN)


def is_cs_department(incident, user) -> bool:
    """The customer-service department 客户服务部 receives and publishes every warning
    (seed 000 第九条); the working group supervises it."""
    department = user_department(user)
    in_cs = department is not None and department.kind == DepartmentKind.CUSTOMER_SERVICE
    return in_cs or is_working_group(incident, user)


def is_classifier(incident, user) -> bool:
    return is_cs_department(incident, user) or user_has_role(user, Role.LEADERSHIP_GROUP)


def is_owner(incident, user) -> bool:
    """People of the owning department who act for it: its interface person and leader."""
    return user_department(user) == incident.owning_department and user_has_role(
        user, Role.INTERFACE_PERSON, Role.DEPARTMENT_LEADER
    )


def is_owner_or_working_group(incident, user) -> bool:
    return is_owner(incident, user) or is_working_group(incident, user)


def is_reporter_or_handler(incident, user) -> bool:
    """Who may correct the facts: whoever reported the incident (a monitoring system, the
    monitoring department), the owner, and the CS department / working group."""
    return (
        incident.created_by_id == user.pk
        or is_owner(incident, user)
        or is_cs_department(incident, user)
    )


# Who may, said to whoever may not (the 403 page): one sentence per transition, naming the
# role and, where one department acts, that department (``%(department)s``: the owner).
FORBIDDEN = {
    "set_level": gettext_lazy(
        "Only the customer-service department, the working group or the leadership group can "
        "set the level of an incident."
    ),
    "publish": gettext_lazy(
        "Only the customer-service department or the working group can publish an alert and "
        "dispatch the incident."
    ),
    "acknowledge": gettext_lazy(
        "Only the owning department's interface person or leader (%(department)s) can "
        "acknowledge this incident."
    ),
    "submit": gettext_lazy(
        "Only the owning department's interface person or leader (%(department)s) can make "
        "this incident's submissions."
    ),
    "submit_to_hq": gettext_lazy(
        "Only the owning department's interface person or leader (%(department)s) can report "
        "this incident to headquarters."
    ),
    "resolve": gettext_lazy(
        "Only the owning department's interface person or leader (%(department)s) can resolve "
        "this incident."
    ),
    "start_improvement": gettext_lazy(
        "Only the owning department's interface person or leader (%(department)s) can start "
        "this incident's improvement."
    ),
    "report_improvement": gettext_lazy(
        "Only the owning department's interface person or leader (%(department)s) can write "
        "this incident's summary report and bulletin."
    ),
    "plan_improvement": gettext_lazy(
        "Only the owning department's interface person or leader (%(department)s) or the "
        "working group can plan this incident's rectification."
    ),
    "close": gettext_lazy("Only the working group can close an incident."),
    "cancel": gettext_lazy(
        "Only the customer-service department or the working group can cancel an incident."
    ),
    "change_owner": gettext_lazy(
        "Only the customer-service department or the working group can change the owning "
        "department."
    ),
    "escalate": gettext_lazy(
        "Only the owning department's interface person or leader (%(department)s) or the "
        "working group can escalate this incident."
    ),
    "assign": gettext_lazy(
        "Only the owning department's interface person or leader (%(department)s) or the "
        "working group can assign this incident."
    ),
    "update_facts": gettext_lazy(
        "Only whoever reported this incident, the owning department (%(department)s) or the "
        "customer-service department can correct its facts."
    ),
}
ITEM_FORBIDDEN = {
    "complete": gettext_lazy(
        "Only the person named on this measure, its department's interface person or leader, "
        "the owning department or the working group can mark it done."
    ),
    "assign": gettext_lazy(
        "Only the measure's department's interface person or leader, the owning department or "
        "the working group can assign a rectification measure."
    ),
    "verify": gettext_lazy("Only the working group can verify a rectification measure."),
    "send_back": gettext_lazy("Only the working group can send a rectification measure back."),
    "waive": gettext_lazy("Only the working group can waive a rectification measure."),
}


# --- what must exist first ------------------------------------------------------------------


def required_before_resolving(incident) -> list[str]:
    """Submissions the owner must have made before resolving (seed 000 第十条, 第十一条):
    the explanation script and the root cause + plan always; for HQ-issued events the first
    feedback and the written plan; for HQ-issued and red/orange events the leadership report."""
    required = [SubmissionKind.EXPLANATION, SubmissionKind.ROOT_CAUSE]
    if incident.source == Source.HQ:
        required += [SubmissionKind.HQ_FEEDBACK, SubmissionKind.HQ_PLAN]
    if is_major(incident):
        required.append(SubmissionKind.LEADERSHIP_REPORT)
    return [str(kind) for kind in required]


def missing_before_resolving(incident) -> list[str]:
    present = set(incident.submissions.values_list("kind", flat=True))
    return [kind for kind in required_before_resolving(incident) if kind not in present]


def is_hq_issued(incident) -> bool:
    return incident.source == Source.HQ


def resolution_submitted(incident) -> bool:
    return incident.submissions.filter(kind=SubmissionKind.RESOLUTION).exists()


def nothing_missing_before_resolving(incident) -> bool:
    return not missing_before_resolving(incident) and resolution_submitted(incident)


def is_major(incident) -> bool:
    """HQ-issued and provincial red/orange events: their summary report records a meeting
    (seed 001 三(五)1), and they report their measures upward in a special bulletin 专题简报
    (seed 000 第十二条(二)(三))."""
    return incident.source == Source.HQ or incident.level in (Level.RED, Level.ORANGE)


def missing_before_closing(incident) -> list[str]:
    """What still stands between an improving incident and `closed` (seed 000 第十二条,
    seed 001 三(五)): the summary report; the bulletin and at least one measure where a bulletin
    is required; every action item verified or waived."""
    missing = []
    present = set(incident.submissions.values_list("kind", flat=True))
    if SubmissionKind.SUMMARY_REPORT not in present:
        missing.append(str(SubmissionKind.SUMMARY_REPORT.label))
    states = list(incident.action_items.values_list("state", flat=True))
    if is_major(incident):
        if SubmissionKind.BULLETIN not in present:
            missing.append(str(SubmissionKind.BULLETIN.label))
        if not states:
            missing.append(str(_("at least one rectification measure")))
    settled = (ActionItemState.VERIFIED, ActionItemState.WAIVED)
    unsettled = sum(state not in settled for state in states)
    if unsettled:
        missing.append(
            str(_("%(count)s action items still to verify or waive") % {"count": unsettled})
        )
    return missing


def nothing_missing_before_closing(incident) -> bool:
    return not missing_before_closing(incident)


class IncidentWorkflow:
    """received → classified → dispatched → handling → resolved → improving → closed,
    and cancelled from any open state."""

    @transition(
        field="state", source=State.RECEIVED, target=State.CLASSIFIED, permission=is_classifier
    )
    @transition(field="state", source=LIVE_STATES[1:], target=None, permission=is_classifier)
    def set_level(self):
        """A person sets the level; the first classification moves a received incident on."""

    @transition(
        field="state",
        source=State.CLASSIFIED,
        target=State.DISPATCHED,
        permission=is_cs_department,
    )
    def publish(self):
        """The CS department publishes the alert and dispatches to the owner (第九条)."""

    @transition(field="state", source=State.DISPATCHED, target=State.HANDLING, permission=is_owner)
    def acknowledge(self):
        """The owning department's interface person takes the incident on."""

    @transition(field="state", source=SUBMISSION_STATES, target=None, permission=is_owner)
    def submit(self):
        """A structured submission (explanation script, plan, reports)."""

    @transition(
        field="state",
        source=SUBMISSION_STATES,
        target=None,
        permission=is_owner,
        conditions=[is_hq_issued],
    )
    def submit_to_hq(self):
        """HQ first feedback and written plan: only for HQ-issued incidents (第十一条(二))."""

    @transition(
        field="state",
        source=State.HANDLING,
        target=State.RESOLVED,
        permission=is_owner,
        conditions=[nothing_missing_before_resolving],
    )
    def resolve(self, at, restored_at):
        """Resolved with the three clears, once every required submission exists."""
        self.resolved_at, self.restored_at = at, restored_at

    @transition(field="state", source=State.RESOLVED, target=State.IMPROVING, permission=is_owner)
    def start_improvement(self):
        """The owner starts its rectification (第十二条)."""

    @transition(
        field="state",
        source=(State.RESOLVED, State.IMPROVING),
        target=None,
        permission=is_owner,
    )
    def report_improvement(self):
        """The summary report and the special bulletin, once the event is resolved."""

    @transition(
        field="state",
        source=State.IMPROVING,
        target=None,
        permission=is_owner_or_working_group,
    )
    def plan_improvement(self):
        """The rectification plan: the owner (or the working group) adds action items."""

    @transition(
        field="state",
        source=State.IMPROVING,
        target=State.CLOSED,
        permission=is_working_group,
        conditions=[nothing_missing_before_closing],
    )
    def close(self, at):
        """The working group closes the incident once improvement is done."""
        self.closed_at = at

    @transition(
        field="state", source=OPEN_STATES, target=State.CANCELLED, permission=is_cs_department
    )
    def cancel(self, reason: str, merged_into=None):
        """Out of scope (第三条) or a duplicate merged into another incident."""
        self.cancel_reason = reason
        self.merged_into = merged_into

    @transition(field="state", source=OPEN_STATES[:3], target=None, permission=is_cs_department)
    @transition(
        field="state",
        source=State.HANDLING,
        target=State.DISPATCHED,
        permission=is_cs_department,
    )
    def change_owner(self, department):
        """A new owner; if the old one was already handling, the new one must acknowledge.
        Its person is the new owner's to name."""
        self.owning_department = department
        self.assignee = None

    @transition(
        field="state",
        source=(State.DISPATCHED, State.HANDLING),
        target=None,
        permission=is_owner_or_working_group,
    )
    def escalate(self, mode: str):
        """点 → 线 → 面 (第十条(三)): within the professional line or across departments."""
        self.handling_mode = mode

    @transition(
        field="state", source=LIVE_STATES, target=None, permission=is_owner_or_working_group
    )
    def assign(self, person):
        """A person of the owning department works on the incident (``None``: nobody)."""
        self.assignee = person

    @transition(field="state", source=OPEN_STATES, target=None, permission=is_reporter_or_handler)
    def update_facts(self):
        """Facts change while the incident is open (cities, customers, publicity, HQ level)."""


# --- action items of the rectification plan ------------------------------------------------


def is_item_owner(item, user) -> bool:
    """The person named on the item, the acting people of its owner department, the
    incident's owner and the working group."""
    if item.owner_id == user.pk or is_owner_or_working_group(item.incident, user):
        return True
    return user_department(user) == item.owner_department and user_has_role(
        user, Role.INTERFACE_PERSON, Role.DEPARTMENT_LEADER
    )


def is_item_assigner(item, user) -> bool:
    """Who names the person of an item: the acting people of its owner department, the
    incident's owner and the working group."""
    if is_owner_or_working_group(item.incident, user):
        return True
    return user_department(user) == item.owner_department and user_has_role(
        user, Role.INTERFACE_PERSON, Role.DEPARTMENT_LEADER
    )


def item_is_working_group(item, user) -> bool:
    return is_working_group(item.incident, user)


def incident_improving(item) -> bool:
    return item.incident.state == State.IMPROVING


class ActionItemWorkflow:
    """open → done (with evidence) → verified by the working group; the working group may send
    a done item back, or waive an item with a reason."""

    @transition(
        field="state",
        source=ActionItemState.OPEN,
        target=ActionItemState.DONE,
        permission=is_item_owner,
        conditions=[incident_improving],
    )
    def complete(self, evidence: str):
        self.evidence = evidence

    @transition(
        field="state",
        source=(ActionItemState.OPEN, ActionItemState.DONE),
        target=None,
        permission=is_item_assigner,
    )
    def assign(self, person):
        """A person of the owner department answers for the measure."""
        self.owner = person

    @transition(
        field="state",
        source=ActionItemState.DONE,
        target=ActionItemState.VERIFIED,
        permission=item_is_working_group,
        conditions=[incident_improving],
    )
    def verify(self):
        """The working group checks the evidence and accepts it."""

    @transition(
        field="state",
        source=ActionItemState.DONE,
        target=ActionItemState.OPEN,
        permission=item_is_working_group,
        conditions=[incident_improving],
    )
    def send_back(self):
        """The evidence does not show the measure done: back to the owner."""

    @transition(
        field="state",
        source=(ActionItemState.OPEN, ActionItemState.DONE),
        target=ActionItemState.WAIVED,
        permission=item_is_working_group,
        conditions=[incident_improving],
    )
    def waive(self, reason: str):
        self.waiver_reason = reason
