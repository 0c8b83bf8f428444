"""The violations of an incident or a complaint, shown on its page."""

from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string

from .models import Violation


def violations_panel(request, record) -> str:
    violations = Violation.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("rule", "department", "person__profile")
    if not violations:
        return ""
    return render_to_string(
        "accountability/_panel.html", {"violations": violations}, request=request
    )
