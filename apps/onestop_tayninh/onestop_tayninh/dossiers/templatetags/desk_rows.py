"""`{% load desk_rows %}{% dossier_result_list cl %}`: the rows of the desk's dossier lists.

The same table as Django's `{% result_list cl %}` (same headers, cells, classes and links, so the page and
its style do not change), drawn for a fraction of the cost. The inbox is the page officials open most, and
Django's generic row drawing took most of its time: for each of 300 cells it looks the column up again,
and for each row it reverses the dossier's URL and parses and re-encodes the list's filters to append them.
Here the columns are looked up once per list, the URL and the filters are built once, and each row is the
display methods' output joined into one string.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value, quote
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

Cell = tuple[str, Callable[[models.Model], object]]


def _columns(cl: ChangeList) -> list[Cell]:
    """(class attribute, value of a row) for each column: an admin method or a model field, as the desk's
    dossier admin lists them (no property, no list_editable, no action checkbox: it has no actions)."""
    admin = cl.model_admin
    empty = admin.get_empty_value_display()
    columns: list[Cell] = []
    for name in cl.list_display:
        method = getattr(admin, name, None)
        if callable(method):
            columns.append((f' class="field-{name}"', lambda row, method=method: _shown(method(row), empty)))
            continue
        field = cl.opts.get_field(name)
        nowrap = " nowrap" if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)) else ""
        columns.append(
            (
                f' class="field-{name}{nowrap}"',
                lambda row, field=field: display_for_field(getattr(row, field.attname), field, empty),
            )
        )
    return columns


def _shown(value: object, empty: str) -> object:
    # As Django's items_for_result: a blank text is the empty value.
    if isinstance(value, str) and not isinstance(value, SafeString) and value.strip() == "":
        value = ""
    return display_for_value(value, empty)


def rows(cl: ChangeList) -> Iterator[list[SafeString]]:
    """Each row of the page as one safe string (the cells, the first one a link to the dossier)."""
    columns = _columns(cl)
    if not columns:
        return
    changelist = reverse(
        f"admin:{cl.opts.app_label}_{cl.opts.model_name}_changelist", current_app=cl.model_admin.admin_site.name
    )
    # The list's filters carried to the dossier page and back: the same for every row.
    sample = f"{changelist}0/change/"
    carried = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, sample)
    suffix = carried[len(sample) :]
    (first_class, first_value), others = columns[0], columns[1:]
    for row in cl.result_list:
        url = conditional_escape(f"{changelist}{quote(row.pk)}/change/{suffix}")
        cells = [f'<th{first_class}><a href="{url}">{conditional_escape(first_value(row))}</a></th>']
        cells.extend(f"<td{css}>{conditional_escape(value(row))}</td>" for css, value in others)
        yield [mark_safe("".join(cells))]  # noqa: S308 - every value above is escaped


@register.inclusion_tag("admin/change_list_results.html")
def dossier_result_list(cl: ChangeList) -> dict:
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": list(rows(cl)),
    }
