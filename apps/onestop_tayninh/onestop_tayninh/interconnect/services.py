"""Every write of the interconnect app: sending a dossier to another installation, receiving one, and the
result going back (docs/architecture.md "Liên thông giữa các hệ thống").

The dossier itself is written by the engine's services (dossiers.services), as the desk does: the
receiving side starts, files and accepts it as the sending installation's technical account (the
api app's ApiClient), keeping the code the sending side issued.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onestop_tayninh.api.models import ApiClient
from onestop_tayninh.api.services import request_fingerprint
from onestop_tayninh.catalog.models import DocumentRequirement
from onestop_tayninh.catalog.selectors import published_version
from onestop_tayninh.core.services import MAX_ATTEMPTS, task_enqueue
from onestop_tayninh.directory.models import AdministrativeUnit, ReceptionDesk
from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.constants import DossierStatus
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.services import (
    HandedOver,
    component_upload_check,
    dossier_accept,
    dossier_document_add,
    dossier_handover_note,
    dossier_start,
)

from . import client as peer_client
from .constants import (
    DELIVER_JOB,
    HANDOVERS_PATH,
    REFUSED_KINDS,
    RESULT_JOB,
    HandoverStatus,
    ResultStatus,
)
from .models import Handover, PeerInstallation, ReceivedHandover

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User


class HandoverConflict(ValidationError):
    """The same code arrived before with other content: answered 409, nothing changes."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- sending ----------------------------------------------------------------------------------


def _officer_agency_id(officer: User) -> int | None:
    official = getattr(officer, "official", None)
    return official.agency_id if official is not None else None


def sendable_peers(*, dossier: Dossier, officer: User) -> list[PeerInstallation]:
    """The installations `officer` may send `dossier` to now (none when the dossier cannot go)."""
    agency_id = _officer_agency_id(officer)
    if (
        agency_id is None
        or dossier.status != DossierStatus.RECEIVED
        or dossier.closed_at is not None
        or dossier.current_agency_id != agency_id
    ):
        return []
    return list(PeerInstallation.objects.filter(is_active=True, agencies__pk=agency_id).distinct())


def handover_send(
    *, dossier: Dossier, peer: PeerInstallation, officer: User, at: dt.datetime, note: str = ""
) -> Handover:
    """Send a received dossier held by the officer's body to `peer`: the hand-over row, its history line
    and the delivery task, in one transaction; the package goes out after commit (jobs.handover_deliver)."""
    if peer not in sendable_peers(dossier=dossier, officer=officer):
        if not peer.is_active or not peer.agencies.filter(pk=_officer_agency_id(officer) or 0).exists():
            raise PermissionDenied(
                _("Cơ quan của cán bộ không được gửi hồ sơ liên thông đến “%(peer)s”.") % {"peer": peer}
            )
        raise ValidationError(
            _("Chỉ gửi liên thông hồ sơ đã tiếp nhận, chưa kết thúc, đang do cơ quan của cán bộ giữ.")
        )
    note = (note or "").strip()
    with transaction.atomic():
        if Handover.objects.select_for_update().filter(dossier=dossier).exists():
            raise ValidationError(_("Hồ sơ đã được gửi liên thông, không gửi lại lần nữa."))
        handover = Handover(dossier=dossier, peer=peer, code=dossier.code or "", note=note, sent_by=officer, sent_at=at)
        handover.full_clean()
        try:
            with transaction.atomic():
                handover.save()
        except IntegrityError as exc:
            raise ValidationError(_("Hồ sơ đã được gửi liên thông, không gửi lại lần nữa.")) from exc
        dossier_handover_note(
            dossier=dossier,
            kind="sent",
            peer=peer.name,
            label=_("Gửi hồ sơ liên thông đến %(peer)s") % {"peer": peer.name},
            actor=officer,
            at=at,
            comment=note,
        )
        task_enqueue(
            func=DELIVER_JOB, kwargs={"handover_id": handover.pk}, dedupe_key=f"interconnect:deliver:{handover.pk}:0"
        )
    return handover


def handover_retry(*, handover: Handover) -> Handover:
    """Send a hand-over that could not be delivered once more (the desk's action)."""
    with transaction.atomic():
        handover = Handover.objects.select_for_update().get(pk=handover.pk)
        if handover.status != HandoverStatus.FAILED:
            raise ValidationError(_("Chỉ gửi lại hồ sơ liên thông đã gửi không được."))
        handover.status = HandoverStatus.PENDING
        handover.save(update_fields=["status"])
        task_enqueue(
            func=DELIVER_JOB,
            kwargs={"handover_id": handover.pk},
            dedupe_key=f"interconnect:deliver:{handover.pk}:{handover.attempts}",
        )
    return handover


def _file_entry(*, name: str, data: bytes, content_type: str, requirement: str = "") -> dict[str, Any]:
    return {
        "name": name,
        "requirement": requirement,
        "content_type": content_type,
        "size": len(data),
        "sha256": sha256_of(data),
        "content": base64.b64encode(data).decode("ascii"),
    }


def handover_package(handover: Handover) -> dict[str, Any]:
    """What goes to the other installation: the dossier's code, its procedure by national code, the
    applicant, the e-form data, the appointment, and each file with its SHA-256."""
    dossier = (
        Dossier.objects.select_related("procedure_version__procedure", "receiving_agency", "applicant_unit")
        .prefetch_related("documents__requirement")
        .get(pk=handover.dossier_id)
    )
    files = []
    for document in dossier.documents.all():
        with document.file.open("rb") as stream:
            data = stream.read()
        files.append(
            _file_entry(
                name=document.original_name,
                data=data,
                content_type=document.content_type,
                requirement=document.requirement.name if document.requirement else "",
            )
        )
    return {
        "code": dossier.code,
        "procedure_code": dossier.procedure_version.procedure.code,
        "applicant": {
            "kind": dossier.applicant_kind,
            "full_name": dossier.full_name,
            "cccd": dossier.cccd,
            "date_of_birth": dossier.date_of_birth.isoformat() if dossier.date_of_birth else None,
            "phone": dossier.phone,
            "email": dossier.email,
            "address": dossier.address,
            "organisation_name": dossier.organisation_name,
            "tax_code": dossier.tax_code,
            "representative": dossier.representative,
            "unit": dossier.applicant_unit.code if dossier.applicant_unit else "",
        },
        "return_method": dossier.return_method,
        "return_address": dossier.return_address,
        "form_data": dossier.form_data or {},
        "received_at": dossier.received_at.isoformat() if dossier.received_at else None,
        "due_at": dossier.due_at.isoformat() if dossier.due_at else None,
        "sender": {"agency_code": dossier.receiving_agency.code, "agency_name": dossier.receiving_agency.name},
        "note": handover.note,
        "files": files,
    }


def handover_deliver(*, handover_id: int, at: dt.datetime) -> Handover:
    """Post the package to the peer. Not answered (down, 5xx): raised, and the task outbox tries again with
    back-off until its last attempt, when the hand-over is marked failed; refused (4xx): failed at once.
    Delivered twice (an answer lost): the peer answers the dossier it made the first time."""
    handover = Handover.objects.select_related("peer", "dossier").get(pk=handover_id)
    if handover.status != HandoverStatus.PENDING:
        return handover
    package = handover_package(handover)
    Handover.objects.filter(pk=handover.pk).update(attempts=handover.attempts + 1)
    handover.attempts += 1
    try:
        answer = peer_client.post_json(handover.peer, HANDOVERS_PATH, package)
    except peer_client.PeerUnavailable as exc:
        if handover.attempts < MAX_ATTEMPTS:
            Handover.objects.filter(pk=handover.pk).update(last_error=str(exc)[:2000])
            raise
        return _delivery_failed(handover, str(exc), at=at)
    except peer_client.PeerRefused as exc:
        return _delivery_failed(handover, str(exc), at=at)
    with transaction.atomic():
        handover = Handover.objects.select_for_update().select_related("peer").get(pk=handover.pk)
        if handover.status != HandoverStatus.PENDING:
            return handover
        handover.status = HandoverStatus.DELIVERED
        handover.delivered_at = at
        handover.last_error = ""
        handover.save(update_fields=["status", "delivered_at", "last_error"])
        dossier_handover_note(
            dossier=handover.dossier,
            kind="delivered",
            peer=handover.peer.name,
            label=_("%(peer)s đã tiếp nhận hồ sơ liên thông") % {"peer": handover.peer.name},
            actor=None,
            at=at,
            comment=_("Mã hồ sơ giữ nguyên: %(code)s.") % {"code": answer.get("code") or handover.code},
        )
    return handover


def _delivery_failed(handover: Handover, reason: str, *, at: dt.datetime) -> Handover:
    with transaction.atomic():
        handover = Handover.objects.select_for_update().select_related("peer").get(pk=handover.pk)
        if handover.status != HandoverStatus.PENDING:
            return handover
        handover.status = HandoverStatus.FAILED
        handover.last_error = reason[:2000]
        handover.save(update_fields=["status", "last_error"])
        dossier_handover_note(
            dossier=handover.dossier,
            kind="failed",
            peer=handover.peer.name,
            label=_("Gửi hồ sơ liên thông đến %(peer)s không được") % {"peer": handover.peer.name},
            actor=None,
            at=at,
            comment=reason[:2000],
        )
    return handover


# --- receiving --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    dossier: Dossier
    #: True when the package had arrived before: nothing new was made.
    replayed: bool


@dataclass(frozen=True)
class _File:
    name: str
    data: bytes
    requirement: DocumentRequirement | None


def _decoded(entries: list[dict[str, Any]], field: str = "files") -> list[tuple[str, bytes, str]]:
    """Each file's name, bytes and requirement name, its SHA-256 checked; a mismatch refuses the whole package."""
    decoded = []
    problems = []
    for index, entry in enumerate(entries):
        name = entry["name"]
        try:
            data = base64.b64decode(entry["content"], validate=True)
        except (binascii.Error, ValueError):
            problems.append(
                _("Tệp “%(name)s” (thứ %(n)s): nội dung không phải base64.") % {"name": name, "n": index + 1}
            )
            continue
        if sha256_of(data) != entry["sha256"].lower():
            problems.append(
                _("Tệp “%(name)s” (thứ %(n)s): mã SHA-256 không khớp với nội dung nhận được.")
                % {"name": name, "n": index + 1}
            )
            continue
        decoded.append((name, data, entry.get("requirement", "")))
    if problems:
        raise ValidationError({field: problems})
    return decoded


def _receiving_desk(client: ApiClient) -> ReceptionDesk:
    desk = ReceptionDesk.objects.filter(officials__user=client.user).order_by("pk").first()
    if desk is None:
        raise PermissionDenied(_("Hệ thống kết nối chưa được gán bộ phận tiếp nhận nên không nhận được hồ sơ."))
    return desk


def _unit(code: str) -> AdministrativeUnit | None:
    if not code:
        return None
    unit = AdministrativeUnit.objects.filter(code=code).first()
    if unit is None:
        raise ValidationError({"applicant": _("Không có đơn vị hành chính mã “%(code)s”.") % {"code": code}})
    return unit


def _replay(code: str, fingerprint: str, *, locking: bool = False) -> Received | None:
    found = ReceivedHandover.objects.select_related("dossier").filter(code=code)
    kept = (found.select_for_update() if locking else found).first()
    if kept is None:
        return None
    if kept.fingerprint != fingerprint:
        raise HandoverConflict(
            _("Hồ sơ mã “%(code)s” đã được nhận với nội dung khác; không nhận lại.") % {"code": code}, code="conflict"
        )
    return Received(dossier=kept.dossier, replayed=True)


def handover_receive(*, client: ApiClient, package: dict[str, Any], at: dt.datetime) -> Received:
    """A dossier another installation hands over: checked whole first (procedure, checksums, the upload
    gate), then started, filed and accepted under its own code in one transaction; nothing is kept when any
    part is refused. The same package again answers the dossier made the first time."""
    peer = getattr(client, "peer", None)
    if peer is None:
        raise PermissionDenied(_("Hệ thống kết nối này chưa được khai báo là hệ thống liên thông."))
    code = package["code"]
    fingerprint = request_fingerprint(package)
    replay = _replay(code, fingerprint)
    if replay is not None:
        return replay
    if Dossier.objects.filter(code=code).exists():
        # Checked again when the code is given (dossier_accept); refused here before any file is stored.
        raise ValidationError({"code": _("Mã hồ sơ “%(code)s” đã có trong hệ thống.") % {"code": code}})
    version = published_version(package["procedure_code"])
    if version is None:
        raise ValidationError(
            {"procedure_code": _("Không có thủ tục đang công bố mã “%(code)s”.") % {"code": package["procedure_code"]}}
        )
    requirements = {requirement.name: requirement for requirement in version.documents.all()}
    files = [
        _File(name=name, data=data, requirement=requirements.get(requirement))
        for name, data, requirement in _decoded(package["files"])
    ]
    # The upload gate (real type, size, virus scan) before the transaction: an infected file's audit row stays.
    for item in files:
        component_upload_check(
            ContentFile(item.data, name=item.name), requirement=item.requirement, other_label=item.name
        )
    fields = dict(package["applicant"])
    applicant = Applicant(
        kind=fields.pop("kind"),
        unit=_unit(fields.pop("unit", "")),
        return_method=package["return_method"],
        return_address=package["return_address"],
        **fields,
    )
    desk = _receiving_desk(client)
    sender = package.get("sender") or {}
    origin = f"{sender.get('agency_name') or sender.get('agency_code') or ''} — {peer.name}".strip(" —")
    comment = " ".join(
        part
        for part in (
            _("Hồ sơ liên thông do %(origin)s gửi, giữ nguyên mã hồ sơ.") % {"origin": origin},
            (package.get("note") or "").strip(),
        )
        if part
    )
    try:
        with transaction.atomic():
            # Packages from one installation queue up on its client's row: a copy arriving while the first
            # is still being written waits here, then finds it (a locking read sees what was committed).
            ApiClient.objects.select_for_update().filter(pk=client.pk).values_list("pk", flat=True).first()
            replay = _replay(code, fingerprint, locking=True)
            if replay is not None:
                return replay
            dossier = dossier_start(
                desk=desk,
                officer=client.user,
                procedure_version=version,
                applicant=applicant,
                at=at,
                form_data=package.get("form_data") or {},
            )
            for item in files:
                dossier_document_add(
                    dossier=dossier,
                    requirement=item.requirement,
                    file=ContentFile(item.data, name=item.name),
                    officer=client.user,
                    at=at,
                )
            dossier = dossier_accept(
                dossier=dossier,
                officer=client.user,
                at=at,
                handed_over=HandedOver(
                    code=code,
                    due_at=package.get("due_at"),
                    label=_("Tiếp nhận hồ sơ liên thông từ %(peer)s") % {"peer": peer.name},
                    comment=comment,
                ),
            )
            ReceivedHandover.objects.create(
                client=client,
                peer=peer,
                code=code,
                fingerprint=fingerprint,
                dossier=dossier,
                origin=origin[:300],
                received_at=at,
            )
    except IntegrityError:
        # Another installation's copy raced in under another client (the code's unique index): answer it.
        replay = _replay(code, fingerprint)
        if replay is not None:
            return replay
        raise
    return Received(dossier=dossier, replayed=False)


# --- the result going back --------------------------------------------------------------------


def result_queue(*, dossier_id: int) -> None:
    """The receiving side finished a dossier handed over to it: the result goes back (subscribers)."""
    received = ReceivedHandover.objects.filter(dossier_id=dossier_id, peer__isnull=False).first()
    if received is None or received.result_status:
        return
    task_enqueue(func=RESULT_JOB, kwargs={"received_id": received.pk}, dedupe_key=f"interconnect:result:{received.pk}")


def result_package(received: ReceivedHandover) -> dict[str, Any]:
    dossier = Dossier.objects.select_related("state").get(pk=received.dossier_id)
    refused = dossier.state is not None and dossier.state.kind in REFUSED_KINDS
    body: dict[str, Any] = {
        "status": ResultStatus.REFUSED if refused else ResultStatus.RESULT,
        "issued_at": (dossier.result_issued_at or dossier.state_entered_at or dossier.updated_at).isoformat(),
        "comment": "",
        "file": None,
    }
    last = dossier.events.order_by("-at", "-pk").exclude(comment="").first()
    if last is not None:
        body["comment"] = last.comment[:2000]
    if dossier.result_file:
        with dossier.result_file.open("rb") as stream:
            data = stream.read()
        body["file"] = _file_entry(name=f"ket-qua-{dossier.code}.pdf", data=data, content_type="application/pdf")
    return body


def handover_result_send(*, received_id: int, at: dt.datetime) -> ReceivedHandover:
    """Post the result to the installation that sent the dossier; raised when it does not take it (the
    task outbox tries again with back-off). Posted twice, the sending side keeps it once."""
    received = ReceivedHandover.objects.select_related("peer", "dossier").get(pk=received_id)
    if received.result_status or received.peer is None:
        return received
    body = result_package(received)
    peer_client.post_json(received.peer, f"{HANDOVERS_PATH}{received.code}/result", body)
    with transaction.atomic():
        received = ReceivedHandover.objects.select_for_update().select_related("peer").get(pk=received.pk)
        if received.result_status:
            return received
        received.result_status = body["status"]
        received.result_sent_at = at
        received.save(update_fields=["result_status", "result_sent_at"])
        dossier_handover_note(
            dossier=received.dossier,
            kind="result_sent",
            peer=received.peer.name if received.peer else "",
            label=_("Đã gửi kết quả liên thông về %(peer)s") % {"peer": received.peer.name if received.peer else ""},
            actor=None,
            at=at,
            comment=str(ResultStatus(body["status"]).label),
        )
    return received


def handover_result_receive(*, client: ApiClient, code: str, body: dict[str, Any], at: dt.datetime) -> Handover:
    """The result of a dossier we sent, back from the installation it went to: kept on the dossier (its
    result file, through the upload gate) with a history line, for the desk to return. Once: the same
    result again changes nothing; another one is refused."""
    entry = body.get("file")
    data: bytes | None = None
    if entry:
        data = _decoded([entry], field="file")[0][1]
    digest = sha256_of(data) if data is not None else ""
    with transaction.atomic():
        handover = (
            Handover.objects.select_for_update()
            .select_related("peer", "dossier")
            .filter(code=code, peer__api_client=client)
            .first()
        )
        if handover is None:
            raise Handover.DoesNotExist
        if handover.status == HandoverStatus.RESULT_RECEIVED:
            if handover.result_sha256 == digest and handover.result_status == body["status"]:
                return handover
            raise HandoverConflict(_("Đã nhận kết quả của hồ sơ “%(code)s”; không nhận kết quả khác.") % {"code": code})
        status = ResultStatus(body["status"])
        comment = " ".join(part for part in (str(status.label) + ".", (body.get("comment") or "").strip()) if part)
        dossier_handover_note(
            dossier=handover.dossier,
            kind="result",
            peer=handover.peer.name,
            label=_("Nhận kết quả liên thông từ %(peer)s") % {"peer": handover.peer.name},
            actor=client.user,
            at=at,
            comment=comment,
            result_file=ContentFile(data, name=entry["name"]) if data is not None and entry else None,
            refused=status == ResultStatus.REFUSED,
        )
        handover.status = HandoverStatus.RESULT_RECEIVED
        handover.result_status = status
        handover.result_received_at = at
        handover.result_sha256 = digest
        if handover.delivered_at is None:
            handover.delivered_at = at
        handover.save(update_fields=["status", "result_status", "result_received_at", "result_sha256", "delivered_at"])
    return handover
