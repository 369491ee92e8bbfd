"""Document numbers under real concurrency on PostgreSQL: consecutive, no duplicates, no gaps.

Each thread has its own database connection (Django's are per thread), so these are truly
concurrent transactions contending for the counter row, as two clerks issuing at once would be.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from organization.models import Document, DocumentCounter, DocumentKind, Unit, UnitKind
from organization.services import document_issue
from organization.tests.factories import TermFactory, UnitFactory

pytestmark = [
    pytest.mark.integration(needs=("postgres",)),
    # Threads see only committed rows, and each commits its own transaction.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def committee() -> Unit:
    unit = UnitFactory(key="hu", name="Huyện ủy Bảo Yên", kind=UnitKind.PARTY_COMMITTEE, doc_symbol="HU")
    TermFactory(unit=unit, start_date=date(2020, 8, 1), end_date=date(2025, 6, 30))
    return unit


def issue_at_once(issuer_pk: int, threads: int) -> list[int]:
    """Have ``threads`` threads issue a notice of the same issuer, kind and term together."""
    barrier = threading.Barrier(threads)
    numbers: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def issue() -> None:
        try:
            issuer = Unit.objects.get(pk=issuer_pk)  # loaded before the race, not during it
            barrier.wait(timeout=30)
            document = document_issue(
                issuer=issuer, kind=DocumentKind.TB, day=date(2024, 5, 10), subject="Thông báo", created_by=None
            )
            with lock:
                numbers.append(document.number)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()  # this thread's connection; an open one would block the test DB's drop

    workers = [threading.Thread(target=issue, name=f"issuer-{index}") for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not any(worker.is_alive() for worker in workers), "a thread is stuck (deadlock?)"
    assert errors == []
    return numbers


@pytest.mark.parametrize("threads", [2, 8])
@pytest.mark.parametrize("counter_exists", [True, False], ids=["counter-row-exists", "first-ever-issue"])
def test_simultaneous_issues_get_consecutive_numbers(committee, threads, counter_exists):
    if counter_exists:
        term = committee.terms.get()
        DocumentCounter.objects.create(issuer=committee, kind=DocumentKind.TB, term=term, last_number=0)

    numbers = issue_at_once(committee.pk, threads)

    expected = list(range(1, threads + 1))
    assert sorted(numbers) == expected
    assert sorted(Document.objects.filter(issuer=committee).values_list("number", flat=True)) == expected
    counter = DocumentCounter.objects.get(issuer=committee, kind=DocumentKind.TB)
    assert counter.last_number == threads


def test_numbering_continues_after_a_race(committee):
    issue_at_once(committee.pk, 4)

    following = document_issue(
        issuer=committee, kind=DocumentKind.TB, day=date(2024, 6, 1), subject="Tiếp theo", created_by=None
    )

    assert following.number == 5
    assert following.symbol == "5-TB/HU"
