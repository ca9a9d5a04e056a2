"""The portal's public pages are rendered once for every anonymous visitor (core.page_cache), and a
change to what they show is seen by the next visitor."""

import pytest

from django.contrib.messages.storage.cookie import CookieStorage

from onestop_tayninh.catalog.services import procedure_version_new_draft, procedure_version_publish
from onestop_tayninh.core.page_cache import STATUS_HEADER
from onestop_tayninh.core.site_config import load_site
from onestop_tayninh.directory.models import ReceptionDesk
from tests.factories import CitizenFactory, ProcedureVersionFactory, make_publishable

pytestmark = pytest.mark.django_db


@pytest.fixture
def desks():
    load_site("tayninh", only={"units.yaml", "agencies.yaml", "desks.yaml"})


@pytest.fixture
def published():
    version = ProcedureVersionFactory(complete=True, level=2, name="Cấp bản sao trích lục hộ tịch")
    make_publishable(version)
    return procedure_version_publish(version=version)


def test_the_second_visitor_gets_the_home_page_without_asking_the_database(client, desks, django_assert_num_queries):
    first = client.get("/")
    with django_assert_num_queries(0):
        second = client.get("/")
    assert first[STATUS_HEADER] == "miss" and second[STATUS_HEADER] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "text/html; charset=utf-8"
    # The headers the middlewares add are on the kept page too.
    assert "Content-Security-Policy" in second and second["X-Request-ID"] != first["X-Request-ID"]


def test_a_desk_changed_in_the_desk_is_on_the_next_visitors_page(client, desks, django_capture_on_commit_callbacks):
    desk = ReceptionDesk.objects.get(code="ttphcc-tinh")
    assert desk.phone in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        desk.phone = "0276 3 999 888"
        desk.save(update_fields=["phone"])
    response = client.get("/")
    assert response[STATUS_HEADER] == "miss"
    assert "0276 3 999 888" in response.content.decode()


def test_a_new_version_published_is_on_the_procedure_page_at_once(
    client, published, django_capture_on_commit_callbacks
):
    address = f"/thu-tuc/{published.procedure.code}/"
    client.get(address)
    assert client.get(address)[STATUS_HEADER] == "hit"
    draft = procedure_version_new_draft(procedure=published.procedure)
    draft.name = "Cấp bản sao trích lục hộ tịch (sửa đổi)"
    draft.save(update_fields=["name"])
    with django_capture_on_commit_callbacks(execute=True):
        procedure_version_publish(version=draft)
    assert "Cấp bản sao trích lục hộ tịch (sửa đổi)" in client.get(address).content.decode()


def test_each_search_is_kept_apart(client, published):
    found = client.get("/thu-tuc/?q=trích lục").content.decode()
    nothing = client.get("/thu-tuc/?q=không có thủ tục này").content.decode()
    assert "Cấp bản sao trích lục hộ tịch" in found
    assert "Cấp bản sao trích lục hộ tịch" not in nothing
    assert client.get("/thu-tuc/?q=trích lục")[STATUS_HEADER] == "hit"


def test_a_logged_in_citizen_gets_their_own_page_and_nothing_of_it_is_kept(client, desks):
    client.force_login(CitizenFactory().user)
    mine = client.get("/")
    assert STATUS_HEADER not in mine
    assert "Đăng xuất" in mine.content.decode() and "csrfmiddlewaretoken" in mine.content.decode()
    client.logout()
    client.cookies.clear()
    anonymous = client.get("/").content.decode()
    assert "Đăng xuất" not in anonymous and "csrfmiddlewaretoken" not in anonymous


def test_a_message_waiting_for_the_visitor_is_shown_not_a_kept_page(client, desks):
    client.get("/")
    client.cookies[CookieStorage.cookie_name] = "anything"
    assert STATUS_HEADER not in client.get("/")


def test_a_page_not_found_is_not_kept(client):
    assert client.get("/thu-tuc/KHONG-CO/").status_code == 404
    assert STATUS_HEADER not in client.get("/thu-tuc/KHONG-CO/")


def test_without_redis_the_pages_are_rendered(client, desks, monkeypatch):
    """Redis failing over is not an outage of the public pages (the failure drills)."""
    import socket

    from django.core.cache.backends.redis import RedisCache

    from onestop_tayninh.core import page_cache

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(page_cache, "cache", RedisCache(f"redis://127.0.0.1:{port}/0", {}))
    response = client.get("/")
    assert response.status_code == 200 and "Trung tâm Phục vụ hành chính công" in response.content.decode()
    assert STATUS_HEADER not in response
