from __future__ import annotations

from rest_framework.pagination import CursorPagination

from django.utils.translation import gettext_lazy as _


class NewestFirstCursorPagination(CursorPagination):
    """Pages by an opaque cursor, newest first: a page stays right while new records arrive, and each
    page is one index range however deep the client reads (no OFFSET at a million dossiers)."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = _("Con trỏ trang (cursor) không hợp lệ.")
