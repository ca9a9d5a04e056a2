"""RQ jobs of the printing app: ids only, one service call, safe to run twice."""

from __future__ import annotations

import datetime as dt
import logging

import django_rq
from redis.exceptions import RedisError

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.dossiers.models import Dossier

from .constants import ExportStatus
from .models import RegisterExport

logger = logging.getLogger(__name__)


def document_generate_job(dossier_id: int, kind: str, at: str) -> int:
    """Render and store one form; `at` is ISO 8601. A second run returns the first document."""
    from .services import document_generate

    dossier = Dossier.objects.get(pk=dossier_id)
    return document_generate(dossier=dossier, kind=kind, at=dt.datetime.fromisoformat(at)).pk


def register_export_job(export_id: int) -> int:
    """Make a register queued by `services.register_export_request` (queue "reports")."""
    from .services import register_export_make

    return register_export_make(export_id=export_id).pk


def enqueue_register_export(export: RegisterExport) -> None:
    """Queue the job once the request commits; if Redis cannot take it, the register says so."""
    export_id = export.pk

    def enqueue() -> None:
        try:
            # autocommit: this already runs after the commit; enqueue now, where the error can be caught.
            django_rq.get_queue("reports", commit_mode="auto").enqueue(register_export_job, export_id)
        except RedisError:
            logger.exception("register_export_not_queued id=%s", export_id)
            RegisterExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
                status=ExportStatus.FAILED,
                finished_at=timezone.now(),
                error=_(
                    "Không đưa được sổ vào hàng đợi: máy chủ hàng đợi không phản hồi. Hãy yêu cầu lại sau ít phút."
                ),
            )

    transaction.on_commit(enqueue)


def registers_housekeeping() -> dict[str, int]:
    """Nightly (core/cron.py): registers older than a week go, with their files."""
    from .services import register_exports_housekeeping

    return register_exports_housekeeping(now=timezone.now())
