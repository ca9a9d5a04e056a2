from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q


class VaultDocumentQuerySet(models.QuerySet):
    def owned_by(self, user) -> VaultDocumentQuerySet:
        """The one ownership rule of the vault: a citizen sees only their own documents."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(owner_id=user.pk)

    def usable_on(self, day: dt.date) -> VaultDocumentQuerySet:
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
