"""The complaint records people work on together (``collaboration.records``)."""

from django.utils.translation import gettext_lazy as _

from collaboration.records import RecordKind, register

from .models import Complaint
from .selectors import complaint_scope, complaints_assigned


def register_records() -> None:
    register(
        RecordKind(
            "complaint",
            Complaint,
            _("complaint"),
            complaint_scope,
            Complaint.get_absolute_url,
            lambda complaint: [f"complaint:{complaint.pk}"],
            complaints_assigned,
        )
    )
