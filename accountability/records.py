"""The accountability records people work on together (``collaboration.records``): a
violation, and with it its dispute."""

from django.utils.translation import gettext_lazy as _

from collaboration.records import RecordKind, register

from .models import Violation
from .selectors import violation_scope


def register_records() -> None:
    register(
        RecordKind(
            "violation",
            Violation,
            _("violation"),
            violation_scope,
            Violation.get_absolute_url,
            lambda violation: [f"violation:{violation.pk}"],
        )
    )
