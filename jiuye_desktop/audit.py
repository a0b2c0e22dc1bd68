"""The audit rehearsal's part of the self-check (domain.md §8), in one call.

The self-check adds these warnings to its findings: the possible duplicates and
made-up phones of :mod:`.fuzzy`, and the records that a telephone sample did
not confirm (:mod:`.phone_sample`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from . import fuzzy, phone_sample
from .service import Session
from .storage import ledger

#: The label of the telephone-sample rule beside fuzzy's.
RULE_LABELS = {**fuzzy.RULE_LABELS, "sample": "电话抽查未确认"}
SAMPLE_KEY_WORD = "电话抽查未确认"


def findings(conn: Any) -> list[fuzzy.Suspect]:
    """Every audit warning of the records not removed, by record."""
    out = fuzzy.find(conn)
    sample_flags = phone_sample.flags(conn)
    brief = ledger.record_brief(conn, [f.record for f in sample_flags])
    for f in sample_flags:
        me = brief[f.record]
        out.append(
            fuzzy.Suspect(
                f.record,
                "sample",
                "联系电话",
                f.message,
                (),
                f.key,
                me["source_row"],
                me["name"] or "",
                me["id_number"] or "",
                me["area"] or "",
            )
        )
    out.sort(key=lambda s: (s.record, s.rule, s.key))
    return out


# --- Pairs side by side (the self-check screen) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Side:
    """One record of a pair as the clerk finds it."""

    record: int
    name: str
    id_number: str
    area: str
    source_row: int | None


@dataclass(frozen=True, slots=True)
class Pair:
    """One possible duplicate shown once: the two records side by side (``right`` is None for a
    finding about one record), ``more`` other records of the same group not shown."""

    rule: str
    label: str
    left: Side
    right: Side | None
    more: int
    message: str
    #: (record, finding key) of every finding the pair stands for: dismissing the pair
    #: dismisses each of them (both sides of a homophone pair, every holder of a phone).
    findings: tuple[tuple[int, str], ...] = ()


def pairs(session: Session, findings: Iterable[Any]) -> list[Pair]:
    """The audit warnings among ``findings`` (``CheckFinding``) as pairs, each pair once.

    A pair of the name and ID rules appears once whatever side it was found from;
    a phone shared by several people once per phone (the first two side by side,
    the others counted); a made-up phone or a telephone outcome alone. Each pair
    lists the findings it stands for (``Pair.findings``), to dismiss them together.
    """
    chosen = [f for f in findings if getattr(f, "audit", "")]
    ids = {f.record for f in chosen} | {o for f in chosen for o in f.others}
    brief = ledger.record_brief(session.db.conn, sorted(ids))

    def side(record: int) -> Side:
        b = brief.get(record, {})
        return Side(
            record,
            b.get("name") or "",
            b.get("id_number") or "",
            b.get("area") or "",
            b.get("source_row"),
        )

    by_pair: dict[tuple[str, Any], list[Any]] = {}
    for f in chosen:
        if f.audit in ("same_name", "homophone", "near_id"):
            other = f.others[0] if f.others else 0
            group: tuple[str, Any] = (f.audit, tuple(sorted((f.record, other))))
        elif f.audit == "shared_phone":
            group = (f.audit, f.rule)
        else:
            group = (f.audit, (f.record, f.rule))
        by_pair.setdefault(group, []).append(f)
    out: list[Pair] = []
    for (rule, _ident), members in by_pair.items():
        f = members[0]
        label = RULE_LABELS.get(rule, rule)
        keys = tuple(sorted({(m.record, m.rule) for m in members}))
        if rule == "shared_phone":
            people = sorted({f.record, *f.others})
            right = side(people[1]) if len(people) > 1 else None
            out.append(
                Pair(rule, label, side(people[0]), right, max(0, len(people) - 2), f.message, keys)
            )
        elif rule in ("same_name", "homophone", "near_id") and f.others:
            out.append(Pair(rule, label, side(f.record), side(f.others[0]), 0, f.message, keys))
        else:
            out.append(Pair(rule, label, side(f.record), None, 0, f.message, keys))
    order = list(RULE_LABELS)
    out.sort(key=lambda p: (order.index(p.rule) if p.rule in order else 99, p.left.record))
    return out


def dismiss_pair(session: Session, pair: Pair, reason: str, result: Any) -> int:
    """Mark every finding of a pair as checked (已核实, domain.md §5.3); returns how many.

    Raises:
        dismissals.DismissError: no reason, or a finding no longer open; nothing is stored
            for that finding (the ones before it stay dismissed).
    """
    from .dismissals import dismiss

    done = 0
    for record, key in pair.findings:
        done += len(dismiss(session, record, key, reason, result=result))
    return done
