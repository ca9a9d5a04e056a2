"""MariaDB backend for the test settings only. Production runs the stock backend.

Two differences, both so that a test sees what production does:

- The audit table is emptied with TRUNCATE. Between transactional tests Django empties every table
  with DELETE, which the audit table's BEFORE DELETE trigger refuses (that is its job); TRUNCATE
  does not fire row triggers.
- A row lock outside the code's own transaction is refused, as the server refuses it. Each ordinary
  test runs inside a transaction that the test case opened, so `select_for_update()` (ours or a
  library's, e.g. django-otp's `for_verify`) succeeds there even when the code opened none; on the
  running server, in autocommit, Django raises TransactionManagementError and the user gets a 500.
  Here a `... FOR UPDATE` statement whose only open atomic blocks are the test case's raises the
  same error, so such a bug fails the test that reaches it.
"""

from __future__ import annotations

import re

from django.db.backends.mysql import base, operations
from django.db.transaction import TransactionManagementError

LOCKING_READ = re.compile(r"\bFOR\s+UPDATE\b|\bLOCK\s+IN\s+SHARE\s+MODE\b|\bFOR\s+SHARE\b", re.IGNORECASE)


class DatabaseOperations(operations.DatabaseOperations):
    APPEND_ONLY_TABLES = ("security_auditevent",)

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        protected = {f"{self.quote_name(table)};": table for table in self.APPEND_ONLY_TABLES}
        result = []
        for statement in statements:
            ending = statement.rsplit(" ", 1)[-1]
            if statement.upper().startswith("DELETE") and ending in protected:
                statement = f"TRUNCATE {ending}"
            result.append(statement)
        return result


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.execute_wrappers.append(self._refuse_lock_outside_own_transaction)

    def _refuse_lock_outside_own_transaction(self, execute, sql, params, many, context):
        if (
            self.in_atomic_block
            and all(getattr(block, "_from_testcase", False) for block in self.atomic_blocks)
            and isinstance(sql, str)
            and LOCKING_READ.search(sql)
        ):
            # Django's own words for the same mistake in autocommit (SQLCompiler.as_sql).
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        return execute(sql, params, many, context)
