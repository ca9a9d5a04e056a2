"""Zalo as a notification channel (code "zalo"): notices to citizens who linked their account on Zalo.

Registered in `notifications.registry.channels` from `ZaloConfig.ready()`; the notifications app never
names it. It is on while Zalo is configured (`services.enabled()`), serves citizens, and is used for a
notice type only when the desk wrote a "zalo" template for it (`template_required`). The address is the
Zalo user id of the applicant account's linked, unblocked `ZaloUser`.

One message, three ways, tried in order by `send`:

1. a consultation text (`client.send_text`), when the user follows the OA and wrote to it or followed
   it within ONESTOP_ZALO_CS_WINDOW_DAYS (Zalo refuses consultation texts after that: -230, and to
   someone not following: -213 [check]);
2. else (or on those two refusals) a ZNS template message to the citizen's phone, when the desk set an
   active `ZnsTemplate` for the notice type; its parameters are filled from the notice's context;
3. else an SMS of the same notice: written to the outbox with the dedupe key of the event's SMS
   (`<event>:sms`), so a retried send, or a citizen who also gets SMS, never makes two; the Zalo
   message is then marked failed with the reason ("…; đã chuyển sang SMS.").

Zalo unreachable and token trouble are transient (retried with backoff; a token Zalo refuses needs an
administrator to authorise the app again, so it is logged as an error); any other refusal of the
consultation text is permanent.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop_tayninh.notifications.base import Channel, PermanentChannelError, TransientChannelError
from onestop_tayninh.notifications.constants import ChannelCode
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.notifications.registry import channels
from onestop_tayninh.notifications.rendering import template_context
from onestop_tayninh.notifications.services import message_enqueue

from . import client, services
from .models import ZaloUser, ZnsTemplate

if TYPE_CHECKING:
    from onestop_tayninh.dossiers.models import Dossier

logger = logging.getLogger(__name__)

CODE = "zalo"

#: Zalo's refusals of a consultation text that a ZNS or an SMS can make up for [check].
CS_REFUSALS = {
    -230: gettext_lazy("người dùng không tương tác với OA trong thời hạn gửi tin tư vấn"),
    -213: gettext_lazy("người dùng chưa quan tâm OA"),
}


def zalo_phone(phone: str) -> str:
    """A Vietnamese number as ZNS takes it: 0912345678 or +84 912 345 678 → 84912345678; "" if none."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("84"):
        return digits
    if digits.startswith("0"):
        return "84" + digits[1:]
    return digits


def consultation_refusal(zalo_user: ZaloUser | None, *, at: dt.datetime) -> str:
    """Why the OA may not send this user a consultation text now; "" when it may."""
    if zalo_user is None:
        return _("tài khoản Zalo chưa liên kết")
    if zalo_user.blocked_at is not None:
        return _("tài khoản Zalo đã bị chặn")
    if not zalo_user.follows:
        return _("người dùng không quan tâm OA")
    window = dt.timedelta(days=int(settings.ONESTOP_ZALO_CS_WINDOW_DAYS))
    if zalo_user.last_interaction_at is None or zalo_user.last_interaction_at < at - window:
        return _("người dùng không tương tác với OA trong %(days)s ngày qua") % {
            "days": settings.ONESTOP_ZALO_CS_WINDOW_DAYS
        }
    return ""


def citizen_phone(message: Message) -> str:
    """The phone of the notice's applicant: the dossier's, else their account's."""
    dossier = message.dossier
    if dossier is None:
        return message.user.phone if message.user is not None else ""
    if dossier.phone:
        return dossier.phone
    account = dossier.applicant_account
    return account.phone if account is not None else ""


def sms_dedupe_key(message: Message) -> str:
    """The SMS of the same event as this Zalo message (citizen_messages writes `<event>:<channel>`)."""
    suffix = f":{CODE}"
    event = message.dedupe_key[: -len(suffix)] if message.dedupe_key.endswith(suffix) else message.dedupe_key
    return f"{event}:{ChannelCode.SMS.value}"


@channels.register
class ZaloChannel(Channel):
    code = CODE
    label = gettext_lazy("Zalo")
    # Zalo deduplicates neither consultation texts nor ZNS: a send of unknown outcome is not repeated.
    idempotent = False
    needs_address = True
    for_citizens = True
    template_required = True

    @classmethod
    def is_enabled(cls) -> bool:
        return services.enabled()

    @classmethod
    def citizen_address(cls, dossier: Dossier) -> str:
        if not dossier.applicant_account_id:
            return ""
        # One account may be linked from two Zalo users (a new phone): the one heard from last.
        linked = (
            ZaloUser.objects.filter(citizen_id=dossier.applicant_account_id, blocked_at__isnull=True)
            .order_by(F("last_interaction_at").desc(nulls_last=True), "-pk")
            .values_list("user_id", flat=True)
            .first()
        )
        return linked or ""

    def send(self, message: Message) -> None:
        if not message.address:
            raise PermanentChannelError(_("Người nhận chưa liên kết tài khoản với Zalo."))
        zalo_user = ZaloUser.objects.filter(user_id=message.address).first()
        phone = citizen_phone(message)
        try:
            why = consultation_refusal(zalo_user, at=timezone.now())
            if not why:
                try:
                    client.send_text(message.address, message.body)
                    return
                except client.ZaloApiError as exc:
                    if exc.code not in CS_REFUSALS:
                        raise PermanentChannelError(str(exc)) from exc
                    why = str(CS_REFUSALS[exc.code])
                    logger.info("zalo_channel_cs_refused message_id=%s code=%s", message.pk, exc.code)
            zns = ZnsTemplate.objects.filter(key=message.template_key, active=True).first()
            if zns is None:
                why = _("%(why)s; chưa có mẫu ZNS cho loại thông báo này") % {"why": why}
            elif not phone:
                why = _("%(why)s; không có số điện thoại để gửi ZNS") % {"why": why}
            else:
                try:
                    client.send_template(
                        zalo_phone(phone),
                        zns.template_id,
                        zns.template_data(template_context(message)),
                        tracking_id=message.idempotency_key,
                    )
                    return
                except client.ZaloApiError as exc:
                    logger.warning("zalo_channel_zns_refused message_id=%s code=%s", message.pk, exc.code)
                    why = _("%(why)s; ZNS bị từ chối, mã %(code)s") % {"why": why, "code": exc.code}
        except client.ZaloUnavailable as exc:
            raise TransientChannelError(str(exc)) from exc
        except client.ZaloTokenError as exc:
            # Retrying helps only once an administrator authorises the app again (manage.py zalo_token_seed).
            logger.error("zalo_channel_token_error message_id=%s", message.pk)
            raise TransientChannelError(str(exc)) from exc
        self._fall_back_to_sms(message, why=why, phone=phone)

    def _fall_back_to_sms(self, message: Message, *, why: str, phone: str) -> None:
        """Write the notice's SMS unless the event already has one, then fail this message with the reason."""
        if not phone:
            raise PermanentChannelError(
                _("Không gửi được qua Zalo (%(why)s); không có số điện thoại để chuyển sang SMS.") % {"why": why}
            )
        dedupe_key = sms_dedupe_key(message)
        if Message.objects.filter(dedupe_key=dedupe_key).exists():
            raise PermanentChannelError(
                _("Không gửi được qua Zalo (%(why)s); thông báo này đã có tin SMS.") % {"why": why}
            )
        sms = message_enqueue(
            channel=ChannelCode.SMS.value,
            template_key=message.template_key,
            dedupe_key=dedupe_key,
            at=timezone.now(),
            user=message.user,
            address=phone,
            dossier=message.dossier,
            context=message.context,
        )
        logger.info("zalo_channel_sms_fallback message_id=%s sms_id=%s", message.pk, sms.pk)
        raise PermanentChannelError(_("Không gửi được qua Zalo (%(why)s); đã chuyển sang SMS.") % {"why": why})
