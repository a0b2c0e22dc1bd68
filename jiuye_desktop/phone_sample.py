"""The telephone sample (电话抽查) of the audit rehearsal (domain.md §8).

For a date, a random sample of the records the weekly table counts then in
chosen indicators (default 失业人员再就业, 就业困难人员, 去产能职工安置), a share
or a number per area, at least one in every area that has such records.

Reproducible from the seed, whatever the order of rows in the database: each
record's rank is a keyed hash (BLAKE2b, the seed as key) of what the record
says — its ID, type, 登记日期, 就业日期 and name — and each area takes its
lowest ranks. The same seed on the same ledger draws the same records; a
city's ledger draws, for a county's records, what the county's own draws.

Outcomes (``OUTCOMES``) are recorded per sampled record. 已就业（属实） and
自愿放弃就业 confirm the record (the notice counts voluntary quitting as
employed); 空号或停机 and 无人接听 mean the person was not reached; the other
outcomes are reached but not confirmed. Every outcome other than a
confirmation flags the record in the self-check (a warning naming the
outcome), never removes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .domain import COUNTED_INDICATORS, INDICATOR_NAMES, Indicator
from .service import Session
from .storage import sample_sql

OUTCOMES = (
    "已就业（属实）",
    "未就业",
    "自愿放弃就业",
    "空号或停机",
    "无人接听",
    "拒访",
    "信息不符",
)
CONFIRMED = frozenset({"已就业（属实）", "自愿放弃就业"})
NOT_REACHED = frozenset({"空号或停机", "无人接听"})
#: Other ways a clerk writes an outcome.
_OUTCOME_ALIASES = {
    "属实": "已就业（属实）",
    "已就业": "已就业（属实）",
    "已就业(属实)": "已就业（属实）",
    "自愿放弃": "自愿放弃就业",
    "空号": "空号或停机",
    "停机": "空号或停机",
    "空号/停机": "空号或停机",
    "无人接": "无人接听",
}

#: Indicator names as in the weekly table (domain.md §4), by bit; 自然减员 is not phoned.
INDICATOR_BY_NAME: dict[str, Indicator] = {
    name: ind
    for name, ind in zip(INDICATOR_NAMES[1:], COUNTED_INDICATORS, strict=True)
    if ind != Indicator.ATTRITION
}
DEFAULT_INDICATORS = (Indicator.REEMPLOYED, Indicator.HARDSHIP, Indicator.OVERCAPACITY)
_NAME_OF = {ind: name for name, ind in INDICATOR_BY_NAME.items()}


class SampleError(ValueError):
    """The sample cannot be drawn or the outcome recorded as asked (Chinese message)."""


def indicator_of(text: str) -> Indicator:
    """An indicator from its name in the table, with or without 人数/就业人数 (失业人员再就业)."""
    t = "".join(text.split())
    for name, ind in INDICATOR_BY_NAME.items():
        if t in (name, name.removesuffix("人数"), name.removesuffix("就业人数")):
            return ind
    if t in ("就业困难人员", "困难人员就业"):
        return Indicator.HARDSHIP
    if t in ("去产能", "去产能职工安置", "去产能安置"):
        return Indicator.OVERCAPACITY
    raise SampleError(f"指标“{text}”不对，应为：{'、'.join(INDICATOR_BY_NAME)}")


def indicator_names(bits: int) -> list[str]:
    """The names of the indicators in ``bits``, in table order."""
    return [name for name, ind in INDICATOR_BY_NAME.items() if bits & ind]


def outcome_of(text: str) -> str:
    """An outcome from its text (or a short form, or its key 1–7)."""
    t = "".join(text.split())
    if t in OUTCOMES:
        return t
    if t.isdigit() and 1 <= int(t) <= len(OUTCOMES):
        return OUTCOMES[int(t) - 1]
    t = t.replace("(", "（").replace(")", "）")
    if t in OUTCOMES:
        return t
    if t in _OUTCOME_ALIASES:
        return _OUTCOME_ALIASES[t]
    raise SampleError(f"抽查结果“{text}”不对，应为：{'、'.join(OUTCOMES)}")


def rank(seed: int, record_key: str) -> bytes:
    """A record's place in the draw: the keyed hash of what it says."""
    key = str(seed).encode()[:64]
    return hashlib.blake2b(record_key.encode(), digest_size=8, key=key).digest()


def record_key(id_text: str, record_type: str, registered: str, event: str, name: str) -> str:
    """What a record says that identifies it across ledgers (no database id)."""
    return "\x1f".join((id_text or "", record_type or "", registered or "", event or "", name))


def per_area_count(size: int, *, share: float | None, per_area: int | None) -> int:
    """How many records an area of ``size`` gives: the share rounded up, or the number,
    at least one when the area has any, never more than it has."""
    if size <= 0:
        return 0
    if share is not None:
        wanted = math.ceil(size * share - 1e-9)
    else:
        wanted = per_area or 0
    return min(size, max(1, wanted))


@dataclass(frozen=True, slots=True)
class SampleItem:
    record: int
    area_code: str  # the area's code, or its name when it has none
    area_name: str
    position: int
    indicators: tuple[str, ...]
    name: str
    id_number: str
    phone: str
    record_type: str
    event_date: str
    employer: str
    outcome: str
    note: str
    source_row: int | None = None


@dataclass(frozen=True, slots=True)
class Sample:
    id: int
    on_date: dt.date
    seed: int
    indicators: tuple[str, ...]
    mode: str  # share | per_area
    amount: float
    population: int
    created_at: str
    operator: str
    items: tuple[SampleItem, ...] = field(default=())

    @property
    def how_many(self) -> str:
        """The rule of the draw in words."""
        if self.mode == "share":
            return f"按比例 {self.amount * 100:g}%（每个有记录的地区至少1人）"
        return f"每个地区 {int(self.amount)} 人（不足的全部抽取）"

    def areas(self) -> list[tuple[str, str, list[SampleItem]]]:
        """(code, name, items) per area in the weekly table's order."""
        out: dict[str, tuple[str, str, list[SampleItem]]] = {}
        for item in self.items:
            out.setdefault(item.area_code, (item.area_code, item.area_name, []))[2].append(item)
        return list(out.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "sample": self.id,
            "seed": self.seed,
            "date": self.on_date.isoformat(),
            "indicators": list(self.indicators),
            "population": self.population,
            "records": [
                {
                    "record": i.record,
                    "area": i.area_code,
                    "indicator": "、".join(i.indicators),
                    "position": i.position,
                }
                for i in self.items
            ],
        }


def draw(
    session: Session,
    on_date: dt.date,
    *,
    seed: int,
    indicators: Sequence[Indicator] = DEFAULT_INDICATORS,
    share: float | None = None,
    per_area: int | None = None,
) -> Sample:
    """Draw and store a telephone sample; returns it with its items.

    Raises:
        SampleError: neither or both of ``share`` and ``per_area``, a share outside
            (0, 1], a number below 1, no indicator, or no record to draw from.
    """
    if (share is None) == (per_area is None):
        raise SampleError("请给出抽查比例或每个地区的人数（二选一）")
    if share is not None and not 0 < share <= 1:
        raise SampleError(f"抽查比例 {share:g} 不对，应大于0且不超过1（例如 0.05 表示5%）")
    if per_area is not None and per_area < 1:
        raise SampleError(f"每个地区的人数 {per_area} 不对，至少为1")
    if not indicators:
        raise SampleError("请至少选择一个指标")
    if not -(2**63) <= seed < 2**63:
        raise SampleError("随机种子超出范围")
    bits = 0
    for chosen in indicators:
        bits |= int(chosen)
    conn = session.db.conn
    rows = sample_sql.population(
        conn, dt.date(on_date.year, 1, 1).isoformat(), on_date.isoformat(), bits
    )
    if not rows:
        names = "、".join(indicator_names(bits))
        raise SampleError(f"{on_date.isoformat()} 时没有计入{names}的记录，无从抽查")
    by_area: dict[int, list[tuple[bytes, int, int]]] = {}
    for rid, area_id, ind, id_text, rtype, registered, event, name in rows:
        r = rank(seed, record_key(id_text, rtype, registered, event or "", name))
        by_area.setdefault(area_id, []).append((r, rid, ind & bits))
    items: list[tuple[int, int, int, int]] = []
    for area_id, members in by_area.items():
        members.sort()
        n = per_area_count(len(members), share=share, per_area=per_area)
        for pos, (_r, rid, ind) in enumerate(members[:n], start=1):
            items.append((rid, area_id, pos, ind))
    mode = "share" if share is not None else "per_area"
    amount = float(share if share is not None else per_area or 0)
    with session.db.transaction() as tx:
        sample_id = sample_sql.add_sample(
            tx,
            on_date=on_date.isoformat(),
            seed=seed,
            indicators=bits,
            mode=mode,
            amount=amount,
            population=len(rows),
            operator=session.operator,
            items=items,
        )
    return get_sample(session, sample_id)


def default_date(session: Session, today: dt.date | None = None) -> dt.date:
    """The date a new sample is drawn for by default: today, or the last day with a
    registration when the ledger holds nothing of this year (a past year's ledger)."""
    today = today or dt.date.today()
    latest = sample_sql.latest_registration(session.db.conn, today.isoformat())
    if latest and latest[:4] != str(today.year):
        try:
            return dt.date.fromisoformat(latest)
        except ValueError:
            return today
    return today


def get_sample(session: Session, sample_id: int) -> Sample:
    """A stored sample with its items; SampleError when there is none with that number."""
    conn = session.db.conn
    info = next((s for s in sample_sql.samples(conn) if s["id"] == sample_id), None)
    if info is None:
        raise SampleError(f"没有编号为 {sample_id} 的电话抽查")
    items = tuple(
        SampleItem(
            record=i["record"],
            area_code=i["area_code"] or i["area_name"] or "",
            area_name=i["area_name"] or "",
            position=i["position"],
            indicators=tuple(indicator_names(i["indicators"])),
            name=i["name"] or "",
            id_number=i["id_number"] or "",
            phone=i["phone"] or "",
            record_type=i["record_type"] or "",
            event_date=i["event_date"] or "",
            employer=i["employer"] or "",
            outcome=i["outcome"] or "",
            note=i["note"] or "",
            source_row=i["source_row"],
        )
        for i in sample_sql.sample_items(conn, sample_id)
    )
    return _sample(info, items)


def _sample(info: dict[str, Any], items: tuple[SampleItem, ...] = ()) -> Sample:
    return Sample(
        id=info["id"],
        on_date=dt.date.fromisoformat(info["on_date"]),
        seed=info["seed"],
        indicators=tuple(indicator_names(info["indicators"])),
        mode=info["mode"],
        amount=info["amount"],
        population=info["population"],
        created_at=info["created_at"],
        operator=info["operator"] or "",
        items=items,
    )


@dataclass(frozen=True, slots=True)
class SampleInfo:
    """A stored sample in the list: its draw and how far its calls are."""

    sample: Sample
    sampled: int
    recorded: int


def list_samples(session: Session) -> list[SampleInfo]:
    """The stored samples, newest first."""
    return [
        SampleInfo(_sample(s), s["sampled"], s["recorded"])
        for s in sample_sql.samples(session.db.conn)
    ]


def record_outcome(
    session: Session, sample_id: int, record_id: int, outcome: str | None, note: str = ""
) -> None:
    """Record the outcome of one call (None clears it).

    Raises:
        SampleError: no such sample, the record is not in it, or an unknown outcome.
    """
    value = outcome_of(outcome) if outcome else None
    get_sample_info(session, sample_id)
    with session.db.transaction() as tx:
        if not sample_sql.set_outcome(
            tx, sample_id, record_id, value, note.strip(), session.operator
        ):
            raise SampleError(f"记录 {record_id} 不在第 {sample_id} 号电话抽查中")


def get_sample_info(session: Session, sample_id: int) -> Sample:
    info = next((s for s in sample_sql.samples(session.db.conn) if s["id"] == sample_id), None)
    if info is None:
        raise SampleError(f"没有编号为 {sample_id} 的电话抽查")
    return _sample(info)


@dataclass(frozen=True, slots=True)
class SummaryRow:
    area: str  # code, or name when the area has none; "total" for the total
    name: str
    sampled: int
    reached: int
    confirmed: int
    not_confirmed: int
    not_reached: int
    pending: int

    @property
    def share(self) -> float | None:
        """Confirmed share of those reached (None when nobody was reached)."""
        return round(self.confirmed / self.reached, 4) if self.reached else None

    def as_json(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "name": self.name,
            "sampled": self.sampled,
            "reached": self.reached,
            "confirmed": self.confirmed,
            "not_confirmed": self.not_confirmed,
            "share": self.share,
            "not_reached": self.not_reached,
            "pending": self.pending,
        }


def summarise(items: Iterable[SampleItem], area: str, name: str) -> SummaryRow:
    sampled = reached = confirmed = not_reached = pending = 0
    for i in items:
        sampled += 1
        if not i.outcome:
            pending += 1
        elif i.outcome in NOT_REACHED:
            not_reached += 1
        else:
            reached += 1
            confirmed += i.outcome in CONFIRMED
    return SummaryRow(
        area, name, sampled, reached, confirmed, reached - confirmed, not_reached, pending
    )


@dataclass(frozen=True, slots=True)
class Summary:
    sample: Sample
    rows: tuple[SummaryRow, ...]
    total: SummaryRow

    def as_json(self) -> dict[str, Any]:
        return {
            "sample": self.sample.id,
            "seed": self.sample.seed,
            "date": self.sample.on_date.isoformat(),
            "rows": [r.as_json() for r in self.rows],
            "total": self.total.as_json(),
        }


def summary(session: Session, sample_id: int) -> Summary:
    """The result per area (weekly table order) and in total."""
    sample = get_sample(session, sample_id)
    rows = tuple(summarise(items, code, name) for code, name, items in sample.areas())
    return Summary(sample, rows, summarise(sample.items, "total", "合计"))


@dataclass(frozen=True, slots=True)
class Flag:
    """A record whose latest telephone outcome does not confirm it (a self-check warning)."""

    record: int
    message: str
    key: str


def flags(conn: Any) -> list[Flag]:
    """The records not removed whose latest recorded outcome is not a confirmation."""
    out = []
    for rid, sample_id, on_date, seed, outcome, note in sample_sql.latest_outcomes(conn):
        if outcome in CONFIRMED:
            continue
        extra = f"（{note}）" if note else ""
        out.append(
            Flag(
                rid,
                f"电话抽查（第 {sample_id} 号，{on_date}，种子 {seed}）结果：{outcome}{extra}，"
                "未能确认已就业，请核实",
                f"电话抽查未确认:{on_date}:{seed}",
            )
        )
    return out
