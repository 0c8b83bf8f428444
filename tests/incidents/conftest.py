from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from incidents import services
from incidents.demo import drive, improve_all, submit_all  # noqa: F401 - shared helpers
from organisation.demo import seed_demo
from organisation.models import City


@pytest.fixture
def demo(db):
    """The demo province; ``demo["net_contact"]`` etc. are its people."""
    seed_demo()
    return {user.username: user for user in User.objects.select_related("profile__department")}


@pytest.fixture
def make_incident(demo):
    """Create an incident through the service, as the CS department's interface person."""

    def make(actor="cs_contact", cities=("CC",), **facts):
        facts.setdefault("title", "长春地区4G数据业务中断")
        facts.setdefault("business_line", "network")
        facts.setdefault("source", "business_risk")
        facts.setdefault("occurred_at", timezone.now() - timedelta(minutes=30))
        return services.incident_create(
            actor=demo[actor], cities=list(City.objects.filter(code__in=cities)), **facts
        )

    return make
