"""Pages of the improvement phase: action items and the special bulletin."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.actions import errors_text, run_or_tell

from . import forms
from .choices import ActionItemState
from .exports import bulletin_pdf
from .selectors import action_item_list, action_item_scope, action_items_filter, bulletin_data
from .views import ITEM_ACTIONS, _visible_incident, action_form


@login_required
@require_POST
def action_item_act_view(request, pk, name):
    item = get_object_or_404(action_item_scope(request.user), pk=pk)
    action = ITEM_ACTIONS.get(name)
    if action is None:
        raise Http404
    form = action_form(action, item, request.POST, prefix=f"{name}-{item.pk}")
    if not form.is_valid():
        messages.error(request, errors_text(form))
    elif run_or_tell(request, lambda: action.run(item, request.user, dict(form.cleaned_data))):
        messages.success(request, _("Done: %(action)s.") % {"action": action.label})
    return redirect(item.get_absolute_url())


@login_required
def rectification_list_view(request):
    """My rectification items 我的整改事项: the measures this person or their department
    answers for, soonest due first, with countdowns."""
    form = forms.ActionItemFilterForm(request.GET or None)
    items = action_item_list(user=request.user, states=ActionItemState.values)
    items = action_items_filter(items, form.cleaned_data if form.is_valid() else {})
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    show_all = request.GET.get("state") == "all"
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "incidents/rectification.html",
        {"page": page, "show_all": show_all, "form": form, "query": query.urlencode()},
    )


@login_required
def bulletin_view(request, pk):
    """The special bulletin as a printable page."""
    incident = _visible_incident(request, pk)
    return render(request, "incidents/bulletin.html", bulletin_data(incident))


@login_required
def bulletin_pdf_view(request, pk):
    incident = _visible_incident(request, pk)
    response = HttpResponse(bulletin_pdf(bulletin_data(incident)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{incident.number}-bulletin.pdf"'
    return response
