"""Week arithmetic of domain.md §4 (Saturday–Friday, clipped to the year)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiuye_desktop.weeks import next_week, previous_week, week_from_key, week_of, weeks_of_year

days = st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31))


def test_examples_of_the_spec() -> None:
    w = week_from_key("2017-11-2")
    assert (w.start, w.end, w.label) == (
        dt.date(2017, 11, 4),
        dt.date(2017, 11, 10),
        "2017年11月第2周",
    )
    first = week_of(dt.date(2017, 1, 1))
    assert (first.start, first.end, first.label) == (
        dt.date(2017, 1, 1),
        dt.date(2017, 1, 6),
        "2017年1月第1周",
    )
    last = week_of(dt.date(2017, 12, 31))  # after the last Friday (29th): a short week
    assert (last.start, last.end, last.label) == (
        dt.date(2017, 12, 30),
        dt.date(2017, 12, 31),
        "2017年12月第6周",
    )
    assert week_from_key("2017年12月第6周") == last
    assert week_from_key("2017-12-6") == last


@given(days)
def test_week_holds_the_day_and_is_at_most_seven_days(day: dt.date) -> None:
    w = week_of(day)
    assert w.start <= day <= w.end
    assert 1 <= (w.end - w.start).days + 1 <= 7
    assert w.start.year == w.end.year == day.year
    # It ends on a Friday unless it is the short December week.
    assert w.end.weekday() == 4 or (w.end.month, w.end.day) == (12, 31)
    # It starts on a Saturday unless clipped at 1 January.
    assert w.start.weekday() == 5 or (w.start.month, w.start.day) == (1, 1)
    assert week_from_key(w.key) == w
    assert week_from_key(w.label) == w


@given(st.integers(1990, 2099))
def test_weeks_tile_the_year(year: int) -> None:
    weeks = list(weeks_of_year(year))
    assert weeks[0].start == dt.date(year, 1, 1)
    assert weeks[-1].end == dt.date(year, 12, 31)
    for a, b in zip(weeks, weeks[1:], strict=False):
        assert b.start == a.end + dt.timedelta(days=1)
        assert next_week(a) == b and previous_week(b) == a
    assert previous_week(weeks[0]) is None and next_week(weeks[-1]) is None
    assert 52 <= len(weeks) <= 54
    assert len({w.label for w in weeks}) == len(weeks)


@given(days)
def test_ordinal_is_the_fridays_rank_in_its_month(day: dt.date) -> None:
    w = week_of(day)
    if w.end.weekday() == 4:
        assert w.month == w.end.month
        assert w.ordinal == (w.end.day - 1) // 7 + 1


@pytest.mark.parametrize(
    "key", ["2017-11-6", "2017-13-1", "2017-02-0", "2017年", "abc", "2017-12-7"]
)
def test_bad_week_keys_are_refused(key: str) -> None:
    with pytest.raises(ValueError):
        week_from_key(key)
