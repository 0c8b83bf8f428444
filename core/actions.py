"""The "you can" actions of a record's page: each names the workflow transition whose state
and permission gate it, the form it asks for and the service call that carries it out."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from .errors import Conflict


@dataclass(frozen=True)
class Action:
    label: str | Promise
    transition: str  # the workflow method whose state and permission gate it
    form: type[forms.Form] | None
    run: Callable[..., object]
    check_conditions: bool = True
    style: str = ""  # "primary" for the step that moves the record on
    initial: Callable[..., dict] | None = None  # the form's initial values from the record


def available_actions(record, user, actions: dict[str, Action]) -> list[str]:
    """The actions ``user`` may take on ``record`` now, in the order of the workflow."""
    names = []
    for name, action in actions.items():
        method = getattr(record, action.transition)
        if not can_proceed(method, check_conditions=action.check_conditions):
            continue
        if method._django_fsm.has_transition_perm(record, record.state, user):
            names.append(name)
    return names


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError on the form: on the field it names, else on the form."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def run_or_tell(request, run) -> bool:
    """Run a service call; on refusal, tell the person why. True when it went through."""
    try:
        run()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except (Conflict, PermissionDenied) as error:
        messages.error(request, str(error) or _("You may not do this."))
    else:
        return True
    return False


def errors_text(form) -> str:
    """A bound form's errors in one line, each after its field's label (for a message)."""
    return " ".join(
        f"{form.fields[field].label if field in form.fields else ''}: {' '.join(errors)}"
        for field, errors in form.errors.items()
    )


def act(request, record, actions: dict[str, Action], name: str, detail: Callable):
    """Take the page action ``name`` on ``record`` (a POST): an invalid form or a refused
    call on a field shows the page again with the form's errors (``detail(request, record,
    bound=(name, form), status=400)``); a refusal of the whole call is told, and the page
    read again."""
    action = actions.get(name)
    if action is None or action.form is None:
        raise Http404
    form = action.form(request.POST, prefix=name)
    if not form.is_valid():
        return detail(request, record, bound=(name, form), status=400)
    try:
        action.run(record, request.user, dict(form.cleaned_data))
    except ValidationError as error:
        add_errors(form, error)
        return detail(request, record, bound=(name, form), status=400)
    except (Conflict, PermissionDenied) as error:
        messages.error(request, str(error) or _("You may not do this."))
        return redirect(record)
    messages.success(request, _("Done: %(action)s.") % {"action": action.label})
    return redirect(record)
