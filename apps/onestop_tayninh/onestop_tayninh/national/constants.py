"""Choices and tunables of the national sync (docs/architecture.md §6.6)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    ACCEPTED = "accepted", _("Cổng quốc gia đã nhận")
    REJECTED = "rejected", _("Cổng quốc gia từ chối")


class ChangeStatus(models.TextChoices):
    """A change the National Database on Administrative Procedures published, as we handle it."""

    FLAGGED = "flagged", _("Chờ xem xét")
    PUBLISHED = "published", _("Đã công bố phiên bản mới")
    DISMISSED = "dismissed", _("Không áp dụng")


#: Messages in one request to the national portal (one per dossier: a dossier's next waits for its last).
BATCH_SIZE = 200
#: A message the national portal could not take (timeout, 5xx, down) is tried again after 30 s, 1, 2,
#: 4… minutes, never longer apart than this; it is never given up: the outbox waits for the portal.
RETRY_BASE = dt.timedelta(seconds=30)
RETRY_MAX = dt.timedelta(minutes=15)
#: A procedure the national database changed is "updated on time" (indicator 1.1) when its new version
#: is published within this many days of the change being flagged [check: 5 working days, Circular 02/2017].
UPDATE_WITHIN = dt.timedelta(days=7)


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed try (1 → 30 s, 2 → 1 min, …, at most RETRY_MAX)."""
    delay: dt.timedelta = RETRY_BASE * 2 ** max(0, attempts - 1)
    return min(RETRY_MAX, delay)
