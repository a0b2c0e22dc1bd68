"""Henan administrative divisions (GB/T 2260), as shipped in ``divisions.csv``.

The table is built by ``tools/build_divisions.py`` from python-stdnum's
``cn/loc`` data and holds every Henan code with its name periods (one row per
period; years are inclusive, an empty year is an open end). It answers what a
setup dialog offers (:func:`henan_units`), the default areas of a city
(:func:`default_areas`) and names of codes in a given year.

:func:`ever_existed` is different: it covers all provinces and reads stdnum's
table directly, because an ID's area prefix may come from anywhere in China.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from jiuye_desktop.resources import resource_path

#: The file under ``resources/``.
DIVISIONS_FILE = "divisions.csv"
#: Name of the ``xx01`` pseudo units; never a reporting area.
_CITY_DISTRICTS = "市辖区"


@dataclass(frozen=True)
class Division:
    """One name period of a division code."""

    code: str
    name: str
    kind: str  # "province" | "city" | "county"
    parent: str | None
    valid_from: int | None
    valid_to: int | None
    direct: bool  # administered directly by the province (省直管)

    def valid_in(self, year: int) -> bool:
        """True when this period includes ``year`` (both ends inclusive)."""
        return (self.valid_from is None or self.valid_from <= year) and (
            self.valid_to is None or year <= self.valid_to
        )


def _year(text: str) -> int | None:
    text = text.strip()
    return int(text) if text else None


@cache
def _all() -> tuple[Division, ...]:
    """Every row of the shipped table, in file order (by code, then period)."""
    path = resource_path(DIVISIONS_FILE)
    with path.open(encoding="utf-8", newline="") as fp:
        return tuple(
            Division(
                code=row["code"].strip(),
                name=row["name"].strip(),
                kind=row["kind"].strip(),
                parent=row["parent"].strip() or None,
                valid_from=_year(row["valid_from"]),
                valid_to=_year(row["valid_to"]),
                direct=row["direct"].strip() == "1",
            )
            for row in csv.DictReader(fp)
        )


@cache
def _by_code() -> dict[str, tuple[Division, ...]]:
    index: dict[str, list[Division]] = {}
    for division in _all():
        index.setdefault(division.code, []).append(division)
    return {code: tuple(periods) for code, periods in index.items()}


def _recency(d: Division) -> tuple[bool, int, int]:
    """Sort key: open-ended periods last, then by end year, then by start year."""
    return (d.valid_to is None, d.valid_to or 0, d.valid_from or 0)


def _latest(periods: Iterable[Division]) -> Division | None:
    """The most recent of several periods, or ``None`` when there are none."""
    return max(periods, key=_recency, default=None)


def lookup(code: str, year: int | None = None) -> Division | None:
    """The Henan division with ``code`` valid in ``year``.

    ``year=None`` gives the most recent period. ``None`` when the code is not a
    Henan code of the table or had no name in that year.
    """
    periods = _by_code().get(code.strip(), ())
    if year is None:
        return _latest(periods)
    return _latest(d for d in periods if d.valid_in(year))


def name_of(code: str, year: int = 2017) -> str | None:
    """Name of a Henan code in ``year``, or ``None``."""
    division = lookup(code, year)
    return division.name if division else None


@cache
def _ever_codes() -> frozenset[str]:
    """All 6-digit codes of stdnum's ``cn/loc`` (every province), plus ours."""
    from stdnum import numdb

    codes: set[str] = set()
    for _length, low, high, _props, children in numdb.get("cn/loc").prefixes:
        for _clen, clow, chigh, _cprops, _grand in children:
            if low == high and clow == chigh:
                codes.add(low + clow)
            else:  # loc.dat has no ranges today; expand them if one ever appears
                for province in range(int(low), int(high) + 1):
                    for rest in range(int(clow), int(chigh) + 1):
                        codes.add(f"{province:0{len(low)}d}{rest:0{len(clow)}d}")
    codes.update(_by_code())
    return frozenset(codes)


def ever_existed(code6: str) -> bool:
    """True when the 6-digit area code existed in any year, in any province.

    Used to warn about a citizen ID whose area prefix never existed. Unlike
    ``stdnum.cn.ric.validate`` it ignores the birth year, so 411082 (长葛市,
    1993–) is fine for someone born in 1990.
    """
    return code6.strip() in _ever_codes()


def _is_area(d: Division) -> bool:
    return d.name != _CITY_DISTRICTS


def henan_units(year: int = 2017) -> list[Division]:
    """What a setup dialog offers for ``year``.

    The province (河南省), then the cities (the 17 cities and 济源 in 2017),
    then every county-level unit valid that year (districts, counties,
    county-level cities, the directly administered ones included; no 市辖区),
    each group ordered by code.
    """
    valid = [d for d in _all() if d.valid_in(year) and _is_area(d)]
    provinces = [d for d in valid if d.kind == "province"]
    cities = sorted((d for d in valid if d.kind == "city"), key=lambda d: d.code)
    counties = sorted((d for d in valid if d.kind == "county"), key=lambda d: d.code)
    return provinces + cities + counties


#: The province's code (河南省).
PROVINCE_CODE = "410000"


def province_areas(year: int = 2017) -> list[tuple[str, str]]:
    """The province's areas as ``(code, name)`` (domain.md §2).

    The prefecture-level cities (410100 … 411700) by code, then 济源 (the
    directly administered city-level unit), then the directly administered
    counties (省直管县（市）) by code: in 2017 the 17 cities, 济源 and 巩义, 兰考,
    汝州, 滑县, 长垣, 邓州, 永城, 固始, 鹿邑, 新蔡 (28 areas).
    """
    valid = [d for d in _all() if d.valid_in(year) and _is_area(d)]
    cities = sorted((d for d in valid if d.kind == "city" and not d.direct), key=lambda d: d.code)
    direct_cities = sorted(
        (d for d in valid if d.kind == "city" and d.direct), key=lambda d: d.code
    )
    counties = sorted((d for d in valid if d.kind == "county" and d.direct), key=lambda d: d.code)
    return [(d.code, d.name) for d in (*cities, *direct_cities, *counties)]


def is_direct(code: str, year: int = 2017) -> bool:
    """True for a unit that reports to the province itself (济源, a 省直管县) in ``year``."""
    division = lookup(code, year)
    return bool(division and division.direct)


def default_areas(unit_code: str, year: int = 2017) -> list[tuple[str, str]]:
    """Default subordinate areas of a Henan city (or of the province) as ``(code, name)``.

    Its county-level units valid in ``year``, by code, without 市辖区
    (domain.md §2: "its county-level units"). The province's directly
    administered counties are among them, as their codes are; a city that
    leaves them out lists its areas itself (``init --area``).
    ``[]`` for 济源, a county, or a code that is not a city that year. The
    province (410000) gets :func:`province_areas`.
    """
    unit = lookup(unit_code, year)
    if unit is not None and unit.kind == "province":
        return province_areas(year)
    if unit is None or unit.kind != "city":
        return []
    return [
        (d.code, d.name)
        for d in _all()
        if d.parent == unit.code and d.kind == "county" and _is_area(d) and d.valid_in(year)
    ]


def resolve_area_name(text: str, year: int = 2017) -> list[str]:
    """Codes of Henan divisions that bore the name ``text`` in any period.

    Ordered for picking the first: codes valid in ``year`` first, then by the
    most recent period, then by code. ``许昌县`` → ``["411023", "412624"]``.
    """
    name = text.strip()
    if not name:
        return []
    best: dict[str, tuple[bool, int, str]] = {}
    for d in _all():
        if d.name != name:
            continue
        # sort key: valid in year first, then latest end (open end = latest)
        key = (not d.valid_in(year), -(d.valid_to if d.valid_to is not None else 10_000), d.code)
        if d.code not in best or key < best[d.code]:
            best[d.code] = key
    return sorted(best, key=lambda code: best[code])
