"""SQL of the ledger grid and the entry form: record ids for a filter and sort, pages, look-ups.

Every ORDER BY expression comes from ``SORT_SQL`` (a whitelist keyed by column);
filter values are always bound parameters. Ids are fetched as one JSON array
(``json_group_array``) because building a million Python tuples costs more than
the query itself.
"""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: Column key -> expression shown in the grid (one page at a time).
VALUE_SQL: dict[str, str] = {
    "id": "r.id",
    "name": "r.name",
    "id_number": "CASE WHEN r.id_number != '' THEN r.id_number ELSE r.id_raw END",
    "sex": "r.sex",
    "area": "COALESCE(a.name, r.area_raw)",
    "record_type": "r.record_type",
    "event_date": "COALESCE(r.event_date, r.event_date_raw)",
    "employment_form": "r.employment_form",
    "employer": "r.employer",
    "phone": "r.phone",
    "registered_on": "COALESCE(NULLIF(r.registered_on, ''), r.registered_on_raw)",
    "status": "r.removed_on",
    "findings": "''",
}

#: Column key -> ORDER BY expression; a column missing here cannot be sorted.
#: Indexed columns (id, name, id_number, area_id, employer, registered_on) sort a
#: million rows in well under a second; the others need a scan and a sort (1–3 s).
SORT_SQL: dict[str, str] = {
    "id": "r.id",
    "name": "r.name",
    "id_number": "r.id_number",
    "sex": "r.sex",
    "area": "r.area_id",
    "record_type": "r.record_type",
    "event_date": "r.event_date",
    "employment_form": "r.employment_form",
    "employer": "r.employer",
    "phone": "r.phone",
    "registered_on": "r.registered_on",
    "status": "r.removed_on IS NOT NULL, r.removed_on, r.removal_reason",
}


@dataclass(frozen=True, slots=True)
class IdFilter:
    """Conditions on records, all optional; values as stored in the database."""

    id_prefix: str = ""  # 公民身份号码 starting with this …
    phone_prefix: str = ""  # … or 联系电话 starting with this
    id_exact: tuple[str, ...] = ()  # 公民身份号码 equal to one of these (an upgraded 15-digit ID)
    name_prefix: str = ""  # 姓名 starting with this …
    employer_part: str = ""  # … or 就业单位名称 containing this
    area_id: int | None = None
    unknown_area: bool = False  # records whose area is not one of the unit's
    record_type: str | None = None
    registered_from: str | None = None  # ISO dates, inclusive
    registered_to: str | None = None
    removed: bool | None = None  # True: removed only, False: not removed
    finding_kind: str | None = None  # a stored finding kind: invalid, incomplete, warning
    only_ids: Sequence[int] | None = None  # e.g. the self-check's duplicates

    @property
    def is_empty(self) -> bool:
        return self == IdFilter()


def _upper_bound(prefix: str) -> str:
    """The smallest text greater than every text starting with ``prefix`` (BINARY collation)."""
    return prefix + "\U0010ffff"


def _where(f: IdFilter) -> tuple[list[str], dict[str, Any]]:
    conds: list[str] = []
    params: dict[str, Any] = {}
    text_terms: list[str] = []
    # Each term is an index range, so SQLite answers an OR of them index by index.
    if f.id_prefix:
        text_terms.append("(r.id_number >= :idp AND r.id_number < :idp_hi)")
        params.update(idp=f.id_prefix, idp_hi=_upper_bound(f.id_prefix))
    if f.phone_prefix:
        text_terms.append("(r.phone >= :php AND r.phone < :php_hi)")
        params.update(php=f.phone_prefix, php_hi=_upper_bound(f.phone_prefix))
    for i, number in enumerate(f.id_exact):
        text_terms.append(f"r.id_number = :idx{i}")
        params[f"idx{i}"] = number
    if f.name_prefix:
        text_terms.append("(r.name >= :namep AND r.name < :namep_hi)")
        params.update(namep=f.name_prefix, namep_hi=_upper_bound(f.name_prefix))
    if f.employer_part:
        text_terms.append("instr(r.employer, :emp) > 0")
        params["emp"] = f.employer_part
    if text_terms:
        conds.append("(" + " OR ".join(text_terms) + ")")
    if f.area_id is not None:
        conds.append("r.area_id = :area_id")
        params["area_id"] = f.area_id
    if f.unknown_area:
        conds.append("r.area_id IS NULL")
    if f.record_type is not None:
        conds.append("r.record_type = :rtype")
        params["rtype"] = f.record_type
    if f.registered_from is not None:
        conds.append("r.registered_on >= :reg_from")
        params["reg_from"] = f.registered_from
    if f.registered_to is not None:
        conds.append("r.registered_on <= :reg_to")
        params["reg_to"] = f.registered_to
    if f.removed is True:
        conds.append("r.removed_on IS NOT NULL")
    elif f.removed is False:
        conds.append("r.removed_on IS NULL")
    if f.finding_kind is not None:
        conds.append("r.id IN (SELECT record_id FROM record_findings WHERE kind = :fkind)")
        params["fkind"] = f.finding_kind
    if f.only_ids is not None:
        conds.append("r.id IN (SELECT value FROM json_each(:only_ids))")
        params["only_ids"] = json.dumps(list(f.only_ids))
    return conds, params


def _selective(f: IdFilter) -> bool:
    """True when an index narrows the records down (the other filters need a scan)."""
    return bool(
        (f.id_prefix and not f.phone_prefix)  # 联系电话 has no index
        or f.id_exact
        or f.name_prefix
        or f.area_id is not None
        or f.unknown_area
        or f.registered_from is not None
        or f.registered_to is not None
        or f.finding_kind is not None
        or f.only_ids is not None
    )


def dense_span(conn: sqlite3.Connection) -> tuple[int, int]:
    """(count, max id) of all records; equal when the ids are exactly 1..count."""
    row = conn.execute(
        "SELECT count(*), COALESCE(max(id), 0), COALESCE(min(id), 1) FROM records"
    ).fetchone()
    count, high, low = int(row[0]), int(row[1]), int(row[2])
    return (count, high) if low >= 1 else (count, -1)


def select_ids(
    conn: sqlite3.Connection, f: IdFilter, sort_key: str, descending: bool
) -> Sequence[int]:
    """Ids of the records matching ``f`` in the order of ``sort_key`` (then id).

    Raises:
        KeyError: ``sort_key`` is not a sortable column.
    """
    direction = "DESC" if descending else "ASC"
    order = SORT_SQL[sort_key]
    if f.is_empty and sort_key == "id":
        # Records are never deleted, so the ids are usually exactly 1..count:
        # then the answer needs no scan at all.
        count, high = dense_span(conn)
        if count == high:
            return range(high, 0, -1) if descending else range(1, high + 1)
    conds, params = _where(f)
    # With a condition an index can answer (an ID, a name, a week, an area …) the
    # planner, lacking statistics, would still walk the whole table in the sort
    # column's order to save a sort; ``+`` forbids that, so the index finds the
    # few rows and they are sorted. Without one, walking in index order is best.
    plus = "+" if _selective(f) else ""
    terms = ", ".join(f"{plus}{part.strip()} {direction}" for part in order.split(","))
    if sort_key != "id":
        terms += f", {plus}r.id {direction}"
    sql = (
        "SELECT json_group_array(id) FROM (SELECT r.id AS id FROM records r"
        + (" WHERE " + " AND ".join(conds) if conds else "")
        + f" ORDER BY {terms})"
    )
    text = conn.execute(sql, params).fetchone()[0]
    return array("q", json.loads(text))


#: One page of the grid: the columns of VALUE_SQL, then the record's status and own findings.
_PAGE_SQL = (
    "SELECT r.id, " + ", ".join(VALUE_SQL.values()) + ", r.removed_on, r.removal_reason, "
    "(SELECT m.note FROM removals m WHERE m.record_id = r.id AND m.restored_at IS NULL "
    " ORDER BY m.id DESC LIMIT 1), "
    "(SELECT json_group_array(json_array(f.kind, f.field, f.message)) FROM record_findings f "
    " WHERE f.record_id = r.id) "
    "FROM records r LEFT JOIN areas a ON a.id = r.area_id "
    "WHERE r.id IN (SELECT value FROM json_each(?))"
)


@dataclass(frozen=True, slots=True)
class PageRow:
    id: int
    values: tuple[Any, ...]  # in VALUE_SQL order
    removed_on: str | None
    removal_reason: str | None
    removal_note: str
    findings: tuple[tuple[str, str, str], ...]  # (kind, field, message)


def fetch_page(conn: sqlite3.Connection, ids: Sequence[int]) -> list[PageRow]:
    """The grid values of some records (any order; missing ids are left out)."""
    out = []
    n = len(VALUE_SQL)
    for row in conn.execute(_PAGE_SQL, (json.dumps(list(ids)),)):
        findings = tuple((str(k), str(f), str(m)) for k, f, m in json.loads(row[n + 4] or "[]"))
        out.append(
            PageRow(
                id=row[0],
                values=tuple(row[1 : 1 + n]),
                removed_on=row[n + 1],
                removal_reason=row[n + 2],
                removal_note=row[n + 3] or "",
                findings=findings,
            )
        )
    return out


def person_rows(
    conn: sqlite3.Connection, id_number: str, year_start: str, year_end: str
) -> list[tuple[Any, ...]]:
    """Records of one person (normalised ID) registered in a year, plus 自然减员 of any year.

    Rows: (id, name, record_type, event_date, area name, registered_on, removed_on,
    removal_reason), oldest first.
    """
    return conn.execute(
        "SELECT r.id, r.name, r.record_type, COALESCE(r.event_date, r.event_date_raw), "
        "COALESCE(a.name, r.area_raw), r.registered_on, r.removed_on, r.removal_reason "
        "FROM records r LEFT JOIN areas a ON a.id = r.area_id "
        "WHERE r.id_number = :idn AND ((r.registered_on >= :y0 AND r.registered_on <= :y1) "
        "OR r.dup_key = 'A') ORDER BY r.registered_on, r.id",
        {"idn": id_number, "y0": year_start, "y1": year_end},
    ).fetchall()


def employer_names(conn: sqlite3.Connection, prefix: str, limit: int) -> list[tuple[str, str]]:
    """Distinct employer names starting with ``prefix``, each with a USCC written for it."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT employer FROM records "
            "WHERE employer >= :p AND employer < :hi AND employer != '' "
            "GROUP BY employer LIMIT :limit",
            {"p": prefix, "hi": _upper_bound(prefix), "limit": limit},
        )
    ]
    out = []
    for name in names:
        row = conn.execute(
            "SELECT uscc FROM records WHERE employer = ? AND uscc != '' ORDER BY id DESC LIMIT 1",
            (name,),
        ).fetchone()
        out.append((name, row[0] if row else ""))
    return out


def registered_span(conn: sqlite3.Connection) -> tuple[str | None, str | None]:
    """Earliest and latest 登记日期 (two index look-ups)."""
    low = conn.execute("SELECT min(registered_on) FROM records").fetchone()[0]
    high = conn.execute("SELECT max(registered_on) FROM records").fetchone()[0]
    return low, high


def record_counts(conn: sqlite3.Connection) -> tuple[int, int]:
    """(all records, records removed now); one scan of a covering index (0.1 s per million)."""
    row = conn.execute("SELECT count(*), count(removed_on) FROM records").fetchone()
    return int(row[0]), int(row[1])
