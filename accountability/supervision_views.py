"""The working group's supervision pages: draw a sample of closed cases, review each."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.actions import add_errors, errors_text, run_or_tell
from organisation.models import Role
from organisation.selectors import user_has_role

from . import forms, supervision_services
from .models import SampleReview, SupervisionSample

# who may instead, on the 403 page
WORKING_GROUP_ONLY = gettext_lazy("The working group runs the supervision samples.")


def _supervisor(request) -> None:
    if not user_has_role(request.user, Role.WORKING_GROUP, Role.ADMIN):
        raise PermissionDenied(WORKING_GROUP_ONLY)


@login_required
def supervision_view(request):
    """The working group's random samples of closed cases (seed 001 五(一))."""
    _supervisor(request)
    form = forms.SampleDrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sample = supervision_services.sample_draw(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("accountability:sample", pk=sample.pk)
    samples = SupervisionSample.objects.select_related("drawn_by__profile")
    page = Paginator(samples, 25).get_page(request.GET.get("page"))
    return render(request, "accountability/supervision.html", {"form": form, "page": page})


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
    return render(
        request, "accountability/sample.html", {"sample": sample, "rows": rows, "done": done}
    )


@login_required
@require_POST
def sample_review_view(request, pk):
    _supervisor(request)
    review = get_object_or_404(SampleReview, pk=pk)
    form = forms.SampleReviewForm(request.POST, prefix=f"review-{review.pk}")
    if not form.is_valid():
        messages.error(request, errors_text(form))
    elif run_or_tell(
        request,
        lambda: supervision_services.sample_review(
            review_id=review.pk, actor=request.user, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Review recorded."))
    return redirect("accountability:sample", pk=review.sample_id)
