"""The complaint list people work from: its filters (page and API), exports of the filtered,
scoped list (CSV and XLSX, streamed, personal data masked as on the list, full reads logged)
and bulk actions with a result per complaint."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone
from rest_framework.test import APIClient

from complaints import services as cs
from complaints.models import Complaint, PersonalDataRead
from complaints.selectors import mask
from deadlines.models import Deadline
from organisation.models import City, Department
from tests.incidents.test_lists import list_row

pytestmark = pytest.mark.django_db


def _take(demo, i, **overrides):
    data = {
        "channel": "hotline",
        "customer_name": f"客户{i}",
        "customer_phone": f"1380000{i:04d}",
        "customer_account": f"ACC-{i:06d}",
        "city": City.objects.get(code=overrides.pop("city", "CC")),
        "address": "长春市",
        "business_line": "network",
        "summary": f"=HYPERLINK(1) 第{i}件",
        "description": "上网很慢",
    }
    data.update(overrides)
    return cs.complaint_create(actor=demo["hotline1"], **data)


@pytest.fixture
def net(demo):
    return Department.objects.get(code="NET")


@pytest.fixture
def made(demo, net):
    """Five complaints: two dispatched to NET (one of them overdue), one billing, one
    serious in another city, one left with CS."""
    one = _take(demo, 1)
    two = _take(demo, 2)
    three = _take(demo, 3, business_line="billing")
    four = _take(demo, 4, severity="serious", city="JL")
    five = _take(demo, 5)
    for complaint in (one, two):
        cs.complaint_dispatch(complaint_id=complaint.pk, actor=demo["hotline1"], department=net)
    Deadline.objects.filter(complaint=two, state="pending").update(
        due_at=timezone.now() - timedelta(minutes=5)
    )
    return {"one": one, "two": two, "three": three, "four": four, "five": five}


def _numbers(response):
    return {complaint.number for complaint, _phone in response.context["rows"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"business_line": "billing"}, {"three"}),
        ({"severity": "serious"}, {"four"}),
        ({"city": "JL"}, {"four"}),
        ({"department": "NET"}, {"one", "two"}),
        ({"state": "dispatched"}, {"one", "two"}),
        ({"overdue": "on"}, {"two"}),
    ],
)
def test_the_page_and_the_api_filter_alike(made, demo, client, query, expected):
    client.force_login(demo["manager"])
    wanted = {made[name].number for name in expected}
    assert _numbers(client.get("/complaints/", query)) == wanted
    api = APIClient()
    api.force_authenticate(demo["manager"])
    api_query = {k: ("true" if v == "on" else v) for k, v in query.items()}
    response = api.get("/api/v1/complaints/", api_query)
    assert response.status_code == 200, response.json()
    assert {row["number"] for row in response.json()["results"]} == wanted


def test_the_api_refuses_a_filter_value_it_cannot_use(made, demo):
    api = APIClient()
    api.force_authenticate(demo["manager"])
    response = api.get("/api/v1/complaints/", {"overdue": "maybe"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "overdue"


# --- exports -------------------------------------------------------------------------------


def _csv(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx(response):
    assert isinstance(response, StreamingHttpResponse)  # FileResponse streams from its file
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [[cell for cell in row] for row in book.active.iter_rows(values_only=True)]


def test_the_export_is_the_filtered_list_in_its_scope(made, demo, client, settings):
    settings.EXPORT_CHUNK_SIZE = 1  # every row its own round trip: chunks join up
    client.force_login(demo["net_contact"])
    response = client.get("/complaints/export.csv", {"state": "dispatched"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    header, body = rows[0], rows[1:]
    assert header[0] == "编号" or header[0] == "Number"
    # NET sees its two, newest first, not the CS ones
    assert [row[0] for row in body] == [made["two"].number, made["one"].number]
    # its own department's: phone in full, and the read is logged as an export
    phone = header.index(next(h for h in header if h in ("Contact phone", "联系电话")))
    assert body[0][phone] == made["two"].customer_phone
    assert set(
        PersonalDataRead.objects.filter(user=demo["net_contact"], where="export.csv").values_list(
            "complaint", flat=True
        )
    ) == {made["one"].pk, made["two"].pk}
    # a cell that would run as a formula is kept as text
    summary = header.index(next(h for h in header if h in ("Summary", "摘要")))
    assert body[0][summary].startswith("'=")


def test_the_xlsx_export_masks_as_the_list_does(made, demo, client):
    client.force_login(demo["exec"])
    list_phones = {c.number: phone for c, phone in client.get("/complaints/").context["rows"]}
    response = client.get("/complaints/export.xlsx", {"business_line": "network"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _xlsx(response)
    body = rows[1:]
    numbers = [row[0] for row in body]
    assert set(numbers) == {made[n].number for n in ("one", "two", "four", "five")}
    for row in body:
        complaint = Complaint.objects.get(number=row[0])
        assert row[9] == list_phones[row[0]]
        if row[9] != complaint.customer_phone:
            assert row[9] == mask(complaint.customer_phone)
            assert row[10] == mask(complaint.customer_account)
    assert any(row[9] == mask(made["one"].customer_phone) for row in body)


def test_an_unknown_export_format_is_not_found(demo, client):
    client.force_login(demo["manager"])
    assert client.get("/complaints/export.pdf").status_code == 404


def test_the_export_buttons_carry_the_filters(made, demo, client):
    client.force_login(demo["manager"])
    html = client.get("/complaints/", {"business_line": "billing"}).content.decode()
    assert 'href="/complaints/export.csv?business_line=billing"' in html
    assert 'href="/complaints/export.xlsx?business_line=billing"' in html


# --- bulk actions --------------------------------------------------------------------------


def test_bulk_hand_over_one_done_one_refused_one_not_found(made, demo, client):
    """NET's interface person hands over: its dispatched complaint is done, one already
    handed over is refused with the reason in words, one it may not see is not found."""
    cs.complaint_hand_over(
        complaint_id=made["two"].pk, actor=demo["net_contact"], handler=demo["net_leader"]
    )
    client.force_login(demo["net_contact"])
    ids = [made["one"].pk, made["two"].pk, made["three"].pk]
    response = client.post(
        "/complaints/bulk/",
        {"ids": ids, "action": "hand_over", "handler": demo["net_leader"].pk, "query": "x=1"},
    )
    assert response.status_code == 302 and response["Location"] == "/complaints/?x=1"
    page = client.get(response["Location"])
    results = page.context["bulk_results"]["rows"]
    assert [(r["id"], r["status"]) for r in results] == [
        (made["one"].pk, 200),
        (made["two"].pk, 409),
        (made["three"].pk, 404),
    ]
    made["one"].refresh_from_db()
    assert (made["one"].state, made["one"].handler) == ("assigned", demo["net_leader"])
    html = page.content.decode()
    shown = [line.split() for line in html.split('data-testid="bulk-result"')[1:]]
    assert made["one"].number in " ".join(shown[0])
    assert made["two"].number in " ".join(shown[1]) and results[1]["detail"] in html
    assert made["three"].number not in html  # not even its number
    # shown once: a reload does not show it again
    assert client.get("/complaints/").context["bulk_results"] is None


def test_bulk_refusals_say_why_and_do_not_undo_the_others(made, demo, net):
    api = APIClient()
    api.force_authenticate(demo["hotline1"])
    outside = 10**12
    response = api.post(
        "/api/v1/complaints/bulk_action/",
        {
            "action": "dispatch",
            "department": "NET",
            "ids": [made["three"].pk, made["one"].pk, outside],
        },
        format="json",
    )
    assert response.status_code == 207
    results = response.json()
    assert [r["status"] for r in results] == [200, 409, 404]
    assert results[0]["number"] == made["three"].number and results[0]["state"] == "dispatched"
    assert results[1]["number"] == made["one"].number and results[1]["detail"]
    assert "number" not in results[2]
    made["three"].refresh_from_db()
    assert made["three"].department == net


def test_bulk_hand_over_to_a_handler_of_another_department_is_refused_in_words(made, demo):
    net_complaint = made["one"]
    api = APIClient()
    api.force_authenticate(demo["net_contact"])
    response = api.post(
        "/api/v1/complaints/bulk_action/",
        {"action": "hand_over", "handler": "hotline2", "ids": [net_complaint.pk]},
        format="json",
    )
    assert response.status_code == 207
    (result,) = response.json()
    assert result["status"] == 400
    assert result["detail"] == "首问责任人须属于处理部门。"  # in words, in the default language


def test_bulk_close_archives_what_was_replied(made, demo):
    one = made["one"]
    cs.complaint_hand_over(
        complaint_id=one.pk, actor=demo["net_contact"], handler=demo["net_leader"]
    )
    cs.complaint_contact(complaint_id=one.pk, actor=demo["net_leader"])
    cs.complaint_reply(
        complaint_id=one.pk, actor=demo["net_leader"], resolved_at=timezone.now(),
        cause_and_result="已恢复",
    )  # fmt: skip
    api = APIClient()
    api.force_authenticate(demo["hotline1"])
    response = api.post(
        "/api/v1/complaints/bulk_action/",
        {"action": "close", "ids": [one.pk, made["two"].pk]},
        format="json",
    )
    assert [r["status"] for r in response.json()] == [200, 409]
    one.refresh_from_db()
    assert (one.state, one.satisfaction) == ("archived", "satisfied")


def test_bulk_is_capped_with_a_clear_error(made, demo, client, settings):
    settings.COMPLAINT_BULK_ACTION_MAX = 2
    api = APIClient()
    api.force_authenticate(demo["hotline1"])
    ids = [made[n].pk for n in ("one", "two", "three")]
    response = api.post(
        "/api/v1/complaints/bulk_action/",
        {"action": "close", "ids": ids},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["attr"] == "ids" and "2" in error["detail"]
    client.force_login(demo["hotline1"])
    page = client.post("/complaints/bulk/", {"ids": ids, "action": "close"}, follow=True)
    assert any("2" in str(m) for m in page.context["messages"])
    assert Complaint.objects.filter(state="archived").count() == 0


def test_bulk_dispatch_needs_a_department(made, demo):
    api = APIClient()
    api.force_authenticate(demo["hotline1"])
    response = api.post(
        "/api/v1/complaints/bulk_action/",
        {"action": "dispatch", "ids": [made["three"].pk]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "department"


def test_a_row_shows_its_most_urgent_pending_deadline(made, demo, client):
    """``two`` is overdue; ``one`` has met everything it had to."""
    made["one"].deadlines.all().update(state="met", met_at=timezone.now())
    due = made["two"].deadlines.filter(state="pending").order_by("due_at", "id").first()
    client.force_login(demo["cs_leader"])
    page = client.get("/complaints/").content.decode()
    overdue = list_row(page, made["two"].number)
    assert 'class="countdown overdue"' in overdue
    assert f'data-due="{due.due_at.isoformat()}"' in overdue
    assert "countdown" not in list_row(page, made["one"].number)
