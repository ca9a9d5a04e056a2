"""All of an official's desk notices, beyond the few the bell shows."""

import pytest

from django.utils import timezone

from onestop_tayninh.notifications.models import DeskNotification, Message

from .conftest import user

pytestmark = pytest.mark.django_db


def _notices(official, count: int) -> None:
    now = timezone.now()
    for n in range(count):
        message = Message.objects.create(
            channel="desk",
            template_key="assigned",
            dedupe_key=f"test:{official.pk}:{n}",
            user=official,
            subject=f"Thông báo số {n:03d}",
            body="Nội dung.",
            status="sent",
            created_at=now,
        )
        DeskNotification.objects.create(user=official, message=message, created_at=now)


def listed(page) -> str:
    """The page's own content, without the bell in its header (which shows the latest few)."""
    return page.content.decode().split('id="content-main"', 1)[1]


def test_the_list_pages_through_ones_own_notices(world, client):
    official, other = user("chuyenvien.tuphap"), user("lanhdao.tuphap")
    _notices(official, 60)
    _notices(other, 1)
    client.force_login(official)
    first = listed(client.get("/desk/thong-bao/"))
    assert first.count("Thông báo số ") == 50 and "Trang 1/2" in first
    second = listed(client.get("/desk/thong-bao/?trang=2"))
    assert second.count("Thông báo số ") == 10
    # The bell leads here.
    assert "/desk/thong-bao/" in client.get("/desk/").content.decode()
    client.force_login(other)
    assert listed(client.get("/desk/thong-bao/")).count("Thông báo số ") == 1
