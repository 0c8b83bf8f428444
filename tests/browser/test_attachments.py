"""Files on an incident's page, as a person attaches and reads them: a photo of the site
previewed, a PDF report downloaded."""

import io
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect
from reportlab.pdfgen import canvas

from incidents import services
from organisation.demo import seed_demo
from organisation.models import City
from tests.browser.test_incident_walk import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (160, 120), (30, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def report() -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.drawString(72, 720, "Incident report")
    pdf.save()
    return out.getvalue()


def test_attach_a_photo_and_a_report_then_preview_and_download(
    page: Page, live_server, settings, tmp_path
):
    settings.STORAGES = {
        **django_settings.STORAGES,
        "attachments": {
            "BACKEND": "collaboration.attachment_storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": tmp_path / "attachments"},
        },
    }
    seed_demo()
    incident = services.incident_create(
        actor=User.objects.get(username="cs_contact"),
        cities=list(City.objects.filter(code="CC")),
        title="长春地区4G数据业务中断",
        business_line="network",
        source="business_risk",
        occurred_at=timezone.now() - timedelta(minutes=30),
    )
    person = User.objects.get(username="cs_contact")
    pdf = report()
    sign_in(page, live_server, "cs_contact")
    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    panel = page.locator(f"#attachments-incident-{incident.pk}")
    panel.locator('input[type="file"]').set_input_files(
        [
            {"name": "现场照片.png", "mimeType": "image/png", "buffer": photo()},
            {"name": "故障报告.pdf", "mimeType": "application/pdf", "buffer": pdf},
        ]
    )
    panel.locator('button[type="submit"]').click()

    panel = page.locator(f"#attachments-incident-{incident.pk}")
    expect(panel.get_by_text("现场照片.png")).to_be_visible()
    expect(panel.get_by_text("故障报告.pdf")).to_be_visible()
    preview = panel.locator("img.attachment-thumb")
    expect(preview).to_have_count(1)
    expect(preview).to_be_visible()
    # the picture came through the scoped view and was decoded
    assert preview.evaluate("img => img.complete && img.naturalWidth") == 160
    expect(panel.locator(".attachment", has_text="故障报告.pdf")).to_contain_text(
        person.profile.full_name
    )

    with page.expect_download() as caught:
        panel.locator(".attachment", has_text="故障报告.pdf").get_by_role(
            "link", name="故障报告.pdf"
        ).click()
    download = caught.value
    assert download.suggested_filename == "故障报告.pdf"
    assert download.path().read_bytes() == pdf
