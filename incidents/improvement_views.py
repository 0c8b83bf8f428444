"""Pages of the improvement phase: action items, the special bulletin, supervision samples."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from organisation.models import Role
from organisation.selectors import user_has_role

from . import forms, improvement_services
from .choices import ActionItemState
from .exports import bulletin_pdf
from .models import SampleReview, SupervisionSample
from .selectors import action_item_list, action_item_scope, bulletin_data
from .views import ITEM_ACTIONS, _visible_incident


def _run(request, run) -> bool:
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


def _form_errors(form) -> str:
    return " ".join(
        f"{form.fields[field].label if field in form.fields else ''}: {' '.join(errors)}"
        for field, errors in form.errors.items()
    )


@login_required
@require_POST
def action_item_act_view(request, pk, name):
    item = get_object_or_404(action_item_scope(request.user), pk=pk)
    action = ITEM_ACTIONS.get(name)
    if action is None:
        raise Http404
    form = action.form(request.POST, prefix=f"{name}-{item.pk}")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    elif _run(request, lambda: action.run(item, request.user, dict(form.cleaned_data))):
        messages.success(request, _("Done: %(action)s.") % {"action": action.label})
    return redirect(item.get_absolute_url())


@login_required
def rectification_list_view(request):
    """My rectification items 我的整改事项: the measures this person or their department
    answers for, soonest due first, with countdowns."""
    show_all = request.GET.get("state") == "all"
    states = ActionItemState.values if show_all else (ActionItemState.OPEN, ActionItemState.DONE)
    items = action_item_list(user=request.user, states=states)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "incidents/rectification.html", {"page": page, "show_all": show_all})


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


def _supervisor(request) -> None:
    if not user_has_role(request.user, Role.WORKING_GROUP, Role.ADMIN):
        raise PermissionDenied


@login_required
def supervision_view(request):
    """The working group's random samples of closed cases (seed 001 五(一))."""
    _supervisor(request)
    form = forms.SampleDrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sample = improvement_services.sample_draw(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("incidents:sample", pk=sample.pk)
    samples = SupervisionSample.objects.select_related("drawn_by__profile")
    page = Paginator(samples, 25).get_page(request.GET.get("page"))
    return render(request, "incidents/supervision.html", {"form": form, "page": page})


@login_required
def sample_view(request, pk):
    _supervisor(request)
    sample = get_object_or_404(SupervisionSample.objects.select_related("drawn_by"), pk=pk)
    reviews = sample.reviews.select_related(
        "incident__owning_department", "complaint__department", "reviewed_by__profile"
    )
    rows = [
        {"review": review, "form": forms.SampleReviewForm(prefix=f"review-{review.pk}")}
        for review in reviews
    ]
    done = sum(review.reviewed_at is not None for review in reviews)
    return render(request, "incidents/sample.html", {"sample": sample, "rows": rows, "done": done})


@login_required
@require_POST
def sample_review_view(request, pk):
    _supervisor(request)
    review = get_object_or_404(SampleReview, pk=pk)
    form = forms.SampleReviewForm(request.POST, prefix=f"review-{review.pk}")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    elif _run(
        request,
        lambda: improvement_services.sample_review(
            review_id=review.pk, actor=request.user, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Review recorded."))
    return redirect("incidents:sample", pk=review.sample_id)
