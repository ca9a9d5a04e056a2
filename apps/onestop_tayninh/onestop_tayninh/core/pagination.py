"""Pages of long lists read in two steps (a "deferred join")."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet


def rows_by_ids(queryset: QuerySet[Any], bottom: int, top: int) -> list[Model]:
    """queryset[bottom:top], read as the ids of those rows in the queryset's order, then those rows only."""
    ids = list(queryset.values_list("pk", flat=True)[bottom:top])
    rows = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()}
    return [rows[pk] for pk in ids if pk in rows]


class IdsFirstPaginator(Paginator):  # type: ignore[type-arg]
    """A page read as the page's ids first, in the list's order, then only those rows with their related rows.

    Asked for 50 rows in one query, MariaDB joins and sorts every matching row with all its columns
    before keeping 50: at a million dossiers, a province's 10,630 overdue ones took 240 ms. The ids
    alone are sorted from the indexes (ms); the second query reads 50 rows by primary key.
    """

    def page(self, number: Any) -> Page[Any]:
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(rows_by_ids(self.object_list, bottom, top), number, self)
