from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    # Named as strings in the base classes below, which ruff does not read as annotations.
    from .models import VaultDocument  # noqa: F401


class VaultDocumentQuerySet(models.QuerySet["VaultDocument"]):
    def owned_by(self, user: Any) -> Self:
        """The one ownership rule of the vault: a citizen sees only their own documents."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(owner_id=user.pk)

    def usable_on(self, day: dt.date) -> Self:
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
