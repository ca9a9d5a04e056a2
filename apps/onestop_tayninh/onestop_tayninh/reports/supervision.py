"""Urging late work (đôn đốc) and the heads' weekly digest: every write of supervision.

An urging is recorded once, with the late dossiers it is about: each dossier's history gets an
`Urged` event, the body's record this row; the official urged (or the body's heads) hear of it on the
desk and by e-mail, and reply by the date asked. Who may urge: a head or coordinator
(`reports.send_urging`) over a body in their reach; who may reply: the official urged, or an
official of the body urged.
"""

from __future__ import annotations

import datetime as dt

import structlog

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from onestop_tayninh.accounts.models import User
from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.calendars.selectors import get_calendar
from onestop_tayninh.directory.models import Agency, Official
from onestop_tayninh.directory.selectors import agency_heads
from onestop_tayninh.dossiers.events import Urged, UrgingAnswered
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.services import dossier_urging_note
from onestop_tayninh.notifications.constants import TemplateKey
from onestop_tayninh.notifications.services import official_messages
from onestop_tayninh.security.audit import audit_event

from .constants import UnitKind
from .models import DossierFact, Urging, UrgingStatus
from .selectors import URGE_PERMISSION, unit_for

log = structlog.get_logger(__name__)

#: How many late dossiers one urging may list (the oldest first); more are urged again later.
MAX_DOSSIERS = 200
MAX_MESSAGE = 2000
REPLY_DAYS = (1, 2, 3, 5, 10)


def late_dossiers(*, agency: Agency, official: User | None, on: dt.date) -> list[int]:
    """The body's (or the official's) dossiers open and late at the end of `on`, oldest lateness first."""
    facts = DossierFact.objects.filter(agency_id=agency.pk, closed_on__isnull=True, late_on__lte=on)
    if official is not None:
        facts = facts.filter(official_id=official.pk)
    return list(facts.order_by("late_on", "dossier_id").values_list("dossier_id", flat=True)[:MAX_DOSSIERS])


def _url(urging: Urging) -> str:
    return settings.ONESTOP_SITE_URL.rstrip("/") + reverse("reports:urging", args=[urging.pk])


def _target_name(urging: Urging) -> str:
    official = urging.official
    if official is not None:
        return f"{official.get_full_name() or official.username} ({urging.agency.name})"
    return urging.agency.name


def _recipients(urging: Urging) -> list[User]:
    return [urging.official] if urging.official is not None else list(agency_heads(urging.agency_id))


@transaction.atomic
def urging_send(
    *,
    sender: User,
    agency: Agency,
    official: User | None,
    message: str,
    reply_days: int,
    at: dt.datetime,
    dossier_ids: list[int] | None = None,
) -> Urging:
    """Urge `agency` (or one of its officials) about its late dossiers; refused, with nothing written,
    when the sender may not, the text is empty or too long, or nothing is late."""
    if not sender.has_perm(URGE_PERMISSION):
        raise PermissionDenied(_("Bạn không có quyền đôn đốc xử lý hồ sơ."))
    unit_for(sender, UnitKind.AGENCY, agency.pk)  # PermissionDenied outside the sender's reach
    if official is not None and not Official.objects.filter(user=official, agency=agency).exists():
        raise ValidationError(_("Cán bộ được đôn đốc không thuộc cơ quan này."))
    text = (message or "").strip()
    if not text:
        raise ValidationError({"message": _("Hãy nhập nội dung đôn đốc.")})
    if len(text) > MAX_MESSAGE:
        raise ValidationError({"message": _("Nội dung đôn đốc dài tối đa %(n)s ký tự.") % {"n": MAX_MESSAGE}})
    if reply_days not in REPLY_DAYS:
        raise ValidationError({"reply_days": _("Hạn trả lời không hợp lệ.")})
    today = at.astimezone(VIETNAM_TZ).date()
    late = late_dossiers(agency=agency, official=official, on=today)
    if dossier_ids is not None:
        chosen = set(dossier_ids)
        late = [pk for pk in late if pk in chosen]
    if not late:
        raise ValidationError(_("Không có hồ sơ trễ hạn nào để đôn đốc."))
    calendar = get_calendar(at=at)
    reply_due = calendar.closing_on(calendar.add_working_days(today, reply_days))
    urging = Urging.objects.create(
        agency=agency, official=official, sent_by=sender, sent_at=at, message=text, reply_due_at=reply_due
    )
    urging.dossiers.set(late)
    payload = Urged(
        urging_id=urging.pk,
        agency_id=agency.pk,
        official_id=official.pk if official else None,
        reply_due=f"{reply_due.astimezone(VIETNAM_TZ):%d/%m/%Y}",
    )
    dossiers = list(Dossier.objects.filter(pk__in=late).only("pk", "code"))
    for dossier in dossiers:
        dossier_urging_note(dossier=dossier, payload=payload, actor=sender, at=at)
    codes = ", ".join(d.code for d in dossiers[:10]) + ("…" if len(dossiers) > 10 else "")
    official_messages(
        users=_recipients(urging),
        key=TemplateKey.URGED,
        event=f"urged:{urging.pk}",
        at=at,
        dossier=None,
        context={
            "sender_name": sender.get_full_name() or sender.username,
            "target_name": _target_name(urging),
            "count": len(late),
            "codes": codes,
            "message": text,
            "reply_due": f"{reply_due.astimezone(VIETNAM_TZ):%H:%M %d/%m/%Y}",
            "urging_url": _url(urging),
        },
    )
    audit_event(actor=sender, action="urging.sent", target=urging, data={"dossiers": len(late)})
    log.info("urging_sent", urging=urging.pk, agency=agency.pk, dossiers=len(late))
    return urging


def may_reply(urging: Urging, user: User) -> bool:
    if urging.official_id:
        return urging.official_id == user.pk
    official = getattr(user, "official", None)
    return official is not None and official.agency_id == urging.agency_id


@transaction.atomic
def urging_reply(*, urging_id: int, user: User, reply: str, at: dt.datetime) -> Urging:
    """The body (or official) urged reports back, once: two replies at once leave the first."""
    urging = Urging.objects.select_for_update().select_related("agency", "official", "sent_by").get(pk=urging_id)
    if not may_reply(urging, user):
        raise PermissionDenied(_("Chỉ cán bộ hoặc cơ quan được đôn đốc mới trả lời được."))
    if urging.status == UrgingStatus.ANSWERED:
        who = urging.replied_by.get_full_name() if urging.replied_by else ""
        raise ValidationError(
            _("Đôn đốc này đã được %(who)s trả lời lúc %(at)s; câu trả lời của bạn chưa được lưu.")
            % {
                "who": who,
                "at": f"{urging.replied_at.astimezone(VIETNAM_TZ):%H:%M %d/%m/%Y}" if urging.replied_at else "",
            }
        )
    text = (reply or "").strip()
    if not text:
        raise ValidationError({"reply": _("Hãy nhập nội dung trả lời.")})
    if len(text) > MAX_MESSAGE:
        raise ValidationError({"reply": _("Nội dung trả lời dài tối đa %(n)s ký tự.") % {"n": MAX_MESSAGE}})
    urging.reply, urging.replied_by, urging.replied_at, urging.status = text, user, at, UrgingStatus.ANSWERED
    urging.full_clean()
    urging.save(update_fields=["reply", "replied_by", "replied_at", "status"])
    for dossier in Dossier.objects.filter(pk__in=urging.dossiers.values("pk")).only("pk"):
        dossier_urging_note(dossier=dossier, payload=UrgingAnswered(urging_id=urging.pk), actor=user, at=at)
    official_messages(
        users=[urging.sent_by],
        key=TemplateKey.URGING_ANSWERED,
        event=f"urging_answered:{urging.pk}",
        at=at,
        dossier=None,
        context={
            "target_name": _target_name(urging),
            "replier_name": user.get_full_name() or user.username,
            "reply": text,
            "sent_at": f"{urging.sent_at.astimezone(VIETNAM_TZ):%d/%m/%Y}",
            "urging_url": _url(urging),
        },
    )
    audit_event(actor=user, action="urging.answered", target=urging)
    return urging
