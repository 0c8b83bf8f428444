import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_pages_need_a_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_and_logout(client, user_factory):
    person = user_factory(username="alice")
    response = login(client, "alice", "pw-for-tests")
    assert response.status_code == 302 and response.url == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert person.profile.full_name in home.content.decode()
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_repeated_failed_logins_are_throttled(client, user_factory, settings):
    user_factory(username="bob")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "bob", "wrong").status_code == 200
    # The last allowed failure locks the account for a while ...
    assert login(client, "bob", "wrong").status_code == 429
    # ... so that even the right password is refused, with a page that says why.
    response = login(client, "bob", "pw-for-tests")
    assert response.status_code == 429
    assert "locked" in response.content.decode() or "锁定" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_failures_of_one_user_do_not_lock_another(client, user_factory, settings):
    user_factory(username="bob")
    user_factory(username="carol")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "bob", "wrong")
    assert login(client, "carol", "pw-for-tests").status_code == 302
