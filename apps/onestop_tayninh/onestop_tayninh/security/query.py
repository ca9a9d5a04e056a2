from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NoReturn, Self

from django.db import models

if TYPE_CHECKING:
    from .models import AuditEvent


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Reads only: every bulk write path refuses (see models.AuditEvent)."""

    def update(self, **kwargs: Any) -> NoReturn:
        from .models import AppendOnlyError

        raise AppendOnlyError("Audit events are append-only: update() is refused.")

    def delete(self) -> NoReturn:
        from .models import AppendOnlyError

        raise AppendOnlyError("Audit events are append-only: delete() is refused.")

    def bulk_update(self, objs: Iterable[AuditEvent], fields: Iterable[str], batch_size: int | None = None) -> NoReturn:
        from .models import AppendOnlyError

        raise AppendOnlyError("Audit events are append-only: bulk_update() is refused.")

    def _raw_delete(self, using: str | None) -> NoReturn:
        # The deletion collector's fast path, used when a related object is deleted.
        from .models import AppendOnlyError

        raise AppendOnlyError("Audit events are append-only: delete() is refused.")

    def by_actor(self, user: models.Model) -> Self:
        return self.filter(actor=user)

    def for_object(self, obj: models.Model) -> Self:
        from django.contrib.contenttypes.models import ContentType

        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
