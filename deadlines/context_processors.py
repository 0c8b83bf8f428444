from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.models import Role
from organisation.selectors import user_department, user_has_role

#: how far ahead the bell looks for the person's next due time (a browser notification comes
#: ten minutes before it, while a page is open)
NEXT_DUE_WITHIN = timedelta(hours=12)


def next_due(request):
    """The signed-in person's nearest pending deadline within NEXT_DUE_WITHIN: found through
    their department's unmet deadlines in due order (index ``deadline_unmet_department``)."""
    user = getattr(request, "user", None)
    department = user_department(user) if user is not None else None
    if department is None:
        return {}
    from .choices import DeadlineState
    from .models import Deadline

    now = timezone.now()
    deadline = (
        Deadline.objects.filter(
            responsible_department=department,
            state=DeadlineState.PENDING,
            met_at__isnull=True,
            due_at__gt=now,
            due_at__lte=now + NEXT_DUE_WITHIN,
            responsible_person=user,
        )
        .order_by("due_at", "id")
        .first()
    )
    return {"deadline_next": deadline} if deadline is not None else {}


def year_problem(year: str, state: str) -> str:
    """What an unknown year of the working-day calendar means, in the reader's language."""
    if state.startswith("error"):
        return _(
            "The working-day calendar does not know %(year)s: working-day limits that "
            "reach into it have no due time. Enter its holidays and make-up working days "
            "now."
        ) % {"year": year}
    return _(
        "The working-day calendar does not know %(year)s yet: enter its holidays and "
        "make-up working days once the State Council publishes the schedule (or "
        "upgrade chinesecalendar)."
    ) % {"year": year}


def calendar_warning(request):
    """A banner for administrators and the working group when the working-day calendar does
    not know this year or the next (never a silent guess)."""
    user = getattr(request, "user", None)
    if user is None or not (user.is_staff or user_has_role(user, Role.WORKING_GROUP, Role.ADMIN)):
        return {}
    from deadlines.services import calendar_years_status

    problems = {
        year: state
        for year, state in calendar_years_status().items()
        if state.startswith(("error", "warning"))
    }
    if not problems:
        return {}
    error = any(state.startswith("error") for state in problems.values())
    return {
        "calendar_problems": {year: year_problem(year, state) for year, state in problems.items()},
        "calendar_error": error,
    }
