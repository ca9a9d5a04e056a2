"""Numbers handed out in sequence (dossier codes, outgoing document numbers): one counter row per key."""

from __future__ import annotations

import datetime as dt

from django.db import connection, models


def counter_next(model: type[models.Model], **key: int | dt.date) -> int:
    """The next number of the counter row of `model` (its `last_number` column) for `key`, e.g.
    `counter_next(OutgoingRegister, agency_id=…, year=2027)`.

    One statement creates the row at 1 or increments it, and InnoDB keeps the row locked until the
    surrounding transaction ends: two callers at once queue up and each reads back their own number,
    and a rolled-back caller gives its number back, so no number is given twice or skipped.
    """
    if not connection.in_atomic_block:
        raise RuntimeError(f"{model.__name__}: a number is taken inside the caller's transaction.")
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [quote(column) for column in key]
    match = " AND ".join(f"{column} = %s" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            # Table and columns come from our own models; every value is a parameter.
            f"INSERT INTO {table} ({', '.join(columns)}, last_number) VALUES ({', '.join(['%s'] * len(columns))}, 1) "  # noqa: S608
            "ON DUPLICATE KEY UPDATE last_number = last_number + 1",
            list(key.values()),
        )
        cursor.execute(f"SELECT last_number FROM {table} WHERE {match}", list(key.values()))  # noqa: S608
        (number,) = cursor.fetchone()
    return int(number)
