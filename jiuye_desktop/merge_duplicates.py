"""Duplicates across areas after a merge: one person registered twice in one duplicate
class, in two areas or units (domain.md §5.3), named with both sides.

The self-check finds these too (it runs on every record); this names both
sides, for the city's (and the province's) view of what no county could see alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .domain import RecordType
from .service import Session
from .storage import ledger


@dataclass(frozen=True, slots=True)
class DuplicateSide:
    record: int
    area: str
    source_row: int | None
    origin_unit: str | None

    @property
    def where(self) -> str:
        row = f"第 {self.source_row} 行" if self.source_row else f"记录 #{self.record}"
        return f"{self.area}{row}"


@dataclass(frozen=True, slots=True)
class CrossDuplicate:
    """One person registered twice in one duplicate class, in two areas (domain.md §5.3)."""

    name: str
    id_number: str
    record_type: str
    kept: DuplicateSide
    duplicate: DuplicateSide

    @property
    def message(self) -> str:
        what = {
            RecordType.NEW.value: "新就业",
            RecordType.PLACEMENT.value: "去产能安置",
            RecordType.ATTRITION.value: "自然减员",
        }.get(self.record_type, self.record_type)
        return (
            f"{self.name}（{self.id_number}）在{self.kept.where}和{self.duplicate.where}"
            f"都登记了{what}：保留{self.kept.where}，{self.duplicate.where}为重复"
        )

    def as_json(self) -> dict[str, Any]:
        def side(s: DuplicateSide) -> dict[str, Any]:
            return {
                "record": s.record,
                "area": s.area,
                "source_row": s.source_row,
                "origin_unit": s.origin_unit,
            }

        return {
            "name": self.name,
            "id_number": self.id_number,
            "record_type": self.record_type,
            "kept": side(self.kept),
            "duplicate": side(self.duplicate),
            "message": self.message,
        }


def cross_area_duplicates(session: Session) -> list[CrossDuplicate]:
    """Duplicates (domain.md §5.3) whose two records lie in different areas or units.

    The self-check finds them too (it runs on every record); this names both
    sides, for the city's view of what no county could see alone.
    """
    conn = session.db.conn
    losers = ledger.duplicate_losers(conn)
    if not losers:
        return []
    brief = ledger.record_brief(conn, sorted({i for pair in losers for i in pair}))
    out: list[CrossDuplicate] = []
    for loser, keeper in losers:
        me, kept = brief[loser], brief[keeper]
        if me["area_id"] == kept["area_id"] and me["origin_unit"] == kept["origin_unit"]:
            continue
        out.append(
            CrossDuplicate(
                me["name"],
                me["id_number"],
                me["record_type"],
                _side(keeper, kept),
                _side(loser, me),
            )
        )
    return out


def _side(record_id: int, brief: dict[str, Any]) -> DuplicateSide:
    return DuplicateSide(
        record_id, str(brief["area"] or ""), brief["source_row"], brief["origin_unit"]
    )
