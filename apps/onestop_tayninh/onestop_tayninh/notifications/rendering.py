"""Turning an outbox row into the words it sends: the editable templates and their context."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.dossiers.access import applicant_token

from .constants import ChannelCode
from .models import Message, MessageTemplate

if TYPE_CHECKING:
    from onestop_tayninh.dossiers.models import Dossier


def local_text(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(VIETNAM_TZ).strftime("%H:%M ngày %d/%m/%Y")


def unaccented(text: str) -> str:
    """Vietnamese without diacritics ("Hồ sơ đã được tiếp nhận" → "Ho so da duoc tiep nhan")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


GSM_PUNCTUATION = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "..."})


def sms_text(body: str) -> str:
    """An SMS in one form, as the channel is set (ONESTOP_SMS_ACCENTED): fully accented, or with every
    diacritic stripped, the names, dates and places filled into the template included."""
    if settings.ONESTOP_SMS_ACCENTED:
        return body
    # Typographic quotes and dashes are outside the GSM alphabet too: one of them makes the SMS Unicode.
    return unaccented(body).translate(GSM_PUNCTUATION)


def dossier_url(dossier: Dossier, site_url: str) -> str:
    """The page of the dossier itself for its applicant: the portal's page when the applicant has an
    account, else the signed link of the receipt (no account needed); the portal before a code exists."""
    if dossier.applicant_account_id:
        return site_url + reverse("portal:my_dossier", args=[dossier.pk])
    if dossier.code:
        return site_url + reverse("portal:applicant_dossier", args=[applicant_token(dossier)])
    return site_url + "/"


def template_context(message: Message) -> dict[str, Any]:
    dossier = message.dossier
    context: dict[str, Any] = {
        "recipient": message.user,
        "recipient_name": message.user.get_full_name() if message.user else "",
        "site_url": settings.ONESTOP_SITE_URL.rstrip("/"),
        # Who signs: the desk the applicant deals with, else the portal (settings.ONESTOP_NOTIFY_SIGNATURE).
        "issuer_name": settings.ONESTOP_NOTIFY_SIGNATURE,
    }
    if dossier is not None:
        context.update(
            dossier=dossier,
            code=dossier.code or "",
            applicant_name=dossier.applicant_name,
            procedure_name=dossier.procedure_version.name,
            due_at=local_text(dossier.due_at),
            original_due_at=local_text(dossier.original_due_at),
            check_due_at=local_text(dossier.check_due_at),
            agency=dossier.current_agency,
            receiving_desk=dossier.receiving_desk,
            # The applicant's signed link (portal.applicant_views): a counter applicant has no account.
            applicant_url=(
                context["site_url"] + reverse("portal:applicant_dossier", args=[applicant_token(dossier)])
                if dossier.code
                else ""
            ),
            dossier_url=dossier_url(dossier, context["site_url"]),
            issuer_name=dossier.receiving_desk.name if dossier.receiving_desk_id else context["issuer_name"],
            receiving_desk_address=dossier.receiving_desk.address if dossier.receiving_desk_id else "",
        )
    context.update(message.context or {})
    return context


class RenderError(Exception):
    pass


Compiled = tuple[MessageTemplate, Template, Template]
#: Compiled templates (or why one cannot be), per (template key, channel), for one batch of messages.
TemplateCache = dict[tuple[str, str], "Compiled | RenderError"]


def _compiled(key: str, channel: str, cache: TemplateCache | None) -> Compiled:
    found: Compiled | RenderError
    if cache is not None and (key, channel) in cache:
        found = cache[(key, channel)]
    else:
        template = MessageTemplate.objects.filter(key=key, channel=channel).first()
        if template is None:
            found = RenderError(f"Chưa có mẫu thông báo “{key}” cho kênh “{channel}”.")
        else:
            try:
                found = (template, Template(template.subject), Template(template.body))
            except TemplateSyntaxError as exc:
                found = RenderError(f"Mẫu thông báo “{template}” bị lỗi: {exc}")
        if cache is not None:
            cache[(key, channel)] = found
    if isinstance(found, RenderError):
        raise found
    return found


def message_render(message: Message, *, cache: TemplateCache | None = None) -> tuple[str, str]:
    """(subject, body) from the administrator-edited template; RenderError says why not.

    `cache` (one dict per batch) keeps compiled templates across the messages of a batch.
    """
    template, subject_template, body_template = _compiled(message.template_key, message.channel, cache)
    context = Context(template_context(message), autoescape=False)
    try:
        subject = subject_template.render(context).strip().replace("\n", " ")
        body = body_template.render(context).strip()
        if message.channel == ChannelCode.SMS:
            body = sms_text(body)
    except Exception as exc:  # any error while rendering is the template's
        raise RenderError(f"Mẫu thông báo “{template}” bị lỗi: {exc}") from exc
    return subject[:255], body
