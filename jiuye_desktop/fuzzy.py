"""Possible duplicates the auditors will find (domain.md §8): warnings, never removals.

Looked for among the records not removed of one duplicate class (domain.md
§5.3: 新就业 of a year, 去产能安置 of a year, 自然减员), across every area of
the ledger (so across counties at city level and across cities at province
level):

- ``same_name``: same name and birth date, different IDs;
- ``homophone``: names that sound the same (pinyin without tones, every
  reading of a polyphonic character) and the same birth date, different IDs;
- ``near_id``: an ID that fails domain.md §5.1 and differs from a sound ID of a
  record with the same name in one digit, or by two adjacent characters
  swapped (the message suggests the sound ID);
- ``shared_phone``: one phone number (dashes ignored) for three or more
  different people (IDs);
- ``made_up_phone``: a mobile number that looks invented (``fuzzy_keys.made_up_phone``).

No pass compares every record with every other: the name rules look inside
blocks of one class and birth date (some 25 records each in a million), the
ID rule computes the few IDs one edit away that have a valid check digit and
looks those up by index, the phone rules count phones once.

Each finding names the other record(s) and carries a stable ``key`` (the
rule's word and the partner's ID, or the phone, e.g. ``同音同生日:41100219900512128X``)
that a dismissal (domain.md §5.3) refers to; the key uses no database ids, so
it means the same thing in a county's ledger and in the city's after a merge. The
likenesses themselves (pinyin keys, IDs one edit away, made-up phones) are in
``fuzzy_keys``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .fuzzy_keys import (
    RUNS5,
    made_up_phone,
    one_edit_ids,
    shared_reading,
    sound_alike,
    sound_classes,
)
from .storage import audit_sql, ledger
from .validation import phone_ok

#: The rules, with the label the self-check screen shows for each.
RULE_LABELS = {
    "same_name": "姓名、出生日期相同",
    "homophone": "姓名读音相同",
    "near_id": "身份证号相近",
    "shared_phone": "多人同一电话",
    "made_up_phone": "电话疑似编造",
}
#: The word each rule's finding key starts with (dismissals: ``<word>:<partner ID | phone>``);
#: ``同名同生日`` is the word the dismissals of issue 12 use for the same rule.
KEY_WORDS = {
    "same_name": "同名同生日",
    "homophone": "同音同生日",
    "near_id": "身份证号相近",
    "shared_phone": "多人同一电话",
    "made_up_phone": "电话疑似编造",
}
#: Rules whose findings are possible duplicates (the report's list for review).
DUPLICATE_RULES = frozenset({"same_name", "homophone", "near_id", "shared_phone"})
#: The marker every possible-duplicate message carries (the report looks for it).
POSSIBLE_MARK = "可能是同一人"
#: A person with more partners than this is named with the first ones and a count.
MAX_PARTNERS = 3


@dataclass(frozen=True, slots=True)
class Suspect:
    """One possible-duplicate or phone finding of one record."""

    record: int
    rule: str
    field: str
    message: str
    partners: tuple[int, ...]  # the other record(s) named, first the closest
    key: str  # stable: "<KEY_WORDS[rule]>:<partner's ID | phone>"
    source_row: int | None = None
    name: str = ""
    id_number: str = ""
    area: str = ""


@dataclass(slots=True)
class _Hit:
    record: int
    rule: str
    partner: int
    extra: str = ""  # near_id: the sound ID; homophone: the shared reading


def _name_hits(conn: Any) -> list[_Hit]:
    """Pairs of the same name or of names that sound the same, per block (both directions).

    A block needs a closer look only when a name repeats, or when two different
    names read alike once written as sound classes (:func:`sound_classes`).
    """
    sep = audit_sql.SEP
    blocks = list(audit_sql.birth_blocks(conn))
    chars: set[str] = set()
    for block in blocks:
        chars.update(block[2])
    table = sound_classes(chars)
    hits: list[_Hit] = []
    for _key, _birth, names_text, ids_text, rec_text in blocks:
        names_here = names_text.split(sep)
        distinct = set(names_here)
        repeated = len(distinct) < len(names_here)
        classes_here: list[str] = []
        homophones = False
        if len(distinct) > 1:
            classes_here = names_text.translate(table).split(sep)
            homophones = len(set(classes_here)) < len(distinct)
        if not (repeated or homophones):
            continue
        idns = ids_text.split(sep)
        recs = [int(x) for x in rec_text.split(sep)]
        people = list(zip(recs, names_here, idns, strict=True))
        if repeated:
            by_name: dict[str, list[tuple[int, str, str]]] = {}
            for p in people:
                by_name.setdefault(p[1], []).append(p)
            for same in by_name.values():
                if len(same) > 1:
                    hits += _pairs(same, same, "same_name")
        if homophones:
            by_class: dict[str, set[str]] = {}
            for n, klass in zip(names_here, classes_here, strict=True):
                by_class.setdefault(klass, set()).add(n)
            for members in by_class.values():
                for a in members:
                    for b in members:
                        if a != b and sound_alike(a, b):
                            mine = [p for p in people if p[1] == a]
                            theirs = [p for p in people if p[1] == b]
                            hits += _pairs(mine, theirs, "homophone", shared_reading(a, b))
    return hits


def _pairs(
    mine: Sequence[tuple[int, str, str]],
    theirs: Sequence[tuple[int, str, str]],
    rule: str,
    extra: str = "",
) -> list[_Hit]:
    """Hits for each record of ``mine`` against each of ``theirs`` with another ID.

    Both directions of a pair arrive (the caller passes (a, b) and (b, a)), so
    each record of a pair carries its own finding naming the other.
    """
    out = []
    for rec, _name, idn in mine:
        for other, _n, other_idn in theirs:
            if other != rec and other_idn != idn:
                out.append(_Hit(rec, rule, other, extra))
    return out


def _near_id_hits(conn: Any) -> list[_Hit]:
    hits: list[_Hit] = []
    for rec, name, text, key in audit_sql.unsound_ids(conn):
        text = _normal_id(text)
        candidates = dict(one_edit_ids(text))
        if not candidates:
            continue
        for other, idn in audit_sql.sound_matches(conn, name, key, candidates):
            hits.append(_Hit(rec, "near_id", other, f"{idn}\x1f{candidates[idn]}"))
    return hits


def _normal_id(text: str) -> str:
    table = {ord("Ｘ"): "X", ord("x"): "X", **{0xFF10 + i: str(i) for i in range(10)}}
    return "".join(text.split()).translate(table)


def _phone_groups(conn: Any) -> tuple[dict[str, list[int]], dict[int, str], list[tuple]]:
    """Shared phones ({phone: records}) and made-up phones ({record: why}), and their rows.

    Mobiles are counted by the database (in the order of an index); landlines, written
    with or without a dash, are counted here with the dash removed.
    """
    crowded_raw: set[str] = set()
    for _key, phone in audit_sql.crowded_mobiles(conn, 3):
        if phone_ok(phone):  # a malformed phone is already invalid (domain.md §5.3)
            crowded_raw.add(phone)
    lines: dict[tuple[str, str], list[str]] = {}
    for key, phone in audit_sql.landlines(conn):
        lines.setdefault((key, phone.replace("-", "")), []).append(phone)
    for (_key, normal), written in lines.items():
        if len(written) >= 3 and phone_ok(normal):
            crowded_raw.update(written)
    made_up = {p: why for p in audit_sql.phones_like_runs(conn, RUNS5) if (why := made_up_phone(p))}
    rows = audit_sql.records_with_phones(conn, crowded_raw | set(made_up))
    crowded = {p.replace("-", "") for p in crowded_raw}
    shared: dict[str, list[int]] = {}
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for rec, phone, key, person, _name in rows:
        if phone in crowded:
            groups.setdefault((key, phone), []).append((rec, person))
    for (_key, phone), members in groups.items():
        if len({person for _r, person in members}) >= 3:
            shared.setdefault(phone, []).extend(r for r, _p in members)
    flagged = {rec: made_up[phone] for rec, phone, *_ in rows if phone in made_up}
    return shared, flagged, rows


def find(conn: Any) -> list[Suspect]:
    """Every possible duplicate and made-up phone among the records not removed."""
    hits = _name_hits(conn) + _near_id_hits(conn)
    shared, made_up, phone_rows = _phone_groups(conn)
    phone_of = {rec: phone for rec, phone, *_ in phone_rows}
    person_of = {rec: person for rec, _p, _k, person, _n in phone_rows}
    ids = {h.record for h in hits} | {h.partner for h in hits} | set(made_up)
    for members in shared.values():
        ids.update(members)
    brief = ledger.record_brief(conn, sorted(ids))
    out: list[Suspect] = []

    by_record: dict[tuple[int, str], list[_Hit]] = {}
    for h in hits:
        by_record.setdefault((h.record, h.rule), []).append(h)
    for (rec, _rule), group in sorted(by_record.items()):
        me = brief[rec]
        for h in group:
            other = brief[h.partner]
            out.append(_pair_suspect(rec, me, h, other))

    for phone, members in sorted(shared.items()):
        for rec in members:
            me = brief[rec]
            others = [r for r in members if r != rec and person_of[r] != person_of[rec]]
            people = len({person_of[r] for r in members})
            named = "、".join(_who(me, brief[r], r) for r in others[:MAX_PARTNERS])
            more = f"等{len(others)}条记录" if len(others) > MAX_PARTNERS else ""
            out.append(
                _suspect(
                    rec,
                    me,
                    "shared_phone",
                    "联系电话",
                    f"联系电话{phone}同一年同类登记中有{people}个不同的人使用（另见{named}{more}），"
                    f"{POSSIBLE_MARK}重复登记或电话填错，请核实",
                    tuple(others),
                    f"{KEY_WORDS['shared_phone']}:{phone}",
                )
            )
    for rec, why in sorted(made_up.items()):
        me = brief[rec]
        phone = phone_of[rec]
        out.append(
            _suspect(
                rec,
                me,
                "made_up_phone",
                "联系电话",
                f"联系电话{phone}疑似编造（{why}），电话抽查时无法接通，请核实",
                (),
                f"{KEY_WORDS['made_up_phone']}:{phone}",
            )
        )
    out.sort(key=lambda s: (s.record, s.rule, s.key))
    return out


def _pair_suspect(rec: int, me: dict[str, Any], h: _Hit, other: dict[str, Any]) -> Suspect:
    who = _who(me, other, h.partner)
    if h.rule == "same_name":
        text = (
            f"与{who}（身份证号{other['id_number']}）姓名、出生日期相同而身份证号不同，"
            f"{POSSIBLE_MARK}，请核实"
        )
        return _suspect(
            rec,
            me,
            h.rule,
            "姓名",
            text,
            (h.partner,),
            f"{KEY_WORDS['same_name']}:{other['id_number']}",
        )
    if h.rule == "homophone":
        text = (
            f"与{who}{other['name']}（身份证号{other['id_number']}）姓名读音相同（{h.extra}）、"
            f"出生日期相同而身份证号不同，{POSSIBLE_MARK}，请核实"
        )
        return _suspect(
            rec,
            me,
            h.rule,
            "姓名",
            text,
            (h.partner,),
            f"{KEY_WORDS['homophone']}:{other['id_number']}",
        )
    sound, how = h.extra.split("\x1f")
    change = "仅一位数字不同" if how == "digit" else "仅相邻两位颠倒"
    text = (
        f"身份证号与同名的{who}（{sound}）{change}，{POSSIBLE_MARK}、号码录错；"
        f"正确号码可能是{sound}，请核实"
    )
    return _suspect(
        rec, me, h.rule, "公民身份号码", text, (h.partner,), f"{KEY_WORDS['near_id']}:{sound}"
    )


def _suspect(
    rec: int,
    me: dict[str, Any],
    rule: str,
    field: str,
    message: str,
    partners: Iterable[int],
    key: str,
) -> Suspect:
    return Suspect(
        rec,
        rule,
        field,
        message,
        tuple(partners),
        key,
        me["source_row"],
        me["name"] or "",
        me["id_number"] or "",
        me["area"] or "",
    )


def _who(me: dict[str, Any], other: dict[str, Any], other_id: int) -> str:
    """The other record as a clerk finds it: its area when another, then its row or number."""
    same = me["area_id"] == other["area_id"] and me["origin_unit"] == other["origin_unit"]
    place = "" if same else (other.get("area") or "")
    if other.get("source_row"):
        return f"{place}第 {other['source_row']} 行"
    return f"{place}记录 #{other_id}"
