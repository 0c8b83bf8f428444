"""Incident pages: list, create, detail with the actions this person may take."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core import panels
from core.actions import Action, add_errors, available_actions
from core.errors import Conflict
from core.keyset import page_for_request
from core.spreadsheets import EXPORT_FORMATS, export_response
from organisation.selectors import user_sees_everything

from . import forms, improvement_services, services
from .choices import Level, State, SubmissionKind
from .exports import incident_export_header, incident_export_rows
from .models import Incident
from .selectors import (
    DEADLINE_ORDER,
    INCIDENT_ORDER,
    counts_newest,
    deadline_branches,
    deadline_list,
    deadlines_filter,
    incident_action_items,
    incident_branches,
    incident_level_history,
    incident_list,
    incident_rows,
    incident_scope,
    incident_submissions_latest,
    incident_timeline,
    incidents_filter,
)
from .workflow import is_major, may_report, missing_before_closing, required_before_resolving


def _submit(kind):
    return lambda incident, user, data: services.incident_submit(
        incident_id=incident.pk, actor=user, kind=kind, content=data
    )


def _cancel(incident, user, data):
    merged_into_id = None
    if data.get("merged_into"):
        # within what the person may see: the lookup tells nothing of other incidents
        merged = incident_scope(user).filter(number=data["merged_into"].strip()).first()
        if merged is None:
            raise ValidationError({"merged_into": _("No incident has this number.")})
        merged_into_id = merged.pk
    return services.incident_cancel(
        incident_id=incident.pk,
        actor=user,
        reason=data["reason"],
        note=data["note"],
        merged_into_id=merged_into_id,
    )


def _escalate(incident, user, data):
    assignments = [(department, data["assignment"]) for department in data["departments"]]
    return services.incident_escalate(
        incident_id=incident.pk, actor=user, mode=data["mode"], assignments=assignments
    )


REPORTERS_ONLY = _(
    "Only interface persons, department leaders, the working group and the leadership group "
    "can report an incident. The hotline raises a suspected incident from the console or a "
    "complaint's page."
)

ACTIONS: dict[str, Action] = {
    "publish": Action(
        _("Publish and dispatch"),
        "publish",
        None,
        lambda i, u, d: services.incident_publish(incident_id=i.pk, actor=u),
        style="primary",
    ),
    "acknowledge": Action(
        _("Acknowledge"),
        "acknowledge",
        None,
        lambda i, u, d: services.incident_acknowledge(incident_id=i.pk, actor=u),
        style="primary",
    ),
    "submit_explanation": Action(
        SubmissionKind.EXPLANATION.label, "submit", forms.TextForm, _submit("explanation")
    ),
    "submit_root_cause": Action(
        SubmissionKind.ROOT_CAUSE.label, "submit", forms.RootCauseForm, _submit("root_cause")
    ),
    "report_hq_feedback": Action(
        SubmissionKind.HQ_FEEDBACK.label, "submit_to_hq", forms.TextForm, _submit("hq_feedback")
    ),
    "submit_hq_plan": Action(
        SubmissionKind.HQ_PLAN.label, "submit_to_hq", forms.TextForm, _submit("hq_plan")
    ),
    "report_leadership": Action(
        SubmissionKind.LEADERSHIP_REPORT.label,
        "submit",
        forms.TextForm,
        _submit("leadership_report"),
    ),
    "resolve": Action(
        _("Resolve (three clears)"),
        "resolve",
        forms.ResolveForm,
        lambda i, u, d: services.incident_resolve(incident_id=i.pk, actor=u, **d),
        check_conditions=False,  # the form says what is still missing
        style="primary",
    ),
    "start_improvement": Action(
        _("Start improvement"),
        "start_improvement",
        None,
        lambda i, u, d: services.incident_start_improvement(incident_id=i.pk, actor=u),
        style="primary",
    ),
    "report_summary": Action(
        SubmissionKind.SUMMARY_REPORT.label,
        "report_improvement",
        forms.SummaryReportForm,
        lambda i, u, d: improvement_services.incident_report_summary(
            incident_id=i.pk, actor=u, **d
        ),
    ),
    "add_action_item": Action(
        _("Add a rectification measure"),
        "plan_improvement",
        forms.ActionItemForm,
        lambda i, u, d: improvement_services.action_item_add(incident_id=i.pk, actor=u, **d),
        initial=lambda incident: {"owner_department": incident.owning_department_id},
    ),
    "report_bulletin": Action(
        SubmissionKind.BULLETIN.label,
        "report_improvement",
        forms.BulletinForm,
        lambda i, u, d: improvement_services.incident_report_bulletin(
            incident_id=i.pk, actor=u, **d
        ),
    ),
    "close": Action(
        _("Close"),
        "close",
        forms.NoteForm,
        lambda i, u, d: services.incident_close(incident_id=i.pk, actor=u, **d),
        check_conditions=False,  # the service says what is still missing
        style="primary",
    ),
    "update_facts": Action(
        _("Update the facts"),
        "update_facts",
        forms.FactsForm,
        lambda i, u, d: services.incident_update_facts(
            incident_id=i.pk, actor=u, cities=list(d.pop("cities")), **d
        ),
        initial=lambda incident: {
            "title": incident.title,
            "cities": list(incident.cities.all()),
            "customers_affected": incident.customers_affected,
            "publicity": incident.publicity,
            "hq_level": incident.hq_level,
            "legal_involved": incident.legal_involved,
            "description": incident.description,
        },
    ),
    "classify": Action(
        _("Set the level"),
        "set_level",
        forms.ClassifyForm,
        lambda i, u, d: services.incident_classify(incident_id=i.pk, actor=u, **d),
    ),
    "escalate": Action(_("Escalate"), "escalate", forms.EscalateForm, _escalate),
    "change_owner": Action(
        _("Change the owner"),
        "change_owner",
        forms.ChangeOwnerForm,
        lambda i, u, d: services.incident_change_owner(incident_id=i.pk, actor=u, **d),
    ),
    "assign": Action(
        _("Assign"),
        "assign",
        forms.AssignForm,
        lambda i, u, d: services.incident_assign(incident_id=i.pk, actor=u, **d),
    ),
    "cancel": Action(_("Cancel"), "cancel", forms.CancelForm, _cancel),
}


ITEM_ACTIONS: dict[str, Action] = {
    "assign": Action(
        _("Assign"),
        "assign",
        forms.AssignForm,
        lambda i, u, d: improvement_services.action_item_assign(item_id=i.pk, actor=u, **d),
    ),
    "complete": Action(
        _("Mark done"),
        "complete",
        forms.EvidenceForm,
        lambda i, u, d: improvement_services.action_item_complete(item_id=i.pk, actor=u, **d),
        style="primary",
    ),
    "verify": Action(
        _("Verify"),
        "verify",
        forms.NoteForm,
        lambda i, u, d: improvement_services.action_item_verify(item_id=i.pk, actor=u, **d),
        style="primary",
    ),
    "send_back": Action(
        _("Send back"),
        "send_back",
        forms.ReasonForm,
        lambda i, u, d: improvement_services.action_item_send_back(item_id=i.pk, actor=u, **d),
    ),
    "waive": Action(
        _("Waive"),
        "waive",
        forms.ReasonForm,
        lambda i, u, d: improvement_services.action_item_waive(item_id=i.pk, actor=u, **d),
    ),
}


def action_form(action: Action, record, data=None, **kwargs):
    """The form of ``action`` on ``record``: an assignment offers the people of the
    department that answers for it."""
    if action.form is forms.AssignForm:
        if isinstance(record, Incident):
            kwargs.update(department=record.owning_department, current=record.assignee)
        else:  # an action item: its owner is its assignee
            kwargs.update(department=record.owner_department, current=record.owner)
    return action.form(data, **kwargs) if data is not None else action.form(**kwargs)


def _visible_incident(request, pk) -> Incident:
    return get_object_or_404(incident_list(user=request.user), pk=pk)


def _filtered(request):
    form = forms.IncidentFilterForm(request.GET or None)
    incidents = incident_rows(user=request.user)
    if form.is_valid():
        incidents = incidents_filter(incidents, form.cleaned_data, user=request.user)
    return form, incidents


@login_required
def incident_list_view(request):
    form, incidents = _filtered(request)
    # counted among the newest LIST_COUNT_CAP only: beyond them, "at least" (412+)
    branches = incident_branches(request.user)
    by_level, more = counts_newest(incidents, "level", settings.LIST_COUNT_CAP, branches)
    counts = [
        (level, label, f"{by_level.get(level, 0):,}+" if more else by_level.get(level, 0))
        for level, label in reversed(Level.choices)
    ]
    page = page_for_request(
        incidents,
        INCIDENT_ORDER,
        request.GET.get("cursor"),
        settings.INCIDENT_LIST_PAGE_SIZE,
        branches,
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "incidents/list.html",
        {
            "form": form,
            "page": page,
            "counts": counts,
            "query": query.urlencode(),
            "can_report": may_report(request.user),
        },
    )


@login_required
def incident_export_view(request, fmt):
    """The filtered incident list as CSV or XLSX, streamed."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    _form, incidents = _filtered(request)
    return export_response(
        fmt=fmt,
        filename=f"incidents-{timezone.localdate():%Y%m%d}",
        header=incident_export_header(),
        rows=incident_export_rows(incidents),
        title=str(_("Incidents")),
    )


@login_required
def incident_create_view(request):
    if not may_report(request.user):
        raise PermissionDenied(REPORTERS_ONLY)
    return incident_create_page(
        request, lambda actor, facts: services.incident_create(actor=actor, **facts)
    )


def incident_create_page(request, create: Callable[..., Incident], initial=None, context=None):
    """The incident form: ``create(actor, facts)`` makes the incident from what it holds
    (the complaints' mass-complaint page raises one from a cluster through it)."""
    form = forms.IncidentCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        facts = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        facts["cities"] = list(form.cleaned_data["cities"])
        try:
            incident = create(request.user, facts)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(number)s created: level %(level)s.")
                % {"number": incident.number, "level": incident.get_level_display()},
            )
            return redirect("incidents:detail", pk=incident.pk)
    context = {"form": form, "back": reverse("incidents:list"), **(context or {})}
    return render(request, "incidents/create.html", context)


def _detail_context(request, incident, bound: tuple[str, forms.forms.Form] | None = None):
    names = available_actions(incident, request.user, ACTIONS)
    actions = []
    for name in names:
        action = ACTIONS[name]
        form = None
        if action.form is not None:
            initial = action.initial(incident) if action.initial else None
            form = (
                bound[1]
                if bound and bound[0] == name
                else action_form(action, incident, prefix=name, initial=initial)
            )
        actions.append({"name": name, "label": action.label, "form": form, "style": action.style})
    return {
        "incident": incident,
        "steps": _steps(incident.state),
        "actions": actions,
        "open_action": bound[0] if bound else None,
        "submissions": incident_submissions_latest(incident),
        "submission_kinds": _relevant_kinds(incident),
        "timeline": incident_timeline(incident),
        "deadlines": [d for d in incident.deadlines.all() if d.state != "cancelled"],
        "panels": panels.render(request, incident),
        "level_history": incident_level_history(incident),
        **improvement_context(request, incident),
    }


IMPROVEMENT_STATES = (State.RESOLVED, State.IMPROVING, State.CLOSED)


def improvement_context(request, incident: Incident) -> dict:
    """The rectification plan on the incident page: its items with what this person may do
    on each, and what still stands before closing."""
    if incident.state not in IMPROVEMENT_STATES:
        return {"improvement": None}
    items = []
    for item in incident_action_items(incident):
        names = available_actions(item, request.user, ITEM_ACTIONS)
        items.append(
            {
                "item": item,
                "deadline": next(iter(item.deadlines.all()), None),
                "actions": [
                    {
                        "name": n,
                        "label": ITEM_ACTIONS[n].label,
                        "form": action_form(ITEM_ACTIONS[n], item, prefix=f"{n}-{item.pk}"),
                    }
                    for n in names
                ],
            }
        )
    return {
        "improvement": {
            "items": items,
            "missing": missing_before_closing(incident)
            if incident.state == State.IMPROVING
            else [],
            "major": is_major(incident),
            "recurrences": list(incident.recurrences.only("pk", "number", "title")),
        }
    }


def _relevant_kinds(incident: Incident) -> list[tuple[str, str]]:
    """The submissions this incident needs, and any it has beyond them."""
    needed = {*required_before_resolving(incident), SubmissionKind.RESOLUTION}
    if incident.state in IMPROVEMENT_STATES:
        needed.add(SubmissionKind.SUMMARY_REPORT)
        if is_major(incident):
            needed.add(SubmissionKind.BULLETIN)
    needed |= set(incident.submissions.values_list("kind", flat=True))
    return [(kind, label) for kind, label in SubmissionKind.choices if kind in needed]


HAPPY_PATH = [
    State.RECEIVED,
    State.CLASSIFIED,
    State.DISPATCHED,
    State.HANDLING,
    State.RESOLVED,
    State.IMPROVING,
    State.CLOSED,
]


def _steps(current: str) -> list[tuple[str, str, str]]:
    if current == State.CANCELLED:
        return [(State.CANCELLED, State.CANCELLED.label, "current")]
    position = HAPPY_PATH.index(State(current))
    return [
        (state, state.label, "done" if i < position else "current" if i == position else "todo")
        for i, state in enumerate(HAPPY_PATH)
    ]


@login_required
def incident_detail_view(request, pk):
    incident = _visible_incident(request, pk)
    return render(request, "incidents/detail.html", _detail_context(request, incident))


@login_required
@require_POST
def incident_act_view(request, pk, name):
    incident = _visible_incident(request, pk)
    action = ACTIONS.get(name)
    if action is None:
        raise Http404
    form = action_form(action, incident, request.POST, prefix=name) if action.form else None
    if form is not None and not form.is_valid():
        return _rerender(request, incident, name, form)
    try:
        action.run(incident, request.user, dict(form.cleaned_data) if form else {})
    except ValidationError as error:
        if form is None:
            messages.error(request, " ".join(error.messages))
            return redirect("incidents:detail", pk=pk)
        add_errors(form, error)
        return _rerender(request, incident, name, form)
    except Conflict as error:  # a PermissionDenied is the 403 page, saying who may
        messages.error(request, str(error))
        return redirect("incidents:detail", pk=pk)
    messages.success(request, _("Done: %(action)s.") % {"action": action.label})
    return redirect(reverse("incidents:detail", kwargs={"pk": pk}) + "#timeline")


def _rerender(request, incident, name, form):
    context = _detail_context(request, incident, bound=(name, form))
    return render(request, "incidents/detail.html", context, status=400)


@login_required
def my_deadlines_view(request):
    """The deadlines this person answers for, personally or through their department, most
    urgent first."""
    form = forms.DeadlineFilterForm(request.GET or None)
    everyone = user_sees_everything(request.user) and request.GET.get("scope") == "all"
    deadlines = deadline_list(user=request.user, everyone=everyone)
    deadlines = deadlines_filter(deadlines, form.cleaned_data if form.is_valid() else {})
    page = page_for_request(
        deadlines,
        DEADLINE_ORDER,
        request.GET.get("cursor"),
        settings.DEADLINE_LIST_PAGE_SIZE,
        () if everyone else deadline_branches(request.user),
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "incidents/deadlines.html",
        {"page": page, "form": form, "everyone": everyone, "query": query.urlencode()},
    )
