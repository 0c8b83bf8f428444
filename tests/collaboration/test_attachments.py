"""Files attached to incidents, action items, submissions, complaints and violations: typed by
their bytes, within the limits, stored under names nobody can guess, read only by those who
see the record, and never half kept."""

import hashlib
import io
import os
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from collaboration import attachment_services
from collaboration.attachment_services import attachment_add, attachment_orphans_prune
from collaboration.models import Attachment

pytestmark = pytest.mark.django_db

KINDS = ["incident", "action_item", "submission", "complaint", "violation"]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(folder) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(root, name), folder)
        for root, _dirs, names in os.walk(folder)
        for name in names
    )


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_takes_files_on_its_page_and_shows_them(kind, records, client, attachment_dir):
    record, person = records[kind]
    client.force_login(person)
    answer = client.post(
        f"/attachments/{kind}/{record.pk}/",
        {"files": [upload("现场照片.png", png(), "image/png"), upload("处理报告.pdf", PDF)]},
    )
    assert answer.status_code == 302
    assert answer["Location"].startswith(
        record.get_absolute_url() if kind != "submission" else "/incidents/"
    )
    first, second = Attachment.objects.order_by("pk")
    assert (first.record_kind, first.record_id, first.uploaded_by) == (kind, record.pk, person)
    assert (first.name, first.content_type) == ("现场照片.png", "image/png")
    assert (second.name, second.content_type, second.size) == (
        "处理报告.pdf",
        "application/pdf",
        len(PDF),
    )
    assert second.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (attachment_dir / second.stored_as).read_bytes() == PDF
    page = client.get(answer["Location"].split("#")[0]).content.decode()
    assert "现场照片.png" in page and "处理报告.pdf" in page
    assert f'src="/attachments/{first.pk}/"' in page  # the picture previewed
    assert f'href="/attachments/{second.pk}/?download=1"' in page


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_takes_a_file_through_the_api(kind, records, client):
    record, person = records[kind]
    client.force_login(person)
    answer = client.post(
        "/api/v1/attachments/",
        {"record": f"{kind}:{record.pk}", "file": upload("说明.txt", "第一行\n第二行\n".encode())},
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["record"] == f"{kind}:{record.pk}"
    assert (body["name"], body["content_type"]) == ("说明.txt", "text/plain")
    listed = client.get("/api/v1/attachments/", {"record": f"{kind}:{record.pk}"}).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    download = client.get(body["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == "第一行\n第二行\n".encode()
    assert download["Content-Disposition"].startswith("attachment;")


def test_the_type_is_what_the_bytes_are_not_what_the_client_says(records, client):
    incident, person = records["incident"]
    client.force_login(person)
    answer = client.post(
        "/api/v1/attachments/",
        {"record": f"incident:{incident.pk}", "file": upload("photo.png", PDF, "image/png")},
    )
    assert answer.json()["content_type"] == "application/pdf"
    refused = client.post(
        "/api/v1/attachments/",
        {"record": f"incident:{incident.pk}", "file": upload("report.pdf", EXE, "application/pdf")},
    )
    assert refused.status_code == 400
    assert [e["attr"] for e in refused.json()["errors"]] == ["file"]
    page = client.post(
        f"/attachments/incident/{incident.pk}/", {"files": [upload("报告.pdf", EXE)]}
    )
    assert page.status_code == 400
    assert "报告.pdf" in page.content.decode() and 'role="alert"' in page.content.decode()
    assert Attachment.objects.count() == 1


def test_csv_and_office_documents_are_told_apart(records):
    assert attachment_services.content_type_sniff(b"a,b\n1,2\n", "figures.csv") == "text/csv"
    assert (
        attachment_services.content_type_sniff("甲,乙\n".encode("gb18030"), "x.txt") == "text/plain"
    )
    assert (
        attachment_services.content_type_sniff(b"\x00\x01\x02binary", "x.txt")
        == "application/octet-stream"
    )
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    assert attachment_services.content_type_sniff(out.getvalue()[:65536], "x.zip") == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_a_file_over_the_limit_is_refused_naming_the_field(
    records, client, settings, attachment_dir
):
    settings.ATTACHMENT_MAX_BYTES = 1000
    incident, person = records["incident"]
    client.force_login(person)
    answer = client.post(
        "/api/v1/attachments/",
        {"record": f"incident:{incident.pk}", "file": upload("big.txt", b"x" * 1001)},
    )
    assert answer.status_code == 413
    assert [(e["attr"], e["code"]) for e in answer.json()["errors"]] == [("file", "too_large")]
    page = client.post(
        f"/attachments/incident/{incident.pk}/", {"files": [upload("big.txt", b"x" * 1001)]}
    )
    assert page.status_code == 400
    assert "big.txt" in page.content.decode()
    assert not Attachment.objects.exists() and stored_files(attachment_dir) == []
    # at the limit: taken
    ok = client.post(
        "/api/v1/attachments/",
        {"record": f"incident:{incident.pk}", "file": upload("ok.txt", b"x" * 1000)},
    )
    assert ok.status_code == 201


def test_a_type_not_accepted_is_refused(records, client, settings):
    settings.ATTACHMENT_TYPES = ["application/pdf"]
    incident, person = records["incident"]
    client.force_login(person)
    answer = client.post(
        "/api/v1/attachments/",
        {"record": f"incident:{incident.pk}", "file": upload("a.png", png(), "image/png")},
    )
    assert answer.status_code == 400
    assert [(e["attr"], e["code"]) for e in answer.json()["errors"]] == [("file", "type")]


@pytest.mark.parametrize("kind", KINDS)
def test_outside_the_records_scope_everything_is_a_404(kind, records, client, outsider):
    record, person = records[kind]
    attachment = attachment_add(
        record=record, actor=person, file=upload("a.pdf", PDF), name="a.pdf"
    )
    client.force_login(outsider)
    ref = f"{kind}:{record.pk}"
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/attachments/{attachment.pk}/?download=1").status_code == 404
    assert client.get(f"/attachments/{kind}/{record.pk}/").status_code == 404
    assert (
        client.post(
            f"/attachments/{kind}/{record.pk}/", {"files": [upload("b.pdf", PDF)]}
        ).status_code
        == 404
    )
    assert client.get("/api/v1/attachments/", {"record": ref}).status_code == 404
    assert client.get(f"/api/v1/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/api/v1/attachments/{attachment.pk}/download/").status_code == 404
    answer = client.post("/api/v1/attachments/", {"record": ref, "file": upload("b.pdf", PDF)})
    assert answer.status_code == 404
    assert Attachment.objects.count() == 1
    client.logout()
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 302  # to the login
    assert client.get(f"/api/v1/attachments/{attachment.pk}/download/").status_code in (401, 403)


def test_a_record_is_named_kind_colon_id(records, client):
    _incident, person = records["incident"]
    client.force_login(person)
    for bad in ("", "incident", "incident:x", "incident:0", "incident:-1", "Incident:1"):
        answer = client.get("/api/v1/attachments/", {"record": bad})
        assert answer.status_code == 400, bad
        assert [e["attr"] for e in answer.json()["errors"]] == ["record"]
    for unknown in ("incident:999999", "ticket:1"):
        assert client.get("/api/v1/attachments/", {"record": unknown}).status_code == 404


def test_files_have_no_public_url(records, client, attachment_dir):
    incident, person = records["incident"]
    attachment = attachment_add(
        record=incident, actor=person, file=upload("a.pdf", PDF), name="a.pdf"
    )
    assert "a.pdf" not in attachment.stored_as and len(attachment.stored_as) == 35  # xx/<uuid4 hex>
    with pytest.raises(NotImplementedError):
        storages["attachments"].url(attachment.stored_as)
    client.force_login(person)
    for url in (f"/media/{attachment.stored_as}", f"/var/attachments/{attachment.stored_as}"):
        assert client.get(url).status_code == 404
    page = client.get(incident.get_absolute_url()).content.decode()
    assert attachment.stored_as not in page
    assert (
        attachment.stored_as
        not in client.get(f"/api/v1/attachments/{attachment.pk}/").content.decode()
    )


def test_a_failure_after_storing_leaves_neither_file_nor_row(records, monkeypatch, attachment_dir):
    incident, person = records["incident"]

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(attachment_services.live, "publish", fail)  # after the row is written
    with pytest.raises(RuntimeError):
        attachment_add(record=incident, actor=person, file=upload("a.pdf", PDF), name="a.pdf")
    assert not Attachment.objects.exists()
    assert stored_files(attachment_dir) == []


def test_a_failed_upload_through_the_api_leaves_nothing(
    records, client, monkeypatch, attachment_dir
):
    incident, person = records["incident"]
    monkeypatch.setattr(
        attachment_services.Attachment.objects,
        "create",
        lambda **kw: (_ for _ in ()).throw(RuntimeError),
    )
    client.raise_request_exception = False
    client.force_login(person)
    answer = client.post(
        "/api/v1/attachments/", {"record": f"incident:{incident.pk}", "file": upload("a.pdf", PDF)}
    )
    assert answer.status_code == 500
    assert not Attachment.objects.exists() and stored_files(attachment_dir) == []


def test_bytes_left_by_a_rolled_back_transaction_are_pruned(records, attachment_dir):
    incident, person = records["incident"]
    kept = attachment_add(record=incident, actor=person, file=upload("a.pdf", PDF), name="a.pdf")
    storage = storages["attachments"]
    old = storage.save("ab/" + "0" * 32, ContentFile(b"orphan"))
    young = storage.save("ab/" + "1" * 32, ContentFile(b"orphan, its transaction still open"))
    # the files' times as the (possibly moved) clock of the test says, not the disk's
    an_hour_and_more, just_now = time.time() - 2 * 3600, time.time()
    os.utime(storage.path(old), (an_hour_and_more, an_hour_and_more))
    for name in (young, kept.stored_as):
        os.utime(storage.path(name), (just_now, just_now))
    assert attachment_orphans_prune() == 1
    assert stored_files(attachment_dir) == sorted([kept.stored_as, young])
    assert attachment_orphans_prune(older_than=timedelta(0)) == 1
    assert stored_files(attachment_dir) == [kept.stored_as]


def test_a_chinese_name_is_sent_as_rfc_5987(records, client):
    incident, person = records["incident"]
    name = "故障 处理说明（第2版）.txt"
    attachment = attachment_add(
        record=incident, actor=person, file=upload(name, "内容".encode()), name=name
    )
    client.force_login(person)
    answer = client.get(f"/attachments/{attachment.pk}/")
    disposition = answer["Content-Disposition"]
    assert disposition.startswith("attachment;")  # text is never shown inline
    assert f"filename*=utf-8''{quote(name)}" in disposition
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in answer["Content-Security-Policy"]
    assert answer["Content-Type"].startswith("text/plain")


def test_a_picture_is_previewed_inline_and_downloaded_on_request(records, client):
    incident, person = records["incident"]
    data = png()
    attachment = attachment_add(
        record=incident, actor=person, file=upload("图.png", data), name="图.png"
    )
    client.force_login(person)
    shown = client.get(f"/attachments/{attachment.pk}/")
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline;")
    assert "sandbox" not in shown["Content-Security-Policy"]
    assert "default-src 'none'" in shown["Content-Security-Policy"]
    assert b"".join(shown.streaming_content) == data
    saved = client.get(f"/attachments/{attachment.pk}/?download=1")
    assert saved["Content-Disposition"].startswith("attachment;")


def test_an_upload_is_told_to_the_records_open_pages(records, monkeypatch):
    told = []
    monkeypatch.setattr(
        attachment_services.live, "publish", lambda topics: told.append(list(topics))
    )
    item, person = records["action_item"]
    attachment_add(record=item, actor=person, file=upload("a.pdf", PDF), name="a.pdf")
    assert told == [[f"incident:{item.incident_id}"]]


def test_a_folder_in_the_name_is_dropped(records):
    incident, person = records["incident"]
    attachment = attachment_add(
        record=incident, actor=person, file=upload("x.pdf", PDF), name="..\\..\\etc/报告.pdf"
    )
    assert attachment.name == "报告.pdf"


def test_the_admin_shows_attachments_read_only(records, client, demo):
    incident, person = records["incident"]
    attachment = attachment_add(
        record=incident, actor=person, file=upload("a.pdf", PDF), name="a.pdf"
    )
    client.force_login(demo["admin"])
    assert client.get("/admin/collaboration/attachment/").status_code == 200
    assert client.get(f"/admin/collaboration/attachment/{attachment.pk}/change/").status_code == 200
    assert client.get("/admin/collaboration/attachment/add/").status_code == 403
    assert client.get(f"/admin/collaboration/attachment/{attachment.pk}/delete/").status_code == 403


def test_the_housekeeping_task_prunes_once(records, attachment_dir):
    from collaboration.tasks import prune_orphan_attachments_task

    storage = storages["attachments"]
    orphan = storage.save("cd/" + "2" * 32, ContentFile(b"orphan"))
    long_ago = time.time() - 3 * 3600
    os.utime(storage.path(orphan), (long_ago, long_ago))
    assert prune_orphan_attachments_task.run() == 1
    assert prune_orphan_attachments_task.run() == 0
    assert stored_files(attachment_dir) == []


@pytest.mark.parametrize("kind", ["incident", "action_item", "submission"])
def test_a_file_attached_to_an_incident_or_its_parts_is_on_its_timeline(kind, records, client):
    record, person = records[kind]
    incident = record if kind == "incident" else record.incident
    attachment_add(
        record=record, actor=person, file=upload("抢修记录.pdf", PDF), name="抢修记录.pdf"
    )
    event = incident.timeline.get(kind="attachment")
    assert (event.actor, event.action, event.payload["name"]) == (person, kind, "抢修记录.pdf")
    client.force_login(person)
    timeline = client.get(incident.get_absolute_url()).content.decode().split('id="timeline"')[1]
    assert "抢修记录.pdf" in timeline


def test_a_file_attached_to_a_complaint_is_on_its_timeline(records, client):
    complaint, person = records["complaint"]
    attachment_add(
        record=complaint,
        actor=person,
        file=upload("录音摘要.txt", "客户来电".encode()),
        name="录音摘要.txt",
    )
    event = complaint.timeline.get(kind="attachment")
    assert (event.actor, event.payload["name"]) == (person, "录音摘要.txt")
    client.force_login(person)
    timeline = client.get(complaint.get_absolute_url()).content.decode().split('id="timeline"')[1]
    assert "录音摘要.txt" in timeline
