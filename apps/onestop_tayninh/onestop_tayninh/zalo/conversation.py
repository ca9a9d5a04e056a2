"""The OA's side of the conversation with one citizen (docs/architecture.md §6.2).

One event at a time per Zalo user (`ZaloUser` row locked by services.event_process's caller).
Where the conversation stands is `ZaloUser.state`, with what the step needs in `state_data`;
every word the OA answers goes through `say()`, which sends it and writes it in the
conversation's log (`ZaloMessage`), so the desk reads the same lines as the citizen.

The flows:
- linking the Zalo user to a citizen account: the account's phone and an SMS code, or a code
  shown on the portal's account page ("LK-123456"); "Hủy liên kết" removes the link;
- submitting by photos: a procedure, a desk, optionally the back of the ID card (its QR code
  read for the applicant's identity, confirmed by the citizen), then each document's pages,
  "Xong" / "Bỏ qua", a summary and "Nộp hồ sơ"; the photos become one PDF a document and the
  dossier lands, channel Zalo, in the desk's "to check" queue with every photo kept;
- a supplement: photos for a dossier of the citizen's that waits for one, then "Xong";
- looking up a dossier (its code and the receipt's six digits, or the citizen's own code),
  "Hồ sơ của tôi", rating a dossier whose result is out, guidance;
- a feedback or recommendation (PAKN, "Phản ánh" / "Kiến nghị"): its text, then one of the citizen's
  own dossiers or, about none, the body it is for; sent through the feedback app, channel Zalo.

A control word ("Xong", "Nộp hồ sơ") waits while photos the citizen sent before it are still
unprocessed (`NotReady`: the task runs again), so pages never land after the step they belong to.
Anything raised leaves nothing: the event's transaction rolls back and files stored meanwhile are
deleted (services.event_process).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.accounts.constants import CodeCheck
from onestop_tayninh.accounts.models import User
from onestop_tayninh.accounts.services import citizen_phone_proof_check, citizen_phone_proof_send
from onestop_tayninh.catalog.constants import RequirementKind, VersionStatus
from onestop_tayninh.catalog.models import DocumentRequirement, ProcedureVersion
from onestop_tayninh.catalog.selectors import catalog_search
from onestop_tayninh.core.text import fold, money
from onestop_tayninh.directory.models import Agency, ReceptionDesk
from onestop_tayninh.directory.selectors import residence_units
from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.constants import Channel
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.selectors import (
    AWAITING_APPLICANT,
    citizen_status,
    competent_unit_field,
    public_lookup,
    receiving_desks_for,
)
from onestop_tayninh.dossiers.services import (
    OnlineFile,
    dossier_submit_online,
    dossier_supplement_add,
    dossier_supplement_submit,
)
from onestop_tayninh.feedback.constants import FeedbackChannel, FeedbackKind
from onestop_tayninh.feedback.services import feedback_submit
from onestop_tayninh.imaging import idcard
from onestop_tayninh.imaging.photos import PhotoRejected, photo_check, photos_to_pdf
from onestop_tayninh.portal.constants import RATING_QUESTIONS
from onestop_tayninh.portal.selectors import my_dossier_list, own_dossiers, supplement_request
from onestop_tayninh.portal.services import can_rate, dossier_rate
from onestop_tayninh.security import ratelimit
from onestop_tayninh.security.antivirus import ScannerUnavailable
from onestop_tayninh.security.uploads import GENERATED, STAMP_ATTRIBUTE, CheckedUpload

from . import client, linking
from .constants import (
    CANCEL_WORD,
    CONFIRM_WORD,
    DONE,
    MENU_ITEMS,
    SKIP,
    ConversationState,
    Direction,
    IdentitySource,
    PhotoKind,
    SubmissionKind,
    SubmissionStatus,
)
from .models import ZaloEvent, ZaloMessage, ZaloPhoto, ZaloSubmission, ZaloUser

logger = logging.getLogger(__name__)

State = ConversationState

#: How many procedures or desks one answer lists (a chat message stays readable on a phone).
CHOICES = 5
YES, NO = "Đúng", "Sai"
SATISFIED, UNSATISFIED = "Hài lòng", "Không hài lòng"
LINK_CODE = re.compile(r"^lk[\s-]?(\d{6})$")
#: The photo types kept (the gate's names); Zalo sends JPEG.
PHOTO_KINDS = {"image/jpeg": "jpg", "image/png": "png"}


class NotReady(Exception):
    """Photos the citizen sent before this event are not processed yet: try this event again later."""


@dataclasses.dataclass
class Turn:
    """What one event brings to the conversation: who, when, and the files stored meanwhile
    (deleted if the event's transaction rolls back)."""

    zalo_user: ZaloUser
    event: ZaloEvent
    at: dt.datetime
    stored: list[str] = dataclasses.field(default_factory=list)


# --- speaking -----------------------------------------------------------------------------------


def say(
    turn: Turn,
    text: str,
    *,
    buttons: tuple[str, ...] = (),
    dossier: Dossier | None = None,
    submission: ZaloSubmission | None = None,
) -> None:
    """Send one consultation message and write it in the conversation's log."""
    result = client.send_text(turn.zalo_user.user_id, text, buttons=buttons)
    ZaloMessage.objects.create(
        zalo_user=turn.zalo_user,
        direction=Direction.OUT,
        text=text,
        dossier=dossier,
        submission=submission,
        zalo_message_id=result.message_id[:64],
        at=timezone.now(),
    )


def heard(turn: Turn, text: str, *, submission: ZaloSubmission | None = None) -> None:
    """The citizen's side of the log."""
    ZaloMessage.objects.create(
        zalo_user=turn.zalo_user,
        direction=Direction.IN,
        text=text[:4000],
        event=turn.event,
        submission=submission,
        dossier=submission.dossier if submission else None,
        at=turn.event.occurred_at,
    )


def menu_text() -> str:
    return "\n".join(f"{number}. {item}" for number, item in enumerate(MENU_ITEMS, start=1))


def _site_url(path: str) -> str:
    return settings.ONESTOP_SITE_URL.rstrip("/") + path


def _set_state(turn: Turn, state: str, **data: Any) -> None:
    turn.zalo_user.state = state
    turn.zalo_user.state_data = data
    turn.zalo_user.save(update_fields=["state", "state_data"])


def _local_date(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y") if value else _("chưa có")


# --- events -------------------------------------------------------------------------------------


def follow(turn: Turn) -> None:
    zalo_user = turn.zalo_user
    zalo_user.follows, zalo_user.followed_at = True, turn.event.occurred_at
    if not zalo_user.display_name:
        # Best effort: the name helps the citizen tell their links apart on the portal, nothing needs it.
        try:
            zalo_user.display_name = client.user_display_name(zalo_user.user_id)
        except client.ZaloError:
            logger.info("zalo_display_name_unavailable user=%s", zalo_user.user_id)
    zalo_user.save(update_fields=["follows", "followed_at", "display_name"])
    heard(turn, _("[Quan tâm OA]"))
    welcome = _(
        "Chào mừng bạn đến với Cổng dịch vụ công tỉnh Tây Ninh trên Zalo! "
        "Bạn có thể tìm thủ tục, nộp và theo dõi hồ sơ ngay trong cuộc trò chuyện này. Mời bạn chọn:\n%(menu)s"
    ) % {"menu": menu_text()}
    if zalo_user.citizen_id is None:
        welcome += "\n\n" + _("Để nộp và theo dõi hồ sơ, hãy liên kết tài khoản Cổng dịch vụ công: nhắn “Liên kết”.")
    say(turn, welcome)


def unfollow(turn: Turn) -> None:
    """No answer: Zalo does not deliver messages to someone who left the OA."""
    zalo_user = turn.zalo_user
    zalo_user.follows, zalo_user.unfollowed_at = False, turn.event.occurred_at
    zalo_user.save(update_fields=["follows", "unfollowed_at"])
    heard(turn, _("[Bỏ quan tâm OA]"))


def text(turn: Turn) -> None:
    raw = " ".join(str((turn.event.payload.get("message") or {}).get("text", "")).split())[:1000]
    heard(turn, raw, submission=_open_submission(turn.zalo_user))
    folded = fold(raw)
    state = turn.zalo_user.state
    # Words that work anywhere.
    if folded in {"menu", "chao", "xin chao", "hi", "hello", ""}:
        _set_state(turn, State.IDLE)
        say(turn, _("Mời bạn chọn một mục:\n%(menu)s") % {"menu": menu_text()})
        return
    if folded in {fold(CANCEL_WORD), "huy bo", "thoat"}:
        _cancel(turn)
        return
    if folded in {"huy lien ket", "go lien ket"}:
        _unlink(turn)
        return
    match = LINK_CODE.match(folded)
    if match:
        _link_by_portal_code(turn, match.group(1))
        return
    if folded in {"lien ket", "lien ket tai khoan"}:
        _link_start(turn)
        return
    if folded in FEEDBACK_WORDS:
        _feedback_start(turn, kind=FEEDBACK_WORDS[folded])
        return
    handler = STATE_TEXT.get(state)
    if handler is not None and handler(turn, raw, folded):
        return
    _menu_or_search(turn, raw, folded)


def image(turn: Turn) -> None:
    """A photo: a page of the document being sent, the ID card, a supplement's page; else guidance."""
    attachments = [
        item
        for item in (turn.event.payload.get("message") or {}).get("attachments") or []
        if isinstance(item, dict) and item.get("type") == "image"
    ]
    state = turn.zalo_user.state
    submission = _open_submission(turn.zalo_user)
    if state == State.IDLE and turn.zalo_user.citizen_id and _awaiting_supplement(turn.zalo_user.citizen):
        submission = _supplement_start(turn, announce=False)
        state = turn.zalo_user.state
    if state not in (State.DOCUMENTS, State.IDENTITY, State.SUPPLEMENT) or submission is None:
        heard(turn, _("[Ảnh]"))
        say(
            turn,
            _(
                "OA nhận ảnh giấy tờ khi bạn đang nộp hoặc bổ sung hồ sơ. Để nộp hồ sơ, nhắn “2” (Nộp hồ sơ) rồi "
                "chọn thủ tục; OA sẽ hỏi lần lượt từng giấy tờ."
            ),
        )
        return
    for attachment in attachments[:1]:
        url = str((attachment.get("payload") or {}).get("url") or "")
        photo = _photo_take(
            turn, submission, url, kind=PhotoKind.ID_CARD if state == State.IDENTITY else PhotoKind.PAGE
        )
        if photo is None:
            return
        if state == State.IDENTITY:
            _identity_read(turn, submission, photo)
        else:
            _page_received(turn, submission, photo)


def file(turn: Turn) -> None:
    heard(turn, _("[Tệp]"))
    say(
        turn,
        _("OA nhận ảnh chụp giấy tờ (JPEG, PNG). Tệp PDF, Word hay tệp khác, bạn nộp trên Cổng dịch vụ công: %(url)s")
        % {"url": _site_url("/")},
    )


def other(turn: Turn) -> None:
    """A sticker, a location, a link: understood as a greeting."""
    heard(turn, f"[{turn.event.event_name}]")
    say(turn, _("OA chưa hiểu tin này. Mời bạn chọn một mục:\n%(menu)s") % {"menu": menu_text()})


# --- menu and search ----------------------------------------------------------------------------


def _menu_or_search(turn: Turn, raw: str, folded: str) -> None:
    choices = {fold(str(item)): number for number, item in enumerate(MENU_ITEMS, start=1)}
    choice = int(folded) if folded.isdigit() and 1 <= int(folded) <= len(MENU_ITEMS) else choices.get(folded)
    if choice is None and folded in {"nop", "nop ho so moi"}:
        choice = 2
    if choice is None and folded in {"bo sung", "bo sung ho so"}:
        _supplement_start(turn, announce=True)
        return
    if choice is None and folded in {"danh gia ho so"}:
        choice = 5
    actions: dict[int, Callable[[Turn], None]] = {
        1: _search_prompt,
        2: _submit_start,
        3: _lookup_start,
        4: _my_dossiers,
        5: _rate_start,
        6: _guidance,
        7: _feedback_start,
    }
    if choice is not None:
        _set_state(turn, State.IDLE)
        actions[choice](turn)
        return
    say(turn, search_answer(raw))


def _search_prompt(turn: Turn) -> None:
    say(
        turn,
        _(
            "Mời bạn gõ tên thủ tục cần tìm, có dấu hay không dấu đều được, ví dụ: khai sinh, "
            "xac nhan tinh trang hon nhan."
        ),
    )


def search_answer(text: str) -> str:
    found = list(catalog_search(text=text).prefetch_related("fees", "documents")[:3])
    if not found:
        return _(
            "Không tìm thấy thủ tục nào với “%(text)s”. Bạn thử từ khác, ví dụ: khai sinh, kết hôn, chứng thực."
        ) % {"text": text[:100]}
    lines = [_("Các thủ tục tìm được với “%(text)s”:") % {"text": text[:100]}]
    lines.extend(procedure_card(version) for version in found)
    lines.append(_("Để nộp qua Zalo, nhắn “2” (Nộp hồ sơ)."))
    return "\n\n".join(lines)


def procedure_card(version: ProcedureVersion) -> str:
    total = sum(fee.amount for fee in version.fees.all() if not fee.set_after_appraisal)
    amount = f"{version.processing_amount.normalize():f}".replace(".", ",")
    return _(
        "• %(name)s (mã %(code)s)\n"
        "Mức độ %(level)s; lệ phí: %(fee)s; thời hạn: %(amount)s %(unit)s; %(documents)s thành phần hồ sơ.\n"
        "Xem và nộp: %(url)s"
    ) % {
        "name": version.name,
        "code": version.procedure.code,
        "level": version.level,
        "fee": f"{money(total)} đồng" if total else _("miễn phí"),
        "amount": amount,
        "unit": version.get_processing_unit_display().lower(),
        "documents": len(version.documents.all()),
        "url": _site_url(f"/thu-tuc/{version.procedure.code}/"),
    }


def _guidance(turn: Turn) -> None:
    say(
        turn,
        _(
            "Hướng dẫn nộp hồ sơ qua Zalo:\n"
            "1. Liên kết tài khoản Cổng dịch vụ công (nhắn “Liên kết”).\n"
            "2. Nhắn “2”, gõ tên thủ tục, chọn thủ tục và nơi nộp.\n"
            "3. Chụp từng giấy tờ theo lời nhắc (mỗi trang một ảnh, đủ sáng, không lóa), gửi xong nhắn “Xong”.\n"
            "4. Xem lại và nhắn “Nộp hồ sơ”. Bộ phận một cửa kiểm tra và báo mã hồ sơ, ngày hẹn trả ngay tại đây.\n"
            "Nhắn “Hủy” để dừng bất cứ lúc nào; “Menu” để xem các mục."
        ),
    )


# --- linking ------------------------------------------------------------------------------------


def _needs_link(turn: Turn) -> bool:
    if turn.zalo_user.citizen_id is not None:
        return False
    say(
        turn,
        _(
            "Bạn cần liên kết Zalo với tài khoản Cổng dịch vụ công trước. Nhắn “Liên kết” để liên kết bằng số điện "
            "thoại đã đăng ký; chưa có tài khoản, bạn đăng ký tại %(url)s"
        )
        % {"url": _site_url("/tai-khoan/dang-ky/")},
    )
    return True


def _link_start(turn: Turn) -> None:
    if turn.zalo_user.citizen_id is not None:
        say(
            turn,
            _("Zalo của bạn đã liên kết với tài khoản %(name)s. Nhắn “Hủy liên kết” nếu muốn gỡ.")
            % {"name": turn.zalo_user.citizen.full_name},
        )
        return
    _set_state(turn, State.LINK_PHONE)
    say(
        turn,
        _(
            "Mời bạn nhập số điện thoại đã đăng ký tài khoản Cổng dịch vụ công. OA sẽ gửi mã xác nhận qua SMS. "
            "(Hoặc mở trang Tài khoản trên Cổng, mục Zalo, và gửi mã liên kết dạng LK-123456 vào đây.)"
        ),
    )


def _link_phone(turn: Turn, raw: str, folded: str) -> bool:
    if not any(ch.isdigit() for ch in raw):
        say(turn, _("Mời bạn nhập số điện thoại đã đăng ký, ví dụ 0901234567; nhắn “Hủy” để dừng."))
        return True
    try:
        citizen_phone_proof_send(phone=raw, scope=f"zalo:{turn.zalo_user.user_id}", at=turn.at)
    except ValidationError:
        say(
            turn,
            _("Số điện thoại “%(phone)s” không đúng dạng. Mời bạn nhập lại, ví dụ 0901234567.") % {"phone": raw[:20]},
        )
        return True
    _set_state(turn, State.LINK_CODE, phone=raw)
    say(
        turn,
        _(
            "Nếu số này đã đăng ký tài khoản, mã xác nhận 6 chữ số đã được gửi qua SMS. Mời bạn nhập mã "
            "(nhắn “Hủy” để dừng)."
        ),
    )
    return True


def _link_code(turn: Turn, raw: str, folded: str) -> bool:
    code = raw.replace(" ", "")
    if not code.isdigit():
        say(turn, _("Mã xác nhận gồm 6 chữ số trong tin SMS. Mời bạn nhập lại, hoặc nhắn “Hủy” để dừng."))
        return True
    phone = turn.zalo_user.state_data.get("phone", "")
    outcome, citizen, left = citizen_phone_proof_check(
        phone=phone, scope=f"zalo:{turn.zalo_user.user_id}", code=code, at=turn.at
    )
    if outcome == CodeCheck.VALID and citizen is not None:
        linking.link(zalo_user=turn.zalo_user, citizen=citizen, at=turn.at, via="sms")
        _set_state(turn, State.IDLE)
        say(
            turn,
            _("Đã liên kết Zalo với tài khoản %(name)s. Mời bạn chọn:\n%(menu)s")
            % {"name": citizen.full_name, "menu": menu_text()},
        )
    elif outcome == CodeCheck.WRONG and left > 0:
        say(turn, _("Mã không đúng. Bạn còn %(left)s lần thử.") % {"left": left})
    else:
        _set_state(turn, State.IDLE)
        say(turn, _("Mã đã hết hạn hoặc nhập sai quá nhiều lần. Nhắn “Liên kết” để nhận mã mới."))
    return True


def _link_by_portal_code(turn: Turn, code: str) -> None:
    citizen = linking.portal_code_use(code=code, zalo_user=turn.zalo_user, at=turn.at)
    if citizen is None:
        say(turn, _("Mã liên kết không đúng hoặc đã hết hạn. Hãy lấy mã mới trên trang Tài khoản của Cổng."))
        return
    _set_state(turn, State.IDLE)
    say(
        turn,
        _("Đã liên kết Zalo với tài khoản %(name)s. Mời bạn chọn:\n%(menu)s")
        % {"name": citizen.full_name, "menu": menu_text()},
    )


def _unlink(turn: Turn) -> None:
    if turn.zalo_user.citizen_id is None:
        say(turn, _("Zalo của bạn chưa liên kết với tài khoản nào."))
        return
    _abandon(turn.zalo_user, at=turn.at)
    linking.unlink(zalo_user=turn.zalo_user, at=turn.at, by=None)
    _set_state(turn, State.IDLE)
    say(turn, _("Đã gỡ liên kết. OA không gửi thông báo hồ sơ qua Zalo nữa; nhắn “Liên kết” để liên kết lại."))


# --- submitting by photos -----------------------------------------------------------------------


def _open_submission(zalo_user: ZaloUser) -> ZaloSubmission | None:
    return zalo_user.submissions.filter(status=SubmissionStatus.COLLECTING).order_by("-pk").first()


def _abandon(zalo_user: ZaloUser, *, at: dt.datetime) -> int:
    """Drop the submission in progress; its photos are deleted with it (after commit)."""
    count = 0
    for submission in zalo_user.submissions.filter(status=SubmissionStatus.COLLECTING):
        names = [photo.file.name for photo in submission.photos.all()]
        submission.photos.all().delete()
        submission.status = SubmissionStatus.ABANDONED
        submission.save(update_fields=["status"])
        _delete_after_commit(names)
        count += 1
    return count


def _delete_after_commit(names: list[str]) -> None:
    def delete() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(delete)


def _cancel(turn: Turn) -> None:
    dropped = _abandon(turn.zalo_user, at=turn.at)
    _set_state(turn, State.IDLE)
    if dropped:
        say(turn, _("Đã hủy hồ sơ đang gửi; các ảnh đã gửi được xóa. Mời bạn chọn:\n%(menu)s") % {"menu": menu_text()})
    else:
        say(turn, _("Mời bạn chọn một mục:\n%(menu)s") % {"menu": menu_text()})


def zalo_versions(text: str, *, limit: int = CHOICES) -> list[ProcedureVersion]:
    """Published procedures that take dossiers online (so by Zalo), found by the words, best first."""
    found = catalog_search(text=text).filter(status=VersionStatus.PUBLISHED, tracked_only=False)
    return [version for version in found.select_related("procedure")[:30] if version.accepts_online][:limit]


def _submit_start(turn: Turn) -> None:
    if _needs_link(turn):
        return
    _abandon(turn.zalo_user, at=turn.at)
    _set_state(turn, State.PICK_PROCEDURE, options=[])
    say(turn, _("Mời bạn gõ tên thủ tục cần nộp, ví dụ: khai sinh, kết hôn, chứng thực."))


def _numbered(items: list[str]) -> str:
    return "\n".join(f"{number}. {item}" for number, item in enumerate(items, start=1))


def _pick_procedure(turn: Turn, raw: str, folded: str) -> bool:
    options: list[int] = turn.zalo_user.state_data.get("options") or []
    if folded.isdigit() and options:
        index = int(folded)
        if not 1 <= index <= len(options):
            say(turn, _("Hãy nhắn một số từ 1 đến %(count)s, hoặc gõ tên thủ tục khác.") % {"count": len(options)})
            return True
        version = ProcedureVersion.objects.filter(pk=options[index - 1]).select_related("procedure").first()
        if version is None or version.status != VersionStatus.PUBLISHED:
            say(turn, _("Thủ tục này không còn nhận hồ sơ. Mời bạn gõ tên thủ tục khác."))
            return True
        _procedure_chosen(turn, version)
        return True
    found = zalo_versions(raw)
    if not found:
        say(
            turn,
            _("Không tìm thấy thủ tục nhận hồ sơ trực tuyến với “%(text)s”. Bạn thử từ khác.") % {"text": raw[:100]},
        )
        return True
    if len(found) == 1:
        _procedure_chosen(turn, found[0])
        return True
    _set_state(turn, State.PICK_PROCEDURE, options=[version.pk for version in found])
    say(
        turn,
        _("Bạn muốn nộp thủ tục nào? Nhắn số thứ tự:\n%(list)s")
        % {"list": _numbered([version.name for version in found])},
        buttons=tuple(str(number) for number in range(1, len(found) + 1)),
    )
    return True


def _procedure_chosen(turn: Turn, version: ProcedureVersion) -> None:
    desks = list(receiving_desks_for(version).order_by("name")[: CHOICES + 1])
    if not desks:
        _set_state(turn, State.IDLE)
        say(turn, _("Thủ tục “%(name)s” hiện không nhận hồ sơ qua mạng.") % {"name": version.name})
        return
    if len(desks) == 1:
        _desk_chosen(turn, version, desks[0])
        return
    _set_state(turn, State.PICK_DESK, version=version.pk, options=[desk.pk for desk in desks[:CHOICES]])
    say(
        turn,
        _("Thủ tục “%(name)s”. Bạn nộp tại đâu? Nhắn số thứ tự, hoặc gõ tên xã, phường:\n%(list)s")
        % {"name": version.name, "list": _numbered([desk.name for desk in desks[:CHOICES]])},
    )


def _pick_desk(turn: Turn, raw: str, folded: str) -> bool:
    data = turn.zalo_user.state_data
    version = ProcedureVersion.objects.filter(pk=data.get("version")).first()
    if version is None:
        _set_state(turn, State.IDLE)
        return False
    options: list[int] = data.get("options") or []
    if folded.isdigit():
        index = int(folded)
        if not 1 <= index <= len(options):
            say(turn, _("Hãy nhắn một số từ 1 đến %(count)s, hoặc gõ tên xã, phường.") % {"count": len(options)})
            return True
        desk = receiving_desks_for(version).filter(pk=options[index - 1]).first()
        if desk is None:
            say(turn, _("Nơi này không còn nhận hồ sơ của thủ tục. Mời bạn chọn nơi khác."))
            return True
        _desk_chosen(turn, version, desk)
        return True
    words = folded.split()
    matching = [desk for desk in receiving_desks_for(version) if all(word in fold(desk.name) for word in words)]
    if not matching:
        say(turn, _("Không có nơi nhận hồ sơ nào với “%(text)s”. Bạn gõ lại tên xã, phường.") % {"text": raw[:100]})
        return True
    if len(matching) == 1:
        _desk_chosen(turn, version, matching[0])
        return True
    shown = matching[:CHOICES]
    _set_state(turn, State.PICK_DESK, version=version.pk, options=[desk.pk for desk in shown])
    say(turn, _("Nhắn số thứ tự nơi nộp:\n%(list)s") % {"list": _numbered([desk.name for desk in shown])})
    return True


def _requirements(version: ProcedureVersion) -> list[DocumentRequirement]:
    return list(version.documents.order_by("position", "pk"))


def _desk_chosen(turn: Turn, version: ProcedureVersion, desk: ReceptionDesk) -> None:
    field = competent_unit_field(version)
    if field is not None:
        _set_state(turn, State.PICK_UNIT, version=version.pk, desk=desk.pk, options=[])
        place = _("bạn cư trú") if field == "applicant_unit" else version.object_place
        say(
            turn,
            _(
                "Cơ quan giải quyết thủ tục này được xác định theo xã, phường %(place)s. Mời bạn gõ tên xã, phường "
                "(ví dụ: Tân Ninh, Long An)."
            )
            % {"place": place},
        )
        return
    _identity_ask(turn, version, desk, unit=None)


def _pick_unit(turn: Turn, raw: str, folded: str) -> bool:
    data = turn.zalo_user.state_data
    version = ProcedureVersion.objects.filter(pk=data.get("version")).first()
    desk = ReceptionDesk.objects.filter(pk=data.get("desk")).first()
    if version is None or desk is None:
        _set_state(turn, State.IDLE)
        return False
    units = residence_units(timezone.localdate(turn.at))
    options: list[int] = data.get("options") or []
    if folded.isdigit() and options:
        index = int(folded)
        if not 1 <= index <= len(options):
            say(turn, _("Hãy nhắn một số từ 1 đến %(count)s, hoặc gõ tên xã, phường.") % {"count": len(options)})
            return True
        unit = units.filter(pk=options[index - 1]).first()
        if unit is not None:
            _identity_ask(turn, version, desk, unit=unit)
            return True
    words = folded.split()
    matching = [unit for unit in units if words and all(word in fold(unit.name).split() for word in words)]
    if not matching:
        say(
            turn,
            _("Không có xã, phường nào trong tỉnh tên “%(text)s”. Bạn gõ lại tên xã, phường.") % {"text": raw[:100]},
        )
        return True
    if len(matching) == 1:
        _identity_ask(turn, version, desk, unit=matching[0])
        return True
    shown = matching[:CHOICES]
    _set_state(turn, State.PICK_UNIT, version=version.pk, desk=desk.pk, options=[unit.pk for unit in shown])
    say(turn, _("Nhắn số thứ tự xã, phường:\n%(list)s") % {"list": _numbered([str(unit) for unit in shown])})
    return True


def _identity_ask(turn: Turn, version: ProcedureVersion, desk: ReceptionDesk, *, unit) -> None:
    submission = ZaloSubmission.objects.create(
        zalo_user=turn.zalo_user,
        kind=SubmissionKind.DOSSIER,
        procedure_version=version,
        desk=desk,
        unit=unit,
        started_at=turn.at,
    )
    _set_state(turn, State.IDENTITY, submission=submission.pk)
    say(
        turn,
        _(
            "Nộp “%(procedure)s” tại %(desk)s.\n"
            "Trước hết, mời bạn chụp và gửi MẶT SAU căn cước công dân gắn chip (có mã QR) của người nộp: OA đọc mã "
            "QR để điền thông tin người nộp cho bạn xác nhận. Nhắn “Bỏ qua” để dùng thông tin trong tài khoản."
        )
        % {"procedure": version.name, "desk": desk.name},
        buttons=(SKIP,),
        submission=submission,
    )


def _photo_take(turn: Turn, submission: ZaloSubmission, url: str, *, kind: str) -> ZaloPhoto | None:
    """Download, check and keep one photo; a refusal is told to the citizen and nothing is kept."""
    data = turn.zalo_user.state_data
    requirement_id = data.get("requirement") if kind == PhotoKind.PAGE else None
    limit = None
    if submission.photos.count() >= int(settings.ONESTOP_ZALO_MAX_PHOTOS):
        limit = _("Mỗi hồ sơ nhận tối đa %(max)s ảnh; các ảnh gửi thêm không được nhận. Nhắn “Xong” để tiếp tục.") % {
            "max": settings.ONESTOP_ZALO_MAX_PHOTOS
        }
    elif requirement_id and submission.photos.filter(requirement_id=requirement_id).count() >= int(
        settings.ONESTOP_ZALO_MAX_PAGES_PER_DOCUMENT
    ):
        limit = _("Mỗi giấy tờ nhận tối đa %(max)s trang ảnh. Nhắn “Xong” để sang giấy tờ tiếp theo.") % {
            "max": settings.ONESTOP_ZALO_MAX_PAGES_PER_DOCUMENT
        }
    if limit is not None:
        heard(turn, _("[Ảnh]"), submission=submission)
        if not data.get("over_limit"):  # told once; the step's next prompt clears the mark
            _set_state(turn, turn.zalo_user.state, **{**data, "over_limit": True})
            say(turn, limit, submission=submission)
        return None
    heard(turn, _("[Ảnh]"), submission=submission)
    max_bytes = int(settings.ONESTOP_ZALO_PHOTO_MAX_BYTES)
    try:
        content = client.attachment_fetch(url, max_bytes=max_bytes)
    except client.AttachmentRefused as exc:
        if exc.code == "too_large":
            message = _(
                "Ảnh quá lớn; mỗi ảnh tối đa %(mb)s MB. Bạn chụp lại với độ phân giải thấp hơn rồi gửi lại."
            ) % {"mb": max_bytes // (1024 * 1024)}
        else:
            message = _("OA không tải được ảnh này. Bạn gửi lại giúp.")
        say(turn, message, submission=submission)
        return None
    try:
        checked = photo_check(content, max_bytes=max_bytes, name=f"zalo:{turn.event.event_id}")
    except ScannerUnavailable as exc:
        raise NotReady("virus scanner unavailable") from exc
    except PhotoRejected as exc:
        say(turn, _("Ảnh không được nhận: %(reason)s") % {"reason": exc.message}, submission=submission)
        return None
    file_kind = PHOTO_KINDS.get(checked.mime)
    if file_kind is None:
        say(turn, _("Ảnh không được nhận: OA nhận ảnh JPEG hoặc PNG."), submission=submission)
        return None
    upload = ContentFile(content, name=f"anh.{file_kind}")
    # Checked (size, type, full decode) and scanned just now: the gate's stamp, so it is not scanned twice.
    setattr(
        upload,
        STAMP_ATTRIBUTE,
        CheckedUpload(
            kind=file_kind,
            mime=checked.mime,
            size=len(content),
            sha256=checked.sha256,
            width=checked.width,
            height=checked.height,
        ),
    )
    photo = ZaloPhoto(
        submission=submission,
        event=turn.event,
        kind=kind,
        requirement_id=requirement_id,
        content_type=checked.mime,
        size=len(content),
        sha256=checked.sha256,
        width=checked.width,
        height=checked.height,
        occurred_at=turn.event.occurred_at,
        received_at=turn.at,
    )
    photo.file.save(upload.name, upload, save=False)
    turn.stored.append(photo.file.name)
    photo.save()
    return photo


def _identity_read(turn: Turn, submission: ZaloSubmission, photo: ZaloPhoto) -> None:
    with default_storage.open(photo.file.name, "rb") as handle:
        content = handle.read()
    card = idcard.cccd_from_photo(content)
    source = IdentitySource.QR
    if card is not None:
        identity = {
            "cccd": card.number,
            "full_name": card.full_name,
            "date_of_birth": card.date_of_birth.isoformat() if card.date_of_birth else "",
            "sex": card.sex,
            "address": card.address,
            "issued_on": card.issued_on.isoformat() if card.issued_on else "",
        }
    else:
        suggestion = idcard.cccd_from_front_ocr(content)
        if suggestion is None or not suggestion.number:
            say(
                turn,
                _(
                    "OA không đọc được mã QR trên ảnh. Bạn chụp lại mặt sau thẻ, đủ sáng, không lóa, thấy rõ mã QR; "
                    "hoặc nhắn “Bỏ qua” để dùng thông tin trong tài khoản."
                ),
                buttons=(SKIP,),
                submission=submission,
            )
            return
        source = IdentitySource.OCR
        identity = {
            "cccd": suggestion.number or "",
            "full_name": suggestion.full_name or "",
            "date_of_birth": suggestion.date_of_birth.isoformat() if suggestion.date_of_birth else "",
        }
    submission.identity, submission.identity_source = identity, source
    submission.save(update_fields=["identity", "identity_source"])
    _set_state(turn, State.IDENTITY_CONFIRM, **turn.zalo_user.state_data)
    lines = [
        _("Số CCCD: %(value)s") % {"value": identity.get("cccd") or "—"},
        _("Họ và tên: %(value)s") % {"value": identity.get("full_name") or "—"},
        _("Ngày sinh: %(value)s") % {"value": _iso_to_local(identity.get("date_of_birth"))},
    ]
    if identity.get("sex"):
        lines.append(_("Giới tính: %(value)s") % {"value": identity["sex"]})
    if identity.get("address"):
        lines.append(_("Nơi thường trú: %(value)s") % {"value": identity["address"]})
    if identity.get("issued_on"):
        lines.append(_("Ngày cấp: %(value)s") % {"value": _iso_to_local(identity["issued_on"])})
    intro = (
        _("OA đọc được từ mã QR trên căn cước:")
        if source == IdentitySource.QR
        else _("OA không đọc được mã QR; đây là phần nhận dạng chữ ở mặt trước, có thể sai, bạn kiểm tra kỹ:")
    )
    say(
        turn,
        "{}\n{}\n{}".format(intro, "\n".join(lines), _("Thông tin đúng không? Nhắn “Đúng” hoặc “Sai”.")),
        buttons=(YES, NO),
        submission=submission,
    )


def _iso_to_local(value: str | None) -> str:
    if not value:
        return "—"
    try:
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return "—"


def _identity_text(turn: Turn, raw: str, folded: str) -> bool:
    if folded != fold(SKIP):
        return False
    submission = _open_submission(turn.zalo_user)
    if submission is None:
        _set_state(turn, State.IDLE)
        return False
    submission.identity, submission.identity_source = {}, IdentitySource.ACCOUNT
    submission.save(update_fields=["identity", "identity_source"])
    _documents_begin(turn, submission)
    return True


def _identity_confirm(turn: Turn, raw: str, folded: str) -> bool:
    submission = _open_submission(turn.zalo_user)
    if submission is None:
        _set_state(turn, State.IDLE)
        return False
    if folded in {fold(YES), "dung roi", "ok", "co"}:
        submission.identity_confirmed_at = turn.at
        submission.save(update_fields=["identity_confirmed_at"])
        _documents_begin(turn, submission)
        return True
    if folded in {fold(NO), "khong", "khong dung"}:
        submission.identity, submission.identity_source = {}, IdentitySource.ACCOUNT
        submission.save(update_fields=["identity", "identity_source"])
        say(turn, _("OA bỏ thông tin vừa đọc và dùng thông tin trong tài khoản của bạn."), submission=submission)
        _documents_begin(turn, submission)
        return True
    say(turn, _("Nhắn “Đúng” nếu thông tin đúng, “Sai” nếu không."), buttons=(YES, NO), submission=submission)
    return True


def _documents_begin(turn: Turn, submission: ZaloSubmission) -> None:
    requirements = _requirements(submission.procedure_version)
    if not requirements:
        _summary(turn, submission)
        return
    _ask_document(turn, submission, requirements, 0)


def _ask_document(turn: Turn, submission: ZaloSubmission, requirements: list[DocumentRequirement], index: int) -> None:
    requirement = requirements[index]
    _set_state(turn, State.DOCUMENTS, submission=submission.pk, requirement=requirement.pk, index=index)
    optional = requirement.requirement != RequirementKind.REQUIRED
    condition = f" ({requirement.condition})" if requirement.condition else ""
    text = _(
        "Giấy tờ %(number)s/%(count)s: %(name)s%(condition)s%(optional)s.\nMời bạn chụp và gửi ảnh từng trang; gửi xong nhắn “Xong”."
    ) % {
        "number": index + 1,
        "count": len(requirements),
        "name": requirement.name,
        "condition": condition,
        "optional": _(" (không bắt buộc: nhắn “Bỏ qua” nếu không có)") if optional else "",
    }
    say(turn, text, buttons=(DONE, SKIP) if optional else (DONE,), submission=submission)


def _earlier_photos_pending(turn: Turn) -> bool:
    return (
        ZaloEvent.objects.filter(
            sender_id=turn.event.sender_id,
            event_name="user_send_image",
            status="received",
            occurred_at__lte=turn.event.occurred_at,
        )
        .exclude(pk=turn.event.pk)
        .exists()
    )


def _page_received(turn: Turn, submission: ZaloSubmission, photo: ZaloPhoto) -> None:
    if submission.kind == SubmissionKind.SUPPLEMENT:
        count = submission.photos.count()
    else:
        count = submission.photos.filter(requirement_id=photo.requirement_id).count()
    say(
        turn,
        _("Đã nhận ảnh %(count)s. Gửi tiếp trang sau, hoặc nhắn “Xong”.") % {"count": count},
        buttons=(DONE,),
        submission=submission,
    )


def _documents_text(turn: Turn, raw: str, folded: str) -> bool:
    data = turn.zalo_user.state_data
    submission = _open_submission(turn.zalo_user)
    if submission is None:
        _set_state(turn, State.IDLE)
        return False
    if folded not in {fold(DONE), fold(SKIP), "xong roi"}:
        say(
            turn,
            _("Mời bạn gửi ảnh giấy tờ, rồi nhắn “Xong”. Nhắn “Hủy” để dừng nộp."),
            buttons=(DONE,),
            submission=submission,
        )
        return True
    if _earlier_photos_pending(turn):
        raise NotReady("photos sent before this word are not processed yet")
    requirements = _requirements(submission.procedure_version)
    index = int(data.get("index", 0))
    requirement = requirements[index] if index < len(requirements) else None
    if requirement is not None:
        pages = submission.photos.filter(requirement=requirement).count()
        if folded == fold(SKIP) and requirement.requirement == RequirementKind.REQUIRED:
            say(
                turn,
                _("“%(name)s” là giấy tờ bắt buộc, không bỏ qua được.") % {"name": requirement.name},
                submission=submission,
            )
            return True
        if folded != fold(SKIP) and pages == 0 and requirement.requirement == RequirementKind.REQUIRED:
            say(
                turn,
                _("Bạn chưa gửi ảnh nào của “%(name)s”. Mời bạn chụp và gửi.") % {"name": requirement.name},
                submission=submission,
            )
            return True
    if index + 1 < len(requirements):
        _ask_document(turn, submission, requirements, index + 1)
    else:
        _summary(turn, submission)
    return True


def _summary(turn: Turn, submission: ZaloSubmission) -> None:
    _set_state(turn, State.CONFIRM, submission=submission.pk)
    lines = [
        _("Xem lại hồ sơ “%(name)s” nộp tại %(desk)s:")
        % {"name": submission.procedure_version.name, "desk": submission.desk.name}
    ]
    for requirement in _requirements(submission.procedure_version):
        pages = submission.photos.filter(requirement=requirement).count()
        lines.append(
            "• {}: {}".format(
                requirement.name, _("%(count)s trang ảnh") % {"count": pages} if pages else _("không gửi")
            )
        )
    identity = submission.identity or {}
    if identity.get("full_name") and submission.identity_confirmed_at:
        lines.append(
            _("Người nộp: %(name)s, CCCD %(cccd)s (đọc từ căn cước, bạn đã xác nhận).")
            % {"name": identity["full_name"], "cccd": identity.get("cccd", "")}
        )
    else:
        lines.append(_("Người nộp: %(name)s (theo tài khoản).") % {"name": turn.zalo_user.citizen.full_name})
    lines.append(_("Nhắn “Nộp hồ sơ” để nộp, “Hủy” để bỏ."))
    say(turn, "\n".join(lines), buttons=(CONFIRM_WORD, CANCEL_WORD), submission=submission)


def _confirm_text(turn: Turn, raw: str, folded: str) -> bool:
    if folded not in {fold(CONFIRM_WORD), "nop", "dong y"}:
        return False
    if _earlier_photos_pending(turn):
        raise NotReady("photos sent before the confirmation are not processed yet")
    submission = _open_submission(turn.zalo_user)
    if submission is None:
        _set_state(turn, State.IDLE)
        return False
    try:
        dossier = submit(submission=submission, at=turn.at, stored=turn.stored)
    except (ValidationError, PermissionDenied, PhotoRejected) as exc:
        reason = exc.message if isinstance(exc, PhotoRejected) else " ".join(getattr(exc, "messages", [str(exc)]))
        say(turn, _("Chưa nộp được hồ sơ: %(reason)s") % {"reason": reason}, submission=submission)
        return True
    _set_state(turn, State.IDLE)
    say(
        turn,
        _(
            "Đã nộp hồ sơ “%(name)s” qua Zalo lúc %(at)s. Bộ phận một cửa sẽ kiểm tra và báo mã hồ sơ, ngày hẹn "
            "trả kết quả ngay tại đây."
        )
        % {"name": dossier.procedure_version.name, "at": timezone.localtime(turn.at).strftime("%H:%M ngày %d/%m/%Y")},
        dossier=dossier,
        submission=submission,
    )
    return True


def _pdf_store(pdf: bytes, at: dt.datetime) -> str:
    content = ContentFile(pdf, name="ho-so.pdf")
    # Assembled here from photos the gate checked and scanned: our own output.
    setattr(content, STAMP_ATTRIBUTE, GENERATED)
    return default_storage.save(f"dossiers/{at:%Y/%m}/{hashlib.sha256(pdf).hexdigest()[:32]}.pdf", content)


def _pdf_of(photos: list[ZaloPhoto]):
    contents = []
    for photo in photos:
        with default_storage.open(photo.file.name, "rb") as handle:
            contents.append(handle.read())
    return photos_to_pdf(contents)


def _applicant_for(submission: ZaloSubmission, citizen: User) -> Applicant:
    residence = submission.unit if competent_unit_field(submission.procedure_version) == "applicant_unit" else None
    applicant = Applicant.of_citizen(citizen, phone=citizen.phone, email=citizen.email, unit=residence)
    identity = submission.identity or {}
    if submission.identity_source in (IdentitySource.QR, IdentitySource.OCR) and submission.identity_confirmed_at:
        changes: dict[str, Any] = {}
        if identity.get("full_name"):
            changes["full_name"] = identity["full_name"]
        if identity.get("cccd"):
            changes["cccd"] = identity["cccd"]
        if identity.get("date_of_birth"):
            changes["date_of_birth"] = dt.date.fromisoformat(identity["date_of_birth"])
        if identity.get("address"):
            changes["address"] = identity["address"]
        applicant = dataclasses.replace(applicant, **changes)
    return applicant


def submit(*, submission: ZaloSubmission, at: dt.datetime, stored: list[str]) -> Dossier:
    """One PDF a document from its photos, then the dossier, channel Zalo, in the desk's "to check" queue."""
    version, desk, citizen = submission.procedure_version, submission.desk, submission.zalo_user.citizen
    if citizen is None:
        raise PermissionDenied(_("Zalo chưa liên kết với tài khoản Cổng dịch vụ công."))
    files: list[OnlineFile] = []
    for requirement in _requirements(version):
        photos = list(
            submission.photos.filter(kind=PhotoKind.PAGE, requirement=requirement).order_by("occurred_at", "pk")
        )
        if not photos:
            if requirement.requirement == RequirementKind.REQUIRED:
                raise ValidationError(_("Thiếu ảnh của giấy tờ bắt buộc “%(name)s”.") % {"name": requirement.name})
            continue
        built = _pdf_of(photos)
        name = _pdf_store(built.pdf, at)
        stored.append(name)
        files.append(
            OnlineFile(
                requirement=requirement,
                stored_name=name,
                original_name=f"{fold(requirement.name).replace(' ', '-')[:80]}-{len(photos)}-trang.pdf",
                content_type="application/pdf",
                size=len(built.pdf),
                sha256=built.sha256,
                page_count=built.pages,
            )
        )
    field, unit = competent_unit_field(version), submission.unit
    dossier = dossier_submit_online(
        citizen=citizen,
        procedure_version=version,
        desk=desk,
        at=at,
        files=files,
        form_data={},
        phone=citizen.phone,
        email=citizen.email,
        applicant_unit=unit if field == "applicant_unit" else None,
        object_unit=unit if field == "object_unit" else None,
        channel=Channel.ZALO,
        applicant=_applicant_for(submission, citizen),
    )
    submission.status, submission.dossier, submission.submitted_at = SubmissionStatus.SUBMITTED, dossier, at
    submission.save(update_fields=["status", "dossier", "submitted_at"])
    submission.messages.filter(dossier__isnull=True).update(dossier=dossier)
    return dossier


# --- supplement ---------------------------------------------------------------------------------


def _awaiting_supplement(citizen: User) -> list[Dossier]:
    """The citizen's dossiers waiting for their documents, newest first (one query: photos come often)."""
    waiting = own_dossiers(citizen).filter(AWAITING_APPLICANT)
    return list(waiting.select_related("procedure_version", "state", "receiving_desk").order_by("-pk")[:20])


def _supplement_start(turn: Turn, *, announce: bool) -> ZaloSubmission | None:
    if _needs_link(turn):
        return None
    waiting = _awaiting_supplement(turn.zalo_user.citizen)
    if not waiting:
        say(turn, _("Bạn không có hồ sơ nào đang chờ bổ sung."))
        return None
    dossier = waiting[0]
    _abandon(turn.zalo_user, at=turn.at)
    submission = ZaloSubmission.objects.create(
        zalo_user=turn.zalo_user,
        kind=SubmissionKind.SUPPLEMENT,
        procedure_version=dossier.procedure_version,
        desk=dossier.receiving_desk,
        dossier=dossier,
        started_at=turn.at,
    )
    _set_state(turn, State.SUPPLEMENT, submission=submission.pk, dossier=dossier.pk)
    request = supplement_request(dossier) or {}
    items = "\n".join(f"• {item}" for item in request.get("items") or [])
    say(
        turn,
        _("Bổ sung hồ sơ %(code)s (%(name)s).%(items)s\nMời bạn gửi ảnh các giấy tờ bổ sung; gửi xong nhắn “Xong”.")
        % {
            "code": dossier.code or f"#{dossier.pk}",
            "name": dossier.procedure_version.name,
            "items": ("\n" + _("Cần bổ sung:") + "\n" + items) if items else "",
        },
        buttons=(DONE,) if not announce else (),
        dossier=dossier,
        submission=submission,
    )
    return submission


def _supplement_text(turn: Turn, raw: str, folded: str) -> bool:
    if folded not in {fold(DONE), "xong roi"}:
        return False
    if _earlier_photos_pending(turn):
        raise NotReady("photos sent before this word are not processed yet")
    submission = _open_submission(turn.zalo_user)
    if submission is None or submission.dossier is None:
        _set_state(turn, State.IDLE)
        return False
    photos = list(submission.photos.order_by("occurred_at", "pk"))
    if not photos:
        say(turn, _("Bạn chưa gửi ảnh nào. Mời bạn chụp và gửi giấy tờ bổ sung."), submission=submission)
        return True
    dossier, citizen = submission.dossier, turn.zalo_user.citizen
    built = _pdf_of(photos)
    upload = ContentFile(built.pdf, name=f"bo-sung-{len(photos)}-trang.pdf")
    try:
        dossier_supplement_add(dossier=dossier, citizen=citizen, requirement=None, file=upload, at=turn.at)
        dossier_supplement_submit(dossier=dossier, citizen=citizen, at=turn.at, comment=_("Bổ sung qua Zalo"))
    except (ValidationError, PermissionDenied) as exc:
        say(
            turn,
            _("Chưa bổ sung được: %(reason)s") % {"reason": " ".join(getattr(exc, "messages", [str(exc)]))},
            submission=submission,
        )
        return True
    submission.status, submission.submitted_at = SubmissionStatus.SUBMITTED, turn.at
    submission.save(update_fields=["status", "submitted_at"])
    _set_state(turn, State.IDLE)
    say(
        turn,
        _("Đã gửi bổ sung cho hồ sơ %(code)s. Cơ quan sẽ tiếp tục giải quyết và báo bạn tại đây.")
        % {"code": dossier.code or f"#{dossier.pk}"},
        dossier=dossier,
        submission=submission,
    )
    return True


# --- look-up, my dossiers, rating ---------------------------------------------------------------


def _lookup_start(turn: Turn) -> None:
    _set_state(turn, State.LOOKUP)
    say(
        turn,
        _(
            "Mời bạn nhắn mã hồ sơ và 6 chữ số tra cứu in trên giấy tiếp nhận, cách nhau bằng dấu cách "
            "(ví dụ: 000.00.31.H56-261205-0001 123456). Hồ sơ của chính bạn (đã liên kết) chỉ cần mã hồ sơ."
        ),
    )


def _dossier_line(dossier: Dossier) -> str:
    return _("%(code)s — %(name)s: %(status)s; hẹn trả %(due)s.") % {
        "code": dossier.code or _("chưa có mã"),
        "name": dossier.procedure_version.name,
        "status": citizen_status(dossier),
        "due": _local_date(dossier.due_at),
    }


def _lookup_text(turn: Turn, raw: str, folded: str) -> bool:
    parts = raw.split()
    if not parts:
        return False
    if not ratelimit.hit(scope="zalo_lookup", key=turn.zalo_user.user_id, limit=20, window_seconds=3600):
        say(turn, _("Bạn đã tra cứu nhiều lần trong một giờ. Vui lòng thử lại sau."))
        return True
    code = parts[0].upper()
    dossier = None
    if len(parts) >= 2:
        dossier = public_lookup(code=code, secret=parts[1])
    elif turn.zalo_user.citizen_id:
        dossier = (
            Dossier.objects.filter(code=code, applicant_account_id=turn.zalo_user.citizen_id)
            .select_related("procedure_version", "state")
            .first()
        )
    _set_state(turn, State.IDLE)
    if dossier is None:
        # The same answer whether the code or the digits were wrong, as on the portal.
        say(turn, _("Không tìm thấy hồ sơ với mã và chữ số tra cứu này. Bạn kiểm tra lại giấy tiếp nhận."))
        return True
    say(turn, _dossier_line(dossier), dossier=dossier)
    return True


def _my_dossiers(turn: Turn) -> None:
    if _needs_link(turn):
        return
    dossiers = list(my_dossier_list(turn.zalo_user.citizen).select_related("procedure_version", "state")[:5])
    if not dossiers:
        say(turn, _("Bạn chưa có hồ sơ nào. Nhắn “2” để nộp hồ sơ."))
        return
    lines = [_("Hồ sơ gần đây của bạn:")] + [f"• {_dossier_line(dossier)}" for dossier in dossiers]
    lines.append(_("Xem đầy đủ: %(url)s") % {"url": _site_url("/ho-so-cua-toi/")})
    say(turn, "\n".join(lines))


def _rate_start(turn: Turn) -> None:
    if _needs_link(turn):
        return
    candidates = [dossier for dossier in my_dossier_list(turn.zalo_user.citizen)[:20] if can_rate(dossier)]
    if not candidates:
        say(turn, _("Bạn chưa có hồ sơ nào có kết quả để đánh giá, hoặc đã đánh giá hết."))
        return
    dossier = candidates[0]
    _set_state(turn, State.RATE, dossier=dossier.pk, answers={}, step=-1)
    say(
        turn,
        _("Đánh giá việc giải quyết hồ sơ %(code)s (%(name)s). Nhìn chung bạn có hài lòng không?")
        % {"code": dossier.code, "name": dossier.procedure_version.name},
        buttons=(SATISFIED, UNSATISFIED),
        dossier=dossier,
    )


def _rate_text(turn: Turn, raw: str, folded: str) -> bool:
    data = dict(turn.zalo_user.state_data)
    dossier = Dossier.objects.filter(pk=data.get("dossier")).select_related("procedure_version", "state").first()
    if dossier is None:
        _set_state(turn, State.IDLE)
        return False
    step = int(data.get("step", -1))
    if step == -1:
        if folded not in {fold(SATISFIED), fold(UNSATISFIED)}:
            say(turn, _("Nhắn “Hài lòng” hoặc “Không hài lòng”."), buttons=(SATISFIED, UNSATISFIED), dossier=dossier)
            return True
        data["satisfied"] = folded == fold(SATISFIED)
    else:
        question = RATING_QUESTIONS[step]
        options = [code for code, _label in question["options"]]
        number = folded if folded.isdigit() else ""
        if not number or not 1 <= int(number) <= len(options):
            say(turn, _("Nhắn một số từ 1 đến %(count)s.") % {"count": len(options)}, dossier=dossier)
            return True
        data["answers"] = {**data.get("answers", {}), question["code"]: options[int(number) - 1]}
    step += 1
    if step < len(RATING_QUESTIONS):
        data["step"] = step
        _set_state(turn, State.RATE, **data)
        question = RATING_QUESTIONS[step]
        labels = [str(label) for _code, label in question["options"]]
        say(
            turn,
            "{}?\n{}".format(question["label"], _numbered(labels)),
            buttons=tuple(str(number) for number in range(1, len(labels) + 1)),
            dossier=dossier,
        )
        return True
    _set_state(turn, State.IDLE)
    try:
        dossier_rate(
            dossier=dossier,
            citizen=turn.zalo_user.citizen,
            satisfied=bool(data.get("satisfied")),
            answers=data.get("answers", {}),
            comment="",
            at=turn.at,
        )
    except (ValidationError, PermissionDenied) as exc:
        say(turn, " ".join(getattr(exc, "messages", [str(exc)])), dossier=dossier)
        return True
    say(turn, _("Cảm ơn bạn đã đánh giá. Ý kiến của bạn giúp các cơ quan phục vụ tốt hơn."), dossier=dossier)
    return True


# --- a feedback or recommendation (PAKN) -------------------------------------------------------------

#: Words that start a PAKN anywhere in the conversation, and the kind each means.
FEEDBACK_WORDS = {
    "phan anh": FeedbackKind.COMPLAINT,
    "phan anh kien nghi": FeedbackKind.COMPLAINT,
    "kien nghi": FeedbackKind.RECOMMENDATION,
}
NONE_WORD = "Không"
FEEDBACK_MIN_LENGTH = 10
TITLE_LENGTH = 80


def _feedback_start(turn: Turn, kind: str = FeedbackKind.COMPLAINT) -> None:
    if _needs_link(turn):
        return
    _abandon(turn.zalo_user, at=turn.at)
    _set_state(turn, State.FEEDBACK_TEXT, kind=kind)
    what = _("kiến nghị") if kind == FeedbackKind.RECOMMENDATION else _("phản ánh")
    say(
        turn,
        _(
            "Mời bạn nhắn nội dung %(what)s trong một tin: việc gì, ở đâu, khi nào. Cơ quan tiếp nhận trong 2 ngày "
            "làm việc và trả lời trong 15 ngày làm việc. Nhắn “Hủy” để dừng."
        )
        % {"what": what},
    )


def _feedback_title(text: str) -> str:
    """The first line, cut at a word within TITLE_LENGTH characters: the chat has no title of its own."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    if len(first) <= TITLE_LENGTH:
        return first
    return first[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _feedback_text(turn: Turn, raw: str, folded: str) -> bool:
    if len(raw.strip()) < FEEDBACK_MIN_LENGTH:
        say(turn, _("Bạn nhắn rõ hơn một chút nội dung cần phản ánh, kiến nghị (ít nhất vài từ)."))
        return True
    data = {**turn.zalo_user.state_data, "text": raw}
    dossiers = [
        dossier
        for dossier in my_dossier_list(turn.zalo_user.citizen).select_related("procedure_version")[:CHOICES]
        if dossier.code
    ]
    if not dossiers:
        _feedback_ask_agency(turn, data)
        return True
    _set_state(turn, State.FEEDBACK_DOSSIER, **data, options=[dossier.pk for dossier in dossiers])
    lines = [f"{dossier.code} — {dossier.procedure_version.name}" for dossier in dossiers]
    say(
        turn,
        _(
            "Nội dung này về hồ sơ nào của bạn? Nhắn số thứ tự hoặc mã hồ sơ; nhắn “Không” nếu không về hồ sơ "
            "cụ thể.\n%(list)s"
        )
        % {"list": _numbered(lines)},
        buttons=(NONE_WORD,),
    )
    return True


def _feedback_dossier(turn: Turn, raw: str, folded: str) -> bool:
    data = dict(turn.zalo_user.state_data)
    if folded in {fold(NONE_WORD), "khong co", "khong ve ho so"}:
        _feedback_ask_agency(turn, data)
        return True
    own = own_dossiers(turn.zalo_user.citizen)
    options: list[int] = data.get("options") or []
    if folded.isdigit() and 1 <= int(folded) <= len(options):
        dossier = own.filter(pk=options[int(folded) - 1]).first()
    else:
        dossier = own.filter(code=raw.strip().upper()).first() if raw.strip() else None
    if dossier is None:
        say(
            turn,
            _("Không thấy hồ sơ này trong các hồ sơ của bạn. Nhắn số thứ tự, mã hồ sơ, hoặc “Không”."),
            buttons=(NONE_WORD,),
        )
        return True
    _feedback_send(turn, data, dossier=dossier, agency=None)
    return True


def _feedback_ask_agency(turn: Turn, data: dict[str, Any]) -> None:
    _set_state(turn, State.FEEDBACK_AGENCY, **{**data, "options": []})
    say(turn, _("Nội dung này gửi cơ quan nào? Gõ tên cơ quan, ví dụ: Ủy ban nhân dân xã Tân Biên, Sở Tư pháp."))


def _feedback_agency(turn: Turn, raw: str, folded: str) -> bool:
    data = dict(turn.zalo_user.state_data)
    agencies = Agency.objects.filter(is_active=True)
    options: list[int] = data.get("options") or []
    if folded.isdigit() and options:
        index = int(folded)
        agency = agencies.filter(pk=options[index - 1]).first() if 1 <= index <= len(options) else None
        if agency is None:
            say(turn, _("Hãy nhắn một số từ 1 đến %(count)s, hoặc gõ lại tên cơ quan.") % {"count": len(options)})
            return True
        _feedback_send(turn, data, dossier=None, agency=agency)
        return True
    words = folded.split()
    matching = [
        agency for agency in agencies.order_by("name") if words and all(word in fold(agency.name) for word in words)
    ]
    if not matching:
        say(turn, _("Không tìm thấy cơ quan nào với “%(text)s”. Bạn gõ lại tên cơ quan.") % {"text": raw[:100]})
        return True
    if len(matching) == 1:
        _feedback_send(turn, data, dossier=None, agency=matching[0])
        return True
    shown = matching[:CHOICES]
    _set_state(turn, State.FEEDBACK_AGENCY, **{**data, "options": [agency.pk for agency in shown]})
    say(turn, _("Nhắn số thứ tự cơ quan:\n%(list)s") % {"list": _numbered([agency.name for agency in shown])})
    return True


def _feedback_send(turn: Turn, data: dict[str, Any], *, dossier: Dossier | None, agency: Agency | None) -> None:
    _set_state(turn, State.IDLE)
    if not ratelimit.hit(scope="zalo_feedback", key=turn.zalo_user.user_id, limit=5, window_seconds=3600):
        say(turn, _("Bạn đã gửi nhiều phản ánh, kiến nghị trong một giờ. Vui lòng thử lại sau."))
        return
    text = str(data.get("text") or "")
    try:
        feedback = feedback_submit(
            kind=str(data.get("kind") or FeedbackKind.COMPLAINT),
            title=_feedback_title(text),
            content=text,
            channel=FeedbackChannel.ZALO,
            at=turn.at,
            agency=agency,
            dossier=dossier,
            citizen=turn.zalo_user.citizen,
        )
    except ValidationError as exc:
        say(turn, _("Chưa gửi được: %(reason)s") % {"reason": " ".join(exc.messages)}, dossier=dossier)
        return
    say(
        turn,
        _(
            "Đã gửi %(kind)s tới %(agency)s, mã %(code)s. Cơ quan tiếp nhận trong 2 ngày làm việc và trả lời trong "
            "15 ngày làm việc; câu trả lời báo cho bạn qua thư điện tử, tin nhắn và tại %(url)s"
        )
        % {
            "kind": feedback.get_kind_display().lower(),
            "agency": feedback.agency.name,
            "code": feedback.code,
            "url": _site_url(f"/phan-anh-kien-nghi/cua-toi/{feedback.pk}/"),
        },
        dossier=dossier,
    )


#: What a text means in each step; a handler returning False leaves the text to the menu and search.
STATE_TEXT: dict[str, Callable[[Turn, str, str], bool]] = {
    State.LINK_PHONE: _link_phone,
    State.LINK_CODE: _link_code,
    State.PICK_PROCEDURE: _pick_procedure,
    State.PICK_DESK: _pick_desk,
    State.PICK_UNIT: _pick_unit,
    State.IDENTITY: _identity_text,
    State.IDENTITY_CONFIRM: _identity_confirm,
    State.DOCUMENTS: _documents_text,
    State.CONFIRM: _confirm_text,
    State.SUPPLEMENT: _supplement_text,
    State.LOOKUP: _lookup_text,
    State.RATE: _rate_text,
    State.FEEDBACK_TEXT: _feedback_text,
    State.FEEDBACK_DOSSIER: _feedback_dossier,
    State.FEEDBACK_AGENCY: _feedback_agency,
}
