"""RQ jobs of the printing app: ids only, one service call, safe to run twice."""

from __future__ import annotations

import datetime as dt

import django_rq

from django.db import transaction

from onestop_tayninh.dossiers.models import Dossier

from .constants import DocumentKind
from .models import RegisterExport


def document_generate_job(dossier_id: int, kind: str, at: str) -> int:
    """Render and store one form; `at` is ISO 8601. A second run returns the first document."""
    from .services import document_generate

    dossier = Dossier.objects.get(pk=dossier_id)
    return document_generate(dossier=dossier, kind=kind, at=dt.datetime.fromisoformat(at)).pk


def enqueue_document_generate(*, dossier: Dossier, kind: DocumentKind | str, at: dt.datetime) -> None:
    """Queue the generation once the surrounding transaction commits (nothing if it rolls back)."""
    dossier_id, kind, stamp = dossier.pk, str(kind), at.isoformat()
    transaction.on_commit(lambda: django_rq.enqueue(document_generate_job, dossier_id, kind, stamp))


def register_export_job(export_id: int) -> int:
    """Make a register queued by `services.register_export_request` (queue "reports")."""
    from .services import register_export_make

    return register_export_make(export_id=export_id).pk


def enqueue_register_export(export: RegisterExport) -> None:
    export_id = export.pk
    transaction.on_commit(lambda: django_rq.get_queue("reports").enqueue(register_export_job, export_id))


def registers_housekeeping() -> dict[str, int]:
    """Nightly (core/cron.py): registers older than a week go, with their files."""
    from django.utils import timezone

    from .services import register_exports_housekeeping

    return register_exports_housekeeping(now=timezone.now())
