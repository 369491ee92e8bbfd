"""Report kinds and their periods: which (start, end) a kind allows, the previous period, the
same period last year, Vietnamese labels, and which periods fall due on a given day.

Periods are calendar periods (a month is its 1st to its last day). Six-month and nine-month
reports are the first half and the first three quarters of the year ("6 tháng đầu năm",
"9 tháng"), as Party offices write them.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: A custom range longer than this is refused (a typing error, and a very slow compile).
MAX_CUSTOM_DAYS = 5 * 366


class ReportKind(models.TextChoices):
    MONTH = "month", gettext_lazy("Monthly")
    QUARTER = "quarter", gettext_lazy("Quarterly")
    HALF_YEAR = "half_year", gettext_lazy("Six-month")
    NINE_MONTHS = "nine_months", gettext_lazy("Nine-month")
    YEAR = "year", gettext_lazy("Annual")
    CUSTOM = "custom", gettext_lazy("Custom range")


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def expected_end(kind: str, start: date) -> date | None:
    """The only end a period of ``kind`` starting on ``start`` may have (None for custom)."""
    if kind == ReportKind.MONTH:
        return month_end(start)
    if kind == ReportKind.QUARTER:
        return month_end(_add_months(start, 2))
    if kind == ReportKind.HALF_YEAR:
        return date(start.year, 6, 30)
    if kind == ReportKind.NINE_MONTHS:
        return date(start.year, 9, 30)
    if kind == ReportKind.YEAR:
        return date(start.year, 12, 31)
    return None


def validate(kind: str, start: date, end: date) -> Period:
    """The period, or a ValidationError saying what a period of this kind looks like."""
    if kind not in ReportKind.values:
        raise ValidationError({"kind": _("Unknown report kind.")})
    if end < start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    messages = {
        ReportKind.MONTH: _("A monthly report runs from the 1st to the last day of one month."),
        ReportKind.QUARTER: _(
            "A quarterly report runs from 1 January, 1 April, 1 July or 1 October to the end of that quarter."
        ),
        ReportKind.HALF_YEAR: _("A six-month report runs from 1 January to 30 June."),
        ReportKind.NINE_MONTHS: _("A nine-month report runs from 1 January to 30 September."),
        ReportKind.YEAR: _("An annual report runs from 1 January to 31 December."),
    }
    if kind == ReportKind.CUSTOM:
        if (end - start).days + 1 > MAX_CUSTOM_DAYS:
            raise ValidationError({"period_end": _("A custom range covers at most five years.")})
        return Period(kind, start, end)
    starts_ok = (
        start.day == 1
        and {
            ReportKind.MONTH: True,
            ReportKind.QUARTER: start.month in (1, 4, 7, 10),
            ReportKind.HALF_YEAR: start.month == 1,
            ReportKind.NINE_MONTHS: start.month == 1,
            ReportKind.YEAR: start.month == 1,
        }[kind]
    )
    if not starts_ok or end != expected_end(kind, start):
        raise ValidationError({"period_start": messages[kind]})
    return Period(kind, start, end)


def previous(period: Period) -> Period:
    """The period just before (a month, the previous month; a year, last year). Six- and
    nine-month reports compare with the same span of the previous year, as they cover the year's
    start; a custom range with the same number of days just before it."""
    kind, start, end = period.kind, period.start, period.end
    if kind == ReportKind.MONTH:
        first = _add_months(start, -1)
        return Period(kind, first, month_end(first))
    if kind == ReportKind.QUARTER:
        first = _add_months(start, -3)
        return Period(kind, first, month_end(_add_months(first, 2)))
    if kind in (ReportKind.HALF_YEAR, ReportKind.NINE_MONTHS, ReportKind.YEAR):
        return same_period_last_year(period)
    length = end - start
    new_end = start - timedelta(days=1)
    return Period(kind, new_end - length, new_end)


def same_period_last_year(period: Period) -> Period:
    def back(day: date) -> date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            return day.replace(year=day.year - 1, day=28)

    end = period.end
    new_end = month_end(back(end.replace(day=1))) if end == month_end(end) else back(end)
    return Period(period.kind, back(period.start), new_end)


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def label(period: Period) -> str:
    """How the report names its period: "tháng 3 năm 2024", "quý I năm 2024", …"""
    start, end = period.start, period.end
    if period.kind == ReportKind.MONTH:
        return _("month %(month)s of %(year)s") % {"month": start.month, "year": start.year}
    if period.kind == ReportKind.QUARTER:
        return _("quarter %(quarter)s of %(year)s") % {"quarter": ROMAN[(start.month - 1) // 3 + 1], "year": start.year}
    if period.kind == ReportKind.HALF_YEAR:
        return _("the first six months of %(year)s") % {"year": start.year}
    if period.kind == ReportKind.NINE_MONTHS:
        return _("the first nine months of %(year)s") % {"year": start.year}
    if period.kind == ReportKind.YEAR:
        return _("the year %(year)s") % {"year": start.year}
    return _("from %(start)s to %(end)s") % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"}


def due_on(day: date) -> list[Period]:
    """The periods whose report falls due on ``day``: on the 1st of a month, last month's; on the
    1st of a quarter, the quarter just ended; 1 July the six months; 1 October the nine months;
    1 January last year."""
    if day.day != 1:
        return []
    last_month_start = _add_months(day, -1)
    periods = [Period(ReportKind.MONTH, last_month_start, month_end(last_month_start))]
    if day.month in (1, 4, 7, 10):
        first = _add_months(day, -3)
        periods.append(Period(ReportKind.QUARTER, first, month_end(_add_months(first, 2))))
    if day.month == 7:
        periods.append(Period(ReportKind.HALF_YEAR, date(day.year, 1, 1), date(day.year, 6, 30)))
    if day.month == 10:
        periods.append(Period(ReportKind.NINE_MONTHS, date(day.year, 1, 1), date(day.year, 9, 30)))
    if day.month == 1:
        periods.append(Period(ReportKind.YEAR, date(day.year - 1, 1, 1), date(day.year - 1, 12, 31)))
    return periods


def months_back(end: date, count: int = 12) -> list[Period]:
    """The ``count`` calendar months ending with the month of ``end``, oldest first (trends)."""
    last = end.replace(day=1)
    firsts = [_add_months(last, -offset) for offset in range(count - 1, -1, -1)]
    return [Period(ReportKind.MONTH, first, month_end(first)) for first in firsts]
