"""Pages of public notices: the public status page and its feed (no sign-in, no session), and
the staff's actions from the incident page's panels."""

import hmac
import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.actions import errors_text
from core.errors import Conflict
from incidents.selectors import incident_scope

from . import services
from .feed import feed_document
from .forms import BroadcastForm, NoticeResolveForm, NoticeTextForm
from .phones import phones_from_csv
from .selectors import notice_list, notice_public_get, notice_public_list

# --- the public status page -------------------------------------------------------------------


def _public(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=settings.STATUS_CACHE_SECONDS)
    return response


@require_GET
def status_page(request):
    """Current notices and those resolved lately, for everyone, in the switch's language."""
    current, resolved = notice_public_list()
    context = {
        "current": current,
        "resolved": resolved,
        "days": settings.STATUS_RESOLVED_DAYS,
        "now": timezone.now(),
    }
    return _public(render(request, "notices/status.html", context))


@require_GET
def status_language(request, code):
    """The status page's language switch: a plain link (the page holds no form and sets no
    cookie but this one, the same as the site's switch sets), back to a status page."""
    if code not in {language for language, _name in settings.LANGUAGES}:
        raise Http404
    target = request.GET.get("next", "")
    if not target.startswith("/status/") or "//" in target or "\\" in target:
        target = reverse("status:page")
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@require_GET
def status_detail(request, public_id):
    try:
        public_id = uuid.UUID(public_id)
    except ValueError:
        raise Http404 from None
    view = notice_public_get(public_id=public_id)
    if view is None:
        raise Http404
    return _public(render(request, "notices/status_detail.html", {"view": view}))


@require_GET
def status_feed(request):
    """The status page as JSON (docs/status-feed.md): both languages, approved texts only."""
    current, resolved = notice_public_list()
    body = json.dumps(feed_document(request, current, resolved), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return _public(response)


# --- staff actions from the incident page -----------------------------------------------------


def _incident_url(incident_id: int, anchor: str = "public-notice") -> str:
    return reverse("incidents:detail", kwargs={"pk": incident_id}) + f"#{anchor}"


def _notice(request, pk: int):
    return get_object_or_404(notice_list(user=request.user), pk=pk)


def _tell(request, run) -> bool:
    """Run a service call; a refusal by state or input is told on the page, a forbidden one
    is the 403 page."""
    try:
        run()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except Conflict as error:
        messages.error(request, str(error))
    else:
        return True
    return False


@login_required
@require_POST
def notice_draft(request, pk):
    incident = get_object_or_404(incident_scope(request.user), pk=pk)
    if _tell(request, lambda: services.notice_draft(incident_id=incident.pk, actor=request.user)):
        messages.success(request, _("The public notice was drafted from the explanation script."))
    return redirect(_incident_url(incident.pk))


@login_required
@require_POST
def notice_edit(request, pk):
    notice = _notice(request, pk)
    form = NoticeTextForm(request.POST, prefix="notice")
    if not form.is_valid():
        messages.error(request, errors_text(form))
    elif _tell(
        request,
        lambda: services.notice_edit(notice_id=notice.pk, actor=request.user, **form.cleaned_data),
    ):
        messages.success(request, _("Saved; it awaits the owning department's approval."))
    return redirect(_incident_url(notice.incident_id))


@login_required
@require_POST
def notice_approve(request, pk):
    notice = _notice(request, pk)
    if _tell(request, lambda: services.notice_approve(notice_id=notice.pk, actor=request.user)):
        messages.success(request, _("Approved: the status page shows it."))
    return redirect(_incident_url(notice.incident_id))


@login_required
@require_POST
def notice_resolve(request, pk):
    notice = _notice(request, pk)
    form = NoticeResolveForm(request.POST, prefix="resolve")
    if not form.is_valid():
        messages.error(request, errors_text(form))
    elif _tell(
        request,
        lambda: services.notice_resolve(
            notice_id=notice.pk, actor=request.user, **form.cleaned_data
        ),
    ):
        messages.success(request, _("The public notice says the service is back."))
    return redirect(_incident_url(notice.incident_id))


@login_required
@require_POST
def broadcast_create(request, pk):
    incident = get_object_or_404(incident_scope(request.user), pk=pk)
    form = BroadcastForm(request.POST, request.FILES, prefix="broadcast")
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return redirect(_incident_url(incident.pk, "sms-broadcast"))
    phones = [line for line in (form.cleaned_data["phones"] or "").splitlines()]
    if form.cleaned_data["file"]:
        phones += phones_from_csv(form.cleaned_data["file"].read())
    if _tell(
        request,
        lambda: services.broadcast_create(
            incident_id=incident.pk,
            actor=request.user,
            phones=phones,
            rate=form.cleaned_data["rate"],
        ),
    ):
        messages.success(request, _("The customer list was stored."))
    return redirect(_incident_url(incident.pk, "sms-broadcast"))


@login_required
@require_POST
def broadcast_start(request, pk):
    from .selectors import broadcast_list

    broadcast = get_object_or_404(broadcast_list(user=request.user), pk=pk)
    if _tell(
        request, lambda: services.broadcast_start(broadcast_id=broadcast.pk, actor=request.user)
    ):
        messages.success(request, _("The broadcast is being sent."))
    return redirect(_incident_url(broadcast.incident_id, "sms-broadcast"))


# --- the SMS gateway's opt-out callback ---------------------------------------------------------


@csrf_exempt
@require_POST
def sms_opt_out(request):
    """A customer's reply to a broadcast, as the gateway forwards it: ``{"phone": "138…",
    "text": "TD"}`` with ``Authorization: Bearer <SMS_INBOUND_TOKEN>``. An unsubscribe word
    records the number; it is never sent to again."""
    token = settings.SMS_INBOUND_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        raise PermissionDenied(_("The gateway's token is missing or wrong."))
    try:
        data = json.loads(request.body or b"{}")
        if not isinstance(data, dict):
            raise ValueError
    except ValueError:
        return JsonResponse({"detail": _("The body must be a JSON object.")}, status=400)
    try:
        opted_out = services.opt_out_record(
            phone=str(data.get("phone", "")), text=str(data.get("text", ""))
        )
    except ValidationError as error:
        return JsonResponse(error.message_dict, status=400)
    return JsonResponse({"opted_out": opted_out})
