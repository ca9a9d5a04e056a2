"""SMS through an HTTP gateway: JSON POST {"to", "text", "reference"} with an Idempotency-Key header.

SMS_GATEWAY_URL (http://127.0.0.1:1026/sms in development, scripts/fake_sms_gateway.py) and an
optional bearer token SMS_GATEWAY_TOKEN. The key is the outbox row's, identical on every attempt,
so a gateway that honours it sends one SMS however often a crashed worker retries.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

from django.conf import settings

from ...base import Channel, PermanentChannelError, TransientChannelError
from ...constants import ChannelCode
from ...registry import channels

if TYPE_CHECKING:
    from onestop_tayninh.dossiers.models import Dossier

    from ...models import Message


@channels.register
class SmsChannel(Channel):
    code = ChannelCode.SMS.value
    label = ChannelCode.SMS.label
    idempotent = True
    for_citizens = True

    @classmethod
    def citizen_address(cls, dossier: Dossier) -> str:
        return dossier.phone

    def send(self, message: Message) -> None:
        if not message.address:
            raise PermanentChannelError("Người nhận không có số điện thoại.")
        payload = json.dumps(
            {"to": message.address, "text": message.body, "reference": str(message.pk)}, ensure_ascii=False
        ).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": message.idempotency_key}
        token = getattr(settings, "SMS_GATEWAY_TOKEN", "")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(settings.SMS_GATEWAY_URL, data=payload, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_GATEWAY_TIMEOUT) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as exc:
            # 4xx: the gateway refuses this message (bad number...) except 408/429, which pass.
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise PermanentChannelError(f"Cổng SMS từ chối: HTTP {exc.code}") from exc
            raise TransientChannelError(f"Cổng SMS lỗi: HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise TransientChannelError(f"Không kết nối được cổng SMS: {exc!r}") from exc
