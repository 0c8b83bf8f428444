from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services as incident_services
from incidents.demo import drive, interface_person
from notices import services
from tests.incidents.conftest import demo, make_incident  # noqa: F401 - shared fixtures

EXPLANATION = "因光缆中断，长春部分地区4G数据业务异常，正在全力抢修。"


@pytest.fixture
def handling(demo, make_incident):  # noqa: F811 - the shared fixtures
    """An incident the owning department handles, its explanation script submitted."""
    incident = drive(make_incident(), demo, "handling")
    owner = interface_person(incident.owning_department)
    incident_services.incident_submit(
        incident_id=incident.pk, actor=owner, kind="explanation", content={"text": EXPLANATION}
    )
    return incident


@pytest.fixture
def owner(handling):
    return interface_person(handling.owning_department)


@pytest.fixture
def published(handling, owner):
    """Its public notice, approved by the owner."""
    notice = services.notice_draft(incident_id=handling.pk, actor=owner)
    services.notice_edit(
        notice_id=notice.pk,
        actor=owner,
        title_zh="长春4G数据业务异常",
        title_en="4G data disruption in Changchun",
        text_zh=EXPLANATION,
        text_en="A fibre cut disrupts 4G data in parts of Changchun; repairs are under way.",
        next_update_at=timezone.now() + timedelta(hours=1),
    )
    services.notice_approve(notice_id=notice.pk, actor=owner)
    notice.refresh_from_db()
    return notice
