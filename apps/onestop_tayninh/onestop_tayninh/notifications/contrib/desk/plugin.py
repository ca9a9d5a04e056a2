"""In-desk notices: the bell in the desk header. Written to the same database, so exactly once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from ...base import Channel, PermanentChannelError
from ...constants import ChannelCode
from ...registry import channels

if TYPE_CHECKING:
    from ...models import Message


@channels.register
class DeskChannel(Channel):
    code = ChannelCode.DESK.value
    label = ChannelCode.DESK.label
    idempotent = True
    needs_address = False

    def send(self, message: Message) -> None:
        from ...models import DeskNotification

        if message.user_id is None:
            raise PermanentChannelError("Thông báo trên bàn làm việc cần tài khoản người nhận.")
        # One notice per message (OneToOne): a repeated send finds the existing row.
        DeskNotification.objects.get_or_create(
            message=message, defaults={"user_id": message.user_id, "created_at": timezone.now()}
        )
