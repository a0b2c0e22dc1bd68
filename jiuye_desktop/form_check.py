"""What the self-check will say of a record about to be saved from the form (issue 12, item 3).

The record's own findings (``Session.judge``) plus the duplicate the ledger
already makes of it: another record of the same person, not removed, in the
same duplicate class (one 新就业 and one 去产能安置 a year, one 自然减员 ever;
domain.md §5.3). The form lists them in one confirmation before saving.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import browse
from .domain import Finding, FindingKind, Record
from .records import dup_key
from .service import Session


def form_findings(
    session: Session, values: Mapping[str, str], editing: int | None = None
) -> list[Finding]:
    """Findings of the values as the self-check will report them, duplicates first."""
    record, own = session.judge(dict(values))
    return duplicate_findings(session, record, editing) + own


def duplicate_findings(session: Session, record: Record, editing: int | None) -> list[Finding]:
    mine = dup_key(record)
    if mine is None or not record.id_number or not record.registered_on:
        return []
    year = int(record.registered_on[:4])
    out = []
    for other in browse.person_records(session, record.id_number, year):
        if other.id == editing or other.removed:
            continue
        theirs = dup_key(Record(record_type=other.record_type, registered_on=other.registered_on))
        if theirs != mine:
            continue
        what = f"{year}年已登记{record.record_type}" if mine != "A" else "已登记自然减员"
        out.append(
            Finding(
                FindingKind.DUPLICATE,
                "公民身份号码",
                f"与记录 #{other.id}（{other.name}，{other.area}，{other.record_type}"
                f"{other.event_date}）重复：同一人{what}",
                keeps=other.id,
            )
        )
    return out
