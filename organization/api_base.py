"""Shared pieces for every app's DRF API."""

from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Cursor pagination on the primary key: stable under inserts, no OFFSET or COUNT."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200
