"""Maintained counts for the desk's inbox (hộp việc): tallies of dossiers by the keys the buckets ask about.

A bucket that depends only on where a dossier is (waiting for the desk's check at a desk; open, held by
an agency, at a workflow step, assigned to an official) is counted from `InboxTally`, one row per
(agency, status, desk, step, assignee) with its number of dossiers, instead of a COUNT over the
dossiers. The tallies follow every write of a dossier, in the same transaction, from the one place a
dossier is written (`Dossier.save()` and `Dossier.delete()`): the row as it was is read under a row lock
(`SELECT … FOR UPDATE`), so two officers acting on the same dossier at once are serialised and never
count it twice, and both tally rows change in one `INSERT … ON DUPLICATE KEY UPDATE n = n + …`, which
no concurrent writer can lose. No code path writes dossiers with `QuerySet.update()` or
`bulk_create()`; the benchmark generator writes them in SQL and then fills the tallies with
`fill_sql`, as `manage.py rebuild_inbox_tallies` does.

The time-based buckets (due soon, overdue) cannot be tallies: a dossier becomes overdue without any
event. They are range reads of the index of open dossiers by due time (selectors.py).

Missing keys are 0, not NULL: a unique key treats NULLs as distinct, so ON DUPLICATE KEY would never match.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Sum

from .constants import DossierStatus

if TYPE_CHECKING:
    from .models import Dossier

#: The dossier's fields a tally key is made of.
KEY_FIELDS = (
    "status",
    "closed_at",
    "receiving_agency_id",
    "receiving_desk_id",
    "current_agency_id",
    "state_id",
    "assigned_to_id",
    "due_at",
    "paused_at",
)
#: The same, as model field names (for `update_fields`).
KEY_FIELD_NAMES = frozenset(name.removesuffix("_id") for name in KEY_FIELDS)
#: (agency, status, desk, state, assignee).
TallyKey = tuple[int, str, int, int, int]


def key_of(values: dict[str, Any]) -> TallyKey | None:
    """The tally a dossier counts in, from its KEY_FIELDS values; None for a dossier no tallied bucket asks
    about (closed, waiting for Form 02's supplement, refused or withdrawn at the desk).

    - waiting for the desk's check: by its receiving agency and desk ("Chờ kiểm tra, tiếp nhận");
    - received and open: by the agency holding it, its step and the official it is assigned to
      (assigning, handling, approving, returning the result).
    """
    if values["status"] == DossierStatus.TO_CHECK:
        return (values["receiving_agency_id"] or 0, DossierStatus.TO_CHECK, values["receiving_desk_id"] or 0, 0, 0)
    if values["status"] == DossierStatus.RECEIVED and values["closed_at"] is None:
        return (
            values["current_agency_id"] or 0,
            DossierStatus.RECEIVED,
            0,
            values["state_id"] or 0,
            values["assigned_to_id"] or 0,
        )
    return None


def open_due(values: dict[str, Any]) -> dt.datetime | None:
    """The due time an overdue question reads (DossierAccess.open_due_at): the dossier's due time while it
    is received, open and not paused (DossierQuerySet.overdue), else None."""
    running = values["status"] == DossierStatus.RECEIVED and values["closed_at"] is None and values["paused_at"] is None
    return values["due_at"] if running else None


def dossier_values(dossier: Dossier) -> dict[str, Any]:
    return {name: getattr(dossier, name) for name in KEY_FIELDS}


def dossier_key(dossier: Dossier) -> TallyKey | None:
    return key_of(dossier_values(dossier))


def dossier_open_due(dossier: Dossier) -> dt.datetime | None:
    return open_due(dossier_values(dossier))


def stored_values(pk: int | None) -> dict[str, Any] | None:
    """The dossier's key fields as stored, read under a row lock (None for a dossier not yet stored):
    a concurrent writer of the same dossier waits until this transaction ends."""
    from .models import Dossier

    if pk is None:
        return None
    return Dossier.objects.select_for_update().filter(pk=pk).values(*KEY_FIELDS).first()


def move(before: TallyKey | None, after: TallyKey | None) -> None:
    """One dossier left the `before` tally and joined the `after` one (either may be None)."""
    if before == after:
        return
    changes = sorted([(*key, delta) for key, delta in ((before, -1), (after, 1)) if key is not None])
    _add(changes)


def _add(changes: Iterable[tuple[int, str, int, int, int, int]]) -> None:
    rows = list(changes)
    if not rows:
        return
    from .models import InboxTally

    table = connection.ops.quote_name(InboxTally._meta.db_table)
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agency, status, desk, state, assignee, n) VALUES {placeholders}"  # noqa: S608 - no user input
            " ON DUPLICATE KEY UPDATE n = n + VALUES(n)",
            [value for row in rows for value in row],
        )


# The tallies from the dossiers, set-based (the rebuild command, the migration, the benchmark generator);
# the same rule as key_of.
FILL_SQL = [
    """INSERT INTO dossiers_inboxtally (agency, status, desk, state, assignee, n)
    SELECT COALESCE(receiving_agency_id, 0), status, COALESCE(receiving_desk_id, 0), 0, 0, COUNT(*)
    FROM dossiers_dossier WHERE status = 'to_check'
    GROUP BY COALESCE(receiving_agency_id, 0), status, COALESCE(receiving_desk_id, 0)""",
    """INSERT INTO dossiers_inboxtally (agency, status, desk, state, assignee, n)
    SELECT COALESCE(current_agency_id, 0), status, 0, COALESCE(state_id, 0), COALESCE(assigned_to_id, 0), COUNT(*)
    FROM dossiers_dossier WHERE status = 'received' AND closed_at IS NULL
    GROUP BY COALESCE(current_agency_id, 0), status, COALESCE(state_id, 0), COALESCE(assigned_to_id, 0)""",
]


# The due time of each agency's row, from its dossier (the same rule as open_due).
FILL_OPEN_DUE_SQL = """UPDATE dossiers_dossieraccess a JOIN dossiers_dossier d ON d.id = a.dossier_id
    SET a.open_due_at = IF(d.status = 'received' AND d.closed_at IS NULL AND d.paused_at IS NULL, d.due_at, NULL)"""


def fill_sql(cursor: Any, *, open_due: bool = True) -> None:
    """Rewrite every tally from the dossiers: the table emptied and filled by two GROUP BY reads; with
    `open_due`, the due time of every DossierAccess row too."""
    cursor.execute("DELETE FROM dossiers_inboxtally")
    for statement in FILL_SQL:
        cursor.execute(statement)
    if open_due:
        cursor.execute(FILL_OPEN_DUE_SQL)


def rebuild() -> int:
    """manage.py rebuild_inbox_tallies: the tallies rewritten from scratch, in one transaction (the desk
    reads the old tallies until it commits); returns the tally rows written."""
    from .models import InboxTally

    with transaction.atomic(), connection.cursor() as cursor:
        fill_sql(cursor)
    return InboxTally.objects.count()


def total(**filters: Any) -> int:
    """The number of dossiers in the tallies matching `filters` (InboxTally fields)."""
    from .models import InboxTally

    return InboxTally.objects.filter(**filters).aggregate(n=Sum("n"))["n"] or 0
