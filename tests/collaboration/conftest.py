from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accountability.models import Violation
from complaints import services as complaint_services
from incidents.demo import drive
from incidents.models import ActionItem, Submission
from organisation.models import Department
from tests.factories import UserFactory, hotline_intake
from tests.incidents.conftest import demo, make_incident  # noqa: F401 - shared fixtures


@pytest.fixture(autouse=True)
def attachment_dir(settings, tmp_path):
    """Each test's attachments in a folder of its own."""
    folder = tmp_path / "attachments"
    settings.STORAGES = {
        **django_settings.STORAGES,
        "attachments": {
            "BACKEND": "collaboration.attachment_storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": folder},
        },
    }
    return folder


@pytest.fixture
def outsider(db):
    """Someone of a department of their own, with no role: sees none of the records."""
    return UserFactory()


@pytest.fixture
def records(demo, make_incident):  # noqa: F811 - the fixtures imported above
    """One record of each kind, and who (of the demo people) sees it."""
    incident = make_incident()
    drive(incident, demo, "improving")
    item = ActionItem.objects.create(
        incident=incident,
        title="更换传输板卡",
        created_by=demo["cs_contact"],
        owner_department=incident.owning_department,
        due_at=timezone.now() + timedelta(days=7),
    )
    submission = Submission.objects.filter(incident=incident).order_by("pk").first()
    complaint = complaint_services.complaint_create(
        actor=demo["hotline1"], **hotline_intake(escalation="ministry")
    )
    complaint_services.complaint_dispatch(
        complaint_id=complaint.pk,
        actor=demo["hotline1"],
        department=Department.objects.get(code="NET"),
    )
    violation = Violation.objects.get(rule__code="complaint-ministry")
    return {
        "incident": (incident, demo["cs_contact"]),
        "action_item": (item, demo["cs_contact"]),
        "submission": (submission, demo["cs_contact"]),
        "complaint": (complaint, demo["hotline1"]),
        "violation": (violation, demo["net_contact"]),
    }
