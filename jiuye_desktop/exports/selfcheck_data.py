"""What the self-check report says (domain.md §7), gathered from the ledger without layout.

The six 本年累计 figures are given three times: before the check (as if no
record had been removed), removed, and after (the weekly table's 本年累计 at
the report date). ``before − removed = after`` holds for each of the six.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..domain import (
    COUNTED_INDICATORS,
    INDICATOR_NAMES,
    REMOVAL_REASONS,
    FindingKind,
    Unit,
    kind_name,
)
from ..selfcheck import CheckFinding, CheckResult, run_check
from ..service import Session
from ..storage import ledger, report_queries
from ..weeks import week_of

_COUNTED = COUNTED_INDICATORS
#: Marker of the self-check's "possible duplicate" warnings.
POSSIBLE_DUPLICATE_MARK = "可能是同一人"
UNKNOWN_AREA = "（地区不明）"
REASON_ORDER = tuple(r.value for r in REMOVAL_REASONS)

_ID_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


def mask_id(id_number: str) -> str:
    """``411002********123X``: the first 6 and last 4 characters of an ID, 8 asterisks between.

    Text too short to mask that way keeps only its first two characters.
    """
    text = (id_number or "").strip()
    if not text:
        return ""
    if len(text) > 10:
        return text[:6] + "*" * 8 + text[-4:]
    return text[:2] + "*" * max(1, len(text) - 2)


def mask_ids_in(text: str) -> str:
    """The text with every 18-character ID in it masked (messages quote other records' IDs)."""
    return _ID_IN_TEXT.sub(lambda m: mask_id(m.group(0)), text or "")


def six_figures(counts: Iterable[tuple[int, int]]) -> tuple[int, ...]:
    """The six 本年累计 figures of Annex 1 from (indicator bits, records) pairs."""
    by = [0] * len(_COUNTED)
    for bits, n in counts:
        for i, ind in enumerate(_COUNTED):
            if bits & ind:
                by[i] += n
    # 附件1 填表说明（三）: 2栏=4栏-6栏
    return (by[0] - by[1], *by)


def _year_start(day: dt.date) -> str:
    return dt.date(day.year, 1, 1).isoformat()


def cumulative_ignoring_removals(session: Session, day: dt.date) -> tuple[int, ...]:
    """The six 本年累计 figures at ``day`` as if no record had ever been removed.

    Records of ``day``'s year registered on or before it, in an area of the
    unit, counted in the Annex 1 indicators regardless of any removal.
    """
    rows = report_queries.indicator_counts(session.db.conn, _year_start(day), day.isoformat())
    return six_figures((bits, total) for bits, total, _ in rows)


def removed_at(session: Session, day: dt.date) -> tuple[int, ...]:
    """The six figures of the records of ``day``'s year removed on or before ``day``."""
    rows = report_queries.indicator_counts(session.db.conn, _year_start(day), day.isoformat())
    return six_figures((bits, removed) for bits, _, removed in rows)


def cumulative_at(session: Session, day: dt.date) -> tuple[int, ...]:
    """The six 本年累计 figures at ``day`` as the weekly table counts them (removals applied)."""
    rows = ledger.weekly_counts(session.db.conn, _year_start(day), None, day.isoformat())
    return six_figures((bits, at_end) for _area, bits, at_end, _prev in rows)


def report_period(session: Session, report_date: dt.date) -> tuple[dt.date, dt.date]:
    """(first, last day) the report covers: 1 January to the report date of its year.

    A report written after the year of the ledger's latest records (e.g. in
    January for the year before) covers that year to 31 December.
    """
    conn = session.db.conn
    year = report_date.year
    if report_queries.record_total(conn, _year_start(report_date), report_date.isoformat())[0] == 0:
        latest = report_queries.latest_record_year(conn, report_date.isoformat())
        if latest is not None and latest < year:
            return dt.date(latest, 1, 1), dt.date(latest, 12, 31)
    return dt.date(year, 1, 1), report_date


@dataclass(frozen=True, slots=True)
class RemovedRow:
    """One removed record as the report lists it (ID already masked)."""

    name: str
    masked_id: str
    area: str
    record_type: str
    event_date: str
    reason: str  # 重复 / 无效 / 不完整
    removed_on: str
    message: str
    note: str


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """A possible duplicate left for review (ID masked, IDs in the message masked)."""

    name: str
    masked_id: str
    area: str
    message: str


@dataclass(frozen=True, slots=True)
class OpenRow:
    """A duplicate, invalid or incomplete finding not yet removed (ID masked)."""

    name: str
    masked_id: str
    area: str
    kind: str  # duplicate / invalid / incomplete
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class SelfCheckData:
    """Everything the self-check report shows."""

    unit: Unit
    report_date: dt.date
    period_start: dt.date
    period_end: dt.date
    area_count: int  # rows of the weekly table: 本级 and subordinate areas
    records: int  # records registered in the period (removed ones included)
    before: tuple[int, ...]
    removed: tuple[int, ...]
    after: tuple[int, ...]
    by_area: list[tuple[str, dict[str, int]]]  # area → reason (duplicate…) → count
    removed_rows: list[RemovedRow]
    review: list[ReviewRow]
    removal_weeks: list[tuple[dt.date, str]]  # removal date, label of its week
    contact: str
    contact_phone: str
    notes: list[str] = field(default_factory=list)  # distinct removal notes
    #: Open duplicate / invalid / incomplete findings, one row per record (its first kind).
    open_rows: list[OpenRow] = field(default_factory=list)
    warnings_open: int = 0  # records with an open warning (possible duplicates included)
    warnings_checked: int = 0  # warnings dismissed as checked (已核实)

    def open_by_kind(self) -> dict[str, int]:
        out = dict.fromkeys(REASON_ORDER, 0)
        for r in self.open_rows:
            out[r.kind] += 1
        return out

    def open_by_area(self) -> list[tuple[str, dict[str, int]]]:
        """Open records per area and kind, areas in the order they first appear."""
        out: dict[str, dict[str, int]] = {}
        for r in self.open_rows:
            counts = out.setdefault(r.area or UNKNOWN_AREA, dict.fromkeys(REASON_ORDER, 0))
            counts[r.kind] += 1
        return list(out.items())

    @property
    def removed_total(self) -> int:
        return len(self.removed_rows)

    def by_reason(self) -> dict[str, int]:
        """Removed records per reason (duplicate, invalid, incomplete)."""
        out = dict.fromkeys(REASON_ORDER, 0)
        for _area, counts in self.by_area:
            for reason, n in counts.items():
                out[reason] = out.get(reason, 0) + n
        return out


def _review_rows(result: CheckResult) -> list[ReviewRow]:
    rows: list[ReviewRow] = []
    for f in result.findings:
        if f.kind == FindingKind.WARNING.value and POSSIBLE_DUPLICATE_MARK in f.message:
            rows.append(_review_row(f))
    return rows


def _open_rows(result: CheckResult, in_period: set[int]) -> list[OpenRow]:
    """One row per record with an open duplicate, invalid or incomplete finding (the first
    of those kinds), its messages of that kind joined."""
    by_record: dict[int, list[CheckFinding]] = {}
    for f in result.findings:
        if f.kind in REASON_ORDER and f.record in in_period:
            by_record.setdefault(f.record, []).append(f)
    rows = []
    for fs in by_record.values():
        kind = min((f.kind for f in fs), key=REASON_ORDER.index)
        same = [f for f in fs if f.kind == kind]
        first = same[0]
        rows.append(
            OpenRow(
                first.name,
                mask_id(first.id_number),
                first.area or UNKNOWN_AREA,
                kind,
                "、".join(dict.fromkeys(f.field for f in same)),
                mask_ids_in("；".join(f.message for f in same)),
            )
        )
    rows.sort(key=lambda r: (REASON_ORDER.index(r.kind), r.area))
    return rows


def last_removal_day(session: Session, year: int) -> dt.date | None:
    """The date of the year's last removal (the window offers it as the report's date
    beside today: the report then describes the ledger as the removals left it)."""
    last = report_queries.last_removal_date(session.db.conn, year)
    return dt.date.fromisoformat(last) if last else None


def _review_row(f: CheckFinding) -> ReviewRow:
    return ReviewRow(f.name, mask_id(f.id_number), f.area, mask_ids_in(f.message))


def gather(
    session: Session, report_date: dt.date | None = None, *, check: CheckResult | None = None
) -> SelfCheckData:
    """The content of the self-check report at a date (default today).

    Args:
        session: the open ledger.
        report_date: the date on the report; the period runs from 1 January of
            its year to it (see :func:`report_period`).
        check: a self-check already run, to avoid running it again.
    """
    report_date = report_date or dt.date.today()
    start, end = report_period(session, report_date)
    conn = session.db.conn
    records, _removed = report_queries.record_total(conn, start.isoformat(), end.isoformat())
    raw = report_queries.removed_records(conn, start.isoformat(), end.isoformat())
    areas = ledger.list_areas(conn)
    by_area: dict[str, dict[str, int]] = {a.name: dict.fromkeys(REASON_ORDER, 0) for _, a in areas}
    removed_rows: list[RemovedRow] = []
    dates: set[str] = set()
    notes: dict[str, None] = {}
    for r in raw:
        area = r["area"] if r["area_id"] is not None else UNKNOWN_AREA
        counts = by_area.setdefault(area, dict.fromkeys(REASON_ORDER, 0))
        counts[r["reason"]] = counts.get(r["reason"], 0) + 1
        dates.add(r["removed_on"])
        if r["note"]:
            notes.setdefault(r["note"], None)
        removed_rows.append(
            RemovedRow(
                name=r["name"] or "",
                masked_id=mask_id(r["id_number"] or ""),
                area=(r["area"] or "") if r["area_id"] is not None else (r["area"] or UNKNOWN_AREA),
                record_type=r["record_type"] or "",
                event_date=r["event_date"] or "",
                reason=kind_name(r["reason"]),
                removed_on=r["removed_on"],
                message=mask_ids_in(r["message"]),
                note=r["note"],
            )
        )
    weeks: list[tuple[dt.date, str]] = []
    for text in sorted(dates):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            continue
        weeks.append((day, week_of(day).label))
    result = check if check is not None else run_check(session)
    in_period = report_queries.records_in_period(conn, start.isoformat(), end.isoformat())
    warned = {f.record for f in result.findings if f.kind == FindingKind.WARNING.value}
    profile = session.profile()
    return SelfCheckData(
        unit=session.unit,
        report_date=report_date,
        period_start=start,
        period_end=end,
        area_count=len(areas),
        records=records,
        before=cumulative_ignoring_removals(session, end),
        removed=removed_at(session, end),
        after=cumulative_at(session, end),
        by_area=[(name, counts) for name, counts in by_area.items()],
        removed_rows=removed_rows,
        review=_review_rows(result),
        removal_weeks=weeks,
        contact=profile.get("contact", ""),
        contact_phone=profile.get("contact_phone", ""),
        notes=list(notes),
        open_rows=_open_rows(result, in_period),
        warnings_open=len(warned & in_period),
        warnings_checked=sum(1 for f, _ in result.dismissed if f.record in in_period),
    )


INDICATORS = INDICATOR_NAMES
