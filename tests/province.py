"""The seed site's province (units, agencies, desks, officials, holidays, workflows) for the tests that start
from it (the fixture `loaded_province`, most through `world` in tests/workflows/conftest.py), loaded once for
many tests instead of once per test.

The load takes two to three seconds and some five hundred tests start from it. The same shape as Django's
setUpTestData: the province is loaded inside an outer transaction that stays open while consecutive tests
want it, each test's own transaction becoming a savepoint inside it that pytest-django rolls back at the
test's end as before. Every such test still starts from the province just as loaded; nothing one test
wrote reaches the next.

The outer transaction is rolled back before any other test runs: one that does not ask for the province
sees the database without it, and a transactional one (a live server, threads, processes) sees only
committed rows, as before. The next test that wants the province loads it again. A transactional test
that asks for the province loads it itself, committed; so does the first test of a process, for which
the test database does not exist yet when the hook runs.
"""

from __future__ import annotations

import pytest

SECTIONS = {"units.yaml", "agencies.yaml", "desks.yaml", "officials.yaml", "holidays.yaml", "workflows.yaml"}
# The fixture a test asks for (most through `world`) when it wants the province.
FIXTURE = "loaded_province"
# pytest-django runs a test without the surrounding transaction when it asks for one of these.
TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


def load_province() -> None:
    from onestop_tayninh.core.site_config import load_site

    load_site("tayninh", only=SECTIONS)


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences") or (marker.args and marker.args[0])
    ):
        return True
    return bool(TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


class Keeper:
    """One per test process: the open outer transaction holding the province, if any."""

    def __init__(self) -> None:
        self.blocker = None  # pytest-django's database blocker, set once the test database exists
        self.atomic = None
        self.serving: str | None = None  # the node id of the test being served
        self.loads = 0

    def before_test(self, item: pytest.Item) -> None:
        self.serving = None
        wanted = FIXTURE in getattr(item, "fixturenames", ()) and not _transactional(item)
        if self.blocker is None or not wanted:
            self.release()
            return
        if self.atomic is not None and not self._intact():
            self.release()
        if self.atomic is None:
            self._open()
        self.serving = item.nodeid

    def serves(self, item: pytest.Item) -> bool:
        """Whether the province is kept, already loaded, for this test."""
        return self.atomic is not None and self.serving == item.nodeid

    def _intact(self) -> bool:
        from django.db import connection

        return (
            connection.connection is not None
            and connection.atomic_blocks == [self.atomic]
            and not connection.needs_rollback
            and not connection.closed_in_transaction
        )

    def _open(self) -> None:
        from django.db import transaction

        with self.blocker.unblock():
            atomic = transaction.atomic()
            # Counted as the test case's own block: a row lock taken outside the code's own transaction is
            # still refused (security/mysql_testing), a durable block still opens inside.
            atomic._from_testcase = True
            atomic.__enter__()
            self.atomic = atomic
            try:
                load_province()
            except BaseException:
                self.release()
                raise
            self.loads += 1

    def release(self) -> None:
        """Roll the province back (a no-op when none is kept)."""
        atomic, self.atomic, self.serving = self.atomic, None, None
        if atomic is None:
            return
        from django.db import connection, transaction

        with self.blocker.unblock():
            if connection.atomic_blocks and connection.atomic_blocks[0] is atomic:
                while len(connection.atomic_blocks) > 1:  # a test left a block open: it goes too
                    transaction.set_rollback(True)
                    connection.atomic_blocks[-1].__exit__(None, None, None)
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)


KEEPER = Keeper()
