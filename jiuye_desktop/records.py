"""The one record path: from values as written (a workbook row, a form, a package row, the
demo) to the row the ledger stores.

``normalize`` reads the cells (by ``domain.FIELDS``); ``derive`` computes what the
database keeps beside the record (indicator bits, duplicate class, findings of the
record on its own); ``prepared_row`` adds the area id and gives the stored row
(``ledger.RowAndFindings``: plain tuples). One chain for every caller: the import,
the demo and the merge store such rows in bulk (``ledger.insert_rows``), the form
stores, replaces or re-links one (``insert_rows``, ``update_record``,
``relink_record``); ``row_findings`` gives the form its findings back. All pure: the
context carries what they need of the unit.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .domain import (
    FIELDS,
    NO,
    YES,
    Area,
    FieldKind,
    Finding,
    FindingKind,
    Record,
    RecordType,
    Unit,
    template_text,
)
from .storage import ledger
from .validation import (
    id_text_from_number,
    indicator_bits,
    normalize_phone,
    normalize_yes_no,
    parse_date,
    read_id,
    record_findings,
    strip_invisible,
)

#: Units with a 去产能职工安置 task (domain.md §6, 附件2), by code.
OVERCAPACITY_TASK_UNITS = frozenset(
    {
        "410100",
        "411000",
        "411200",
        "410400",
        "410300",
        "410800",
        "410600",
        "419001",
        "410181",
        "410482",
    }
)


def has_overcapacity_task(unit_code: str) -> bool:
    """A unit has a task when it, or the city it belongs to, is listed in 附件2."""
    return unit_code in OVERCAPACITY_TASK_UNITS or unit_code[:4] + "00" in OVERCAPACITY_TASK_UNITS


@dataclass
class UnitContext:
    """What normalising and judging a record needs to know of the unit."""

    unit: Unit
    areas: list[Area]
    area_ids: dict[str, int]  # area key (its code, or "#<id>" without one) -> database id
    prefix_existed: Callable[[str], bool] | None = None
    today: dt.date = field(default_factory=dt.date.today)
    area_keys: list[str] | None = None  # parallel to ``areas``; default: their codes
    _by_key: dict[str, str] = field(default_factory=dict, init=False)
    _resolved: dict[str, str | None] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        unit_name = self.unit.name
        area_keys = self.area_keys or [a.code for a in self.areas]
        for area, area_key in zip(self.areas, area_keys, strict=True):
            keys = {area.code, area.name, _strip_suffix(area.name)}
            if area.is_self:
                keys |= {"本级", unit_name, unit_name + "本级", "市本级", "县本级", "区本级"}
            for key in keys:
                if key:
                    self._by_key.setdefault(_area_key(key), area_key)

    @property
    def overcapacity_task(self) -> bool:
        return has_overcapacity_task(self.unit.code)

    def resolve_area(self, text: str) -> str | None:
        """Area key (its code; ``#<id>`` for an area without code) for a code or
        name as written, or None when unknown."""
        if not text:
            return None
        try:
            return self._resolved[text]
        except KeyError:  # each distinct text is read once: a ledger has a few dozen
            key = self._by_key.get(_area_key(text))
            if len(self._resolved) < 10_000:
                self._resolved[text] = key
            return key


def _strip_suffix(name: str) -> str:
    return name[:-2] if name.endswith("本级") and len(name) > 2 else name


def _area_key(text: str) -> str:
    text = strip_invisible(unicodedata.normalize("NFKC", text))[0].strip().replace(" ", "")
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def cell_text(value: object) -> str:
    """A cell as text: numbers without a spurious ``.0``, dates in ISO form.

    Control characters (other than tab/newline) never belong in a ledger cell
    and are dropped.
    """
    if type(value) is str:
        if not value.isprintable() and _CONTROL.search(value):
            value = _CONTROL.sub("", value)
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return cell_text(str(value))


def _date_fields(value: object) -> tuple[str | None, str]:
    """(ISO date or None, the text as written when it could not be read)."""
    if type(value) is str:
        return _date_text_fields(value)
    return _read_date_fields(value)


def _read_date_fields(value: object) -> tuple[str | None, str]:
    if type(value) is dt.date:
        return value.isoformat(), ""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ""
    day = parse_date(value)
    if day is None:
        return None, cell_text(value)
    return day.isoformat(), ""


#: Dates written as text, read once each: a year's rows share a few hundred dates.
_date_text_fields = functools.lru_cache(maxsize=4096)(_read_date_fields)


#: (attribute, header) of the 是/否 fields, and of the text and choice fields kept as written
#: (name and type are normalised by their own rules in ``normalize``; 所属地区 is kept in
#: ``area_raw`` and resolved to an area).
_YES_NO_FIELDS = tuple((f.attr, f.header) for f in FIELDS if f.kind == FieldKind.YES_NO)
_PLAIN_FIELDS = tuple(
    (f.raw or f.attr, f.header, f.kind == FieldKind.CHOICE)
    for f in FIELDS
    if f.kind in (FieldKind.TEXT, FieldKind.CHOICE) and f.attr not in ("name", "record_type")
)

#: One string object for each text written in a choice field (a few dozen in a ledger): a
#: million records then hold, and a merge's worker sends, each such text once.
_SHARED: dict[str, str] = {}
_SHARED_MAX = 20_000


def _sharer() -> Callable[[str, str], str]:
    """``share(text, text)``: the one object for that text (a new text is kept while there
    are fewer than ``_SHARED_MAX``)."""
    return _SHARED.setdefault if len(_SHARED) < _SHARED_MAX else _SHARED.get


def _compact(text: str) -> str:
    """NFKC, no spaces: for names, codes and the type, where spaces are typing slips."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return text.replace(" ", "")


def normalize(
    values: Mapping[str, object], ctx: UnitContext, source_row: int | None = None
) -> Record:
    """A record from values keyed by template header (domain.md §3)."""
    get = values.get
    share = _sharer()
    rec = Record(source_row=source_row)
    for attr, header, choice in _PLAIN_FIELDS:
        v = get(header)
        if v.__class__ is str:  # the common case, inlined: a clean text cell
            if v:
                v = v.strip() if v.isprintable() else cell_text(v)
                setattr(rec, attr, share(v, v) if choice else v)
        elif v is not None:
            setattr(rec, attr, cell_text(v))
    for attr, header in _YES_NO_FIELDS:
        v = get(header)
        if v in (YES, NO):
            setattr(rec, attr, YES if v == YES else NO)
        elif v is not None and v != "":
            setattr(rec, attr, normalize_yes_no(cell_text(v)))
    rec.name = _compact(cell_text(get("姓名"))).replace("•", "·")
    raw_id = get("公民身份号码")
    stripped: list[str] = []
    if isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
        rec.id_raw = id_text_from_number(raw_id)
    else:
        rec.id_raw, invisible = strip_invisible(cell_text(raw_id))
        if invisible:
            stripped.append("公民身份号码")
    res = read_id(rec.id_raw)
    rec.id_number, rec.id_note = res.number, res.note
    if not rec.sex and res.ok:
        rec.sex = res.sex
    rec.area_code = ctx.resolve_area(rec.area_raw)
    record_type = _compact(cell_text(get("登记类型")))
    rec.record_type = share(record_type, record_type)
    rec.event_date, rec.event_date_raw = _date_fields(get("就业（减员）日期"))
    uscc, invisible = strip_invisible(cell_text(get("统一社会信用代码")))
    if invisible:
        stripped.append("统一社会信用代码")
    rec.uscc = _compact(uscc).upper()
    phone, invisible = strip_invisible(cell_text(get("联系电话")))
    if invisible:
        stripped.append("联系电话")
    rec.phone = normalize_phone(phone)
    if stripped:  # the record says so (shown as 身份证号说明 in the grid and the form)
        note = f"{'、'.join(stripped)}中的不可见字符已去除"
        rec.id_note = f"{rec.id_note}；{note}" if rec.id_note else note
    rec.registered_on, rec.registered_on_raw = _date_fields(get("登记日期"))
    if rec.registered_on is None:
        # An empty 登记日期 defaults to the day the record enters the ledger (domain.md §3);
        # one written but unreadable is never replaced by another date (§5.3): the record
        # keeps no date ("") and the text as written, and the self-check calls it invalid.
        rec.registered_on = "" if rec.registered_on_raw else ctx.today.isoformat()
    return rec


def dup_key(record: Record) -> str | None:
    """The duplicate class of domain.md §5.3: one 新就业 and one 去产能安置 per
    person and year, one 自然减员 per person ever."""
    year = (record.registered_on or "")[:4]
    if not year and record.record_type in (RecordType.NEW, RecordType.PLACEMENT):
        return None  # no readable 登记日期: the record belongs to no year
    if record.record_type == RecordType.NEW:
        return f"N{year}"
    if record.record_type == RecordType.PLACEMENT:
        return f"P{year}"
    if record.record_type == RecordType.ATTRITION:
        return "A"
    return None


Derived = tuple[int, str | None, str | None, bool, list[Finding]]


def derive(record: Record, ctx: UnitContext) -> Derived:
    """What the database keeps beside a record: (indicator bits, duplicate class,
    birth date, ID sound, the record's own findings). Plain values: this runs for every
    imported row."""
    res = read_id(record.id_raw or record.id_number)
    birth = res.birth
    return (
        indicator_bits(record),
        dup_key(record),
        birth.isoformat() if birth else None,
        res.ok,
        record_findings(
            record,
            area_known=record.area_code is not None and record.area_code in ctx.area_ids,
            has_overcapacity_task=ctx.overcapacity_task,
            prefix_existed=ctx.prefix_existed,
        ),
    )


def record_values(record: Record) -> dict[str, str]:
    """A record back as template values (header -> text), e.g. for an export."""
    return {f.header: template_text(record, f) for f in FIELDS}


# --- The stored row ----------------------------------------------------------------------


def prepared_row(record: Record, ctx: UnitContext) -> ledger.RowAndFindings:
    """The row the ledger stores for a record: its values, area id, derived columns and
    own findings (``derive``)."""
    ind, key, birth, id_ok, findings = derive(record, ctx)
    return ledger.record_row(record, _area_id(record, ctx), id_ok, birth, ind, key, findings)


def row_findings(row: ledger.RowAndFindings) -> list[Finding]:
    """The record's own findings of a stored row, as the form shows them."""
    return [Finding(FindingKind(k), f, m, rule=r) for k, f, m, r in row[1]]


def _area_id(record: Record, ctx: UnitContext) -> int | None:
    return ctx.area_ids.get(record.area_code) if record.area_code else None
