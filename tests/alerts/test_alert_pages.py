"""Who opens an alert's page, and the links on it: nobody is sent to a page that refuses them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import AlertRecipient
from deadlines.services import deadlines_sweep
from incidents import services
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def published(make_incident, demo):
    incident = make_incident(cities=("CC",))  # owned by the network department
    services.incident_publish(incident_id=incident.pk, actor=demo["cs_contact"])
    return incident


def test_a_leader_told_of_an_unacknowledged_alert_opens_it(make_incident, demo, client):
    """The breach reaches the interface person and their leader (seed 000 第九条: the
    interface person reports an alert to the department's leader) with a link to the alert."""
    incident = published(make_incident, demo)
    deadlines_sweep(now=timezone.now() + timedelta(minutes=31))
    told = Notification.objects.get(recipient=demo["data_leader"], kind="deadline.breached")
    recipient = AlertRecipient.objects.get(incident=incident, user=demo["data_contact"])
    assert told.link == recipient.get_absolute_url()
    client.force_login(demo["data_leader"])
    assert client.get(told.link).status_code == 200
    assert client.get(reverse("incidents:deadlines")).status_code == 200
    client.force_login(demo["cc_leader"])  # a department the alert did not reach
    assert client.get(told.link).status_code == 404


def test_the_alert_links_its_incident_only_for_those_who_may_open_it(make_incident, demo, client):
    incident = published(make_incident, demo)
    alert = incident.alerts.get()
    link = f'href="{incident.get_absolute_url()}"'
    client.force_login(demo["data_contact"])  # reached by the alert, not handling the incident
    page = client.get(alert.get_absolute_url())
    assert page.status_code == 200 and link not in page.content.decode()
    assert client.get(incident.get_absolute_url()).status_code == 404
    client.force_login(demo["net_contact"])  # the owner
    assert link in client.get(alert.get_absolute_url()).content.decode()
