"""The pages of attachments: attaching files to a record, and reading one, both within the
record's scoping (a record or file outside it is a 404, as everywhere)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.display import joined

from .attachment_forms import AttachmentForm
from .attachment_selectors import attachment_get, attachment_list, record_get
from .attachment_services import attachment_add, attachment_storage
from .records import kind_of

#: shown in the browser (a picture, a PDF); everything else is only ever downloaded
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})
#: a file read from here runs nothing and loads nothing; one not shown inline is sandboxed
FILE_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
)


def panel_id(record) -> str:
    return f"attachments-{kind_of(record).code}-{record.pk}"


@login_required
@require_http_methods(["GET", "POST"])
@transaction.non_atomic_requests  # each file is its own transaction (attachment_add)
def attachment_upload_view(request, kind, pk):
    record = record_get(user=request.user, code=kind, pk=pk)
    record_kind = kind_of(record)
    form = AttachmentForm()
    status = 200
    if request.method == "POST":
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            added = []
            for upload in form.cleaned_data["files"]:
                try:
                    attachment_add(record=record, actor=request.user, file=upload, name=upload.name)
                except ValidationError as error:
                    for message in error.message_dict.get("file", error.messages):
                        form.add_error("files", f"{upload.name}: {message}")
                else:
                    added.append(upload.name)
            if added:
                messages.success(request, _("Attached: %(names)s.") % {"names": joined(added)})
            if form.is_valid():
                return redirect(f"{record_kind.url(record)}#{panel_id(record)}")
        status = 400
    context = {
        "record": record,
        "record_kind": record_kind,
        "back": record_kind.url(record),
        "form": form,
        "attachments": attachment_list(record=record),
    }
    return render(request, "collaboration/attachments/upload.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def attachment_file_view(request, pk):
    """The file's bytes, to someone who may see its record: a picture or a PDF shown in the
    browser, anything else (and everything with ``?download=1``) as a download."""
    attachment, _record = attachment_get(user=request.user, pk=pk)
    return attachment_response(attachment, download=bool(request.GET.get("download")))


def attachment_response(attachment, *, download: bool) -> FileResponse:
    """The file's bytes streamed from the storage, with headers that keep a browser from
    reading them as anything but what they are."""
    inline = attachment.content_type in INLINE_TYPES and not download
    try:
        handle = attachment_storage().open(attachment.stored_as, "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY if inline else f"{FILE_POLICY}; sandbox"
    response["Cache-Control"] = "private, no-cache"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
