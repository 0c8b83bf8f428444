"""Comment pages: a record's discussion (for a record shown as a part of another's page),
writing a comment, its author's correction, and the people who may be mentioned."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.actions import add_errors
from core.errors import Conflict

from . import records, selectors, services
from .forms import CommentForm


def _record(request, kind, pk):
    try:
        return selectors.record_get(user=request.user, kind_code=kind, record_id=pk)
    except selectors.NotVisible:
        raise Http404 from None


def _discussion(request, record, form=None, status=200):
    kind = records.kind_of(record)
    return render(
        request,
        "collaboration/comments/discussion.html",
        {"record": record, "record_kind": kind, "record_url": kind.url(record), "form": form},
        status=status,
    )


@login_required
def comments_view(request, kind, pk):
    """GET: the record's discussion; POST: a new comment on it."""
    record = _record(request, kind, pk)
    if request.method != "POST":
        return _discussion(request, record)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_create(
                record=record, author=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Comment posted."))
            return redirect(services.comment_link(comment, record))
    return _discussion(request, record, form=form, status=400)


@login_required
def comment_edit_view(request, pk):
    try:
        comment, record = selectors.comment_get(user=request.user, comment_id=pk)
    except selectors.NotVisible:
        raise Http404 from None
    link = services.comment_link(comment, record)
    if not services.comment_may_edit(comment, request.user):
        messages.error(
            request,
            _("Only its author may edit a comment, for %(minutes)d minutes after writing it.")
            % {"minutes": settings.COMMENT_EDIT_MINUTES},
        )
        return redirect(link)
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(
                comment_id=comment.pk, actor=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_errors(form, error)
        except (Conflict, PermissionDenied) as error:
            messages.error(request, str(error))
            return redirect(link)
        else:
            messages.success(request, _("Comment corrected."))
            return redirect(link)
    return render(
        request,
        "collaboration/comments/edit.html",
        {"comment": comment, "record": record, "form": form, "back": link},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_GET
def mentionable_view(request, kind, pk):
    """The people who may be mentioned on the record (JSON, for the comment form's picker)."""
    record = _record(request, kind, pk)
    people = selectors.mentionable_people(record=record, query=request.GET.get("q", "")[:50])
    return JsonResponse(
        {
            "people": [
                {"username": person.username, "name": person.get_full_name()} for person in people
            ]
        }
    )
