"""E-mail through Django's mail backend (SMTP: EMAIL_HOST / EMAIL_PORT; 127.0.0.1:1025 in development).

The Message-ID header is derived from the outbox row, so every attempt of one message carries the
same Message-ID: a receiver that deduplicates on it (our development sink does; many mailbox
providers collapse identical Message-IDs) shows it once even if a crashed worker sent it twice.
"""

from __future__ import annotations

import smtplib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from ...base import Channel, PermanentChannelError, TransientChannelError
from ...constants import ChannelCode
from ...registry import channels

if TYPE_CHECKING:
    from onestop_tayninh.dossiers.models import Dossier

    from ...models import Message


def message_id_for(message: Message) -> str:
    domain = getattr(settings, "ONESTOP_NOTIFY_MESSAGE_ID_DOMAIN", "onestop.tayninh.local")
    return f"<{message.idempotency_key}@{domain}>"


@channels.register
class EmailChannel(Channel):
    code = ChannelCode.EMAIL.value
    label = ChannelCode.EMAIL.label
    idempotent = True
    for_citizens = True

    @classmethod
    def citizen_address(cls, dossier: Dossier) -> str:
        return dossier.email

    def __init__(self) -> None:
        self.connection: BaseEmailBackend | None = None

    def open(self) -> None:
        self.connection = get_connection(fail_silently=False)

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001, S110 - closing a broken connection is best effort
                pass
            self.connection = None

    def send(self, message: Message) -> None:
        if not message.address:
            raise PermanentChannelError("Người nhận không có địa chỉ thư điện tử.")
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            headers={"Message-ID": message_id_for(message), "X-Onestop-Message": str(message.pk)},
            connection=self.connection,
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentChannelError(f"Máy chủ thư từ chối người nhận: {exc.recipients}") from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            # A dead connection kept for the batch: drop it so the next message reconnects.
            self.close()
            self.open()
            raise TransientChannelError(f"Không gửi được thư: {exc!r}") from exc
