"""Memoizing per-row lookups during one bulk operation (an import).

A record's ``pre_save`` guards (period locks, in ``reports.locks``) look up the same few rows for
every record of a unit. Inside ``memoized()`` such lookups are computed once per key; outside it
``remember`` just computes. The memo lives in a context variable, so it never outlives the
import that opened it nor leaks into another request or thread.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("danvan_bulk_memo", default=None)


@contextmanager
def memoized() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
