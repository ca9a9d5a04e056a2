"""Writing the audit trail: model changes (register_models) and events (audit_event).

Why our own model rather than django-auditlog: one table must hold data changes *and*
logins, lockouts, exports, downloads and workflow actions with the same who/when/IP
columns, and it must be append-only down to the database (trigger in migration 0002).
django-auditlog's LogEntry covers only model changes and is meant to be deletable
(its admin, its retention command), so we would have fought it on both points.

Model changes are recorded in the same transaction as the change: if the change rolls
back, so does its audit row, and an audit row that cannot be written makes the change fail.
"""

from __future__ import annotations

import contextvars
import io
import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import FileResponse, Http404, HttpRequest

from .constants import AuditAction
from .models import AuditEvent
from .net import client_ip

logger = logging.getLogger("onestop_tayninh.security.audit")

REDACTED = "***"

#: The request being served, set by security.middleware.AuditContextMiddleware.
current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar("audit_request", default=None)


@contextmanager
def request_context(request: HttpRequest | None) -> Iterator[None]:
    token = current_request.set(request)
    try:
        yield
    finally:
        current_request.reset(token)


@dataclass(frozen=True)
class _Options:
    exclude_fields: frozenset[str]
    redact_fields: frozenset[str]


_registry: dict[type[models.Model], _Options] = {}


def _request_actor(request: HttpRequest | None):
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


def audit_event(
    *,
    actor: Any = None,
    action: str,
    target: models.Model | str | None = None,
    data: dict | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event: who (actor, or the request's user), when, from which address, what.

    `target` is the record concerned (or a short text such as a username that has no row);
    `data` is anything JSON-serialisable that explains the event.
    """
    request = request if request is not None else current_request.get()
    if actor is None:
        actor = _request_actor(request)
    event = AuditEvent(action=str(action), data=_jsonable(data or {}))
    if actor is not None:
        event.actor_id = actor.pk
        event.actor_repr = actor.get_username()[:150]
    if isinstance(target, models.Model):
        event.content_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
        event.object_id = str(target.pk)[:64]
        event.object_repr = str(target)[:255]
    elif target:
        event.object_repr = str(target)[:255]
    if request is not None:
        event.ip_address = client_ip(request)
        event.path = request.path[:255]
    event.save()
    logger.debug(
        "audit_event action=%s actor=%s target=%s ip=%s",
        event.action,
        event.actor_repr or "-",
        event.object_repr or "-",
        event.ip_address or "-",
    )
    return event


# --- downloads and exports -------------------------------------------------------------------


def audited_file_response(
    request: HttpRequest,
    file: FieldFile | bytes | BinaryIO,
    *,
    filename: str,
    target: models.Model | str,
    action: str = AuditAction.DOWNLOAD,
    data: dict | None = None,
    content_type: str | None = None,
    as_attachment: bool = True,
) -> FileResponse:
    """The one way a view hands out a file or an export: the audit row, then the response.

    `file` is a stored file (a FieldFile, opened here: a file missing from the disk is a 404 and
    leaves no row, as nothing was handed out), an open file, or the bytes of a file made now
    (a printed form, a register). The row names the file and `target` (the dossier, the desk…);
    `data` adds what was asked for. The response is private and never cached. Views build no
    FileResponse of their own (tests/security/test_downloads.py checks the source).
    """
    if isinstance(file, bytes):
        handle: BinaryIO = io.BytesIO(file)
    elif isinstance(file, FieldFile):
        try:
            handle = file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
    else:
        handle = file
    audit_event(action=action, target=target, data={"file": filename, **(data or {})}, request=request)
    response = FileResponse(handle, as_attachment=as_attachment, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


# --- model changes ------------------------------------------------------------------------


def register_models(
    *targets: str | type[models.Model],
    exclude_fields: Iterable[str] = (),
    redact_fields: Iterable[str] = (),
) -> None:
    """Audit every create, change and delete (and many-to-many change) of these models.

    A target is a model class, "app_label.ModelName" or an app label (all its models).
    `exclude_fields` are ignored (a change touching only them writes nothing);
    `redact_fields` are recorded as changed without their values (password hashes).
    Safe to call twice; call it from an AppConfig.ready().
    """
    options = _Options(frozenset(exclude_fields), frozenset(redact_fields))
    for target in targets:
        for model in _resolve(target):
            if model is AuditEvent or model in _registry:
                continue
            _registry[model] = options
            uid = f"audit:{model._meta.label}"
            pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}:pre_save")
            post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}:post_save")
            post_delete.connect(_after_delete, sender=model, dispatch_uid=f"{uid}:post_delete")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(_m2m_changed, sender=field.remote_field.through, dispatch_uid=f"{uid}:{field.name}")


def is_registered(model: type[models.Model]) -> bool:
    return model in _registry


def _resolve(target: str | type[models.Model]) -> list[type[models.Model]]:
    if not isinstance(target, str):
        return [target]
    if "." in target:
        return [apps.get_model(target)]
    return list(apps.get_app_config(target).get_models())


def _jsonable(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str))


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The instance's concrete field values as JSON-safe data (foreign keys as ids)."""
    options = _registry.get(type(instance), _Options(frozenset(), frozenset()))
    values = {}
    for field in instance._meta.concrete_fields:
        if field.name in options.exclude_fields:
            continue
        value = field.value_from_object(instance)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        values[field.attname] = REDACTED if field.name in options.redact_fields else value
    return _jsonable(values)


def _before_save(sender, instance, raw=False, **kwargs) -> None:
    before = None
    if instance.pk is not None and not instance._state.adding:
        old = sender._base_manager.filter(pk=instance.pk).first()
        if old is not None:
            before = snapshot(old)
            options = _registry[sender]
            for name in options.redact_fields:
                # Say a secret changed without recording it: compare the real values.
                field = sender._meta.get_field(name)
                if field.value_from_object(old) != field.value_from_object(instance):
                    before[field.attname] = "*** (cũ)"
    instance._audit_before = before


def _after_save(sender, instance, created, **kwargs) -> None:
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    after = snapshot(instance)
    if created or before is None:
        audit_event(action=AuditAction.CREATE, target=instance, data={"before": {}, "after": after})
        return
    changed = [key for key in after if before.get(key) != after[key]]
    if not changed:
        return
    audit_event(
        action=AuditAction.UPDATE,
        target=instance,
        data={"before": {k: before.get(k) for k in changed}, "after": {k: after[k] for k in changed}},
    )


def _after_delete(sender, instance, **kwargs) -> None:
    audit_event(action=AuditAction.DELETE, target=instance, data={"before": snapshot(instance), "after": {}})


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear") or type(instance) not in _registry:
        return
    field = next(
        (f for f in type(instance)._meta.local_many_to_many if f.remote_field.through is sender),
        None,
    )
    if field is None:
        return
    change = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    audit_event(
        action=AuditAction.UPDATE,
        target=instance,
        data={"field": field.name, change: sorted(pk_set or [], key=str)},
    )
