"""QuerySet methods of the outbox: the row-level rule (core.rowlevel) for messages and desk notices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q

from onestop_tayninh.core.rowlevel import AgencyScopedQuerySet, visible_agency_ids

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User

    # Named as strings in the base classes below, which ruff does not read as annotations.
    from .models import DeskNotification, Message  # noqa: F401


class MessageQuerySet(AgencyScopedQuerySet["Message"]):
    """A message is seen with the dossier it is about, and by the account it was sent to.

    Messages about no dossier (a citizen's account verification, a password reset) are seen by their
    recipient and by those who see everything; a citizen's phone number or e-mail address on a
    dossier's message is no more visible than the dossier itself.
    """

    def rows_at(self, agency_ids: models.QuerySet[Any, int], user: User) -> Q:
        from onestop_tayninh.dossiers.models import Dossier

        return Q(dossier__in=Dossier.objects.visible_to(user)) | Q(user=user)

    def visible_to(self, user: User) -> Self:
        from onestop_tayninh.dossiers.models import Dossier

        if visible_agency_ids(user) is None:
            # Who sees every agency still sees a dossier's messages only as they see the dossier
            # (separation of duties: the system administrator reads no citizen's dossier).
            return self.filter(Q(dossier__isnull=True) | Q(dossier__in=Dossier.objects.visible_to(user)) | Q(user=user))
        return super().visible_to(user)


class DeskNotificationQuerySet(AgencyScopedQuerySet["DeskNotification"]):
    """A desk notice is its recipient's own: an official sees theirs, whatever their agencies. Notices are
    about dossiers, so only officials whose roles read dossiers have any (separation of duties)."""

    citizen_data = True

    def rows_at(self, agency_ids: models.QuerySet[Any, int], user: User) -> Q:
        return Q(user=user)
