"""The audit rehearsal's part of the self-check (domain.md §8), in one call.

The self-check adds these warnings to its findings: the possible duplicates and
made-up phones of :mod:`.fuzzy`, and the records that a telephone sample did
not confirm (:mod:`.phone_sample`).
"""

from __future__ import annotations

from typing import Any

from . import fuzzy, phone_sample
from .storage import ledger

#: The label of the telephone-sample rule beside fuzzy's.
RULE_LABELS = {**fuzzy.RULE_LABELS, "sample": "电话抽查未确认"}


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
