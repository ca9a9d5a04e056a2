"""Every write of the feedback app: receiving a PAKN, each step of its handling, the citizen's rating,
the deadline scan.

Each step locks the PAKN's row first (`select_for_update`) and checks its state again under the lock,
so two officials acting at once queue up: the second reads what the first did and is refused with a
Vietnamese message naming it, and nothing of theirs is kept. A PAKN about a dossier is written into the
dossier's history through the engine (`dossiers.services.dossier_feedback_note`); every step is audited.
Deadlines are working days on the site's calendar (calendars), `at` is always a parameter.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from onestop_tayninh.accounts.identifiers import normalise_email, normalise_phone
from onestop_tayninh.calendars.constants import TimeUnit
from onestop_tayninh.calendars.engine import VIETNAM_TZ, WorkCalendar
from onestop_tayninh.calendars.selectors import get_calendar
from onestop_tayninh.core.counters import counter_next
from onestop_tayninh.core.text import fold
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.directory.selectors import agency_heads
from onestop_tayninh.dossiers.events import FeedbackAnswered, FeedbackReceived
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.selectors import competent_agency_for
from onestop_tayninh.dossiers.services import dossier_feedback_note
from onestop_tayninh.notifications.constants import ChannelCode, TemplateKey
from onestop_tayninh.notifications.rendering import local_text
from onestop_tayninh.notifications.services import message_enqueue, official_messages
from onestop_tayninh.security.audit import audit_event

from .constants import (
    ACCEPT_WORKING_DAYS,
    ANSWER_MAX_LENGTH,
    ANSWER_WORKING_DAYS,
    ASSIGN_PERMISSION,
    CODE_DIGITS,
    CODE_PREFIX,
    CONTENT_MAX_LENGTH,
    HANDLE_PERMISSION,
    INFO_REQUEST_WORKING_DAYS,
    OPEN_STATUSES,
    PUBLISH_PERMISSION,
    PUBLISH_WORKING_DAYS,
    TITLE_MAX_LENGTH,
    FeedbackChannel,
    FeedbackKind,
    FeedbackStatus,
    FeedbackStep,
)
from .models import Feedback, FeedbackCodeCounter, FeedbackEscalation
from .selectors import overdue_steps, tracking_secret

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User

logger = logging.getLogger(__name__)


# --- small helpers ------------------------------------------------------------------------------


def _locked(feedback: Feedback) -> Feedback:
    locked: Feedback = Feedback.objects.select_for_update().select_related("agency", "dossier").get(pk=feedback.pk)
    return locked


def _plain(text: str) -> str:
    """Text as typed, kept as text: line ends made one kind, NUL and other control characters dropped."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or ch >= " ").strip()


def _when(moment: dt.datetime | None) -> str:
    return local_text(moment)


def _refuse_state(feedback: Feedback, doing: str) -> ValidationError:
    return ValidationError(
        _("Phản ánh, kiến nghị %(code)s đang ở bước “%(status)s” nên không thể %(doing)s.")
        % {"code": feedback.code, "status": feedback.get_status_display(), "doing": doing}
    )


def _ensure_official(official: User, feedback: Feedback, permission: str) -> None:
    """An official of the PAKN's own body holding `permission`: another body's officials, however far they
    see (a coordinator), do not act on it."""
    agency_id = getattr(getattr(official, "official", None), "agency_id", None)
    if not official.is_active or not official.has_perm(permission) or agency_id != feedback.agency_id:
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với phản ánh, kiến nghị của cơ quan khác."))


def _calendar(at: dt.datetime) -> WorkCalendar:
    return get_calendar(at=at)


def _working_days_after(calendar: WorkCalendar, moment: dt.datetime, days: int, *, channel: str = "") -> dt.datetime:
    """The closing time of the `days`-th working day after `moment` (the day itself not counted); a PAKN sent
    online outside office hours counts from the next opening, as an online dossier does."""
    return calendar.due_at(
        moment,
        days,
        TimeUnit.WORKING_DAYS,
        outside_hours_counts_next_opening=channel in settings.ONESTOP_OUTSIDE_HOURS_NEXT_OPENING_CHANNELS,
    )


def _desk_url(feedback: Feedback) -> str:
    return settings.ONESTOP_SITE_URL.rstrip("/") + reverse("admin:feedback_feedback_change", args=[feedback.pk])


def _notice_context(feedback: Feedback, **more: Any) -> dict[str, Any]:
    return {
        "feedback_code": feedback.code,
        "feedback_kind": feedback.get_kind_display(),
        "feedback_title": feedback.title,
        "agency_name": feedback.agency.name,
        "feedback_url": _desk_url(feedback),
        "dossier_code": feedback.dossier.code if feedback.dossier_id and feedback.dossier else "",
        **more,
    }


# --- receiving ----------------------------------------------------------------------------------


def feedback_code_issue(*, at: dt.datetime) -> str:
    """The next code of the local month, PAKN-<YYMM>-<NNNNNN>: one counter row per month (core.counters), so
    concurrent submissions queue up, none shares a number, and a rolled-back one gives its number back."""
    month = at.astimezone(VIETNAM_TZ).date().replace(day=1)
    number = counter_next(FeedbackCodeCounter, month=month)
    if number >= 10**CODE_DIGITS:
        raise ValidationError(
            _("Đã dùng hết mã phản ánh, kiến nghị của tháng %(month)s.") % {"month": f"{month:%m/%Y}"}
        )
    return f"{CODE_PREFIX}-{month:%y%m}-{number:0{CODE_DIGITS}d}"


def agency_for_dossier(dossier: Dossier) -> Agency | None:
    """The body a PAKN on `dossier` is about: its competent body, else the body holding it, else the receiving one."""
    return competent_agency_for(dossier) or dossier.current_agency or dossier.receiving_agency


def _is_repeated(
    *, kind: str, citizen: User | None, phone: str, dossier: Dossier | None, agency: Agency, title: str
) -> bool:
    """The same person (account, else phone) complained before about the same dossier, or, without a
    dossier, to the same body under the same title."""
    if kind != FeedbackKind.COMPLAINT or (citizen is None and not phone):
        return False
    earlier = Feedback.objects.filter(kind=FeedbackKind.COMPLAINT)
    earlier = earlier.filter(citizen=citizen) if citizen is not None else earlier.filter(phone=phone)
    if dossier is not None:
        return earlier.filter(dossier=dossier).exists()
    folded = fold(title)
    titles = earlier.filter(dossier__isnull=True, agency=agency).values_list("title", flat=True)
    return any(fold(other) == folded for other in titles)


def _checked_text(title: str, content: str) -> tuple[str, str]:
    # Checked first, before any row is read or locked: a 100 KB text is refused at once, nothing kept.
    content = _plain(content)
    if len(content) > CONTENT_MAX_LENGTH:
        raise ValidationError(
            _("Nội dung dài %(length)s ký tự, vượt quá 5.000 ký tự cho phép. Hãy rút gọn rồi gửi lại.")
            % {"length": f"{len(content):,}".replace(",", ".")},
            code="too_long",
        )
    if not content:
        raise ValidationError(_("Hãy nhập nội dung phản ánh, kiến nghị."), code="required")
    title = " ".join(_plain(title).split())
    if not title:
        raise ValidationError(_("Hãy nhập tiêu đề (nội dung chính, ngắn gọn)."), code="required")
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            _("Tiêu đề tối đa %(limit)s ký tự; chi tiết hãy ghi ở phần nội dung.") % {"limit": TITLE_MAX_LENGTH},
            code="too_long",
        )
    return title, content


@transaction.atomic
def feedback_submit(
    *,
    kind: str,
    title: str,
    content: str,
    channel: str,
    at: dt.datetime,
    agency: Agency | None = None,
    dossier: Dossier | None = None,
    citizen: User | None = None,
    full_name: str = "",
    phone: str = "",
    email: str = "",
    publish_consent: bool = False,
    recorded_by: User | None = None,
) -> Feedback:
    """Receive a PAKN: its code, its deadlines (2, 5 and 15 working days), who sent it, about what.

    `dossier`: the caller has already checked that the sender may name it (their own, or its code with
    the receipt's six digits); the body is then the dossier's, whatever `agency` says. Without a dossier
    `agency` is required. A citizen's account fills in the name and contacts left empty; without an
    account the name and the phone are required. `recorded_by`: the official entering one received at
    the desk.
    """
    title, content = _checked_text(title, content)
    if kind not in FeedbackKind.values:
        raise ValidationError(_("Hãy chọn phản ánh hay kiến nghị."))
    if channel not in FeedbackChannel.values:
        raise ValidationError(_("Kênh gửi không hợp lệ."))
    if dossier is not None:
        agency = agency_for_dossier(dossier)
    if agency is None:
        raise ValidationError(_("Hãy chọn cơ quan tiếp nhận phản ánh, kiến nghị."))
    if citizen is not None:
        full_name = full_name or citizen.get_full_name()
        phone = phone or citizen.phone or ""
        email = email or citizen.email or ""
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise ValidationError(_("Hãy nhập họ và tên người gửi."))
    phone = normalise_phone(phone) if phone.strip() else ""
    if citizen is None and not phone:
        raise ValidationError(_("Hãy nhập số điện thoại để cơ quan liên hệ khi cần."))
    email = normalise_email(email) if email.strip() else ""

    calendar = _calendar(at)
    feedback = Feedback(
        kind=kind,
        dossier=dossier,
        agency=agency,
        citizen=citizen,
        full_name=full_name[:255],
        phone=phone,
        email=email,
        title=title,
        content=content,
        channel=channel,
        publish_consent=publish_consent,
        status=FeedbackStatus.RECEIVED,
        received_at=at,
        accept_due_at=_working_days_after(calendar, at, ACCEPT_WORKING_DAYS, channel=channel),
        info_due_at=_working_days_after(calendar, at, INFO_REQUEST_WORKING_DAYS, channel=channel),
        answer_due_at=_working_days_after(calendar, at, ANSWER_WORKING_DAYS, channel=channel),
        repeated=_is_repeated(kind=kind, citizen=citizen, phone=phone, dossier=dossier, agency=agency, title=title),
    )
    feedback.full_clean(exclude=["code", "dossier", "agency", "citizen"])
    # Issued last: the month's counter row stays locked until commit.
    feedback.code = feedback_code_issue(at=at)
    feedback.save()
    if dossier is not None:
        dossier_feedback_note(
            dossier=dossier,
            payload=FeedbackReceived(
                feedback_id=feedback.pk, complaint=kind == FeedbackKind.COMPLAINT, channel=channel
            ),
            actor=citizen or recorded_by,
            at=at,
        )
    audit_event(
        actor=citizen or recorded_by,
        action="feedback.submitted",
        target=feedback,
        data={
            "channel": channel,
            "kind": kind,
            "dossier": dossier.code if dossier else "",
            "repeated": feedback.repeated,
        },
    )
    official_messages(
        users=agency_heads(agency.pk),
        key=TemplateKey.FEEDBACK_ARRIVED,
        event=f"feedback_arrived:{feedback.pk}",
        at=at,
        dossier=None,
        context=_notice_context(feedback, due_at=_when(feedback.accept_due_at)),
    )
    return feedback


# --- the body's steps ---------------------------------------------------------------------------


@transaction.atomic
def feedback_accept(*, feedback: Feedback, official: User, at: dt.datetime) -> Feedback:
    """Take the PAKN in: the answer is then due by its deadline."""
    feedback = _locked(feedback)
    _ensure_official(official, feedback, HANDLE_PERMISSION)
    if feedback.status != FeedbackStatus.RECEIVED:
        raise _refuse_state(feedback, _("tiếp nhận"))
    feedback.status, feedback.decided_at, feedback.decided_by = FeedbackStatus.ACCEPTED, at, official
    feedback.save(update_fields=["status", "decided_at", "decided_by"])
    audit_event(actor=official, action="feedback.accepted", target=feedback)
    return feedback


@transaction.atomic
def feedback_reject(*, feedback: Feedback, official: User, reason: str, at: dt.datetime) -> Feedback:
    """Do not take it in (out of the body's remit, abusive, a duplicate), saying why."""
    reason = _plain(reason)
    if not reason:
        raise ValidationError(_("Hãy nêu lý do không tiếp nhận phản ánh, kiến nghị."))
    feedback = _locked(feedback)
    _ensure_official(official, feedback, HANDLE_PERMISSION)
    if feedback.status != FeedbackStatus.RECEIVED:
        raise _refuse_state(feedback, _("từ chối tiếp nhận"))
    feedback.status, feedback.decided_at, feedback.decided_by = FeedbackStatus.REJECTED, at, official
    feedback.rejection_reason = reason[:CONTENT_MAX_LENGTH]
    feedback.save(update_fields=["status", "decided_at", "decided_by", "rejection_reason"])
    audit_event(actor=official, action="feedback.rejected", target=feedback, data={"reason": feedback.rejection_reason})
    return feedback


@transaction.atomic
def feedback_request_info(*, feedback: Feedback, official: User, question: str, at: dt.datetime) -> Feedback:
    """Ask the citizen for more information, within 5 working days of receipt; the answer's clock waits."""
    question = _plain(question)
    if not question:
        raise ValidationError(_("Hãy ghi rõ thông tin cần công dân bổ sung."))
    feedback = _locked(feedback)
    _ensure_official(official, feedback, HANDLE_PERMISSION)
    if feedback.status != FeedbackStatus.ACCEPTED:
        raise _refuse_state(feedback, _("đề nghị bổ sung thông tin"))
    if at > feedback.info_due_at:
        raise ValidationError(
            _(
                "Đã quá thời hạn đề nghị bổ sung thông tin (%(due)s, 5 ngày làm việc kể từ ngày nhận); hãy trả lời theo thông tin đã có."
            )
            % {"due": _when(feedback.info_due_at)}
        )
    feedback.status, feedback.info_request, feedback.info_requested_at = FeedbackStatus.INFO_REQUESTED, question, at
    feedback.save(update_fields=["status", "info_request", "info_requested_at"])
    audit_event(actor=official, action="feedback.info_requested", target=feedback, data={"question": question})
    return feedback


@transaction.atomic
def feedback_supply_info(*, feedback: Feedback, text: str, actor: User, at: dt.datetime) -> Feedback:
    """The information asked for came: from the citizen on their page, or noted by an official of the body
    (given by phone or at the desk). The answer's deadline moves on by the working time spent waiting."""
    text = _plain(text)
    if not text:
        raise ValidationError(_("Hãy nhập thông tin bổ sung."))
    if len(text) > CONTENT_MAX_LENGTH:
        raise ValidationError(_("Thông tin bổ sung tối đa 5.000 ký tự."))
    feedback = _locked(feedback)
    if actor.pk != feedback.citizen_id:
        _ensure_official(actor, feedback, HANDLE_PERMISSION)
    if feedback.status != FeedbackStatus.INFO_REQUESTED or feedback.info_requested_at is None:
        raise _refuse_state(feedback, _("nhận thông tin bổ sung"))
    calendar = _calendar(at)
    waited = max(calendar.working_seconds_between(feedback.info_requested_at, at), 0)
    feedback.answer_due_at = calendar.add_working_seconds(feedback.answer_due_at, waited)
    feedback.status, feedback.info_reply, feedback.info_supplied_at = FeedbackStatus.ACCEPTED, text, at
    feedback.save(update_fields=["status", "info_reply", "info_supplied_at", "answer_due_at"])
    audit_event(actor=actor, action="feedback.info_supplied", target=feedback, data={"waited_seconds": waited})
    return feedback


@transaction.atomic
def feedback_assign(*, feedback: Feedback, official: User, assignee: User, at: dt.datetime) -> Feedback:
    """Give the PAKN to an official of the body who handles PAKN; they are told."""
    feedback = _locked(feedback)
    _ensure_official(official, feedback, ASSIGN_PERMISSION)
    if feedback.status not in OPEN_STATUSES:
        raise _refuse_state(feedback, _("phân công"))
    assignee_agency = getattr(getattr(assignee, "official", None), "agency_id", None)
    if not assignee.is_active or assignee_agency != feedback.agency_id or not assignee.has_perm(HANDLE_PERMISSION):
        raise ValidationError(
            _("%(name)s không phải cán bộ xử lý phản ánh, kiến nghị của %(agency)s.")
            % {"name": assignee.get_full_name(), "agency": feedback.agency.name}
        )
    previous = feedback.assigned_to_id
    feedback.assigned_to = assignee
    feedback.save(update_fields=["assigned_to"])
    audit_event(
        actor=official,
        action="feedback.assigned",
        target=feedback,
        data={"assignee": assignee.get_username(), "previous": previous},
    )
    official_messages(
        users=[assignee],
        key=TemplateKey.FEEDBACK_ASSIGNED,
        event=f"feedback_assigned:{feedback.pk}:{at:%Y%m%d%H%M%S}",
        at=at,
        dossier=None,
        context=_notice_context(feedback, due_at=_when(feedback.answer_due_at), assigned_by=official.get_full_name()),
    )
    return feedback


@transaction.atomic
def feedback_answer(*, feedback: Feedback, official: User, answer: str, at: dt.datetime) -> Feedback:
    """Answer the citizen. Two officials answering at once: the first keeps their answer, the second is
    told who answered and when, and nothing of theirs is saved."""
    answer = _plain(answer)
    if not answer:
        raise ValidationError(_("Hãy nhập nội dung trả lời."))
    if len(answer) > ANSWER_MAX_LENGTH:
        raise ValidationError(_("Nội dung trả lời tối đa 10.000 ký tự."))
    feedback = _locked(feedback)
    _ensure_official(official, feedback, HANDLE_PERMISSION)
    if feedback.answered_at is not None:
        answered_by = feedback.answered_by.get_full_name() if feedback.answered_by else _("cán bộ khác")
        raise ValidationError(
            _("Phản ánh, kiến nghị %(code)s đã được %(name)s trả lời lúc %(at)s; câu trả lời của bạn chưa được lưu.")
            % {"code": feedback.code, "name": answered_by, "at": _when(feedback.answered_at)},
            code="already_answered",
        )
    if feedback.status != FeedbackStatus.ACCEPTED:
        raise _refuse_state(feedback, _("trả lời"))
    feedback.status, feedback.answer, feedback.answered_by, feedback.answered_at = (
        FeedbackStatus.ANSWERED,
        answer,
        official,
        at,
    )
    fields = ["status", "answer", "answered_by", "answered_at"]
    if feedback.publish_consent:
        feedback.publish_due_at = _working_days_after(_calendar(at), at, PUBLISH_WORKING_DAYS)
        fields.append("publish_due_at")
    feedback.save(update_fields=fields)
    if feedback.dossier is not None:
        dossier_feedback_note(
            dossier=feedback.dossier, payload=FeedbackAnswered(feedback_id=feedback.pk), actor=official, at=at
        )
    audit_event(actor=official, action="feedback.answered", target=feedback)
    _tell_sender(feedback, at=at)
    return feedback


def _tell_sender(feedback: Feedback, *, at: dt.datetime) -> None:
    """The answer, by e-mail and SMS to whatever contacts the sender left."""
    site = settings.ONESTOP_SITE_URL.rstrip("/")
    context = _notice_context(
        feedback,
        answer=feedback.answer,
        sender_name=feedback.full_name,
        secret=tracking_secret(feedback.code),
        tracker_url=site + reverse("feedback:tracker") + f"?ma={feedback.code}",
        own_url=site + reverse("feedback:own", args=[feedback.pk]) if feedback.citizen_id else "",
    )
    for channel, address in ((ChannelCode.EMAIL, feedback.email), (ChannelCode.SMS, feedback.phone)):
        if address:
            message_enqueue(
                channel=channel,
                template_key=TemplateKey.FEEDBACK_ANSWERED,
                dedupe_key=f"feedback_answered:{feedback.pk}:{channel}",
                at=at,
                user=feedback.citizen,
                address=address,
                context=context,
            )


@transaction.atomic
def feedback_publish(*, feedback: Feedback, official: User, at: dt.datetime) -> Feedback:
    """Put the answer on the portal's public list (without the sender's name, phone or e-mail)."""
    feedback = _locked(feedback)
    _ensure_official(official, feedback, PUBLISH_PERMISSION)
    if feedback.status != FeedbackStatus.ANSWERED:
        raise _refuse_state(feedback, _("công khai"))
    if not feedback.publish_consent:
        raise ValidationError(_("Công dân không đồng ý công khai phản ánh, kiến nghị này."))
    feedback.status, feedback.published_at = FeedbackStatus.PUBLISHED, at
    feedback.save(update_fields=["status", "published_at"])
    audit_event(actor=official, action="feedback.published", target=feedback)
    return feedback


# --- the citizen's rating -----------------------------------------------------------------------


@transaction.atomic
def feedback_rate_answer(*, feedback: Feedback, citizen: User, liked: bool, at: dt.datetime) -> Feedback:
    """ "Hài lòng / không hài lòng" with the answer: the sender's own, once."""
    feedback = _locked(feedback)
    if feedback.citizen_id is None or feedback.citizen_id != citizen.pk:
        raise PermissionDenied(_("Chỉ người gửi phản ánh, kiến nghị mới đánh giá được câu trả lời."))
    if feedback.answered_at is None:
        raise ValidationError(_("Phản ánh, kiến nghị chưa được trả lời nên chưa đánh giá được."))
    if feedback.answer_liked is not None:
        raise ValidationError(_("Bạn đã đánh giá câu trả lời này rồi."))
    feedback.answer_liked, feedback.rated_at = bool(liked), at
    feedback.save(update_fields=["answer_liked", "rated_at"])
    audit_event(actor=citizen, action="feedback.rated", target=feedback, data={"liked": bool(liked)})
    return feedback


# --- the deadline scan --------------------------------------------------------------------------

STEP_DUE_FIELD = {
    FeedbackStep.ACCEPT: "accept_due_at",
    FeedbackStep.ANSWER: "answer_due_at",
    FeedbackStep.PUBLISH: "publish_due_at",
}


def feedback_deadline_scan(*, at: dt.datetime) -> dict[str, int]:
    """Tell the body's heads of each PAKN waiting at a step past its deadline, once per step.

    One short transaction per PAKN, its row locked: a second scan running at the same time waits, then
    finds the step already escalated (FeedbackEscalation is unique per PAKN and step) and tells no one
    again. PAKN are few (a body gets a handful a week), so going row by row costs little.
    """
    counts = {str(step): 0 for step in FeedbackStep}
    for step, condition in overdue_steps(at).items():
        candidates = Feedback.objects.filter(condition).exclude(escalations__step=step).values_list("pk", flat=True)
        for pk in list(candidates):
            if _escalate(pk=pk, step=step, at=at):
                counts[str(step)] += 1
    logger.info("feedback_deadline_scan at=%s counts=%s", at.isoformat(), counts)
    return counts


@transaction.atomic
def _escalate(*, pk: int, step: str, at: dt.datetime) -> bool:
    feedback = Feedback.objects.select_for_update().select_related("agency", "dossier").filter(pk=pk).first()
    if feedback is None or not Feedback.objects.filter(overdue_steps(at)[step], pk=pk).exists():
        return False
    if FeedbackEscalation.objects.filter(feedback=feedback, step=step).exists():
        return False
    due_at = getattr(feedback, STEP_DUE_FIELD[FeedbackStep(step)])
    FeedbackEscalation.objects.create(feedback=feedback, step=step, due_at=due_at, at=at)
    feedback.escalated_at = at
    feedback.save(update_fields=["escalated_at"])
    official_messages(
        users=agency_heads(feedback.agency_id),
        key=TemplateKey.FEEDBACK_OVERDUE,
        event=f"feedback_overdue:{feedback.pk}:{step}",
        at=at,
        dossier=None,
        context=_notice_context(feedback, step=str(FeedbackStep(step).label), due_at=_when(due_at)),
    )
    audit_event(action="feedback.escalated", target=feedback, data={"step": step, "due_at": due_at})
    return True
