from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import Notification
from .selectors import notification_list
from .services import notification_mark_read


@login_required
def inbox(request):
    page = Paginator(notification_list(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
def open_notification(request, pk):
    """Mark as read, then follow the notification's link."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(user=request.user, notification_id=notification.pk)
    if notification.link and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    notification_mark_read(user=request.user)
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    """Which channels the person receives besides the in-app inbox."""
    from django.contrib import messages
    from django.utils.translation import gettext as _

    from .models import PERSONAL_CHANNELS, ChannelPreference
    from .services import channel_preferences_set

    if request.method == "POST":
        channel_preferences_set(
            user=request.user,
            enabled={channel: request.POST.get(channel) == "on" for channel in PERSONAL_CHANNELS},
        )
        messages.success(request, _("Saved."))
        return redirect("notifications:preferences")
    off = set(
        ChannelPreference.objects.filter(user=request.user, enabled=False).values_list(
            "channel", flat=True
        )
    )
    channels = [(c.value, c.label, c.value not in off) for c in PERSONAL_CHANNELS]
    return render(request, "notifications/preferences.html", {"channels": channels})
