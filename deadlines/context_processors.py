from django.utils.translation import gettext as _

from organisation.models import Role
from organisation.selectors import user_has_role


def calendar_warning(request):
    """A banner for administrators and the working group when the working-day calendar does
    not know this year or the next (never a silent guess)."""
    user = getattr(request, "user", None)
    if user is None or not (user.is_staff or user_has_role(user, Role.WORKING_GROUP, Role.ADMIN)):
        return {}
    from deadlines.services import calendar_status

    problems = {
        year: state
        for year, state in calendar_status().items()
        if state.startswith(("error", "warning"))
    }
    if not problems:
        return {}
    error = any(state.startswith("error") for state in problems.values())
    return {
        "calendar_problems": {
            year: _(
                "The working-day calendar does not know %(year)s: working-day limits that "
                "reach into it have no due time. Enter its holidays and make-up working days "
                "now."
            )
            % {"year": year}
            if state.startswith("error")
            else _(
                "The working-day calendar does not know %(year)s yet: enter its holidays and "
                "make-up working days once the State Council publishes the schedule (or "
                "upgrade chinesecalendar)."
            )
            % {"year": year}
            for year, state in problems.items()
        },
        "calendar_error": error,
    }
