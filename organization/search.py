"""Diacritic-insensitive matching: "vinh yen" finds "Vĩnh Yên", "nghia do" finds "Nghĩa Đô".

``text_unidecode`` is used rather than ``unicodedata`` stripping or ``slugify`` because both of
those leave or drop "Đ"/"đ", which is a letter of its own and not a D with an accent.

Until the models carry a folded search-key column, matching happens in Python over the rows the
user may already see (see ``filter_folded``); this is fine for units and per-district documents
and people, which number in the thousands at most per user.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django.db.models import Q, QuerySet
from text_unidecode import unidecode


def fold(text: str | None) -> str:
    """Lowercase ASCII with single spaces: ``fold("  Xã  Nghĩa Đô ") == "xa nghia do"``."""
    if text and len(text) <= _CACHED_LENGTH:
        return _fold_short(text)
    return " ".join(unidecode(text or "").lower().split())


#: Names, labels and choices repeat across the rows of an import: folding them is cached.
_CACHED_LENGTH = 120


@lru_cache(maxsize=50_000)
def _fold_short(text: str) -> str:
    return " ".join(unidecode(text).lower().split())


def terms(query: str | None) -> list[str]:
    """The folded words of a search query; every one of them must match."""
    return fold(query).split()


def matches(words: Iterable[str], *texts: str | None) -> bool:
    """Whether every word occurs (as a substring) in at least one of ``texts``, folded."""
    haystack = " ".join(fold(text) for text in texts)
    return all(word in haystack for word in words)


def filter_folded(queryset: QuerySet, query: str | None, fields: Iterable[str]) -> QuerySet:
    """Rows of ``queryset`` whose ``fields`` match ``query`` ignoring case and diacritics.

    One query reads (pk, *fields) of the already-scoped and filtered rows; the result is the same
    queryset narrowed to the matching primary keys, so callers can still order and paginate it.
    """
    words = terms(query)
    if not words:
        return queryset
    fields = tuple(fields)
    rows = queryset.order_by().prefetch_related(None).values_list("pk", *fields).iterator()
    ids = [row[0] for row in rows if matches(words, *row[1:])]
    return queryset.filter(pk__in=ids)


def search_folded(queryset: QuerySet, query: str | None, *columns: str) -> QuerySet:
    """Every word of ``query`` (folded: "nam meng" ≈ "Nặm Mèng", "d" ≈ "đ") in one of ``columns``,
    which hold text folded the same way when the row was saved (``search_text``)."""
    for word in terms(query):
        condition = Q()
        for column in columns:
            condition |= Q(**{f"{column}__contains": word})
        queryset = queryset.filter(condition)
    return queryset
