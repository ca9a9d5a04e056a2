"""In-desk notices: the bell in the desk header. Written to the same database, so exactly once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from onestop_tayninh.dossiers.constants import EventAction
from onestop_tayninh.dossiers.models import DossierEvent

from ...base import Channel, PermanentChannelError
from ...constants import ChannelCode
from ...registry import channels

if TYPE_CHECKING:
    from ...models import Message


# Events after which a dossier stands at another step (core/subscriptions.py: notices_moved_past).
MOVING_ACTIONS = (EventAction.TRANSITION, EventAction.ACCEPTED, EventAction.COMPLETION_REQUESTED, EventAction.REFUSED)


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
        now = timezone.now()
        # A notice delivered after its dossier moved past the step it is about arrives read (the same rule
        # as subscribers.notices_moved_past, for a worker that ran late).
        moved_on = message.dossier_id is not None and (
            DossierEvent.objects.filter(
                dossier_id=message.dossier_id, action__in=MOVING_ACTIONS, at__gt=message.created_at
            ).exists()
        )
        # One notice per message (OneToOne): a repeated send finds the existing row.
        DeskNotification.objects.get_or_create(
            message=message,
            defaults={"user_id": message.user_id, "created_at": now, "read_at": now if moved_on else None},
        )
