"""Writes of the printing app: the issued PDFs kept with the dossier, and registers made by a worker.

`document_generate` renders a form (form_contexts.render_form) and stores the copy that was
issued. A long register is made by a worker (`register_export_request` / `register_export_make`)
and kept for a week; a short one comes back at once (register_book.register_file).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.accounts.models import User
from onestop_tayninh.directory.models import ReceptionDesk
from onestop_tayninh.dossiers.models import Dossier, DossierEvent
from onestop_tayninh.dossiers.results import outgoing_number_next

from . import selectors
from .constants import (
    REGISTER_EXPORT_KEEP_DAYS,
    REGISTER_EXPORT_STALE_MINUTES,
    ExportStatus,
    RegisterFormat,
)
from .form_contexts import effective_forms_version, local_time, render_form
from .models import GeneratedDocument, OutgoingNumber, RegisterExport
from .register_book import _check_range, register_pdf, register_xlsx


@transaction.atomic
def document_generate(*, dossier: Dossier, kind: str, at: dt.datetime) -> GeneratedDocument:
    """Render form `kind` as of `at` and store it with the dossier; a second call for the same
    (dossier, kind, at) returns the first document instead of issuing another."""
    existing = GeneratedDocument.objects.filter(dossier=dossier, kind=kind, created_at=at).first()
    if existing is not None:
        return existing
    pdf = render_form(dossier=dossier, kind=kind, at=at)
    version = effective_forms_version(dossier, at)
    document = GeneratedDocument(
        dossier=dossier,
        kind=kind,
        forms_version=version,
        created_at=at,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    stamp = local_time(at)
    slug = (dossier.code or f"hs{dossier.pk}").replace(".", "-")
    document.file.save(f"{slug}-{kind}-{stamp:%Y%m%d%H%M%S}.pdf", ContentFile(pdf), save=False)
    try:
        document.full_clean()
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def outgoing_number_issue(*, event: DossierEvent, kind: str) -> OutgoingNumber | None:
    """The next number of the issuing body's register of outgoing documents this year, for the form
    `kind` that `event` issues (selectors.form_issuer says which body issues it); None for a form
    issued by no body we know (an event recorded without one).

    One register a body a year, shared with the records clerk's signed results
    (dossiers.results.outgoing_number_next): numbers restart at 01 each 1 January (Nghị định
    30/2020/NĐ-CP), two officials issuing at once queue on the counter row and each reads back their
    own number, and a rolled-back action gives its number back. The same event asks twice, it gets
    the same number.
    """
    existing = OutgoingNumber.objects.filter(event=event, kind=kind).first()
    if existing is not None:
        return existing
    agency = selectors.form_issuer(event, kind)
    if agency is None:
        return None
    year = local_time(event.at).year
    number = outgoing_number_next(agency=agency, year=year)
    issued = OutgoingNumber(event=event, kind=kind, agency=agency, year=year, number=number)
    issued.full_clean(exclude=["event", "agency"])
    issued.save()
    return issued


# --- the register as a file: now, or made by a worker -----------------------------------------


def register_file(
    *, desk: ReceptionDesk, date_from: dt.date, date_to: dt.date, file_format: str, at: dt.datetime
) -> bytes:
    if file_format == RegisterFormat.XLSX:
        return register_xlsx(desk=desk, date_from=date_from, date_to=date_to)
    return register_pdf(desk=desk, date_from=date_from, date_to=date_to, at=at)


def register_exports_fail_stale(*, now: dt.datetime, exports=None) -> int:
    """Registers still waiting or being made long after any worker would have finished are failed.

    Their job was lost (Redis restarted, the worker killed): the official sees it failed and
    may ask again, instead of a page waiting for ever. A job that still turns up later finds
    the row failed and makes nothing.
    """
    exports = RegisterExport.objects.all() if exports is None else exports
    return exports.filter(
        status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING],
        requested_at__lt=now - dt.timedelta(minutes=REGISTER_EXPORT_STALE_MINUTES),
    ).update(
        status=ExportStatus.FAILED,
        finished_at=now,
        error=_("Không có tiến trình nền nào lập sổ này. Hãy yêu cầu lại."),
    )


def register_export_request(
    *, desk: ReceptionDesk, date_from: dt.date, date_to: dt.date, file_format: str, user: User, at: dt.datetime
) -> RegisterExport:
    """Queue the register for a worker. The same request of the same official still waiting is
    returned instead of a second one (a double click, a reload): the official's row is locked
    while looking, so two requests at once give one register."""
    from .jobs import enqueue_register_export

    _check_range(date_from, date_to)
    same = {"desk": desk, "date_from": date_from, "date_to": date_to, "file_format": file_format}
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        mine = RegisterExport.objects.filter(**same, requested_by=user)
        register_exports_fail_stale(now=at, exports=mine)
        pending = mine.filter(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]).first()
        if pending:
            return pending
        export = RegisterExport(
            **same,
            requested_by=user,
            requested_at=at,
            rows=selectors.register_count(desk=desk, date_from=date_from, date_to=date_to),
        )
        export.full_clean()
        export.save()
        enqueue_register_export(export)
    return export


def _register_export_failed(export: RegisterExport, error: str) -> None:
    RegisterExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.FAILED, finished_at=timezone.now(), error=error
    )


def register_export_make(*, export_id: int) -> RegisterExport:
    """The worker's part: make the file of a queued register, once.

    The row lock makes a second run (two workers, a job replayed) find the register taken
    or done and change nothing. A failure is recorded on the row, any file written is
    removed, and the error is raised for RQ (the monitoring page shows failed jobs).
    """
    with transaction.atomic():
        export = RegisterExport.objects.select_for_update().select_related("desk__agency").get(pk=export_id)
        if export.status != ExportStatus.QUEUED:
            return export
        export.status = ExportStatus.RUNNING
        export.save(update_fields=["status"])
    try:
        content = register_file(
            desk=export.desk,
            date_from=export.date_from,
            date_to=export.date_to,
            file_format=export.file_format,
            at=export.requested_at,
        )
        export.file.save(export.filename, ContentFile(content), save=False)
        export.status = ExportStatus.DONE
        export.finished_at = timezone.now()
        export.save(update_fields=["file", "status", "finished_at"])
    except Exception:
        if export.file.name:
            export.file.delete(save=False)
        _register_export_failed(
            export, _("Lỗi hệ thống khi lập sổ. Hãy yêu cầu lại; nếu vẫn lỗi, báo quản trị hệ thống.")
        )
        raise
    return export


def register_exports_housekeeping(*, now: dt.datetime) -> dict[str, int]:
    """Fail registers whose worker never came; delete those older than a week, files too."""
    stale = register_exports_fail_stale(now=now)
    deleted = 0
    for export in RegisterExport.objects.filter(requested_at__lt=now - dt.timedelta(days=REGISTER_EXPORT_KEEP_DAYS)):
        name, storage = export.file.name, export.file.storage
        with transaction.atomic():
            export.delete()
            if name:
                transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        deleted += 1
    return {"stale": stale, "deleted": deleted}
