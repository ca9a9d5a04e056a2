"""Idempotent upsert used by the site loaders and imports."""

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

M = TypeVar("M", bound=models.Model)


def upsert(model: type[M], lookup: dict[str, Any], values: dict[str, Any], *, label: str) -> tuple[M, bool]:
    """Create or update one row by its natural key; validate; save only when something changed.

    Returns (instance, changed). `label` names the row in error messages.
    """
    instance = model._default_manager.filter(**lookup).first()
    created = instance is None
    if instance is None:
        instance = model(**lookup)
    changed = created
    for name, value in values.items():
        if _current(instance, name) != _comparable(value):
            setattr(instance, name, value)
            changed = True
    if not changed:
        return instance, False
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise ValidationError(f"{label}: {'; '.join(exc.messages)}") from exc
    instance.save()
    return instance, True


def _current(instance: models.Model, name: str) -> Any:
    # Compare foreign keys by id: reading an unset relation of a new instance raises.
    field = instance._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{name} is not a concrete field of {type(instance).__name__}")
    return getattr(instance, field.attname)


def _comparable(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value
