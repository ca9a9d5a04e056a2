"""MariaDB backend for the test settings only: the audit table is emptied with TRUNCATE.

Between transactional tests Django empties every table with DELETE, which the audit table's
BEFORE DELETE trigger refuses (that is its job). TRUNCATE does not fire row triggers, so the
test flush uses it for that table; production runs the stock backend.
"""

from django.db.backends.mysql import base, operations


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
