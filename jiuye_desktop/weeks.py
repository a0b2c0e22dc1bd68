"""Week arithmetic of domain.md §4.

A reporting week ends on the Friday the table is due and starts the Saturday
before, clipped to the calendar year. Its label is ``YYYY年M月第N周`` with M the
month of its Friday and N the ordinal of that Friday in the month. Days after
the year's last Friday form one more short December week.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from .domain import Week

FRIDAY = 4
_KEY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_LABEL = re.compile(r"^(\d{4})年(\d{1,2})月第(\d{1,2})周$")


def _friday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(FRIDAY - day.weekday()) % 7)


def _first_friday(year: int, month: int) -> dt.date:
    return _friday_on_or_after(dt.date(year, month, 1))


def _fridays_in_month(year: int, month: int) -> int:
    first = _first_friday(year, month)
    count = 0
    day = first
    while day.month == month:
        count += 1
        day += dt.timedelta(days=7)
    return count


def week_of(day: dt.date) -> Week:
    """The reporting week that holds a day."""
    year = day.year
    friday = _friday_on_or_after(day)
    start = max(friday - dt.timedelta(days=6), dt.date(year, 1, 1))
    if friday.year != year:  # after the year's last Friday: the short December week
        return Week(year, 12, _fridays_in_month(year, 12) + 1, start, dt.date(year, 12, 31))
    ordinal = (friday.day - 1) // 7 + 1
    return Week(year, friday.month, ordinal, start, friday)


def week_from_key(key: str) -> Week:
    """The week named ``YYYY-MM-N`` (or its label ``YYYY年M月第N周``).

    Raises:
        ValueError: with a Chinese message when no such week exists.
    """
    m = _KEY.match(key.strip()) or _LABEL.match(key.strip())
    if not m:
        raise ValueError(f"周次“{key}”格式不对，应为 YYYY-MM-N，例如 2017-11-2")
    year, month, n = int(m[1]), int(m[2]), int(m[3])
    if not (1900 < year < 10000 and 1 <= month <= 12 and n >= 1):
        raise ValueError(f"周次“{key}”不存在")
    count = _fridays_in_month(year, month)
    if n <= count:
        return week_of(_first_friday(year, month) + dt.timedelta(days=7 * (n - 1)))
    last_day = dt.date(year, 12, 31)
    if month == 12 and n == count + 1 and last_day.weekday() != FRIDAY:
        return week_of(last_day)
    raise ValueError(f"{year}年{month}月没有第{n}周（该月共{count}个周五）")


def weeks_of_year(year: int) -> Iterator[Week]:
    """Every reporting week of a year, in order."""
    day = dt.date(year, 1, 1)
    while day.year == year:
        week = week_of(day)
        yield week
        day = week.end + dt.timedelta(days=1)


def previous_week(week: Week) -> Week | None:
    """The week before, within the same year; None for the year's first week."""
    if week.start.month == 1 and week.start.day == 1:
        return None
    return week_of(week.start - dt.timedelta(days=1))


def next_week(week: Week) -> Week | None:
    """The week after, within the same year; None for the year's last week."""
    if week.end.month == 12 and week.end.day == 31:
        return None
    return week_of(week.end + dt.timedelta(days=1))
