"""Idempotent upsert used by the site loaders and imports."""

from django.core.exceptions import ValidationError
from django.db import models


def upsert(model: type[models.Model], lookup: dict, values: dict, *, label: str) -> tuple[models.Model, bool]:
    """Create or update one row by its natural key; validate; save only when something changed.

    Returns (instance, changed). `label` names the row in error messages.
    """
    instance = model.objects.filter(**lookup).first()
    created = instance is None
    if created:
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


def _current(instance: models.Model, name: str):
    # Compare foreign keys by id: reading an unset relation of a new instance raises.
    field = instance._meta.get_field(name)
    return getattr(instance, field.attname)


def _comparable(value):
    return value.pk if isinstance(value, models.Model) else value
