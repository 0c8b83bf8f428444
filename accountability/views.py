"""Accountability pages: violations with their procedure, the self-inspection form, the
interaction form, the monthly assessment (with exports), rankings and grades."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.actions import Action, act, available_actions
from core.errors import Conflict
from core.spreadsheets import EXPORT_FORMATS, export_response
from organisation.models import Role
from organisation.selectors import in_customer_service, user_has_role

from . import exports, forms, services
from .models import AssessmentState
from .panels import penalty_badges
from .selectors import (
    ESCALATED_COMPLAINT_TRIGGER,
    assessment_for,
    breach_penalties,
    grades,
    rankings,
    rankings_visible,
    rules_triggered_by,
    violation_list,
    violations_filter,
)
from .workflow import is_assessor

ACTIONS: dict[str, Action] = {
    "request_inspection": Action(
        _("Request self-inspection"), "request_inspection", forms.NoFieldsForm,
        lambda v, u, d: services.violation_request_inspection(violation_id=v.pk, actor=u),
        style="primary",
    ),
    "report": Action(
        _("Submit the self-inspection report"), "report", forms.ReportForm,
        lambda v, u, d: services.violation_report(violation_id=v.pk, actor=u, **d),
        style="primary",
    ),
    "confirm": Action(
        _("Confirm"), "confirm", forms.ConfirmForm,
        lambda v, u, d: services.violation_confirm(violation_id=v.pk, actor=u, **d),
        style="primary",
    ),
    "dismiss": Action(
        _("Dismiss"), "dismiss", forms.DismissForm,
        lambda v, u, d: services.violation_dismiss(violation_id=v.pk, actor=u, **d),
    ),
}  # fmt: skip

# who may instead, on the 403 page
ASSESSORS_ONLY = _("Marketing and the assessment committee record violations.")
CUSTOMER_SERVICE_ONLY = _("The customer-service departments send interaction forms.")
COMMITTEE_ONLY = _("The assessment committee publishes the assessment.")


def _period(value: str | None) -> str:
    period = value or timezone.localtime().strftime("%Y-%m")
    try:
        services._period_bounds(period)
    except ValueError:
        raise Http404 from None
    return period


def _filtered(request):
    form = forms.ViolationFilterForm(request.GET or None)
    violations = violation_list(user=request.user)
    if form.is_valid():
        violations = violations_filter(violations, form.cleaned_data)
    return form, violations


@login_required
def violation_export_view(request, fmt):
    """The filtered violation list as CSV or XLSX, streamed."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    _form, violations = _filtered(request)
    return export_response(
        fmt=fmt,
        filename=f"violations-{timezone.localdate():%Y%m%d}",
        header=exports.violation_export_header(),
        rows=exports.violation_export_rows(violations),
        title=str(_("Violations")),
    )


@login_required
def violation_list_view(request):
    form, violations = _filtered(request)
    page = Paginator(violations, 30).get_page(request.GET.get("page"))
    period = _period(None)
    # which breaches become violations, and which only escalate: a page empty after many
    # breaches is explained here
    breaches = [
        {**row, "penalty": penalty_badges(row["rules"], named=True)}
        for row in breach_penalties(user=request.user, period=period)
    ]
    escalated = rules_triggered_by(ESCALATED_COMPLAINT_TRIGGER)
    return render(
        request,
        "accountability/list.html",
        {
            "page": page,
            "form": form,
            "can_record": is_assessor(None, request.user),
            "can_report_interaction": in_customer_service(request.user),
            "breaches": breaches,
            "period": period,
            "breached_unassessed": sum(r["breached"] for r in breaches if not r["rules"]),
            "escalated_penalty": penalty_badges(escalated, named=True) if escalated else "",
        },
    )


def _detail(request, violation, bound=None, status=200):
    actions = []
    for name in available_actions(violation, request.user, ACTIONS):
        action = ACTIONS[name]
        form = bound[1] if bound and bound[0] == name else action.form(prefix=name)
        actions.append({"name": name, "label": action.label, "form": form, "style": action.style})
    return render(
        request,
        "accountability/detail.html",
        {
            "violation": violation,
            "actions": actions,
            "open_action": bound[0] if bound else None,
            "shares": violation.shares.select_related("person__profile"),
            "reports": violation.reports.select_related(
                "responsible_person__profile", "submitted_by__profile"
            ),
            "deadlines": [d for d in violation.deadlines.all() if d.state != "cancelled"]
            if hasattr(violation, "deadlines")
            else [],
        },
        status=status,
    )


@login_required
def violation_detail_view(request, pk):
    return _detail(request, get_object_or_404(violation_list(user=request.user), pk=pk))


@login_required
@require_POST
def violation_act_view(request, pk, name):
    return act(
        request, get_object_or_404(violation_list(user=request.user), pk=pk), ACTIONS, name, _detail
    )


@login_required
def violation_new_view(request):
    if not is_assessor(None, request.user):
        raise PermissionDenied(ASSESSORS_ONLY)
    form = forms.ViolationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        violation = services.violation_propose(
            rule=data["rule"],
            evidence_key=f"manual:{timezone.now().timestamp()}:{request.user.pk}",
            department=data["department"],
            person=data["person"],
            description=data["description"],
            actor=request.user,
        )
        return redirect(violation)
    return render(
        request, "accountability/form.html", {"form": form, "title": _("Record a violation")}
    )


@login_required
def interaction_form_view(request):
    if not in_customer_service(request.user):
        raise PermissionDenied(CUSTOMER_SERVICE_ONLY)
    form = forms.InteractionFormForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = services.interaction_form_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Interaction form sent to marketing."))
        return redirect(record.violation)
    return render(
        request, "accountability/form.html", {"form": form, "title": _("Interaction form")}
    )


@login_required
def assessment_view(request, period=None):
    period = _period(period)
    assessment, summary, items = assessment_for(period, user=request.user)
    items = items.select_related("rule", "department", "person")
    if request.method == "POST":
        try:
            if request.POST.get("do") == "approve":
                services.assessment_approve(period=period, actor=request.user)
            elif request.POST.get("do") == "publish":
                if not user_has_role(request.user, Role.ASSESSMENT_COMMITTEE, Role.ADMIN):
                    raise PermissionDenied(COMMITTEE_ONLY)
                services.assessment_publish(period=period, actor=request.user)
        except (Conflict, PermissionDenied, ValidationError) as error:
            messages.error(request, str(error) or _("You may not do this."))
        return redirect("accountability:assessment", period=period)
    return render(
        request,
        "accountability/assessment.html",
        {
            "period": period,
            "assessment": assessment,
            "summary": summary,
            "items": items,
            "committee": user_has_role(request.user, Role.ASSESSMENT_COMMITTEE, Role.ADMIN),
        },
    )


def _export_data(period, user):
    assessment, summary, items = assessment_for(period, user=user)
    rows = [
        [
            v.number,
            v.rule.name_zh,
            v.department.name_zh,
            v.person.username if v.person else "",
            sum(s.yuan for s in v.shares.all()),
            sum(s.points for s in v.shares.all()),
            v.determination,
        ]
        for v in items.select_related("rule", "department", "person").prefetch_related("shares")
    ]
    state = assessment.get_state_display() if assessment else AssessmentState.DRAFT.label
    return summary, rows, str(state)


@login_required
def assessment_export(request, period, fmt):
    period = _period(period)
    summary, rows, state = _export_data(period, request.user)
    if fmt == "xlsx":
        body = exports.assessment_xlsx(period, summary, rows)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = exports.assessment_pdf(period, summary, state)
        content_type = "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="assessment-{period}.{fmt}"'
    return response


@login_required
def rankings_view(request):
    period = _period(request.GET.get("period"))
    visible = rankings_visible(period, user=request.user)
    return render(
        request,
        "accountability/rankings.html",
        {
            "period": period,
            "visible": visible,
            "rankings": rankings(period) if visible else [],
            "grades": grades(period) if visible else [],
        },
    )
