"""Saved views from a list's page: save the current filters under a name, rename or delete
one's own; each answer returns to the list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .errors import Conflict
from .lists import list_get
from .models import SavedView


def _back(list_name: str, query: str = ""):
    spec = list_get(list_name)
    if spec is None:
        raise Http404
    return redirect(spec.url + (f"?{query}" if query else ""))


def _errors(request, error: ValidationError) -> None:
    for problems in error.message_dict.values():
        for problem in problems:
            messages.error(request, problem)


@login_required
@require_POST
def saved_view_create_view(request):
    list_name = request.POST.get("list", "")
    query = request.POST.get("query", "")
    if list_get(list_name) is None:
        raise Http404
    try:
        view = services.saved_view_create(
            user=request.user, list_name=list_name, name=request.POST.get("name", ""), query=query
        )
    except ValidationError as error:
        _errors(request, error)
        return _back(list_name, query)
    except Conflict as error:
        messages.error(request, error.message)
        return _back(list_name, query)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return _back(list_name, view.query)


@login_required
@require_POST
def saved_view_rename_view(request, pk):
    try:
        view = services.saved_view_rename(
            user=request.user, view_id=pk, name=request.POST.get("name", "")
        )
    except SavedView.DoesNotExist:
        raise Http404 from None
    except (ValidationError, Conflict) as error:
        if isinstance(error, Conflict):
            messages.error(request, error.message)
        else:
            _errors(request, error)
        view = SavedView.objects.filter(user=request.user, pk=pk).first()
        if view is None:
            raise Http404 from None
    return _back(view.list_name, view.query)


@login_required
@require_POST
def saved_view_delete_view(request, pk):
    view = SavedView.objects.filter(user=request.user, pk=pk).first()
    if view is None:
        raise Http404
    services.saved_view_delete(user=request.user, view_id=pk)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return _back(view.list_name)
