"""Complaint pages: the hotline console, the department's list, a complaint with the actions
this person may take, and possible mass complaints."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
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
from deadlines.models import pending_prefetch
from incidents.forms import AssignForm, NoteForm
from incidents.selectors import incident_linkable
from incidents.views import incident_create_page
from maintenance.selectors import planned_work_open

from . import forms, services
from .exports import complaint_export_header, complaint_export_rows
from .models import Complaint, MassComplaintCluster
from .selectors import (
    COMPLAINT_ORDER,
    complaint_branches,
    complaint_list,
    complaints_filter,
    customer_history,
    incidents_like,
    mask,
    personal_data_log,
    sees_personal_data,
)
from .workflow import is_customer_service


def _link(complaint, user, data):
    # missing, closed or another department's: one answer (linking raises its level)
    incident = incident_linkable(user=user).filter(number=data["incident"].strip()).first()
    if incident is None:
        raise ValidationError({"incident": _("Not an incident you can link to.")})
    return services.complaints_link(
        complaint_ids=[complaint.pk], incident_id=incident.pk, actor=user
    )


HOTLINE_ONLY = _("Only the hotline and the customer-service departments can take calls.")
MASS_ONLY = _(
    "Only the hotline and the customer-service departments can look into possible mass complaints."
)

COMPLAINT_ACTIONS: dict[str, Action] = {
    "dispatch": Action(
        _("Dispatch"),
        "dispatch",
        forms.DispatchForm,
        lambda c, u, d: services.complaint_dispatch(complaint_id=c.pk, actor=u, **d),
        style="primary",
    ),
    "resolve_first_contact": Action(
        _("Resolved during the call"),
        "resolve_first_contact",
        forms.CallbackForm,
        lambda c, u, d: services.complaint_resolve_first_contact(
            complaint_id=c.pk, actor=u, satisfaction=d["satisfaction"], note=d["note"]
        ),
    ),
    "hand_over": Action(
        _("Hand over to a handler"),
        "hand_over",
        forms.HandOverForm,
        lambda c, u, d: services.complaint_hand_over(complaint_id=c.pk, actor=u, **d),
        style="primary",
    ),
    "assign": Action(
        _("Assign to someone else"),
        "assign",
        AssignForm,
        lambda c, u, d: services.complaint_assign(complaint_id=c.pk, actor=u, **d),
    ),
    "contact": Action(
        _("Customer contacted"),
        "contact",
        NoteForm,
        lambda c, u, d: services.complaint_contact(complaint_id=c.pk, actor=u, **d),
        style="primary",
    ),
    "reply": Action(
        _("Reply (three clears)"),
        "reply",
        forms.ComplaintReplyForm,
        lambda c, u, d: services.complaint_reply(complaint_id=c.pk, actor=u, **d),
        style="primary",
    ),
    "callback": Action(
        _("Call back"),
        "close_satisfied",
        forms.CallbackForm,
        lambda c, u, d: services.complaint_callback(
            complaint_id=c.pk, actor=u, satisfied=d["satisfaction"] == "satisfied", note=d["note"]
        ),
        style="primary",
    ),
    "return": Action(
        _("Not ours: return"),
        "return_to_cs",
        forms.ReturnForm,
        lambda c, u, d: services.complaint_return(complaint_id=c.pk, actor=u, **d),
    ),
    "convene": Action(
        _("Convene a department"),
        "convene",
        forms.ConveneForm,
        lambda c, u, d: services.complaint_convene(complaint_id=c.pk, actor=u, **d),
    ),
    "link": Action(_("Link to an incident"), "link", forms.LinkForm, _link),
    "raise_incident": Action(
        _("Report a suspected incident"),
        "raise_incident",
        forms.SuspectedIncidentForm,
        lambda c, u, d: services.complaint_raise_incident(complaint_id=c.pk, actor=u, **d),
        initial=lambda complaint: {
            "title": complaint.summary,
            "description": complaint.description,
        },
    ),
}


def _form(name, action, complaint, data=None):
    kwargs = {"prefix": name}
    if action.form is forms.HandOverForm:
        kwargs["complaint"] = complaint
    if action.form is AssignForm:
        kwargs.update(department=complaint.department, current=complaint.handler)
    if data is None and action.initial is not None:
        kwargs["initial"] = action.initial(complaint)
    return action.form(data, **kwargs) if data is not None else action.form(**kwargs)


def _visible(request, pk) -> Complaint:
    return get_object_or_404(complaint_list(user=request.user), pk=pk)


def _personal(request, complaint, where) -> dict:
    """Phone and account as this person may see them; full reads are logged."""
    full = sees_personal_data(request.user, complaint)
    if full:
        personal_data_log(user=request.user, complaints=[complaint], where=where)
        return {"phone": complaint.customer_phone, "account": complaint.customer_account}
    return {"phone": mask(complaint.customer_phone), "account": mask(complaint.customer_account)}


def _filtered(request):
    complaints = complaint_list(user=request.user)
    form = forms.ComplaintFilterForm(request.GET or None)
    if form.is_valid():
        complaints = complaints_filter(complaints, form.cleaned_data, user=request.user)
    return form, complaints


@login_required
def complaint_list_view(request):
    form, complaints = _filtered(request)
    query = request.GET.copy()
    query.pop("cursor", None)
    page = page_for_request(
        complaints.prefetch_related(pending_prefetch()),
        COMPLAINT_ORDER,
        request.GET.get("cursor"),
        settings.COMPLAINT_LIST_PAGE_SIZE,
        complaint_branches(request.user),
    )
    full = {c.pk for c in page if sees_personal_data(request.user, c)}
    if full:
        personal_data_log(
            user=request.user, complaints=[c for c in page if c.pk in full], where="page.list"
        )
    rows = [(c, c.customer_phone if c.pk in full else mask(c.customer_phone)) for c in page]
    return render(
        request,
        "complaints/list.html",
        {"page": page, "rows": rows, "form": form, "query": query.urlencode(),
         "can_take": is_customer_service(None, request.user),
         "bulk_form": forms.BulkActionForm(user=request.user),
         "bulk_results": request.session.pop(BULK_RESULTS, None)},
    )  # fmt: skip


BULK_RESULTS = "complaints.bulk_results"


@transaction.non_atomic_requests  # each complaint in its own transaction
@login_required
@require_POST
def complaint_bulk_view(request):
    """Select complaints on the list, do one action to them all; the list then says, row by
    row, what was done and what was refused and why."""
    form = forms.BulkActionForm(request.POST, user=request.user)
    back = reverse("complaints:list") + (
        f"?{form.data.get('query', '')}" if form.data.get("query") else ""
    )
    if not form.is_valid():
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, problem)
        return redirect(back)
    data = dict(form.cleaned_data)
    ids = data.pop("ids")
    data.pop("query", None)
    visible = set(complaint_list(user=request.user).filter(pk__in=ids).values_list("pk", flat=True))
    results = services.complaints_bulk_act(
        actor=request.user, complaint_ids=ids, visible=visible, **data
    )
    request.session[BULK_RESULTS] = {
        "action": str(dict(form.fields["action"].choices)[form.cleaned_data["action"]]),
        "rows": [{**row, "detail": str(row.get("detail", ""))} for row in results],
    }
    return redirect(back)


@login_required
def complaint_export_view(request, fmt):
    """The filtered list as CSV or XLSX, streamed; phone and account masked as on the list,
    full reads logged."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    _form, complaints = _filtered(request)
    rows = complaint_export_rows(user=request.user, complaints=complaints, where=f"export.{fmt}")
    return export_response(
        fmt=fmt,
        filename=f"complaints-{timezone.localdate():%Y%m%d}",
        header=complaint_export_header(),
        rows=rows,
        title=str(_("Complaints")),
    )


def _detail_context(request, complaint, bound=None):
    actions = []
    for name in available_actions(complaint, request.user, COMPLAINT_ACTIONS):
        action = COMPLAINT_ACTIONS[name]
        form = bound[1] if bound and bound[0] == name else _form(name, action, complaint)
        actions.append({"name": name, "label": action.label, "form": form, "style": action.style})
    return {
        "complaint": complaint,
        "personal": _personal(request, complaint, "page.detail"),
        "actions": actions,
        "open_action": bound[0] if bound else None,
        "timeline": incident_timeline_for(complaint),
        "deadlines": [d for d in complaint.deadlines.all() if d.state != "cancelled"],
        "history": customer_history(
            user=request.user, phone=complaint.customer_phone, exclude=complaint.pk
        ),
        "panels": panels.render(request, complaint),
    }


def incident_timeline_for(complaint):
    return complaint.timeline.select_related("actor__profile").order_by("at", "id")


@login_required
def complaint_detail_view(request, pk):
    complaint = _visible(request, pk)
    return render(request, "complaints/detail.html", _detail_context(request, complaint))


@login_required
@require_POST
def complaint_act_view(request, pk, name):
    complaint = _visible(request, pk)
    action = COMPLAINT_ACTIONS.get(name)
    if action is None:
        raise Http404
    form = _form(name, action, complaint, request.POST)
    if not form.is_valid():
        context = _detail_context(request, complaint, bound=(name, form))
        return render(request, "complaints/detail.html", context, status=400)
    try:
        action.run(complaint, request.user, dict(form.cleaned_data))
    except ValidationError as error:
        add_errors(form, error)
        context = _detail_context(request, complaint, bound=(name, form))
        return render(request, "complaints/detail.html", context, status=400)
    except Conflict as error:  # a PermissionDenied is the 403 page, saying who may
        messages.error(request, str(error))
        return redirect("complaints:detail", pk=pk)
    messages.success(request, _("Done: %(action)s.") % {"action": action.label})
    return redirect(reverse("complaints:detail", kwargs={"pk": pk}) + "#timeline")


# --- the hotline console --------------------------------------------------------------------


# the service keeps its transaction short: the day's complaint counter is not held locked
@transaction.non_atomic_requests
@login_required
def console_view(request):
    """Taking a call: keyboard only (Tab through, Alt+1…5 links a suggested incident,
    Ctrl+Enter saves), the customer's history by phone, similar open incidents as you type."""
    if not is_customer_service(None, request.user):
        raise PermissionDenied(HOTLINE_ONLY)
    form = forms.ComplaintConsoleForm(
        request.POST or None, check_url=reverse("complaints:console-check")
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        incident_id = data.pop("incident")
        data["incident"] = (
            incident_linkable(user=request.user).filter(pk=incident_id).first()
            if incident_id
            else None
        )
        try:
            if incident_id and data["incident"] is None:  # (a hidden field: said above the form)
                raise ValidationError(_("Not an incident you can link to."))
            complaint = services.complaint_take_call(actor=request.user, **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(number)s saved.") % {"number": complaint.number})
            return redirect(reverse("complaints:console") + f"?last={complaint.pk}")
    last_id = request.GET.get("last", "")
    last = (
        Complaint.objects.filter(pk=int(last_id), first_ask_owner=request.user).first()
        if last_id.isdecimal()
        else None
    )
    return render(
        request,
        "complaints/console.html",
        {"form": form, "last": last, **_console_context(request, form)},
    )


def _console_context(request, form) -> dict:
    """What the console showed beside the form before it was sent: the suggestions, the
    customer's history and the linked incident, shown again with the form's errors."""
    if not form.is_bound:
        return {"similar": None, "history": None, "linked": None}
    data = request.POST
    city = data.get("city", "")
    incident_id = data.get("incident", "")
    phone = data.get("customer_phone", "").strip()
    return {
        "similar": incidents_like(
            user=request.user,
            text=f"{data.get('summary', '')} {data.get('description', '')}",
            business_line=data.get("business_line", ""),
            city_id=int(city) if city.isdecimal() else None,
        ),
        "history": customer_history(user=request.user, phone=phone) if len(phone) >= 7 else [],
        "phone": phone,
        "linked": (
            incident_linkable(user=request.user)
            .select_related("owning_department")
            .filter(pk=int(incident_id))
            .first()
            if incident_id.isdecimal()
            else None
        ),
    }


def _console_lookup(view):
    """The console's lookups: for the hotline only (who may take calls), and by POST, so that
    a customer's phone number never stands in a URL (access logs, proxies, history)."""

    @login_required
    @require_POST
    def lookup(request):
        if not is_customer_service(None, request.user):
            raise PermissionDenied(HOTLINE_ONLY)
        return view(request)

    return lookup


@_console_lookup
def console_history(request):
    phone = request.POST.get("customer_phone", "").strip()
    history = customer_history(user=request.user, phone=phone) if len(phone) >= 7 else []
    return render(request, "complaints/_history.html", {"history": history, "phone": phone})


@_console_lookup
def console_check(request):
    """One field of the console, checked as it is left: its errors alone (an empty field
    is not an error yet: the agent may come back to it)."""
    name = request.POST.get("check", "")
    form = forms.ComplaintConsoleForm(request.POST)
    errors = []
    if name in form.CHECKED_ON_LEAVING and request.POST.get(name, "").strip():
        errors = form.errors.get(name, [])
    return render(request, "complaints/_field_errors.html", {"errors": errors})


@_console_lookup
def console_planned_work(request):
    """The announced planned work open now in the caller's city, as the agent picks it: the
    caller may be told the work explains the trouble (seed 003 第八条8)."""
    city = request.POST.get("city", "")
    works = planned_work_open(city_id=int(city)) if city.isdecimal() else []
    return render(request, "complaints/_planned_work.html", {"works": works})


@_console_lookup
def console_similar(request):
    text = f"{request.POST.get('summary', '')} {request.POST.get('description', '')}"
    city = request.POST.get("city") or None
    found = incidents_like(
        user=request.user,
        text=text,
        business_line=request.POST.get("business_line", ""),
        city_id=int(city) if city and city.isdigit() else None,
    )
    return render(request, "complaints/_similar.html", {"found": found})


# --- possible mass complaints -----------------------------------------------------------------


@login_required
def mass_list_view(request):
    if not is_customer_service(None, request.user):
        raise PermissionDenied(MASS_ONLY)
    clusters = MassComplaintCluster.objects.select_related("city", "incident").annotate(
        size=Count("complaints")
    )  # a flood's cluster holds thousands: counted, not loaded
    return render(
        request,
        "complaints/mass.html",
        {"clusters": clusters[:100], "every": settings.MASS_COMPLAINT_SWEEP_SECONDS},
    )


@login_required
def mass_detail_view(request, pk):
    if not is_customer_service(None, request.user):
        raise PermissionDenied(MASS_ONLY)
    cluster = get_object_or_404(
        MassComplaintCluster.objects.select_related("city", "incident"), pk=pk
    )
    if request.method == "POST" and request.POST.get("dismiss"):
        services.mass_cluster_dismiss(cluster_id=cluster.pk, actor=request.user)
        return redirect("complaints:mass")
    return render(
        request,
        "complaints/mass_detail.html",
        {"cluster": cluster, "complaints": cluster.complaints.order_by("created_at")},
    )


@login_required
def mass_raise_view(request, pk):
    """The incident form, prefilled from a possible mass complaint that no incident holds
    yet; saving raises the incident and links the cluster's complaints (the CS department's
    call, as the mass-complaint pages)."""
    if not is_customer_service(None, request.user):
        raise PermissionDenied(MASS_ONLY)
    cluster = get_object_or_404(MassComplaintCluster, pk=pk, incident__isnull=True)
    complaints = list(cluster.complaints.order_by("created_at"))
    first = complaints[0].created_at if complaints else timezone.now()
    initial = {
        "title": _("%(city)s: mass complaints about %(line)s")
        % {"city": cluster.city.name, "line": cluster.get_business_line_display()},
        "business_line": cluster.business_line,
        "source": "major_complaint",
        "cities": [cluster.city.pk],
        "customers_affected": len(complaints),
        "occurred_at": timezone.localtime(first).replace(second=0, microsecond=0),
        "description": "\n".join(f"- {c.number} {c.summary}" for c in complaints[:20]),
    }
    return incident_create_page(
        request,
        lambda actor, facts: services.mass_cluster_raise_incident(
            actor=actor, cluster_id=cluster.pk, **facts
        ),
        initial=initial,
        context={
            "back": reverse("complaints:mass-detail", kwargs={"pk": cluster.pk}),
            "lead": _(
                "From a possible mass complaint: saving links its %(n)d complaints to the new "
                "incident."
            )
            % {"n": len(complaints)},
        },
    )
