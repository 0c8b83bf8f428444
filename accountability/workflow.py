"""The procedure of a violation (seed 002 (二)(三)), with django-fsm-2:

proposed → self-inspection requested by marketing (2 working days) → the unit's report naming
the responsible person (5 working days; late → confirmed automatically, with circulated
criticism) → confirmed / dismissed with reasons → published in the month's assessment."""

from django_fsm import transition

from organisation.models import DepartmentKind, Role
from organisation.selectors import user_department, user_has_role


def is_assessor(violation, user) -> bool:
    """Marketing 市场经营部 runs the procedure; the assessment committee decides too."""
    department = user_department(user)
    in_marketing = department is not None and department.kind == DepartmentKind.MARKETING
    return in_marketing or user_has_role(user, Role.ASSESSMENT_COMMITTEE, Role.ADMIN)


def is_unit(violation, user) -> bool:
    """The accused unit's interface person or leader answers for it."""
    return user_department(user) == violation.department and user_has_role(
        user, Role.INTERFACE_PERSON, Role.DEPARTMENT_LEADER
    )


class ViolationWorkflow:
    @transition(field="state", source="proposed", target="inspecting", permission=is_assessor)
    def request_inspection(self):
        """Marketing asks the unit to inspect itself (within 2 working days of the report)."""

    @transition(field="state", source="inspecting", target="reported", permission=is_unit)
    def report(self):
        """The unit's self-inspection report, naming the responsible person (5 working days)."""

    @transition(
        field="state",
        source=("proposed", "inspecting", "reported"),
        target="confirmed",
        permission=is_assessor,
    )
    def confirm(self):
        """Determined a violation: its penalties are fixed."""

    @transition(
        field="state",
        source=("proposed", "inspecting", "reported"),
        target="dismissed",
        permission=is_assessor,
    )
    def dismiss(self):
        """Determined not a violation, with the reasons."""

    @transition(field="state", source="confirmed", target="published")
    def publish(self):
        """Published in the month's assessment; frozen from then on."""
