"""Planned-work pages: the list (state, city, window), a work's page with its actions and
timeline, the registration and edit forms, and the incident page's "caused by unannounced
planned work" action."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.actions import Action, act, add_errors, available_actions, run_or_tell
from core.errors import Conflict
from incidents.selectors import incident_scope
from organisation.models import Department
from organisation.selectors import user_department

from . import forms, services
from .models import PlannedWorkEvent, PlannedWorkState
from .selectors import planned_work_list
from .workflow import FORBIDDEN, is_owner

ACTIONS: dict[str, Action] = {
    "submit": Action(
        _("Submit for approval"), "submit", forms.NoFieldsForm,
        lambda w, u, d: services.planned_work_submit(work_id=w.pk, actor=u),
        style="primary",
    ),
    "approve": Action(
        _("Approve and announce"), "approve", forms.DecisionForm,
        lambda w, u, d: services.planned_work_approve(work_id=w.pk, actor=u, **d),
        style="primary",
    ),
    "reject": Action(
        _("Reject"), "reject", forms.RejectForm,
        lambda w, u, d: services.planned_work_reject(work_id=w.pk, actor=u, **d),
    ),
    "revise": Action(
        _("Revise"), "revise", forms.NoFieldsForm,
        lambda w, u, d: services.planned_work_revise(work_id=w.pk, actor=u),
    ),
    "complete": Action(
        _("Report done"), "complete", forms.CompleteForm,
        lambda w, u, d: services.planned_work_complete(work_id=w.pk, actor=u, **d),
        style="primary",
        initial=lambda w: {"at": timezone.localtime().replace(second=0, microsecond=0)},
    ),
}  # fmt: skip

REGISTER_NEEDS_DEPARTMENT = _("Planned work is registered by a department's people.")


@login_required
def planned_work_list_view(request):
    works = planned_work_list(user=request.user).prefetch_related("cities")
    filters = forms.PlannedWorkFilterForm(request.GET or None)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["state"]:
            works = works.filter(state=data["state"])
        if data["city"]:
            works = works.filter(cities=data["city"])
        if data["since"]:
            works = works.filter(ends_at__date__gte=data["since"])
        if data["until"]:
            works = works.filter(starts_at__date__lte=data["until"])
    page = Paginator(works.distinct(), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "maintenance/list.html",
        {
            "page": page,
            "filters": filters,
            "can_register": user_department(request.user) is not None,
            "query": _query_without_page(request),
        },
    )


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return f"{query.urlencode()}&" if query else ""


def _event_text(event, fields: dict) -> str:
    """A timeline line in words (no internal codes): what changed, whom it was told."""
    states = dict(PlannedWorkState.choices)
    if event.kind == PlannedWorkEvent.Kind.TRANSITION:
        return f"{states.get(event.from_state, '')} → {states.get(event.to_state, '')}"
    if event.kind == PlannedWorkEvent.Kind.CHANGED:
        return ", ".join(str(fields.get(name, name)) for name in event.payload)
    if event.kind == PlannedWorkEvent.Kind.ANNOUNCED:
        codes = event.payload.get("departments", [])
        return ", ".join(d.name for d in Department.objects.filter(code__in=codes))
    return ""


def _detail(request, work, bound=None, status=200):
    actions = []
    for name in available_actions(work, request.user, ACTIONS):
        action = ACTIONS[name]
        if bound and bound[0] == name:
            form = bound[1]
        else:
            initial = action.initial(work) if action.initial else None
            form = action.form(prefix=name, initial=initial)
        actions.append({"name": name, "label": action.label, "form": form, "style": action.style})
    labels = {name: field.label for name, field in forms.PlannedWorkForm.base_fields.items()}
    return render(
        request,
        "maintenance/detail.html",
        {
            "work": work,
            "actions": actions,
            "open_action": bound[0] if bound else None,
            "can_edit": work.state == "draft" and is_owner(work, request.user),
            "timeline": [
                (event, _event_text(event, labels))
                for event in work.timeline.select_related("actor__profile")
            ],
            "complaints": work.complaints.order_by("-created_at")[:20],
            "complaint_count": work.complaints.count(),
        },
        status=status,
    )


def _visible(request, pk):
    return get_object_or_404(
        planned_work_list(user=request.user).prefetch_related("cities", "announced_to"), pk=pk
    )


@login_required
def planned_work_detail_view(request, pk):
    return _detail(request, _visible(request, pk))


@login_required
@require_POST
def planned_work_act_view(request, pk, name):
    return act(request, _visible(request, pk), ACTIONS, name, _detail)


@login_required
def planned_work_new_view(request):
    department = user_department(request.user)
    if department is None:
        raise PermissionDenied(REGISTER_NEEDS_DEPARTMENT)
    form = forms.PlannedWorkCreateForm(
        request.POST or None, initial={"owning_department": department, "submit": True}
    )
    if request.method == "POST" and form.is_valid():
        try:
            work = services.planned_work_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(number)s saved.") % {"number": work.number})
            return redirect(work)
    return render(
        request,
        "maintenance/form.html",
        {"form": form, "title": _("Register planned work"), "back": reverse("maintenance:list")},
    )


@login_required
def planned_work_edit_view(request, pk):
    work = _visible(request, pk)
    if not is_owner(work, request.user):
        raise PermissionDenied(FORBIDDEN["edit"] % {"department": work.owning_department})
    initial = {
        "title": work.title,
        "kind": work.kind,
        "cities": list(work.cities.all()),
        "districts": work.districts,
        "business_lines": work.business_lines,
        "starts_at": timezone.localtime(work.starts_at),
        "ends_at": timezone.localtime(work.ends_at),
        "customer_impact": work.customer_impact,
        "customers_affected": work.customers_affected,
        "description": work.description,
    }
    form = forms.PlannedWorkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.planned_work_update(work_id=work.pk, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        except Conflict as error:
            messages.error(request, str(error))
            return redirect(work)
        else:
            messages.success(request, _("%(number)s saved.") % {"number": work.number})
            return redirect(work)
    return render(
        request,
        "maintenance/form.html",
        {"form": form, "title": work.number, "back": work.get_absolute_url()},
    )


@login_required
@require_POST
def unannounced_view(request, incident_pk):
    """The incident page's action: the fault was caused by planned work nobody announced."""
    incident = get_object_or_404(incident_scope(request.user), pk=incident_pk)
    form = forms.UnannouncedForm(request.POST, prefix="unannounced")
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(incident)
    if run_or_tell(
        request,
        lambda: services.planned_work_record_unannounced(
            incident_id=incident.pk, actor=request.user, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Recorded as caused by unannounced planned work."))
    return redirect(incident)
