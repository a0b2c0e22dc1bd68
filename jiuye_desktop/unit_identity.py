"""The reporting unit's identity: checked when it is created, changed only through a
guarded path (domain.md §2).

A new unit's code must be one of the shipped division list (any year), or be
confirmed explicitly (``--unknown-code``, the setup dialog's second question);
its level is inferred from a known code when not given; a name that a
spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@`` first) is
refused. Changing the code, name or level later needs a reason, is kept in
``unit_history``, and the caller is told that packages already sent carry the
old identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import divisions
from .domain import LEVEL_NAMES, Level, Unit
from .service import Session, SetupError
from .storage import unit_sql

#: Division kinds of the shipped table → the unit's level.
_KIND_LEVEL = {"province": Level.PROVINCE, "city": Level.CITY, "county": Level.COUNTY}
FORMULA_STARTS = ("=", "+", "-", "@")
#: What the clerk is told after a change (packages already sent are not rewritten).
SENT_NOTE = (
    "已发出的上报文件仍带原来的单位代码、名称和级别；上级合并时以新文件为准，必要时请告知上级"
)


def known_level(code: str) -> Level | None:
    """The level of a code of the shipped division list (any year), or None when unknown."""
    division = divisions.lookup(code)
    return _KIND_LEVEL.get(division.kind) if division else None


def check_name(name: str) -> str:
    """The unit's name, stripped; refused when empty or formula-like."""
    text = name.strip()
    if not text:
        raise SetupError("单位名称不能为空")
    if text.startswith(FORMULA_STARTS):
        raise SetupError(f"单位名称“{text}”以“{text[0]}”开头，在Excel中会被当作公式，请改正")
    if len(text) > 40:
        raise SetupError(f"单位名称不能超过40个字（现为{len(text)}个字）")
    return text


def check_code(code: str, *, unknown_code: bool) -> Level | None:
    """The level a known code implies; an unknown code is refused unless confirmed."""
    if not (code.isdigit() and len(code) == 6):
        raise SetupError(f"单位代码“{code}”应为6位数字（GB/T 2260）")
    level = known_level(code)
    if level is None and not unknown_code:
        raise SetupError(
            f"单位代码“{code}”不在本程序附带的行政区划代码表中（任何年份都没有），"
            "可能输错了；确认无误请加 --unknown-code（窗口中再确认一次）"
        )
    return level


def check_new_unit(
    code: str, name: str, level: Level | None, *, unknown_code: bool = False
) -> tuple[str, str, Level]:
    """(code, name, level) of a unit about to be created; level inferred when None."""
    code = code.strip()
    implied = check_code(code, unknown_code=unknown_code)
    name = check_name(name)
    level = level or implied
    if level is None:
        raise SetupError(f"单位代码“{code}”不在代码表中，无法推断级别，请用 --level 指定")
    return code, name, level


@dataclass(frozen=True, slots=True)
class IdentityChange:
    field: str  # code | name | level
    old: str
    new: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "old": self.old, "new": self.new}


FIELD_NAMES = {"code": "单位代码", "name": "单位名称", "level": "级别"}


def change_identity(
    session: Session,
    *,
    code: str | None = None,
    name: str | None = None,
    level: Level | None = None,
    reason: str,
    unknown_code: bool = False,
) -> list[IdentityChange]:
    """Change the unit's code, name or level; returns what changed (empty: nothing).

    Raises:
        SetupError: no reason, a bad or unknown (unconfirmed) code, a bad name,
            or the new code equals one of the unit's subordinate areas.
    """
    why = " ".join(reason.split())
    if not why:
        raise SetupError("修改本单位的代码、名称或级别须填写原因")
    unit = session.unit
    new_code = unit.code if code is None else code.strip()
    if new_code != unit.code:
        check_code(new_code, unknown_code=unknown_code)
    new_name = unit.name if name is None else check_name(name)
    new_level = level or unit.level
    changes = [
        IdentityChange(f, old, new)
        for f, old, new in (
            ("code", unit.code, new_code),
            ("name", unit.name, new_name),
            ("level", unit.level.value, new_level.value),
        )
        if old != new
    ]
    if not changes:
        return []
    with session.db.transaction() as tx:
        if new_code != unit.code and unit_sql.area_code_used(tx, new_code):
            raise SetupError(f"代码{new_code}已是本单位一个下属地区的代码")
        unit_sql.set_identity(tx, Unit(new_code, new_name, new_level))
        unit_sql.add_history(tx, [(c.field, c.old, c.new) for c in changes], why, session.operator)
    return changes


def history(session: Session) -> list[dict[str, Any]]:
    """The unit's identity changes, oldest first."""
    return unit_sql.history(session.db.conn)


def describe(change: IdentityChange) -> str:
    if change.field == "level":
        old, new = LEVEL_NAMES[Level(change.old)], LEVEL_NAMES[Level(change.new)]
    else:
        old, new = change.old, change.new
    return f"{FIELD_NAMES[change.field]}：{old} → {new}"
