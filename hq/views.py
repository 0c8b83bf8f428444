"""Pages of the headquarters exchange: prepare, edit, approve and send a report; relay an HQ
warning; HQ's attachment as received."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from incidents.services import incident_relay

from . import services
from .forms import ReportEditForm, ReportPrepareForm
from .models import HqWarning
from .reports import report_pdf
from .selectors import incident_visible, report_get


def _incident_page(incident_id: int, anchor: str = "hq") -> str:
    return reverse("incidents:detail", kwargs={"pk": incident_id}) + f"#{anchor}"


@login_required
@require_POST
def report_prepare_view(request, incident_id):
    incident = incident_visible(user=request.user, incident_id=incident_id)
    form = ReportPrepareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a report."))
        return redirect(_incident_page(incident.pk))
    try:
        report, _created = services.report_prepare(
            incident_id=incident.pk, actor=request.user, kind=form.cleaned_data["kind"]
        )
    except Conflict as error:  # a PermissionDenied is the 403 page, saying who may
        messages.error(request, str(error))
        return redirect(_incident_page(incident.pk))
    return redirect("hq:report", pk=report.pk)


@login_required
def report_view(request, pk):
    """The draft to edit, then approve; the approved report to send; the sent one to read."""
    report = report_get(user=request.user, pk=pk)
    form = ReportEditForm(request.POST or None, report=report)
    if request.method == "POST":
        step = request.POST.get("step", "save")
        try:
            if step in ("save", "approve"):
                if not form.is_valid():
                    return _report_page(request, report, form, status=400)
                services.report_edit(
                    report_id=report.pk,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    sections=form.sections(),
                )
                if step == "approve":
                    services.report_approve(report_id=report.pk, actor=request.user)
            elif step == "send":
                services.report_send(report_id=report.pk, actor=request.user)
                messages.success(request, _("The report has been sent."))
                return redirect(_incident_page(report.incident_id))
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                name = f"section_{field}" if f"section_{field}" in form.fields else None
                form.add_error(name if name or field == "title" else None, errors)
            return _report_page(request, report_get(user=request.user, pk=pk), form, status=400)
        except Conflict as error:
            messages.error(request, str(error))
        return redirect("hq:report", pk=report.pk)
    return _report_page(request, report, form)


def _report_page(request, report, form, status=200):
    return render(
        request,
        "hq/report.html",
        {"report": report, "incident": report.incident, "form": form},
        status=status,
    )


@login_required
def report_pdf_view(request, pk):
    report = report_get(user=request.user, pk=pk)
    response = HttpResponse(report_pdf(report), content_type="application/pdf")
    name = f"{report.incident.number}-{report.kind}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def warning_attachment_view(request, incident_id):
    incident = incident_visible(user=request.user, incident_id=incident_id)
    warning = get_object_or_404(HqWarning, incident=incident)
    if not warning.attachment_name:
        raise Http404
    response = HttpResponse(
        bytes(warning.attachment),
        content_type=warning.attachment_type or "application/octet-stream",
    )
    response["Content-Disposition"] = f'attachment; filename="{warning.attachment_name}"'
    return response


@login_required
@require_POST
def relay_view(request, incident_id):
    """The CS centre has passed HQ's warning on and phoned (第八条(一))."""
    incident = incident_visible(user=request.user, incident_id=incident_id)
    try:
        incident_relay(
            incident_id=incident.pk, actor=request.user, note=request.POST.get("note", "")[:500]
        )
    except Conflict as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Recorded: the warning has been passed on."))
    return redirect(_incident_page(incident.pk))
