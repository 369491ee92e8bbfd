"""Report kinds and their periods: which (start, end) each kind allows and the message when it
does not, the previous period, the same period last year, labels, due dates and trend months."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from reports import periods
from reports.periods import Period, ReportKind

K = ReportKind


@pytest.fixture(autouse=True)
def english():
    # Messages are compared in English; the portal answers in Vietnamese unless told otherwise.
    with translation.override("en"):
        yield


def refusal(kind: str, start: date, end: date) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        periods.validate(kind, start, end)
    return caught.value.message_dict


# --- validate -----------------------------------------------------------------------------------

VALID = [
    (K.MONTH, date(2024, 1, 1), date(2024, 1, 31)),
    (K.MONTH, date(2024, 2, 1), date(2024, 2, 29)),  # leap year
    (K.MONTH, date(2023, 2, 1), date(2023, 2, 28)),
    (K.MONTH, date(2024, 4, 1), date(2024, 4, 30)),
    (K.MONTH, date(2024, 12, 1), date(2024, 12, 31)),
    (K.QUARTER, date(2024, 1, 1), date(2024, 3, 31)),
    (K.QUARTER, date(2024, 4, 1), date(2024, 6, 30)),
    (K.QUARTER, date(2024, 7, 1), date(2024, 9, 30)),
    (K.QUARTER, date(2024, 10, 1), date(2024, 12, 31)),
    (K.HALF_YEAR, date(2024, 1, 1), date(2024, 6, 30)),
    (K.NINE_MONTHS, date(2024, 1, 1), date(2024, 9, 30)),
    (K.YEAR, date(2024, 1, 1), date(2024, 12, 31)),
    (K.CUSTOM, date(2024, 3, 15), date(2024, 3, 15)),  # one day
    (K.CUSTOM, date(2024, 3, 15), date(2024, 8, 2)),
    (K.CUSTOM, date(2020, 1, 1), date(2024, 12, 31)),  # five years (1,827 days) is still allowed
]


@pytest.mark.parametrize(("kind", "start", "end"), VALID)
def test_a_period_matching_its_kind_is_accepted(kind, start, end):
    period = periods.validate(kind, start, end)

    assert period == Period(kind, start, end)
    assert period.days == (end - start).days + 1


MONTH = "A monthly report runs from the 1st to the last day of one month."
QUARTER = "A quarterly report runs from 1 January, 1 April, 1 July or 1 October to the end of that quarter."
HALF = "A six-month report runs from 1 January to 30 June."
NINE = "A nine-month report runs from 1 January to 30 September."
YEAR = "An annual report runs from 1 January to 31 December."

INVALID = [
    (K.MONTH, date(2024, 1, 2), date(2024, 1, 31), MONTH),  # not the 1st
    (K.MONTH, date(2024, 2, 1), date(2024, 2, 28), MONTH),  # 29 February forgotten in a leap year
    (K.MONTH, date(2023, 2, 1), date(2023, 3, 1), MONTH),  # one day too many
    (K.MONTH, date(2024, 1, 1), date(2024, 2, 29), MONTH),  # two months
    (K.QUARTER, date(2024, 2, 1), date(2024, 4, 30), QUARTER),  # three months, not a quarter
    (K.QUARTER, date(2024, 1, 1), date(2024, 3, 30), QUARTER),
    (K.QUARTER, date(2024, 4, 1), date(2024, 9, 30), QUARTER),  # two quarters
    (K.QUARTER, date(2024, 10, 2), date(2024, 12, 31), QUARTER),
    (K.HALF_YEAR, date(2024, 7, 1), date(2024, 12, 31), HALF),  # the second half is not "6 tháng"
    (K.HALF_YEAR, date(2024, 1, 1), date(2024, 6, 29), HALF),
    (K.HALF_YEAR, date(2024, 2, 1), date(2024, 7, 31), HALF),
    (K.NINE_MONTHS, date(2024, 4, 1), date(2024, 12, 31), NINE),
    (K.NINE_MONTHS, date(2024, 1, 1), date(2024, 9, 29), NINE),
    (K.YEAR, date(2024, 1, 1), date(2024, 12, 30), YEAR),
    (K.YEAR, date(2024, 7, 1), date(2025, 6, 30), YEAR),  # a fiscal-style year is not a calendar year
    (K.YEAR, date(2024, 1, 1), date(2025, 12, 31), YEAR),
]


@pytest.mark.parametrize(("kind", "start", "end", "message"), INVALID)
def test_a_period_not_matching_its_kind_is_refused_with_what_it_should_be(kind, start, end, message):
    assert refusal(kind, start, end) == {"period_start": [message]}


@pytest.mark.parametrize("kind", K.values)
def test_a_period_ending_before_it_starts_is_refused_for_every_kind(kind):
    assert refusal(kind, date(2024, 3, 31), date(2024, 3, 1)) == {"period_end": ["The period ends before it starts."]}


def test_a_custom_range_longer_than_five_years_is_refused():
    assert refusal(K.CUSTOM, date(2019, 1, 1), date(2024, 12, 31)) == {
        "period_end": ["A custom range covers at most five years."]
    }


def test_an_unknown_kind_is_refused():
    assert refusal("fortnight", date(2024, 1, 1), date(2024, 1, 14)) == {"kind": ["Unknown report kind."]}


# --- previous and same period last year ---------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (Period(K.MONTH, date(2024, 3, 1), date(2024, 3, 31)), Period(K.MONTH, date(2024, 2, 1), date(2024, 2, 29))),
        (Period(K.MONTH, date(2024, 1, 1), date(2024, 1, 31)), Period(K.MONTH, date(2023, 12, 1), date(2023, 12, 31))),
        (
            Period(K.QUARTER, date(2024, 1, 1), date(2024, 3, 31)),
            Period(K.QUARTER, date(2023, 10, 1), date(2023, 12, 31)),  # across the year
        ),
        (
            Period(K.QUARTER, date(2024, 7, 1), date(2024, 9, 30)),
            Period(K.QUARTER, date(2024, 4, 1), date(2024, 6, 30)),
        ),
        # Six- and nine-month reports cover the year's start: they compare with last year's.
        (
            Period(K.HALF_YEAR, date(2024, 1, 1), date(2024, 6, 30)),
            Period(K.HALF_YEAR, date(2023, 1, 1), date(2023, 6, 30)),
        ),
        (
            Period(K.NINE_MONTHS, date(2024, 1, 1), date(2024, 9, 30)),
            Period(K.NINE_MONTHS, date(2023, 1, 1), date(2023, 9, 30)),
        ),
        (Period(K.YEAR, date(2024, 1, 1), date(2024, 12, 31)), Period(K.YEAR, date(2023, 1, 1), date(2023, 12, 31))),
        # A custom range: the same number of days just before it.
        (
            Period(K.CUSTOM, date(2024, 3, 11), date(2024, 3, 20)),
            Period(K.CUSTOM, date(2024, 3, 1), date(2024, 3, 10)),
        ),
        (
            Period(K.CUSTOM, date(2024, 3, 1), date(2024, 3, 1)),
            Period(K.CUSTOM, date(2024, 2, 29), date(2024, 2, 29)),
        ),
    ],
)
def test_previous_period(period, expected):
    assert periods.previous(period) == expected


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (Period(K.MONTH, date(2024, 3, 1), date(2024, 3, 31)), Period(K.MONTH, date(2023, 3, 1), date(2023, 3, 31))),
        # February of a leap year: last year's February ends on the 28th.
        (Period(K.MONTH, date(2024, 2, 1), date(2024, 2, 29)), Period(K.MONTH, date(2023, 2, 1), date(2023, 2, 28))),
        # …and the other way round: the whole of February 2024, 29th included.
        (Period(K.MONTH, date(2025, 2, 1), date(2025, 2, 28)), Period(K.MONTH, date(2024, 2, 1), date(2024, 2, 29))),
        (
            Period(K.QUARTER, date(2024, 1, 1), date(2024, 3, 31)),
            Period(K.QUARTER, date(2023, 1, 1), date(2023, 3, 31)),
        ),
        (
            Period(K.QUARTER, date(2025, 10, 1), date(2025, 12, 31)),
            Period(K.QUARTER, date(2024, 10, 1), date(2024, 12, 31)),
        ),
        (
            Period(K.NINE_MONTHS, date(2024, 1, 1), date(2024, 9, 30)),
            Period(K.NINE_MONTHS, date(2023, 1, 1), date(2023, 9, 30)),
        ),
        (Period(K.YEAR, date(2025, 1, 1), date(2025, 12, 31)), Period(K.YEAR, date(2024, 1, 1), date(2024, 12, 31))),
        # A custom range starting or ending on 29 February moves to the 28th.
        (
            Period(K.CUSTOM, date(2024, 2, 29), date(2024, 3, 10)),
            Period(K.CUSTOM, date(2023, 2, 28), date(2023, 3, 10)),
        ),
        (
            Period(K.CUSTOM, date(2024, 2, 10), date(2024, 2, 29)),
            Period(K.CUSTOM, date(2023, 2, 10), date(2023, 2, 28)),
        ),
        (
            Period(K.CUSTOM, date(2024, 5, 5), date(2024, 5, 20)),
            Period(K.CUSTOM, date(2023, 5, 5), date(2023, 5, 20)),
        ),
    ],
)
def test_same_period_last_year(period, expected):
    assert periods.same_period_last_year(period) == expected


@pytest.mark.parametrize(("kind", "start", "end"), [row for row in VALID if row[0] != K.CUSTOM])
def test_previous_and_last_year_of_a_valid_period_are_valid_periods_of_the_same_kind(kind, start, end):
    period = Period(kind, start, end)

    for other in (periods.previous(period), periods.same_period_last_year(period)):
        assert periods.validate(kind, other.start, other.end) == other
        assert other.end < period.start or other.start < period.start


# --- labels -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "english", "vietnamese"),
    [
        (Period(K.MONTH, date(2024, 3, 1), date(2024, 3, 31)), "month 3 of 2024", "tháng 3"),
        (Period(K.QUARTER, date(2024, 1, 1), date(2024, 3, 31)), "quarter I of 2024", "I"),
        (Period(K.QUARTER, date(2024, 4, 1), date(2024, 6, 30)), "quarter II of 2024", "II"),
        (Period(K.QUARTER, date(2024, 7, 1), date(2024, 9, 30)), "quarter III of 2024", "III"),
        (Period(K.QUARTER, date(2024, 10, 1), date(2024, 12, 31)), "quarter IV of 2024", "IV"),
        (Period(K.HALF_YEAR, date(2024, 1, 1), date(2024, 6, 30)), "the first six months of 2024", "2024"),
        (Period(K.NINE_MONTHS, date(2024, 1, 1), date(2024, 9, 30)), "the first nine months of 2024", "2024"),
        (Period(K.YEAR, date(2024, 1, 1), date(2024, 12, 31)), "the year 2024", "2024"),
        (Period(K.CUSTOM, date(2024, 3, 5), date(2024, 4, 20)), "from 05/03/2024 to 20/04/2024", "05/03/2024"),
    ],
)
def test_labels(period, english, vietnamese):
    with translation.override("en"):
        assert periods.label(period) == english
    # In the portal's default language the label is translated and carries the figures that
    # identify the period.
    with translation.override("vi"):
        assert vietnamese in periods.label(period) and periods.label(period) != english


# --- due_on -------------------------------------------------------------------------------------


def test_due_on_1_january_gives_december_the_fourth_quarter_and_last_year():
    assert periods.due_on(date(2025, 1, 1)) == [
        Period(K.MONTH, date(2024, 12, 1), date(2024, 12, 31)),
        Period(K.QUARTER, date(2024, 10, 1), date(2024, 12, 31)),
        Period(K.YEAR, date(2024, 1, 1), date(2024, 12, 31)),
    ]


def test_due_on_1_april_gives_march_and_the_first_quarter():
    assert periods.due_on(date(2024, 4, 1)) == [
        Period(K.MONTH, date(2024, 3, 1), date(2024, 3, 31)),
        Period(K.QUARTER, date(2024, 1, 1), date(2024, 3, 31)),
    ]


def test_due_on_1_july_gives_june_the_second_quarter_and_the_six_months():
    assert periods.due_on(date(2024, 7, 1)) == [
        Period(K.MONTH, date(2024, 6, 1), date(2024, 6, 30)),
        Period(K.QUARTER, date(2024, 4, 1), date(2024, 6, 30)),
        Period(K.HALF_YEAR, date(2024, 1, 1), date(2024, 6, 30)),
    ]


def test_due_on_1_october_gives_september_the_third_quarter_and_the_nine_months():
    assert periods.due_on(date(2024, 10, 1)) == [
        Period(K.MONTH, date(2024, 9, 1), date(2024, 9, 30)),
        Period(K.QUARTER, date(2024, 7, 1), date(2024, 9, 30)),
        Period(K.NINE_MONTHS, date(2024, 1, 1), date(2024, 9, 30)),
    ]


@pytest.mark.parametrize("day", [date(2024, 3, 1), date(2024, 2, 1), date(2024, 12, 1), date(2024, 5, 1)])
def test_due_on_the_first_of_another_month_gives_last_month_only(day):
    (period,) = periods.due_on(day)

    assert period.kind == K.MONTH
    assert period.end == day - date.resolution  # the last day of the month before
    assert periods.validate(period.kind, period.start, period.end) == period


@pytest.mark.parametrize("day", [date(2024, 1, 2), date(2024, 3, 15), date(2024, 2, 29), date(2024, 12, 31)])
def test_nothing_falls_due_on_other_days(day):
    assert periods.due_on(day) == []


def test_every_period_due_in_a_year_is_a_valid_period_of_its_kind():
    due = [period for month in range(1, 13) for period in periods.due_on(date(2025, month, 1))]

    assert {period.kind for period in due} == {K.MONTH, K.QUARTER, K.HALF_YEAR, K.NINE_MONTHS, K.YEAR}
    assert sum(period.kind == K.MONTH for period in due) == 12
    assert sum(period.kind == K.QUARTER for period in due) == 4
    for period in due:
        assert periods.validate(period.kind, period.start, period.end) == period


# --- months_back --------------------------------------------------------------------------------


def test_months_back_gives_twelve_months_oldest_first_across_the_year():
    months = periods.months_back(date(2024, 3, 15))

    assert len(months) == 12
    assert months[0] == Period(K.MONTH, date(2023, 4, 1), date(2023, 4, 30))
    assert months[-1] == Period(K.MONTH, date(2024, 3, 1), date(2024, 3, 31))
    assert Period(K.MONTH, date(2024, 2, 1), date(2024, 2, 29)) in months
    for before, after in itertools.pairwise(months):
        assert (after.start - before.end).days == 1


def test_months_back_with_a_count():
    assert periods.months_back(date(2024, 1, 31), 3) == [
        Period(K.MONTH, date(2023, 11, 1), date(2023, 11, 30)),
        Period(K.MONTH, date(2023, 12, 1), date(2023, 12, 31)),
        Period(K.MONTH, date(2024, 1, 1), date(2024, 1, 31)),
    ]
    assert periods.months_back(date(2024, 1, 31), 1) == [Period(K.MONTH, date(2024, 1, 1), date(2024, 1, 31))]
