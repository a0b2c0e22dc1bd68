"""What the ledger grid asks of the ledger (no Qt here).

The grid holds the record ids that :func:`record_ids` returns for a filter and
sort (SQL does both) and asks :func:`fetch_rows` for one page of values at a
time, so a million records open and scroll without a pause.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ..domain import FIELDS, FINDING_KIND_NAMES, FindingKind, Week, kind_name, kind_rank
from ..service import Session
from ..storage import browse_sql, ledger
from ..validation import normalize_id_text, read_id
from ..weeks import weeks_of_year

# --- The grid's columns ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    sortable: bool = True


#: The grid's columns in order, with their Chinese titles: the record's id, the fields marked
#: ``grid`` in ``domain.FIELDS``, then the status and the findings.
COLUMNS: tuple[Column, ...] = (
    Column("id", "编号"),
    *(Column(f.attr, f.header) for f in FIELDS if f.grid),
    Column("status", "状态"),
    Column("findings", "问题", sortable=False),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)


class Status(StrEnum):
    """Which records the grid shows by removal status."""

    ALL = "all"
    ACTIVE = "active"
    REMOVED = "removed"


STATUS_NAMES = {Status.ALL: "全部状态", Status.ACTIVE: "有效", Status.REMOVED: "已剔除"}

#: Area filter value for records whose area is not one of the unit's.
UNKNOWN_AREA = -1


@dataclass(frozen=True, slots=True)
class BrowseQuery:
    """The grid's search, filters and sort.

    ``text`` made of digits matches the start of a 公民身份号码 or a 联系电话
    (longer than 12 characters: an ID only; with a ``-``: a landline only; a
    15-digit ID also finds its 18-digit form); other text matches the start of
    a 姓名 or any part of a 就业单位名称. ``finding_kind`` is a ``FindingKind``
    value; ``duplicate`` asks the self-check's duplicate query (whole ledger).
    """

    text: str = ""
    area_id: int | None = None  # or UNKNOWN_AREA
    record_type: str | None = None
    week: Week | None = None  # by 登记日期
    status: Status = Status.ALL
    finding_kind: str | None = None
    sort: str = "id"
    descending: bool = False


_ID_LIKE = re.compile(r"[0-9X\-]+")
#: 12 digits: a landline with a 4-digit area code and an 8-digit number.
_LONGEST_PHONE = 12


def _filter(conn: sqlite3.Connection, query: BrowseQuery) -> browse_sql.IdFilter:
    text = query.text.strip()
    id_prefix, phone_prefix, name_prefix, employer_part = "", "", "", ""
    id_exact: tuple[str, ...] = ()
    if text:
        as_id = normalize_id_text(text)
        if _ID_LIKE.fullmatch(as_id):
            if "-" in as_id:  # a landline such as 0374-2961234
                phone_prefix = as_id
            elif len(as_id) > _LONGEST_PHONE:  # longer than any phone: an ID
                id_prefix = as_id
            else:
                id_prefix = phone_prefix = as_id
            if len(as_id) == 15:
                upgraded = read_id(as_id)
                id_exact = (upgraded.number,)
        else:
            name_prefix = unicodedata.normalize("NFKC", text).replace(" ", "")
            employer_part = text
    only_ids = None
    stored_kind = query.finding_kind
    if query.finding_kind == FindingKind.DUPLICATE:
        only_ids = [loser for loser, _keeper in ledger.duplicate_losers(conn)]
        stored_kind = None
    elif query.finding_kind is not None and query.finding_kind not in FINDING_KIND_NAMES:
        raise ValueError(f"未知的问题类别“{query.finding_kind}”")
    return browse_sql.IdFilter(
        id_prefix=id_prefix,
        phone_prefix=phone_prefix,
        id_exact=id_exact,
        name_prefix=name_prefix,
        employer_part=employer_part,
        area_id=query.area_id if query.area_id not in (None, UNKNOWN_AREA) else None,
        unknown_area=query.area_id == UNKNOWN_AREA,
        record_type=query.record_type or None,
        registered_from=query.week.start.isoformat() if query.week else None,
        registered_to=query.week.end.isoformat() if query.week else None,
        removed={Status.ALL: None, Status.ACTIVE: False, Status.REMOVED: True}[query.status],
        finding_kind=stored_kind,
        only_ids=only_ids,
    )


def record_ids(session: Session, query: BrowseQuery) -> Sequence[int]:
    """Ids of the records the grid shows, in its order.

    A ``range`` when every record is shown by id (no scan at all), otherwise an
    ``array('q')``.

    Raises:
        ValueError: the sort column is not sortable or the finding kind unknown.
    """
    conn = session.db.conn
    if query.sort not in browse_sql.SORT_SQL:
        raise ValueError(f"不能按“{query.sort}”排序")
    return browse_sql.select_ids(conn, _filter(conn, query), query.sort, query.descending)


# --- One page of rows ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GridRow:
    """One record as the grid shows it: texts in ``COLUMNS`` order and what they mean."""

    values: tuple[str, ...]
    removed: bool
    removal: str  # e.g. 已剔除（重复，2017-11-20）：备注
    findings: tuple[tuple[str, str, str], ...]  # the record's own (kind, field, message)

    @property
    def worst_kind(self) -> str | None:
        """The most serious own finding kind: invalid, incomplete, warning, or None."""
        kinds = sorted({k for k, _, _ in self.findings}, key=kind_rank)
        return kinds[0] if kinds else None


def _text(value: object) -> str:
    return "" if value is None else str(value)


def fetch_rows(session: Session, ids: Sequence[int]) -> dict[int, GridRow]:
    """The grid rows of some records (a page), keyed by id."""
    conn = session.db.conn
    status_col = COLUMN_KEYS.index("status")
    findings_col = COLUMN_KEYS.index("findings")
    out: dict[int, GridRow] = {}
    for page_row in browse_sql.fetch_page(conn, ids):
        values = [_text(v) for v in page_row.values]
        removed = page_row.removed_on is not None
        removal = ""
        if removed:
            reason = kind_name(page_row.removal_reason)
            removal = f"已剔除（{reason}，{page_row.removed_on}）"
            if page_row.removal_note:
                removal += f"：{page_row.removal_note}"
            values[status_col] = f"已剔除（{reason}）"
        else:
            values[status_col] = "有效"
        kinds = sorted({k for k, _, _ in page_row.findings}, key=kind_rank)
        values[findings_col] = "、".join(kind_name(k) for k in kinds)
        out[page_row.id] = GridRow(tuple(values), removed, removal, page_row.findings)
    return out


def findings_text(row: GridRow) -> str:
    """The record's own findings, one per line (for a tooltip)."""
    return "\n".join(
        f"{kind_name(k)}｜{fld}：{msg}"
        for k, fld, msg in sorted(row.findings, key=lambda f: kind_rank(f[0]))
    )


# --- Filter choices and counts -----------------------------------------------------------------


def area_choices(session: Session) -> list[tuple[int, str]]:
    """(area id, name) of the unit's areas in table order: 本级 first."""
    conn = session.db.conn
    return [(area_id, area.name) for area_id, area in ledger.list_areas(conn)]


def week_choices(session: Session, today: dt.date | None = None) -> list[Week]:
    """Reporting weeks of the years that have records (and of this year), latest first.

    Weeks after ``today`` are left out: nothing can be registered in them yet.
    """
    conn = session.db.conn
    today = today or dt.date.today()
    low, high = browse_sql.registered_span(conn)
    years = {today.year}
    if low and high:
        years |= set(range(int(low[:4]), int(high[:4]) + 1))
    weeks = [w for year in sorted(years) for w in weeks_of_year(year) if w.start <= today]
    return weeks[::-1]


@dataclass(frozen=True, slots=True)
class Counts:
    total: int
    removed: int

    @property
    def active(self) -> int:
        return self.total - self.removed


def counts(session: Session) -> Counts:
    conn = session.db.conn
    total, removed = browse_sql.record_counts(conn)
    return Counts(total, removed)
