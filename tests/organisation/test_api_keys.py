from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from organisation.models import ApiKey, Role
from organisation.selectors import user_has_role

pytestmark = pytest.mark.django_db


def test_command_prints_the_key_alone_on_its_last_line_and_stores_only_a_hash(department):
    out = StringIO()
    call_command("create_api_key", "network monitoring", department=department.code, stdout=out)
    raw = out.getvalue().splitlines()[-1]
    key = ApiKey.objects.get()
    assert raw.startswith(key.prefix + ".")
    assert raw not in key.hashed_key and raw != key.id
    assert key.is_valid(raw)
    assert key.department == department
    assert user_has_role(key.user, Role.EXTERNAL_SYSTEM)
    assert not key.user.has_usable_password()


def test_command_rejects_an_unknown_department():
    with pytest.raises(CommandError, match="NOPE"):
        call_command("create_api_key", "x", department="NOPE", stdout=StringIO())


def test_a_key_authenticates_as_its_system_user(api_client, api_key):
    key, raw = api_key
    response = api_client.get("/api/v1/departments/", HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None


@pytest.mark.parametrize("header", ["Api-Key not.a-key", "Api-Key ", "Api-Key zzzzzzzz.zzzz"])
def test_a_bad_key_is_401(api_client, api_key, header):
    response = api_client.get("/api/v1/departments/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Api-Key"
    assert response.json()["type"] == "client_error"


def test_a_revoked_key_no_longer_works(api_client, api_key):
    key, raw = api_key
    key.revoked = True
    key.save()
    response = api_client.get("/api/v1/departments/", HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert response.status_code == 401


def test_an_expired_key_no_longer_works(api_client, api_key):
    from django.utils import timezone

    key, raw = api_key
    key.expiry_date = timezone.now() - timezone.timedelta(minutes=1)
    key.save()
    response = api_client.get("/api/v1/departments/", HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert response.status_code == 401


def test_without_credentials_the_api_is_401(api_client):
    assert api_client.get("/api/v1/departments/").status_code == 401
