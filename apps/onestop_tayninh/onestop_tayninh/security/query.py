from django.db import models


class AuditEventQuerySet(models.QuerySet):
    """Reads only: every bulk write path refuses (see models.AuditEvent)."""

    def update(self, **kwargs):
        from .models import AppendOnlyError

        raise AppendOnlyError("Audit events are append-only: update() is refused.")

    def delete(self):
        from .models import AppendOnlyError

        raise AppendOnlyError("Audit events are append-only: delete() is refused.")

    def bulk_update(self, objs, fields, batch_size=None):
        from .models import AppendOnlyError

        raise AppendOnlyError("Audit events are append-only: bulk_update() is refused.")

    def _raw_delete(self, using):
        # The deletion collector's fast path, used when a related object is deleted.
        from .models import AppendOnlyError

        raise AppendOnlyError("Audit events are append-only: delete() is refused.")

    def by_actor(self, user) -> "AuditEventQuerySet":
        return self.filter(actor=user)

    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        from django.contrib.contenttypes.models import ContentType

        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
